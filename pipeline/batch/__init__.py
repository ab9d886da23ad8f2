"""Plans the jobs for files and folders, runs them on an executor, skips what is
up to date, reports (the Dask executor is ``cluster``, what the user sees
and the report ``report``).

One source is one job: ``build_job(JobSpec) -> JobResult`` is a plain
top-level function of plain data (both pickle), so the same function runs in
this process (``--jobs 1``), in a pool of local worker processes (``--jobs N``)
or on a Dask distributed cluster (``--scheduler tcp://HOST:PORT``). Errors come back as data (a message), never
as an exception across the process boundary, so one failing source never
stops the others.

Incremental builds: ``OUT/.zinepress-manifest.json`` maps each source (its
path relative to ``OUT``'s layout) to a digest of what its outputs depend on —
the source's bytes, the options (``SOURCE_DATE_EPOCH`` among them), the
styles, the templates and the program's version — and to its outputs. A source
is skipped when its digest is unchanged and all its outputs still exist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import stat
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from pipeline import __version__, interrupt
from pipeline.batch.cluster import run_dask
from pipeline.batch.report import Progress, summary_table, write_report
from pipeline.build import build_one, output_paths
from pipeline.errors import OutputError, RefusedSource, SourceNotFound, ZinepressError, one_line
from pipeline.options import BuildOptions
from pipeline.readers import SUPPORTED_EXTENSIONS, unpacked_epub

interrupt.checkpoint("import")     # the tests' Ctrl-C while the program's modules load

MANIFEST_NAME = ".zinepress-manifest.json"
MANIFEST_FORMAT = 1
# A manifest larger or more deeply nested than this is not one this program
# wrote (a record is about 200 bytes and 4 levels deep): it is ignored.
MAX_MANIFEST_BYTES = 64 * 2**20
MAX_MANIFEST_DEPTH = 16
# Held (flock) by the build writing into OUT; a second build waits for it.
LOCK_NAME = ".zinepress-lock"
# Worker processes: at most this many per core. The work is layout, all
# processor; more processes than that only add memory (about 100 MB each).
JOBS_PER_CORE = 2
# --scheduler: how long to wait for the connection, then for a Dask answer.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
STYLES_DIR = PACKAGE_DIR.parent / "styles"


# ---------------------------------------------------------------- planning

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


# ---------------------------------------------------------------- manifest

def load_manifest(out: Path) -> dict[str, dict]:
    """The records of ``OUT``'s manifest; none when it is absent or unusable."""
    return read_manifest(out)[0]


def read_manifest(out: Path) -> tuple[dict[str, dict], str]:
    """(the manifest's records, why it cannot be used: "" when it can or is
    absent). Its size, nesting and shape are checked before anything uses it."""
    path = out / MANIFEST_NAME
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return {}, "it is not a regular file"
        if info.st_size > MAX_MANIFEST_BYTES:
            return {}, f"it is larger than {MAX_MANIFEST_BYTES // 2**20} MB"
        with open(path, "rb") as file:
            text = file.read(MAX_MANIFEST_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        return {}, f"it cannot be read ({exc.strerror or exc})"
    except UnicodeDecodeError:
        return {}, "it is not UTF-8 text"
    if len(text) > MAX_MANIFEST_BYTES:
        return {}, f"it is larger than {MAX_MANIFEST_BYTES // 2**20} MB"
    if _nested_deeper(text, MAX_MANIFEST_DEPTH):
        return {}, f"it is nested more than {MAX_MANIFEST_DEPTH} levels deep"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}, "it is not valid JSON"
    problem = _manifest_problem(data)
    return ({}, problem) if problem else (data["sources"], "")


def _nested_deeper(text: str, limit: int) -> bool:
    """Whether the JSON ``text`` opens more than ``limit`` arrays or objects
    inside each other (strings skipped); stops at the first level too many."""
    depth = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


def _manifest_problem(data) -> str:
    """What makes ``data`` not a manifest of this program ("" if nothing)."""
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return f"it is not a manifest of format {MANIFEST_FORMAT}"
    sources = data.get("sources")
    if not isinstance(sources, dict):
        return "its 'sources' is not an object"
    for entry in sources.values():
        pages = entry.get("pages", 0) if isinstance(entry, dict) else None
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        if not (isinstance(entry.get("digest") if isinstance(entry, dict) else None, str)
                and isinstance(outputs, list) and all(_relative_name(o) for o in outputs)
                and isinstance(pages, int) and not isinstance(pages, bool) and pages >= 0):
            return "a record of 'sources' is not a digest, a page count and a list of outputs"
    return ""


def _relative_name(name) -> bool:
    from pathlib import PurePosixPath
    return isinstance(name, str) and bool(name) and not PurePosixPath(name).is_absolute() \
        and ".." not in PurePosixPath(name).parts


def json_bytes(data) -> bytes:
    """``data`` as JSON in UTF-8; a file name's undecodable bytes (lone
    surrogates) become ``\\udcXX`` escapes, which read back as the same name."""
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def save_manifest(out: Path, entries: dict[str, dict]) -> None:
    from pipeline.writers.output import write_atomically
    data = {"format": MANIFEST_FORMAT, "program": __version__,
            "sources": dict(sorted(entries.items()))}
    write_atomically(out / MANIFEST_NAME, json_bytes(data))


def up_to_date(job: Job, entry: dict | None, out: Path) -> bool:
    if not entry or entry.get("digest") != job.digest:
        return False
    listed = [out / name for name in entry.get("outputs", [])]
    return sorted(map(str, listed)) == sorted(map(str, job.outputs)) and all(p.is_file() for p in listed)


# ---------------------------------------------------------------- the job

def warm_up() -> None:
    """Import the heavy engines once per worker process, not once per file.
    (A module that is missing only makes its first job slower.)"""
    import importlib

    import pipeline.readers as readers
    for name in ("weasyprint", "ebooklib.epub", "fitz", "pdfimpose", "pipeline.render",
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


# ---------------------------------------------------------------- executors

def run_local(specs: list[JobSpec], jobs: int) -> Iterator[tuple[int, JobResult]]:
    """(index in ``specs``, result) as each job ends, on ``jobs`` worker
    processes (``local``; in this process when one is enough)."""
    if jobs <= 1 or len(specs) <= 1:
        for n, spec in enumerate(specs):
            yield n, build_job(spec)
        return
    from pipeline.batch.local import run_workers
    yield from run_workers(specs, min(jobs, len(specs)), build_job, _worker_died)


def _worker_died(spec: JobSpec, how: str) -> JobResult:
    return JobResult(spec.source, error=f"{spec.source}: the worker building it stopped ({how})")


# ---------------------------------------------------------------- the build

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


@contextlib.contextmanager
def output_lock(out: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold ``OUT/.zinepress-lock`` (flock) while building into ``out``: a
    second build into the same folder says so in one line and waits for the
    first to end, then skips what it built. The lock file is removed when the
    build ends (a waiter then finds it gone and locks a new one), and so are
    the folders made for it that stayed empty. Where no lock can be taken (a
    folder that cannot be written: each write will say so) the build goes on."""
    import fcntl
    made = [folder for folder in (out, *out.parents) if not folder.exists()]
    path = out / LOCK_NAME
    fd = None
    try:
        try:
            out.mkdir(parents=True, exist_ok=True)
            waited = False
            while fd is None:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not waited:
                        say(f"waiting: another build is writing into {out}; this one goes on when it ends")
                        waited = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(path))
                except FileNotFoundError:
                    same = False
                if not same:          # the build before removed it: lock the new one
                    os.close(fd)
                    fd = None
        except OSError:
            if fd is not None:
                os.close(fd)
                fd = None         # a file system without locks, or a folder not writable
        yield
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(fd)
        for folder in made:       # innermost first; only those still empty
            with contextlib.suppress(OSError):
                folder.rmdir()


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

    todo = [job for job in jobs if job.result is None]
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
