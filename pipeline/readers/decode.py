"""Bytes → text: BOMs, UTF-8, and (for now) a strict refusal of anything else."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UnreadableSource


def decode(data: bytes, path: Path | None = None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableSource("the file is not UTF-8 text", path=path, line=line,
                               hint="save it as UTF-8") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")
