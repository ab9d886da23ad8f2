"""Errors a user can cause: one class each, carrying the file and line where known.

The CLI prints ``str(error)`` as one line, without a traceback. Every message
says what is wrong and what to do about it.
"""

from __future__ import annotations

import re
from pathlib import Path

# What a message may not carry raw: control characters (a newline would split
# the line, an escape code would drive the terminal), the line and paragraph
# separators, bidirectional overrides (which reorder what is shown) and the
# lone surrogates that stand for a file name's undecodable bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:          # an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` safe to print as one line: what would break the line or drive
    the terminal is shown as a backslash escape (``\\n``, ``\\x1b``). Escaping
    twice changes nothing."""
    return _UNSAFE.sub(_escaped, text)


class ZinepressError(Exception):
    """Base class of every error caused by input or options, not by a bug."""

    def __init__(self, message: str, *, path: Path | str | None = None,
                 line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return one_line(text)


class SourceNotFound(ZinepressError):
    """The path given does not exist or is not a readable file."""


class RefusedSource(ZinepressError):
    """A file found in a folder leads outside the folders given (a symbolic link)."""


class EmptySource(ZinepressError):
    """The source has no text (empty or whitespace only)."""


class UnreadableSource(ZinepressError):
    """The bytes are not text in any encoding we can recognise (binary, broken)."""


class SourceSyntaxError(ZinepressError):
    """The source is text but breaks its format's rules (e.g. an unterminated block)."""


class MissingMetadata(ZinepressError):
    """A field the colophon requires (title, author) is absent from the source."""


class UnsupportedFormat(ZinepressError):
    """No reader handles this file, or --from names an unknown format."""


class SourceTooLarge(ZinepressError):
    """The source exceeds a safety limit (size, nesting depth)."""


class OutputError(ZinepressError):
    """An output cannot be written (folder not writable, name clash)."""


class OptionError(ZinepressError):
    """An option has a value we cannot use (paper size, signature…)."""


class LibraryError(ZinepressError):
    """A folder cannot be catalogued or served (missing, not built, unreadable manifest)."""


class EngineMismatch(ZinepressError):
    """The installed WeasyPrint is not a release the PDF writer is written for
    (``pipeline/writers/pdf/engine.py``), or its source cannot be read for the correction made there."""
