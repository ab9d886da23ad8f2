"""Writing outputs safely: to a temporary name in the same folder, then renamed.

A build killed at any moment leaves either the previous complete file or none.
The temporary file is a dot-file, ``.NAME.HOST-PID.RANDOM.part``, so a folder
listing (and a folder build, which skips dot-files) never shows it as an output.
A build killed before the rename leaves it behind; the next write of the same
output removes such leftovers whose process (on this machine) is gone, and only
those: a build still running beside this one keeps its own temporary file.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
from pathlib import Path

from pipeline import interrupt
from pipeline.errors import OutputError

# The longest file name (in bytes) the usual file systems allow (ext4, XFS,
# Btrfs, tmpfs, NFS). A temporary name adds host, process and a random part to
# the output's name, so only the output's first NAME_IN_TEMP bytes go into it:
# 255 less ".", ".", a 40-byte host, "-", a 7-digit process id, ".", 8 random
# characters and ".part".
NAME_MAX = 255
NAME_IN_TEMP = NAME_MAX - (1 + 1 + 40 + 1 + 7 + 1 + 8 + 5)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # someone else's process: alive
        return True
    return True


def _temp_stem(name: str) -> str:
    """The part of an output's name its temporary files carry (the same in
    every process, so that leftovers of any of them are recognised)."""
    raw = os.fsencode(name)
    return name if len(raw) <= NAME_IN_TEMP else os.fsdecode(raw[:NAME_IN_TEMP])


def name_too_long(path: Path) -> OutputError:
    return OutputError(f"cannot write {Path(path).name}: the name is too long for the file system "
                       f"(at most {NAME_MAX} bytes per name)", path=Path(path).parent,
                       hint="give the source a shorter name, or choose an output folder with a shorter path")


def stale_parts(folder: Path, name: str | None = None) -> list[Path]:
    """Temporary files in ``folder`` (of the output ``name``, or of any) left by
    killed writes on this machine."""
    lead = re.escape(f".{_temp_stem(name)}.") if name else r"\..+\."
    pattern = re.compile(lead + re.escape(f"{_host()}-") + r"(\d+)\.[^.]+\.part$")
    stale = []
    try:
        siblings = list(Path(folder).iterdir())
    except OSError:
        return []
    for sibling in siblings:
        m = pattern.match(sibling.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            stale.append(sibling)
    return stale


def remove_stale_parts(folder: Path, name: str | None = None) -> None:
    for part in stale_parts(folder, name):
        try:
            part.unlink()
        except OSError:
            pass


def write_atomically(path: Path, data: bytes) -> None:
    write_together({Path(path): data})


def write_together(files: dict[Path, bytes]) -> None:
    """Write several files as one: all of them, or none. Each is first written
    whole to its temporary name; only when every one is complete are they
    renamed. A failure before the first rename leaves the previous files as
    they were; one after it (rare: renames do not need space) removes every
    file of the set, so that no mix of new and old, or a part, remains."""
    temporary: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            temporary.append((_write_temporary(Path(path), data), Path(path)))
    except BaseException:
        for tmp, _ in temporary:
            _remove(tmp)
        raise
    renamed = 0
    try:
        for tmp, path in temporary:
            try:
                interrupt.checkpoint("rename")
                os.replace(tmp, path)
                interrupt.checkpoint("renamed")
            except OSError as exc:
                raise _write_error(path, exc) from exc
            renamed += 1
    except BaseException:
        for tmp, path in temporary:
            _remove(tmp)
            if renamed:
                _remove(path)
        raise
    for _, path in temporary:
        remove_stale_parts(path.parent, path.name)


def _write_temporary(path: Path, data: bytes) -> str:
    """``data`` written and synced to a temporary file beside ``path``; its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{_temp_stem(path.name)}.{_host()}-{os.getpid()}.",
                                   suffix=".part")
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise name_too_long(path) from exc
        raise OutputError(f"cannot write to the output folder ({exc.strerror or exc})", path=path.parent,
                          hint="choose a writable folder with -o") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    return tmp


def _write_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(path)
    return OutputError(f"cannot write {path.name} ({exc.strerror or exc})", path=path.parent,
                       hint="check the free space and permissions of the output folder")


def _remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
