"""What the books of a built folder are, read from the folder itself.

The list of texts comes from the manifest that ``build`` keeps
(``OUT/.zinepress-manifest.json``: each source's outputs); what each book is
comes from the books: the EPUB's package document (title, subtitle, authors
and their sort names, date, language, subjects, description, publisher,
rights, identifier, cover image, colophon) and the PDF (page count, and the
metadata when there is no EPUB). Nothing is rebuilt and the sources are not
needed: a folder copied elsewhere can be catalogued.

Every book file is untrusted input: paths from the manifest must stay inside
``OUT``, archive members are read only up to a size, XML is parsed without
entities or network. A book that cannot be read is left out with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import LibraryError

MANIFEST_NAME = ".zinepress-manifest.json"   # as pipeline.batch.manifest writes it
MAX_XML = 4 << 20        # bytes read of one XHTML or package document
MAX_IMAGE = 24 << 20     # bytes read of a cover image
SUMMARY_CHARS = 320

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"

# Names of languages in themselves, for people choosing one.
LANGUAGE_NAMES = {
    "ar": "العربية", "bg": "Български", "ca": "Català", "cs": "Čeština", "da": "Dansk", "de": "Deutsch",
    "el": "Ελληνικά", "en": "English", "eo": "Esperanto", "es": "Español", "eu": "Euskara", "fa": "فارسی",
    "fi": "Suomi", "fr": "Français", "he": "עברית", "hr": "Hrvatski", "hu": "Magyar", "id": "Indonesia",
    "it": "Italiano", "ja": "日本語", "ko": "한국어", "mk": "Македонски", "nl": "Nederlands", "no": "Norsk",
    "pl": "Polski", "pt": "Português", "ro": "Română", "ru": "Русский", "sq": "Shqip", "sr": "Српски",
    "sv": "Svenska", "tr": "Türkçe", "uk": "Українська", "zh": "中文",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code) if code else ""


@dataclass
class Book:
    """One text of the library, as its built files describe it."""

    key: str                      # the manifest's key: the source's path in OUT's layout
    name: str                     # the outputs' path without ending, e.g. "essays/war"
    title: str
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    sort_authors: list[str] = field(default_factory=list)   # "Kropotkin, Peter"
    date: str = ""                # W3C form (YYYY, YYYY-MM, YYYY-MM-DD) or as the source says
    lang: str = ""
    topics: list[str] = field(default_factory=list)
    summary: str = ""             # the notes, else the opening of the text
    publisher: str = ""
    rights: str = ""
    source: str = ""
    identifier: str = ""
    files: dict[str, str] = field(default_factory=dict)    # "epub"/"pdf"/"booklet" → path in OUT
    sizes: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    colophon: list[str] = field(default_factory=list)       # the attribution, line by line
    updated: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    cover_image: tuple[bytes, str] | None = None            # (data, media type) from the EPUB
    cover: str = ""               # path in OUT of the cover the catalog wrote
    thumbnail: str = ""

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def language(self) -> str:
        return language_name(self.lang)

    @property
    def title_key(self) -> str:
        return sort_key(self.title)

    @property
    def author_key(self) -> str:
        return sort_key(self.sort_authors[0] if self.sort_authors else self.author_line)

    @property
    def search_text(self) -> str:
        return fold(" ".join([self.title, self.subtitle, *self.authors, *self.topics]))


def fold(text: str) -> str:
    """Lower case without accents: what a search compares (the page's script does the same)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def sort_key(text: str) -> str:
    return fold(re.sub(r"^[\W_]+", "", text))


class BrokenBook(Exception):
    """A book file that cannot be read; the catalog leaves it out with a warning."""


# ---------------------------------------------------------------- the manifest

def read_manifest(out: Path) -> tuple[dict[str, list[str]], list[str]]:
    """The outputs of every source the manifest of ``out`` records, and
    warnings for the entries it cannot use. Tolerant of what it does not
    know (other keys, another format number); raises ``LibraryError`` when
    ``out`` is not a built folder or its manifest cannot be read at all."""
    if not out.is_dir():
        raise LibraryError("no such folder", path=out, hint="give the folder that zinepress build wrote (-o OUT)")
    path = out / MANIFEST_NAME
    if not path.is_file():
        raise LibraryError(f"not a zinepress output folder (no {MANIFEST_NAME})", path=out,
                           hint="build into it first: zinepress build SOURCES -o OUT")
    try:
        data = json.loads(path.read_bytes()[: 64 << 20].decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise LibraryError(f"cannot read {MANIFEST_NAME} ({reason})", path=out,
                           hint="rebuild the folder: zinepress build SOURCES -o OUT --force") from None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict):
        raise LibraryError(f"{MANIFEST_NAME} lists no sources", path=out,
                           hint="rebuild the folder: zinepress build SOURCES -o OUT --force")
    entries: dict[str, list[str]] = {}
    warnings: list[str] = []
    for key, entry in sources.items():
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            warnings.append(f"{MANIFEST_NAME}: entry {str(key)[:80]!r} has no list of outputs: left out")
            continue
        entries[str(key)] = outputs
    return entries, warnings


def inside(out: Path, name: str) -> Path | None:
    """``OUT/name`` when ``name`` is a relative path that stays inside ``out``
    (links resolved), else None."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\0" in name:
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    path = out.joinpath(*parts)
    try:
        if not path.resolve().is_relative_to(out.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return path


def kind_of(name: str) -> str:
    if name.endswith(".booklet.pdf"):
        return "booklet"
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith(".epub"):
        return "epub"
    return ""


# ---------------------------------------------------------------- the books

def read_books(out: Path) -> tuple[list[Book], list[str]]:
    """Every book of ``out`` that can be read, in title order, and warnings
    (one per book left out, naming the file and why)."""
    entries, warnings = read_manifest(out)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    fixed = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc) if epoch.isdigit() else None
    books = []
    for key, outputs in sorted(entries.items()):
        files: dict[str, str] = {}
        for name in outputs:
            kind = kind_of(name)
            path = inside(out, name)
            if kind and path is not None and path.is_file():
                files.setdefault(kind, name)
        if not files:
            warnings.append(f"{key}: none of its outputs is in the folder: left out")
            continue
        try:
            book = read_book(out, key, files)
        except BrokenBook as exc:
            warnings.append(f"{exc}: left out of the catalog")
            continue
        stamps = [(out / name).stat().st_mtime for name in files.values()]
        book.updated = fixed or dt.datetime.fromtimestamp(int(max(stamps)), tz=dt.timezone.utc)
        books.append(book)
    books.sort(key=lambda b: (b.title_key, b.author_key, b.key))
    return books, warnings


def read_book(out: Path, key: str, files: dict[str, str]) -> Book:
    main = files.get("epub") or files.get("pdf") or files["booklet"]
    name = re.sub(r"(\.booklet)?\.(pdf|epub)$", "", main)
    book = Book(key=key, name=name, title="", files=dict(files))
    book.sizes = {kind: (out / path).stat().st_size for kind, path in files.items()}
    if "epub" in files:
        read_epub(out / files["epub"], book)
    pdf = files.get("pdf") or files.get("booklet")
    if pdf:
        read_pdf(out / pdf, book, metadata=not book.title, pages="pdf" in files)
    if not book.title:
        book.title = posixpath.basename(name)
    return book


def _parser():
    from lxml import etree
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _member(archive: zipfile.ZipFile, name: str, limit: int, path: Path) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise BrokenBook(f"{path}: {name} is missing from the EPUB") from None
    if info.file_size > limit:
        raise BrokenBook(f"{path}: {name} is larger than {limit >> 20} MB")
    with archive.open(info) as member:
        return member.read(limit + 1)[:limit]


def read_epub(path: Path, book: Book) -> None:
    """Fill ``book`` from the EPUB's package document, cover and colophon."""
    from lxml import etree

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BrokenBook(f"{path}: not a readable EPUB ({exc})") from None
    with archive:
        try:
            container = etree.fromstring(_member(archive, "META-INF/container.xml", MAX_XML, path), _parser())
            rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
            if rootfile is None or not rootfile.get("full-path"):
                raise BrokenBook(f"{path}: the EPUB names no package document")
            opf_name = rootfile.get("full-path")
            opf = etree.fromstring(_member(archive, opf_name, MAX_XML, path), _parser())
            base = posixpath.dirname(opf_name)
            read_package(opf, book)
            manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
            cover = _cover_item(opf, manifest)
            if cover is not None:
                book.cover_image = (_member(archive, _join(base, cover.get("href", "")), MAX_IMAGE, path),
                                    cover.get("media-type", ""))
            spine = [manifest[ref.get("idref")] for ref in opf.iter(f"{{{OPF}}}itemref")
                     if ref.get("idref") in manifest]
            documents = [_join(base, item.get("href", "")) for item in spine]
            colophon = next((d for d in documents if d.endswith("colophon.xhtml")), None)
            if colophon:
                book.colophon = _paragraphs(etree.fromstring(_member(archive, colophon, MAX_XML, path), _parser()))
            if not book.summary:
                book.summary = _opening(archive, documents, path)
        except etree.XMLSyntaxError as exc:
            raise BrokenBook(f"{path}: broken XML in the EPUB ({exc})") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise BrokenBook(f"{path}: not a readable EPUB ({exc})") from None
    if not book.title:
        raise BrokenBook(f"{path}: the EPUB has no title")


def _join(base: str, href: str) -> str:
    from urllib.parse import unquote
    return posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))


def read_package(opf, book: Book) -> None:
    """Dublin Core metadata of the package document (EPUB 3 refinements read)."""
    metadata = opf.find(f"{{{OPF}}}metadata")
    if metadata is None:
        return
    refines: dict[str, dict[str, str]] = {}
    for meta in metadata.iter(f"{{{OPF}}}meta"):
        target, prop = meta.get("refines", ""), meta.get("property", "")
        if target.startswith("#") and prop:
            refines.setdefault(target[1:], {})[prop] = _text(meta)

    def values(name: str) -> list:
        return [el for el in metadata.iter(f"{{{DC}}}{name}") if _text(el)]

    titles = values("title")
    for el in titles:
        kind = refines.get(el.get("id", ""), {}).get("title-type", "")
        if kind == "main" and not book.title:
            book.title = _text(el)
        elif kind == "subtitle" and not book.subtitle:
            book.subtitle = _text(el)
    if not book.title and titles:
        book.title = _text(titles[0])
    for el in values("creator"):
        role = refines.get(el.get("id", ""), {}).get("role", "aut")
        if role == "aut":
            book.authors.append(_text(el))
            book.sort_authors.append(refines.get(el.get("id", ""), {}).get("file-as", "") or _text(el))
    first = {name: _text(els[0]) for name in ("date", "language", "description", "publisher", "rights", "source")
             if (els := values(name))}
    book.date = first.get("date", "")
    book.lang = first.get("language", "")
    book.summary = _shorten(first.get("description", ""))
    book.publisher = first.get("publisher", "")
    book.rights = first.get("rights", "")
    book.source = first.get("source", "")
    book.topics = list(dict.fromkeys(_text(el) for el in values("subject")))
    unique = opf.get("unique-identifier", "")
    ids = values("identifier")
    chosen = next((el for el in ids if el.get("id") == unique), ids[0] if ids else None)
    book.identifier = _text(chosen) if chosen is not None else ""


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _cover_item(opf, manifest: dict):
    for item in manifest.values():
        if "cover-image" in (item.get("properties") or "").split():
            return item
    for meta in opf.iter(f"{{{OPF}}}meta"):
        if meta.get("name") == "cover" and meta.get("content") in manifest:
            return manifest[meta.get("content")]
    return None


def _paragraphs(doc) -> list[str]:
    section = next((el for el in doc.iter(f"{{{XHTML}}}section") if "colophon" in (el.get("class") or "")), doc)
    return [text for p in section.iter(f"{{{XHTML}}}p") if (text := _text(p))]


def _opening(archive: zipfile.ZipFile, documents: list[str], path: Path) -> str:
    """The first paragraph of the text (after the cover, title page and contents):
    a teaser for a book whose source gives no notes."""
    from lxml import etree

    for name in documents:
        if posixpath.basename(name) in ("cover.xhtml", "titlepage.xhtml", "nav.xhtml", "colophon.xhtml"):
            continue
        doc = etree.fromstring(_member(archive, name, MAX_XML, path), _parser())
        for p in doc.iter(f"{{{XHTML}}}p"):
            text = _text(p)
            if len(text) >= 40:
                return _shorten(text)
        return ""
    return ""


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def read_pdf(path: Path, book: Book, *, metadata: bool, pages: bool) -> None:
    """The page count of the pamphlet (and, without an EPUB, its metadata)."""
    import fitz

    fitz.TOOLS.mupdf_display_errors(False)
    try:
        with fitz.open(path) as pdf:
            if pages:
                book.pages = pdf.page_count
            info = (pdf.metadata or {}) if metadata else {}
    except Exception as exc:  # PyMuPDF raises its own kinds for broken files
        raise BrokenBook(f"{path}: not a readable PDF ({exc})") from None
    if metadata:
        book.title = (info.get("title") or "").strip()
        author = (info.get("author") or "").strip()
        book.authors = [a.strip() for a in author.split(",") if a.strip()] if author else []
        book.sort_authors = list(book.authors)
        book.topics = [k.strip() for k in (info.get("keywords") or "").split(",") if k.strip()]
