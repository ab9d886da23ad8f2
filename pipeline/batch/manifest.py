"""What a batch build keeps in its output folder: the manifest and the lock.

Incremental builds: ``OUT/.zinepress-manifest.json`` maps each source (its
path relative to ``OUT``'s layout) to a digest of what its outputs depend on —
the source's bytes, the options (``SOURCE_DATE_EPOCH`` among them), the
styles, the templates and the program's version — and to its outputs. A source
is skipped when its digest is unchanged and all its outputs still exist. The
manifest is checked (size, nesting, shape) before anything uses it.

While a build writes into ``OUT`` it holds ``OUT/.zinepress-lock``: a second
build into the same folder waits for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from pipeline import __version__

if TYPE_CHECKING:
    from pipeline.batch.planning import Job

MANIFEST_NAME = ".zinepress-manifest.json"
MANIFEST_FORMAT = 1
# A manifest larger or more deeply nested than this is not one this program
# wrote (a record is about 200 bytes and 4 levels deep): it is ignored.
MAX_MANIFEST_BYTES = 64 * 2**20
MAX_MANIFEST_DEPTH = 16
# Held (flock) by the build writing into OUT; a second build waits for it.
LOCK_NAME = ".zinepress-lock"


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
