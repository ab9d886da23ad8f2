"""The local worker processes of batch builds (``pipeline.batch.local``): forked
ready to build, replaced when they hold too much or have built enough, a
dead one failing only its own text."""

import gc
import os
import signal
import sys

import pytest

from pipeline.batch import local
from pipeline.batch.local import run_workers

_HELD: list[bytes] = []


def _pid_after_holding(spec: dict) -> dict:
    """A job: keeps ``spec["megabytes"]`` more for the rest of the worker's life."""
    _HELD.append(b"x" * (spec.get("megabytes", 0) * 2**20))     # written, so resident
    if spec.get("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    engines = sys.modules.get("weasyprint")
    return {"n": spec["n"], "pid": os.getpid(), "engines": id(engines) if engines else None,
            "frozen": gc.get_freeze_count()}


def _failed(spec: dict, how: str) -> dict:
    return {"n": spec["n"], "failed": how}


def _run(specs, jobs=2):
    results = dict(run_workers(specs, jobs, _pid_after_holding, _failed))
    assert sorted(results) == list(range(len(specs)))
    assert all(results[n]["n"] == n for n in results)
    return results


def _mark_above_this_process(monkeypatch, megabytes: int) -> None:
    """The memory mark ``megabytes`` above this process's resident memory, the
    engines loaded: a worker forked now starts with at most that (a test process
    that has run others may hold more than the mark itself)."""
    local.warm_up()
    monkeypatch.setattr(local, "WORKER_MEMORY_MARK", local.resident_bytes() + megabytes * 2**20)


def test_workers_start_with_the_engines_loaded_and_keep_going(monkeypatch):
    _mark_above_this_process(monkeypatch, 1000)
    frozen_before = gc.get_freeze_count()
    results = _run([{"n": n} for n in range(8)])
    # The engines were imported here, once, and the workers forked with them:
    # each holds this process's very module object (one it imported itself
    # would be another object), and this process's objects frozen.
    assert all(r["engines"] == id(sys.modules["weasyprint"]) for r in results.values())
    assert all(r["frozen"] > 0 for r in results.values())
    assert gc.get_freeze_count() == frozen_before              # collectable here again
    assert len({r["pid"] for r in results.values()}) == 2    # two workers, each for several texts


def test_a_worker_holding_more_than_the_mark_is_replaced(monkeypatch):
    # What a worker reports is what its texts hold, 60 MB each: a forked worker's
    # own resident memory starts anywhere below this process's, as the kernel
    # maps shared pages lazily. (``resident_bytes`` has the next test.)
    monkeypatch.setattr(local, "resident_bytes", lambda: sum(map(len, _HELD)))
    monkeypatch.setattr(local, "WORKER_MEMORY_MARK", 200 * 2**20)
    results = _run([{"n": n, "megabytes": 60} for n in range(12)])
    pids = [r["pid"] for r in results.values()]
    # The fourth text takes a worker over the mark: the first two built four
    # each, then two fresh ones shared the other four.
    counts = sorted(pids.count(pid) for pid in set(pids))
    assert max(counts) == 4 and counts.count(4) >= 2 and len(counts) >= 3


def test_resident_memory_counts_what_a_process_holds():
    before = local.resident_bytes()
    held = bytearray(60 * 2**20)
    held[::4096] = b"x" * len(held[::4096])          # written, so resident
    assert local.resident_bytes() - before >= 55 * 2**20


def test_a_worker_is_replaced_after_its_share_of_texts(monkeypatch):
    monkeypatch.setattr(local, "TEXTS_PER_WORKER", 3)
    results = _run([{"n": n} for n in range(12)])
    pids = [r["pid"] for r in results.values()]
    assert len(set(pids)) >= 4 and all(pids.count(pid) <= 3 for pid in set(pids))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_fails_its_text_alone(jobs):
    specs = [{"n": n, "die": n == 3} for n in range(7)]
    results = _run(specs, jobs)
    assert results[3] == {"n": 3, "failed": "killed by SIGKILL"}
    assert all("pid" in results[n] for n in results if n != 3)
