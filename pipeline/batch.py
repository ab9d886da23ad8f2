"""Plans the jobs for files and folders, runs them, reports.

One failing source never stops the others.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Callable

from pipeline.build import BuildOptions, build_one
from pipeline.errors import SourceNotFound, ZinepressError
from pipeline.readers import SUPPORTED_EXTENSIONS


def collect_sources(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(source, its folder relative to the output root) for every path given;
    folders are searched recursively for supported files."""
    jobs: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in SUPPORTED_EXTENSIONS \
                        and not any(part.startswith(".") for part in file.relative_to(path).parts):
                    jobs.append((file, file.parent.relative_to(path)))
        else:
            jobs.append((path, Path(".")))
    return jobs


def run_build(paths: list[Path], out: Path, options: BuildOptions, *, debug: bool = False,
              echo: Callable[..., None] = print) -> int:
    """Build every source; returns the number of sources that failed."""
    failed = 0
    for source, rel in collect_sources(paths):
        try:
            if not source.exists():
                raise SourceNotFound("no such file", path=source, hint="check the path")
            result = build_one(source, out / rel, options)
        except ZinepressError as exc:
            failed += 1
            echo(f"error: {exc}", err=True)
            if debug:
                echo(traceback.format_exc(), err=True)
            continue
        except Exception as exc:  # a bug: say so plainly, keep going with the others
            failed += 1
            echo(f"error: {source}: internal error ({type(exc).__name__}: {exc}) — "
                 "please report it with --debug output", err=True)
            if debug:
                echo(traceback.format_exc(), err=True)
            continue
        for warning in result.warnings:
            echo(f"warning: {source}: {warning}", err=True)
        outputs = ", ".join(str(p) for p in result.outputs)
        echo(f"built {source} → {outputs} ({result.pages} pages, {result.seconds:.1f}s)")
    return failed
