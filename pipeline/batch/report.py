"""What a batch build shows and leaves behind: the progress (a bar on a
terminal, one line a source otherwise), the summary table and the JSON report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pipeline import __version__
from pipeline.errors import one_line

if TYPE_CHECKING:
    from pipeline.batch.job import JobResult

class Progress:
    """What the user sees while the build runs: a progress bar on a terminal,
    one line per file otherwise, only the failures with ``quiet``."""

    def __init__(self, total: int, echo: Callable[..., None], *, quiet: bool, debug: bool,
                 terminal: bool | None = None) -> None:
        self.echo, self.quiet, self.debug = echo, quiet, debug
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.bar = None
        if self.terminal and not quiet and total:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                       TimeElapsedColumn)
            self.bar = Bar(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("", total=total)

    def __enter__(self) -> "Progress":
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()

    def say(self, text: str, err: bool = False, *, raw: bool = False) -> None:
        """One line (file names in it escaped), or ``raw`` text (a traceback)."""
        text = text if raw else one_line(text)
        if self.bar:
            self.bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            self.echo(text, err=err)

    def running(self, source: str) -> None:
        if self.bar:
            self.bar.update(self.task, description=source)

    def done(self, result: JobResult) -> None:
        if self.bar:
            self.bar.advance(self.task)
        if result.status == "failed":
            self.say(f"error: {result.error}", err=True)
            if self.debug and result.traceback:
                self.say(result.traceback, err=True, raw=True)
            return
        if self.quiet:
            return
        for warning in result.warnings:
            self.say(f"warning: {result.source}: {warning}", err=True)
        if self.debug:
            for change in result.changes:
                self.say(f"debug: {result.source}: {change}", err=True)
        if self.bar:
            return
        if result.status == "skipped":
            self.say(f"skipped {result.source} (up to date)")
        else:
            outputs = ", ".join(result.outputs)
            self.say(f"built {result.source} → {outputs} ({result.pages} pages, {result.seconds:.1f}s)")


def _counts(results: list[JobResult]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in ("built", "skipped", "failed")}


def summary_table(results: list[JobResult], seconds: float) -> str:
    counts = _counts(results)
    lines = [f"{'built':>8} {'skipped':>8} {'failed':>8} {'total':>8}   time",
             f"{counts['built']:>8} {counts['skipped']:>8} {counts['failed']:>8} {len(results):>8}   {seconds:.1f}s"]
    failed = [r for r in results if r.status == "failed"]
    if failed:
        width = max(len(one_line(r.source)) for r in failed)
        lines.append("failed:")
        for r in failed:
            source, reason = one_line(r.source), one_line(r.error)
            if reason.startswith(source + ": "):
                reason = reason[len(source) + 2:]
            lines.append(f"  {source:<{width}}  {reason}")
    return "\n".join(lines)


def report_entry(result: JobResult) -> dict:
    return {key: getattr(result, key) for key in ("source", "status", "outputs", "pages", "seconds", "warnings",
                                                  "error")}


def write_report(path: Path, results: list[JobResult], seconds: float) -> None:
    from pipeline.batch.manifest import json_bytes
    from pipeline.writers.output import write_atomically

    counts = _counts(results)
    data = {"program": f"zinepress {__version__}", "seconds": round(seconds, 3), **counts,
            "sources": [report_entry(r) for r in results]}
    write_atomically(path, json_bytes(data))
