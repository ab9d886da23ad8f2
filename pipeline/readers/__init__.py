"""Readers: one module per input format, each producing a ``Document``.

A reader module exposes:

``FORMAT``      its name for ``--from`` (``"muse"``, ``"export"``, ``"converted"``, ``"markdown"``, ``"plain"``)
``EXTENSIONS``  file endings it usually comes with (a hint only)
``HOW_TO_STATE`` how the format states the title and the author (``"title"``,
                ``"author"`` → what to write where), for the message when one is
                missing (``Document.how_to_state``)
``sniff(text)`` -> int: how sure it is that ``text`` is in its format (0 = not at all, 100 = certain)
``parse(text, path)`` -> ``Document``: the text must already be decoded to ``str``

Readers of zipped formats (EPUB, DOCX, ODT) set ``BINARY = True`` and have
``parse_bytes(data, path)`` instead: their files are told apart by content
(``package.package_kind``) and never decoded as text; their ``parse`` refuses
a text (``package.text_refused``).

``read(path)`` decodes the file and picks the reader by content, not only by
extension; ``fmt`` (the CLI's ``--from``) overrides the choice.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pipeline.document import Document
from pipeline.errors import EmptySource, SourceNotFound, SourceTooLarge, UnsupportedFormat
from pipeline.readers.decode import decode_with_warnings

# Formats in order of preference when two are equally sure.
READERS = {
    "muse": "pipeline.readers.muse",
    "export": "pipeline.readers.export",
    "converted": "pipeline.readers.converted",
    "markdown": "pipeline.readers.markdown",
    "plain": "pipeline.readers.plain",
    "html": "pipeline.readers.webpage",
    "epub": "pipeline.readers.epub",
    "docx": "pipeline.readers.docx",
    "odt": "pipeline.readers.odt",
}

# Larger files are refused before they are read: the longest books (a Bible,
# War and Peace) are 3 to 5 MB of text, and laying out 10 MB already takes
# the PDF engine many minutes and gigabytes of memory.
MAX_SOURCE_BYTES = 10 * 2**20

SUPPORTED_EXTENSIONS = {".muse", ".md", ".markdown", ".txt", ".text",
                        ".epub", ".docx", ".odt", ".html", ".htm", ".xhtml"}
WEB_PAGE_EXTENSIONS = {".html", ".htm", ".xhtml"}


def unpacked_epub(path: Path, root: Path | None = None) -> Path | None:
    """The folder of an unpacked EPUB that ``path`` (a web page's extension)
    is a chapter of — one holding ``META-INF/container.xml`` — looking up to
    ``root`` or four levels; None for a page of its own."""
    if path.suffix.lower() not in WEB_PAGE_EXTENSIONS:
        return None
    for n, folder in enumerate(path.parents):
        if (folder / "META-INF" / "container.xml").is_file():
            return folder
        if n >= 4 or folder == root:
            return None
    return None


def reader_module(fmt: str):
    if fmt not in READERS:
        raise UnsupportedFormat(
            f"unknown format {fmt!r}", hint=f"use one of: {', '.join(READERS)}")
    return importlib.import_module(READERS[fmt])


def detect_format(text: str, path: Path) -> str:
    """The format whose reader is surest; the file's extension breaks ties."""
    best, best_score = "plain", -1
    suffix = path.suffix.lower()
    for fmt in READERS:
        module = reader_module(fmt)
        if getattr(module, "BINARY", False):
            continue
        score = module.sniff(text)
        if suffix in module.EXTENSIONS:
            score += 5
        if score > best_score:
            best, best_score = fmt, score
    return best


def detect_package(data: bytes, path: Path) -> str | None:
    """The zipped format the bytes are (EPUB, DOCX, ODT), by their content; for
    an archive that is none of them (or is broken) or a password-protected
    Office file, the format its extension names, whose reader says what is
    wrong. None for anything else."""
    from pipeline.readers.package import package_kind
    kind = package_kind(data)
    if kind in ("epub", "docx", "odt"):
        return kind
    if kind:
        suffix = path.suffix.lower().lstrip(".")
        if suffix in ("epub", "docx", "odt"):
            return suffix
    return None


def read(path: Path | str, fmt: str | None = None) -> Document:
    path = Path(path)
    if not path.exists():
        raise SourceNotFound("no such file", path=path, hint="check the path")
    if not path.is_file():
        raise SourceNotFound("not a file", path=path, hint="give a text file or a folder to build")
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceTooLarge(
                f"the file is {size / 2**20:.1f} MB; the limit is {MAX_SOURCE_BYTES // 2**20} MB",
                path=path, hint="split it into parts (a chapter or a volume per file) and build those")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceNotFound(f"cannot read the file ({exc.strerror})", path=path,
                             hint="check its permissions") from exc
    if not data.strip():
        raise EmptySource("the file is empty", path=path, hint="give a file with a text in it")
    fmt = fmt or detect_package(data, path)
    module = reader_module(fmt) if fmt else None
    if module is not None and getattr(module, "BINARY", False):
        text, decoding = "", []
    else:
        text, decoding = decode_with_warnings(data, path)
        if not text.strip():
            raise EmptySource("the file is empty", path=path, hint="give a file with a text in it")
        book = None if fmt else unpacked_epub(path)
        if book is not None:
            raise UnsupportedFormat(f"this is a chapter of the unpacked EPUB in {book}",
                                    path=path, hint="zip that folder into an .epub and build it, "
                                    "or give --from html to read this page alone")
        fmt = fmt or detect_format(text, path)
        module = reader_module(fmt)
    try:
        doc = module.parse_bytes(data, path) if getattr(module, "BINARY", False) else module.parse(text, path)
    except RecursionError as exc:
        raise SourceTooLarge("the text is nested too deeply to read (quotes or lists inside each other)",
                             path=path, hint="close the quotes or lists that were left open") from exc
    except MemoryError as exc:
        raise SourceTooLarge("the text is too large to read in memory", path=path,
                             hint="split it into parts and build those") from exc
    doc.path = path
    doc.format = fmt
    doc.how_to_state = dict(module.HOW_TO_STATE)
    doc.warnings[:0] = decoding
    from pipeline.safety import vet
    return vet(doc, text)
