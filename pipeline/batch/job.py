"""One source is one job: ``build_job(JobSpec) -> JobResult`` is a plain
top-level function of plain data (both pickle), so the same function runs in
the command's process (``--jobs 1``), in a pool of local worker processes
(``--jobs N``) or on a Dask distributed cluster (``--scheduler
tcp://HOST:PORT``). Errors come back as data (a message), never as an
exception across the process boundary, so one failing source never stops the
others. ``warm_up`` imports the engines once per worker process.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import build_one
from pipeline.errors import ZinepressError
from pipeline.options import BuildOptions


@dataclass
class JobResult:
    """What became of one source: built, skipped (up to date) or failed, with
    its message. Plain data, sent back from worker processes and Dask workers."""

    source: str
    status: str = "failed"          # "built", "skipped" or "failed"
    outputs: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)   # the document's, for --debug
    error: str = ""
    traceback: str = ""


@dataclass(frozen=True)
class JobSpec:
    """One source to build, as a worker gets it: paths absolute, so that a
    worker with another working folder finds them."""

    source: str
    out_dir: str
    options: BuildOptions


def warm_up() -> None:
    """Import the heavy engines once per worker process, not once per file.
    (A module that is missing only makes its first job slower.)"""
    import importlib

    import pipeline.readers as readers
    # The engine module first: it loads WeasyPrint (``writers/pdf/engine.py``).
    for name in ("pipeline.writers.pdf.engine", "ebooklib.epub", "fitz", "pdfimpose", "pipeline.render",
                 "pipeline.writers.booklet", "pipeline.writers.pdf", "pipeline.writers.epub",
                 "pipeline.normalize", *readers.READERS.values()):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def build_job(spec: JobSpec) -> JobResult:
    """Build one source; the result is plain data, failures included. The
    options carry the client's ``SOURCE_DATE_EPOCH``, so that a worker started
    elsewhere stamps the same dates."""
    started = time.perf_counter()
    try:
        built = build_one(Path(spec.source), Path(spec.out_dir), spec.options)
    except ZinepressError as exc:
        result = JobResult(spec.source, error=str(exc), traceback=traceback.format_exc())
    except Exception as exc:  # a bug: say so plainly; the others go on
        result = JobResult(spec.source, error=f"{spec.source}: internal error ({type(exc).__name__}: {exc}) — "
                                              "please report it with --debug output",
                           traceback=traceback.format_exc())
    else:
        result = JobResult(spec.source, "built", outputs=[str(p) for p in built.outputs], pages=built.pages,
                           warnings=list(built.warnings), changes=list(built.changes))
    result.seconds = round(time.perf_counter() - started, 3)
    return result
