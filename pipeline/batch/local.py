"""The local executor of batch builds: ``run_local`` builds in this process
(``--jobs 1``) or on local worker processes (``build --jobs N``, at most
``JOBS_PER_CORE`` per core).

Start-up: this process imports the engines once (``job.warm_up``) and forks
the workers from itself. A worker then starts in milliseconds, ready to build,
instead of spending its first second importing WeasyPrint and the rest; and
what this process had imported already (the readers, the options…) is not
imported again, as a separate fork server would. While it forks a worker,
the objects of this process are frozen out of the garbage collector
(``collector.frozen``): a worker's collections then neither walk nor write to the
memory it shares with this process, which would copy it page by page. Where
there is no fork (not POSIX) workers are spawned and import the engines
themselves.

Memory: a worker keeps what the texts it built loaded (fonts of other
scripts, the engines' caches) for the texts after it. After each text it says
how much memory it holds; one that holds more than ``WORKER_MEMORY_MARK``, or
has built ``TEXTS_PER_WORKER`` texts, is stopped and a fresh one forked when
there is more to build, so that a process never carries more than one text's
needs beyond its start, whatever the mix of a library.

Ctrl-C: workers start with SIGINT blocked and ignore it as their first act
(``interrupt``); the parent alone stops, and a worker finishes the text it is
writing, so its outputs are whole. A worker that dies (killed, out of memory)
fails the text it was building, with its exit status; the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, TypeVar

from pipeline import collector, interrupt
from pipeline.batch.job import JobResult, JobSpec, build_job, warm_up

Spec = TypeVar("Spec")        # a job's input and its result: plain data that pickles
Result = TypeVar("Result")

# A worker holding more than this after a text is replaced (resident bytes).
WORKER_MEMORY_MARK = 300 * 2**20
# … and one that has built this many texts, whatever it holds.
TEXTS_PER_WORKER = 50
# Worker processes: at most this many per core. The work is layout, all
# processor; more processes than that only add memory (about 100 MB each).
JOBS_PER_CORE = 2


def run_local(specs: list[JobSpec], jobs: int) -> Iterator[tuple[int, JobResult]]:
    """(index in ``specs``, result) as each job ends, on ``jobs`` worker
    processes (in this process when one is enough)."""
    if jobs <= 1 or len(specs) <= 1:
        for n, spec in enumerate(specs):
            yield n, build_job(spec)
        return
    yield from run_workers(specs, min(jobs, len(specs)), build_job, _worker_died)


def _worker_died(spec: JobSpec, how: str) -> JobResult:
    return JobResult(spec.source, error=f"{spec.source}: the worker building it stopped ({how})")


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def worker_processes(requested: int) -> tuple[int, str]:
    """How many worker processes to start for ``--jobs requested`` (0: one per
    core), at most ``JOBS_PER_CORE`` per core; and a note when that is fewer."""
    cores = default_jobs()
    most = JOBS_PER_CORE * cores
    if requested > most:
        return most, (f"note: --jobs {requested} is more than this machine can use: "
                      f"building with {most} processes ({JOBS_PER_CORE} per core, {cores} cores)")
    return requested or cores, ""


def _context():
    """Fork's context, the engines imported; else spawn's."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    warm_up()
    return multiprocessing.get_context("fork")


def resident_bytes() -> int:
    """This process's resident memory now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _work(conn: Connection, job: Callable[[Spec], Result]) -> None:
    """A worker: jobs from ``conn`` until told to stop (None) or the parent goes."""
    interrupt.ignore_in_child()
    warm_up()                                   # already done when forked
    while True:
        try:
            spec = conn.recv()
        except (EOFError, OSError):
            return
        if spec is None:
            return
        result = job(spec)
        conn.send((result, resident_bytes()))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    texts: int = 0
    job: int | None = None          # the index of the spec it builds, None when idle

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass


def run_workers(specs: list[Spec], jobs: int, job: Callable[[Spec], Result],
                failed: Callable[[Spec, str], Result]) -> Iterator[tuple[int, Result]]:
    """(index in ``specs``, ``job(spec)``) as each ends, on at most ``jobs``
    worker processes; ``failed(spec, why)`` is the result of a spec whose
    worker died building it."""
    context = _context()
    todo = deque(range(len(specs)))
    workers: list[_Worker] = []
    first = True

    def start() -> _Worker:
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, job), daemon=True, name="zinepress-worker")
        with collector.frozen():    # the worker starts with them frozen (see the module's docstring)
            process.start()
        theirs.close()
        return _Worker(process, ours)

    try:
        while todo or any(w.job is not None for w in workers):
            # Hand out work: idle workers first, then new ones up to ``jobs``. An
            # idle worker that has died since its last text is replaced.
            with interrupt.held():   # a worker starts with SIGINT blocked
                for worker in [w for w in workers if w.job is None]:
                    if todo and not _hand(worker, todo, specs):
                        worker.process.join()
                        workers.remove(worker)
                stillborn = []
                while todo and len(workers) < jobs:
                    worker = start()
                    if _hand(worker, todo, specs):
                        workers.append(worker)
                    else:                                   # died as it started: its job fails
                        worker.process.join()
                        n = todo.popleft()
                        stillborn.append((n, failed(specs[n], _how_it_ended(worker.process.exitcode))))
                if first:
                    first = False
                    interrupt.checkpoint("workers")
            yield from stillborn
            busy = [w for w in workers if w.job is not None]
            if not busy:
                continue
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                n = worker.job
                try:
                    result, memory = worker.conn.recv() if worker.conn.poll() else (None, 0)
                except (EOFError, OSError):
                    result, memory = None, 0
                worker.job = None
                if result is None:                          # died building it
                    worker.process.join()
                    workers.remove(worker)
                    yield n, failed(specs[n], _how_it_ended(worker.process.exitcode))
                    continue
                worker.texts += 1
                if memory > WORKER_MEMORY_MARK or worker.texts >= TEXTS_PER_WORKER:
                    worker.stop()
                    worker.process.join()
                    workers.remove(worker)
                yield n, result
    finally:
        # Done, or stopped (Ctrl-C, the caller gone): the idle stop now, the busy
        # finish the text they are writing first (its result is read and dropped,
        # so that a worker never waits on a full pipe).
        for worker in workers:
            worker.stop()
        for worker in workers:
            if worker.job is not None:
                try:
                    worker.conn.recv()
                except (EOFError, OSError):
                    pass
            worker.process.join()
            worker.conn.close()


def _hand(worker: _Worker, todo: deque, specs: list) -> bool:
    """Give ``worker`` the next job of ``todo``; False (the job kept) if it is gone."""
    n = todo.popleft()
    try:
        worker.conn.send(specs[n])
    except OSError:
        todo.appendleft(n)
        return False
    worker.job = n
    return True


def _how_it_ended(exitcode: int | None) -> str:
    import signal
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
