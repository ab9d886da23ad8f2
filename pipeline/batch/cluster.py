"""The Dask executor of batch builds (``build --scheduler tcp://HOST:PORT``):
the scheduler's address checked, a scheduler that does not answer (or is not
Dask) said within seconds, and the same ``build_job`` mapped over the cluster.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING, Iterator

from pipeline.errors import OptionError

if TYPE_CHECKING:
    from pipeline.batch.job import JobResult, JobSpec

SCHEDULER_CONNECT_SECONDS = 5.0
SCHEDULER_ANSWER_SECONDS = 5.0

SCHEDULER_ADDRESS = re.compile(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)"
                               r":([0-9]{1,5})")


def scheduler_address(address: str) -> tuple[str, int]:
    """(host, port) of a ``--scheduler`` address; the one form accepted is
    ``tcp://HOST:PORT`` (HOST a name, an IPv4 address or an [IPv6] one).
    Raises ``OptionError`` for anything else."""
    match = SCHEDULER_ADDRESS.fullmatch(address)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise OptionError(f"--scheduler {address!r} is not an address of the form tcp://HOST:PORT",
                          hint="give the scheduler's address as 'dask scheduler' prints it, e.g. "
                               "tcp://192.168.1.10:8786 (tls://, ws://, inproc:// and others are not supported)")
    return match.group(1).strip("[]"), int(match.group(2))


def check_scheduler(address: str) -> None:
    """Make sure a Dask scheduler answers at ``address``, within
    ``SCHEDULER_CONNECT_SECONDS`` to connect and ``SCHEDULER_ANSWER_SECONDS``
    for its answer: a refused port is said at once, a listener that is not
    Dask (silent, or saying something else) in seconds, never a hang."""
    import asyncio
    import socket
    import struct

    host, port = scheduler_address(address)
    unreachable = f"cannot reach the scheduler {address}"
    hint = "start one with 'dask scheduler' and give its tcp://HOST:PORT address"
    # First a plain connection, which also reads the start of Dask's greeting
    # (the byte count of its first message), so that neither a silent listener
    # nor one that announces gigabytes is handed to Dask's own reader.
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_CONNECT_SECONDS) as probe:
            probe.settimeout(SCHEDULER_ANSWER_SECONDS)
            head = b""
            while len(head) < 8:
                chunk = probe.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except socket.timeout:
        raise OptionError(f"{unreachable}: no answer within {SCHEDULER_CONNECT_SECONDS:g} s of connecting "
                          "or of being greeted", hint=hint) from None
    except OSError as exc:
        raise OptionError(f"{unreachable} ({exc.strerror or exc})", hint=hint) from None
    not_dask = OptionError(f"what listens at {address} is not a Dask scheduler", hint=hint)
    if len(head) < 8 or not 0 < struct.unpack("<Q", head)[0] <= 1 << 16:
        raise not_dask

    async def identify():
        from distributed.comm import connect
        comm = await connect(address, timeout=SCHEDULER_CONNECT_SECONDS)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identify(), SCHEDULER_CONNECT_SECONDS + SCHEDULER_ANSWER_SECONDS))
    except Exception:
        raise not_dask from None
    if not (isinstance(reply, dict) and reply.get("type") == "Scheduler"):
        raise not_dask


def run_dask(specs: list[JobSpec], scheduler: str) -> Iterator[tuple[int, JobResult]]:
    """The same jobs on a Dask distributed cluster. Its workers must see the
    sources and the output folder at the same paths (a shared file system)."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise OptionError("--scheduler needs Dask distributed",
                          hint="install it with: pip install 'zinepress[cluster]'") from None
    check_scheduler(scheduler)
    try:
        client = Client(scheduler, timeout=f"{SCHEDULER_CONNECT_SECONDS + SCHEDULER_ANSWER_SECONDS:g}s")
    except OSError as exc:
        raise OptionError(f"cannot reach the scheduler {scheduler} ({exc})",
                          hint="start one with 'dask scheduler' and give its tcp:// address") from None
    from pipeline.batch.job import build_job, warm_up

    with client:
        client.run(warm_up)
        futures = client.map(build_job, specs, pure=False, key=[f"zinepress-{n}-{os.getpid()}-{time.time_ns()}"
                                                               for n in range(len(specs))])
        index = {future.key: n for n, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                n = index[future.key]
                yield n, _collect(future, specs[n])
        except BaseException:
            client.cancel(futures)
            raise


def _collect(future, spec: JobSpec) -> JobResult:
    """The job's result, or a failure when the worker itself died."""
    from pipeline.batch.job import JobResult

    try:
        return future.result()
    except Exception as exc:
        return JobResult(spec.source, error=f"{spec.source}: the worker building it stopped "
                                            f"({type(exc).__name__}: {exc})")
