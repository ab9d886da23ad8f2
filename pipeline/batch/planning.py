"""The plan of a batch build, made in the command's process before anything
is built: the sources collected from the files and folders given, each a
``Job`` with its outputs and the digest of what they depend on; the sources
that cannot be built (a link out of the folders given, unreadable, two writing
the same output, an output name too long) failed already.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline import __version__
from pipeline.batch.job import JobResult
from pipeline.build import output_paths
from pipeline.errors import OutputError, RefusedSource, SourceNotFound, ZinepressError
from pipeline.options import BuildOptions
from pipeline.readers import SUPPORTED_EXTENSIONS, unpacked_epub

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STYLES_DIR = PACKAGE_DIR.parent / "styles"


def collect_sources(paths: list[Path], *, out: Path | None = None,
                    report: Path | None = None) -> list[tuple[Path, Path]]:
    """(source, its folder relative to the output root) for every path given;
    folders are searched recursively for supported files, hidden ones left out,
    and so are the output folder ``out`` (when it lies inside a folder searched)
    and the ``report`` file: a build never reads what it writes.

    Anything with a supported ending that is not a folder counts as a source —
    a broken link or a named pipe included — so that it is reported as a
    failure rather than silently left out."""
    written = _real(out) if out is not None else None
    report_real = _real(report) if report is not None else None
    jobs: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            root = _real(path)
            for file in sorted(path.rglob("*")):
                if file.suffix.lower() in SUPPORTED_EXTENSIONS and not file.is_dir() \
                        and not any(part.startswith(".") for part in file.relative_to(path).parts) \
                        and not unpacked_epub(file, path):
                    where = _real(file.parent) / file.name
                    if where == report_real or (written is not None and written != root
                                                and root in written.parents and written in where.parents):
                        continue
                    jobs.append((file, file.parent.relative_to(path)))
        else:
            jobs.append((path, Path(".")))
    return jobs


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def outside_folders(paths: list[Path]) -> Callable[[Path], bool]:
    """Whether a source found in one of the folders among ``paths`` really is
    (its real path, links followed) outside all of them. Files named on the
    command line are the user's choice and never count as outside."""
    named = {_real(path.parent) / path.name for path in paths if not path.is_dir()}
    roots = [_real(path) for path in paths if path.is_dir()]

    def outside(source: Path) -> bool:
        real = _real(source)
        if _real(source.parent) / source.name in named:
            return False
        return not any(real == root or root in real.parents for root in roots)
    return outside


@dataclass
class Job:
    """One source to build, as planned in the main process."""

    source: Path                 # as the user gave it (messages, report)
    key: str                     # the manifest key: the source's path in OUT's layout
    out_dir: Path
    outputs: list[Path]
    digest: str = ""
    result: JobResult | None = None   # set once skipped, failed or built


def fail(job: Job, error: ZinepressError) -> None:
    job.result = JobResult(str(job.source), error=str(error))


def program_digest() -> str:
    """What every output depends on besides its source and options: the
    program's version, its templates and its stylesheets. (A change to the
    code that keeps the version is not seen: rebuild with ``--force``.)"""
    digest = hashlib.sha256(__version__.encode())
    files = list((PACKAGE_DIR / "templates").rglob("*"))
    files += list(STYLES_DIR.rglob("*")) if STYLES_DIR.is_dir() else []
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(PACKAGE_DIR.parent)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def options_digest(options: BuildOptions) -> str:
    """The options that affect the outputs (all of them, the fixed build time
    included), with the bytes of the user's stylesheets."""
    described = json.dumps(dataclasses.asdict(options), sort_keys=True, default=str)
    digest = hashlib.sha256(described.encode())
    for css in options.pdf.css:
        try:
            digest.update(css.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")   # the build itself will say why
    return digest.hexdigest()


def source_digest(source: Path, common: str) -> str:
    """Digest of the source's bytes and ``common``; raises ``SourceNotFound``
    when the source cannot be read."""
    try:
        mode = os.stat(source).st_mode
    except FileNotFoundError:
        what = "a link to a missing file" if source.is_symlink() else "no such file"
        raise SourceNotFound(what, path=source, hint="check the path") from None
    except OSError as exc:
        raise SourceNotFound(f"cannot read the file ({exc.strerror})", path=source,
                             hint="check its permissions") from None
    if not stat.S_ISREG(mode):   # a named pipe would block, a device never end
        raise SourceNotFound("not a regular file", path=source, hint="give a text file or a folder to build")
    digest = hashlib.sha256(common.encode())
    try:
        with open(source, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise SourceNotFound(f"cannot read the file ({exc.strerror})", path=source,
                             hint="check its permissions") from None
    return digest.hexdigest()


def plan(paths: list[Path], out: Path, options: BuildOptions, *, report: Path | None = None) -> list[Job]:
    """Every source as a job, with its outputs and digest; sources that cannot
    be built (a link out of the folders given, unreadable, two writing the same
    output, an output name too long) already carry their failure — found
    before any source is opened."""
    from pipeline.writers.output import NAME_MAX
    jobs: list[Job] = []
    seen: set[Path] = set()
    outside = outside_folders(paths)
    for source, rel in collect_sources(paths, out=out, report=report):
        refused = outside(source)     # decided on the path alone: nothing opens the file
        real = source.resolve() if source.exists() else source.absolute()
        if real in seen and not refused:   # the same file given twice (a folder and a file in it)
            continue
        if not refused:
            seen.add(real)
        out_dir = out / rel
        outputs = list(output_paths(source, out_dir, options.formats).values())
        job = Job(source, (rel / source.name).as_posix(), out_dir, outputs)
        jobs.append(job)
        if refused:
            fail(job, RefusedSource("refused: it is a link to a file outside the folders given", path=source,
                                    hint="copy the file into the folder, or name it on the command line"))
            continue
        longest = max(outputs, key=lambda p: len(os.fsencode(p.name)), default=None)
        if longest is not None and len(os.fsencode(longest.name)) > NAME_MAX:
            fail(job, OutputError(f"the name of its output {longest.name[len(source.stem):]!r} would be "
                                  f"{len(os.fsencode(longest.name))} bytes long; a file name may have at most "
                                  f"{NAME_MAX}", path=source, hint="give the source a shorter name"))

    writers: dict[Path, list[Job]] = {}
    for job in jobs:
        for output in job.outputs if job.result is None else ():
            writers.setdefault(output, []).append(job)
    for output, clashing in writers.items():
        if len(clashing) < 2:
            continue
        for job in clashing:
            if job.result is None:
                others = " and ".join(str(j.source) for j in clashing if j is not job)
                fail(job, OutputError(f"name clash: {others} would also write {output}", path=job.source,
                                      hint="rename one of them, or build them into different folders"))

    common = program_digest() + options_digest(options)
    for job in jobs:
        if job.result is None:
            try:
                job.digest = source_digest(job.source, common)
            except ZinepressError as exc:
                fail(job, exc)
    return jobs
