"""Writing outputs safely: to a temporary name in the same folder, then renamed.

A build killed at any moment leaves either the previous complete file or none.
The temporary file is a dot-file, ``.NAME.HOST-PID.RANDOM.part``, so a folder
listing (and a folder build, which skips dot-files) never shows it as an output.
A build killed before the rename leaves it behind; the next write of the same
output removes such leftovers whose process (on this machine) is gone, and only
those: a build still running beside this one keeps its own temporary file.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from pathlib import Path

from pipeline import interrupt
from pipeline.errors import OutputError


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


def stale_parts(folder: Path, name: str | None = None) -> list[Path]:
    """Temporary files in ``folder`` (of the output ``name``, or of any) left by
    killed writes on this machine."""
    lead = re.escape(f".{name}.") if name else r"\..+\."
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
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_host()}-{os.getpid()}.",
                                   suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write to the output folder ({exc.strerror or exc})", path=path.parent,
                          hint="choose a writable folder with -o") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        interrupt.checkpoint("rename")
        os.replace(tmp, path)
        interrupt.checkpoint("renamed")
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path.name} ({exc.strerror or exc})", path=path.parent,
                              hint="check the free space and permissions of the output folder") from exc
        raise
    remove_stale_parts(path.parent, path.name)
