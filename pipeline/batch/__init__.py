"""Batch builds: the jobs for files and folders planned, run on an executor,
what is up to date skipped, the outcome reported. ``run_build`` runs the steps,
one module each:

- ``planning``: the sources collected and digested, each a job; those that
  cannot be built failed before anything is;
- ``manifest``: ``OUT``'s manifest (read, checked, saved; the up-to-date
  test) and the lock held while building into ``OUT``;
- ``job``: one source is one job, ``build_job(JobSpec) -> JobResult``, plain
  data in and out;
- the executors: ``local`` (this process, or local worker processes) and
  ``cluster`` (a Dask distributed cluster);
- ``report``: the progress, the summary table and the JSON report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline import interrupt
from pipeline.batch.cluster import run_dask
from pipeline.batch.job import JobResult, JobSpec
from pipeline.batch.local import run_local, worker_processes
from pipeline.batch.manifest import MANIFEST_NAME, output_lock, read_manifest, save_manifest, up_to_date
from pipeline.batch.planning import Job, plan
from pipeline.batch.report import Progress, summary_table, write_report
from pipeline.errors import one_line
from pipeline.options import BuildOptions

interrupt.checkpoint("import")     # the tests' Ctrl-C while the program's modules load


@dataclass
class BatchOptions:
    jobs: int = 0                  # worker processes; 0: one per core
    force: bool = False            # rebuild even what is up to date
    quiet: bool = False
    report: Path | None = None     # the JSON report
    scheduler: str = ""            # a Dask scheduler's address: run there instead
    debug: bool = False
    terminal: bool | None = None   # None: whether stderr is a terminal
    manifest_every: float = 2.0    # seconds between saves of the manifest while building


def run_build(paths: list[Path], out: Path, options: BuildOptions, batch: BatchOptions | None = None, *,
              debug: bool = False, echo: Callable[..., None] = print) -> int:
    """Build every source; returns the number of sources that failed."""
    batch = batch or BatchOptions(debug=debug)
    started = time.perf_counter()
    jobs = plan(paths, out, options, report=batch.report)
    note = (lambda text: None) if batch.quiet else (lambda text: echo(one_line(text), err=True))
    processes, too_many = worker_processes(batch.jobs)
    if too_many and not batch.scheduler:
        note(too_many)
    if not out.is_dir() and all(job.result is not None for job in jobs):
        lock = contextlib.nullcontext()     # nothing to build: no folder to make
    else:
        lock = output_lock(out, note)
    with lock:
        return _run_locked(jobs, out, options, batch, echo, note, processes, started)


def _size(job: Job) -> int:
    try:
        return job.source.stat().st_size
    except OSError:
        return 0


def _run_locked(jobs: list[Job], out: Path, options: BuildOptions, batch: BatchOptions,
                echo: Callable[..., None], note: Callable[[str], None], processes: int, started: float) -> int:
    from pipeline.writers.output import remove_stale_parts
    for folder in {job.out_dir for job in jobs} | {out}:
        remove_stale_parts(folder)   # temporary files of builds that were killed
    manifest, unusable = read_manifest(out)
    if unusable:
        note(f"warning: {out / MANIFEST_NAME} cannot be used ({unusable}): it is ignored, every source is "
             "built again and it is written anew")
    changed = bool(unusable)

    for job in jobs:
        if job.result is None and not batch.force and up_to_date(job, manifest.get(job.key), out):
            entry = manifest[job.key]
            job.result = JobResult(str(job.source), "skipped", outputs=[str(p) for p in job.outputs],
                                   pages=entry.get("pages", 0))
    for job in jobs:
        if job.result is not None and job.result.status == "failed" and job.key in manifest:
            del manifest[job.key]
            changed = True

    # The largest first, on any executor: a long book handed out last would be
    # built alone at the end while the other workers have run out of work.
    todo = sorted((job for job in jobs if job.result is None), key=_size, reverse=True)
    specs = [JobSpec(str(job.source.absolute()), str(job.out_dir.absolute()), options) for job in todo]

    with Progress(len(jobs), echo, quiet=batch.quiet, debug=batch.debug, terminal=batch.terminal) as progress:
        # What is known before anything is built is said first: clashes, unreadable files, skips.
        for job in jobs:
            if job.result is not None:
                progress.done(job.result)
        if specs:
            progress.running(str(todo[0].source))
        runner = (run_dask(specs, batch.scheduler) if batch.scheduler
                  else run_local(specs, processes))
        last_save = time.monotonic()
        try:
            for n, result in runner:
                job = todo[n]
                job.result = _as_given(result, job)
                if result.status == "built":
                    manifest[job.key] = {"digest": job.digest, "pages": result.pages,
                                         "outputs": [p.relative_to(out).as_posix() for p in job.outputs]}
                else:
                    manifest.pop(job.key, None)
                changed = True
                progress.done(job.result)
                pending = next((j for j in todo if j.result is None), None)
                if pending is not None:
                    progress.running(str(pending.source))
                # (an empty manifest is never written: a failed first build leaves nothing)
                if time.monotonic() - last_save > batch.manifest_every and out.is_dir() \
                        and (manifest or (out / MANIFEST_NAME).exists()):
                    save_manifest(out, manifest)
                    last_save = time.monotonic()
        finally:
            # Whatever was built is recorded, even when the build is interrupted.
            if changed and (manifest or (out / MANIFEST_NAME).exists()) and out.is_dir():
                interrupt.checkpoint("manifest")
                save_manifest(out, manifest)

    results = [job.result for job in jobs if job.result is not None]
    seconds = time.perf_counter() - started
    if batch.report:
        write_report(batch.report, results, seconds)
    if not batch.quiet:
        echo(summary_table(results, seconds))
    interrupt.checkpoint("end")
    return sum(r.status == "failed" for r in results)


def _as_given(result: JobResult, job: Job) -> JobResult:
    """The worker's result, with paths as the user gave them."""
    outputs = [str(p) for p in job.outputs] if result.status == "built" else result.outputs
    return dataclasses.replace(result, source=str(job.source), outputs=outputs,
                               error=result.error.replace(str(job.source.absolute()), str(job.source)))
