"""The local worker processes of batch builds (``pipeline.batch.local``): forked
ready to build, replaced when they hold too much or have built enough, a
dead one failing only its own text."""

import os
import signal
from pathlib import Path

import pytest

from pipeline.batch import local
from pipeline.batch.local import run_workers

_HELD: list[bytes] = []


def _pid_after_holding(spec: dict) -> dict:
    """A job: keeps ``spec["megabytes"]`` more for the rest of the worker's life."""
    _HELD.append(b"x" * (spec.get("megabytes", 0) * 2**20))     # written, so resident
    if spec.get("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    modules = __import__("sys").modules
    preloaded = getattr(modules.get(local.PRELOAD_MODULE), "__file__", None)
    return {"n": spec["n"], "pid": os.getpid(), "engines": "weasyprint" in modules, "preloaded": preloaded}


def _failed(spec: dict, how: str) -> dict:
    return {"n": spec["n"], "failed": how}


def _run(specs, jobs=2):
    results = dict(run_workers(specs, jobs, _pid_after_holding, _failed))
    assert sorted(results) == list(range(len(specs)))
    assert all(results[n]["n"] == n for n in results)
    return results


def test_workers_start_with_the_engines_loaded_and_keep_going():
    results = _run([{"n": n} for n in range(8)])
    assert all(r["engines"] for r in results.values())
    # The fork server imported its preload module, which loads the engines
    # (nothing in a worker imports it; a wrong name would fail silently).
    preload = str(Path(local.__file__).with_name("preload.py"))
    assert all(r["preloaded"] == preload for r in results.values())
    assert len({r["pid"] for r in results.values()}) == 2    # two workers, each for several texts


def test_a_worker_holding_more_than_the_mark_is_replaced(monkeypatch):
    monkeypatch.setattr(local, "WORKER_MEMORY_MARK", 200 * 2**20)
    # Each text holds 60 MB more: a worker passes the mark after a few texts.
    results = _run([{"n": n, "megabytes": 60} for n in range(12)])
    pids = [r["pid"] for r in results.values()]
    assert len(set(pids)) > 2
    assert max(pids.count(pid) for pid in set(pids)) <= 4


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
