"""Errors a user can cause: one class each, carrying the file and line where known.

The CLI prints ``str(error)`` as one line, without a traceback. Every message
says what is wrong and what to do about it.
"""

from __future__ import annotations

from pathlib import Path


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
        return text


class SourceNotFound(ZinepressError):
    """The path given does not exist or is not a readable file."""


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
