"""The OPDS 1.2 catalog (Atom feeds) of a library, for e-reader apps.

``OUT/opds.xml`` is the root navigation feed. It leads to acquisition feeds
of every text (by title), the newest, and to navigation feeds of the authors,
languages and topics, each of which leads to an acquisition feed per author,
language or topic. All feeds but the root live in ``OUT/.catalog/opds/``;
every feed is paged (``PAGE_SIZE`` entries; ``NAME.xml``, ``NAME-2.xml``…,
linked with ``first``/``previous``/``next``/``last``).

Each book's entry: ``id`` (the EPUB's identifier), title, authors (linked to
their feed), ``updated``, ``dc:language``, ``dc:issued``, topics as
categories, a summary (the notes, else the opening of the text), cover and
thumbnail links, and open-access acquisition links for the EPUB and the PDFs.
Links are relative (the folder can be copied anywhere), or absolute under
``--base-url``. Since every acquisition feed lives in one folder, an entry's
element is built once and moved from feed to feed as they are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from lxml import etree

from pipeline.library import CATALOG_DIR, OPDS_NAME, link_to
from pipeline.library.books import Book, language_name

ATOM = "http://www.w3.org/2005/Atom"
DCTERMS = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
NSMAP = {None: ATOM, "dc": DCTERMS, "opds": OPDS}

CATALOG_TYPE = "application/atom+xml;profile=opds-catalog"
NAVIGATION = CATALOG_TYPE + ";kind=navigation"
ACQUISITION = CATALOG_TYPE + ";kind=acquisition"
FEEDS_DIR = f"{CATALOG_DIR}/opds"
PAGE_SIZE = 50

MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf", "booklet": "application/pdf"}
LINK_TITLES = {"epub": "EPUB", "pdf": "PDF (pamphlet)", "booklet": "PDF (booklet, imposed for printing)"}
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"


def feed_type(path: str) -> str | None:
    """The media type of the feed at ``path`` (in OUT, posix), or None for any other file."""
    if path == OPDS_NAME:
        return NAVIGATION
    folder, name = posixpath.split(path)
    if folder == FEEDS_DIR and name.endswith(".xml"):
        return NAVIGATION if name.startswith("nav-") else ACQUISITION
    return None


def slug(name: str) -> str:
    """A file name for an author, topic or language: readable where it can be,
    and unique (a short digest of the whole name)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    return f"{readable}-{digest}" if readable else digest


def timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


W3C_DATE = re.compile(r"\d{4}(-\d\d(-\d\d)?)?$")


@dataclass
class Urls:
    """Turns a path in OUT into the address a feed or page links to."""

    base_url: str = ""

    def href(self, path: str, from_dir: str) -> str:
        if self.base_url:
            return self.base_url.rstrip("/") + "/" + quote(path)
        return link_to(path, from_dir)


@dataclass
class Group:
    """Books sharing an author, a language or a topic."""

    kind: str        # "author", "language", "topic"
    name: str        # what people read
    key: str         # the value
    books: list[Book]

    @property
    def feed(self) -> str:
        return f"{FEEDS_DIR}/{self.kind}-{slug(self.key)}.xml"


def groups(books: list[Book]) -> dict[str, list[Group]]:
    """Authors (by sort name), languages and topics, each with its books in title order."""
    by: dict[str, dict[str, list[Book]]] = {"author": {}, "language": {}, "topic": {}}
    sort_names: dict[str, str] = {}
    for book in books:
        for n, author in enumerate(dict.fromkeys(book.authors)):   # an author named twice counts once
            by["author"].setdefault(author, []).append(book)
            sort_names.setdefault(author, book.sort_authors[n] if n < len(book.sort_authors) else author)
        if book.lang:
            by["language"].setdefault(book.lang, []).append(book)
        for topic in book.topics:
            by["topic"].setdefault(topic, []).append(book)
    from pipeline.library.books import sort_key
    result = {}
    for kind, members in by.items():
        name = (lambda k: language_name(k)) if kind == "language" else (lambda k: k)
        order = (lambda k: sort_key(sort_names[k])) if kind == "author" else (lambda k: sort_key(name(k)))
        result[kind] = [Group(kind, name(key), key, members[key]) for key in sorted(members, key=order)]
    return result


class Catalog:
    """Builds every feed of a library: ``feeds()`` gives ``{path in OUT: bytes}``."""

    def __init__(self, books: list[Book], title: str, urls: Urls, updated: dt.datetime, library_id: str):
        self.books, self.title, self.urls = books, title, urls
        self.updated = timestamp(updated)
        self.library_id = library_id
        self.groups = groups(books)
        self.author_feeds = {g.key: g.feed for g in self.groups["author"]}
        self._ids: set[str] = set()
        self.entries = {id(book): self.book_entry(book) for book in books}

    # -------------------------------------------------------------- ids, links

    def urn(self, what: str) -> str:
        h = hashlib.sha256(f"{self.library_id}\0{what}".encode("utf-8")).hexdigest()
        return f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def href(self, path: str, from_dir: str = FEEDS_DIR) -> str:
        return self.urls.href(path, from_dir)

    @staticmethod
    def link(parent, rel: str, href: str, type_: str, **extra: str):
        attributes = {"rel": rel, "href": href, "type": type_}
        attributes.update({k: v for k, v in extra.items() if v})
        return etree.SubElement(parent, f"{{{ATOM}}}link", attributes)

    # -------------------------------------------------------------- entries

    def book_entry(self, book: Book):
        entry = etree.Element(f"{{{ATOM}}}entry", nsmap=NSMAP)
        _sub(entry, "title", book.title)
        identifier = book.identifier if book.identifier.startswith(("urn:", "http:", "https:", "tag:")) else ""
        if not identifier or identifier in self._ids:
            identifier = self.urn("text:" + book.key)
        self._ids.add(identifier)
        _sub(entry, "id", identifier)
        _sub(entry, "updated", timestamp(book.updated))
        for author in book.authors:
            person = _sub(entry, "author")
            _sub(person, "name", author)
            _sub(person, "uri", self.href(self.author_feeds[author]))
        if book.rights:
            _sub(entry, "rights", book.rights)
        if book.lang:
            _sub(entry, f"{{{DCTERMS}}}language", book.lang)
        if W3C_DATE.match(book.date):
            _sub(entry, f"{{{DCTERMS}}}issued", book.date)
        if book.publisher:
            _sub(entry, f"{{{DCTERMS}}}publisher", book.publisher)
        for topic in book.topics:
            etree.SubElement(entry, f"{{{ATOM}}}category", {"term": topic, "label": topic})
        summary = ". ".join(part for part in (book.subtitle, book.summary) if part)
        if summary:
            _sub(entry, "summary", summary).set("type", "text")
        if book.cover:
            self.link(entry, "http://opds-spec.org/image", self.href(book.cover), "image/jpeg")
            self.link(entry, "http://opds-spec.org/image/thumbnail", self.href(book.thumbnail), "image/jpeg")
        for kind in ("epub", "pdf", "booklet"):
            if kind in book.files:
                title = LINK_TITLES[kind] + (f", {book.pages} pages" if kind == "pdf" and book.pages else "")
                self.link(entry, OPEN_ACCESS, self.href(book.files[kind]), MEDIA_TYPES[kind],
                          title=title, length=str(book.sizes.get(kind, "")))
        self.link(entry, "alternate", self.href(text_page(book)), "text/html")
        return entry

    def nav_entry(self, title: str, feed: str, type_: str, content: str, rel: str = "subsection"):
        entry = etree.Element(f"{{{ATOM}}}entry", nsmap=NSMAP)
        _sub(entry, "title", title)
        _sub(entry, "id", self.urn("feed:" + feed))
        _sub(entry, "updated", self.updated)
        _sub(entry, "content", content).set("type", "text")
        self.link(entry, rel, self.href(feed, posixpath.dirname(self._current)), type_)
        return entry

    # -------------------------------------------------------------- feeds

    def feeds(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        g = self.groups
        root = [
            ("All texts", f"{FEEDS_DIR}/all.xml", ACQUISITION, f"{len(self.books)} texts, by title", "subsection"),
            ("Newest", f"{FEEDS_DIR}/new.xml", ACQUISITION, "The texts added or rebuilt last",
             "http://opds-spec.org/sort/new"),
            ("By author", f"{FEEDS_DIR}/nav-authors.xml", NAVIGATION, f"{len(g['author'])} authors", "subsection"),
            ("By language", f"{FEEDS_DIR}/nav-languages.xml", NAVIGATION, f"{len(g['language'])} languages",
             "subsection"),
            ("By topic", f"{FEEDS_DIR}/nav-topics.xml", NAVIGATION, f"{len(g['topic'])} topics", "subsection"),
        ]
        self._current = OPDS_NAME
        out.update(self.paged(OPDS_NAME, self.title, NAVIGATION,
                              [lambda t=t: self.nav_entry(*t) for t in root]))
        out.update(self.acquisition(f"{FEEDS_DIR}/all.xml", f"{self.title}: all texts", self.books))
        newest = sorted(self.books, key=lambda b: (-b.updated.timestamp(), b.title_key, b.key))
        out.update(self.acquisition(f"{FEEDS_DIR}/new.xml", f"{self.title}: newest", newest))
        for kind, plural in (("author", "authors"), ("language", "languages"), ("topic", "topics")):
            self._current = f"{FEEDS_DIR}/nav-{plural}.xml"
            makers = [lambda grp=grp: self.nav_entry(grp.name, grp.feed, ACQUISITION, _count(len(grp.books)))
                      for grp in g[kind]]
            out.update(self.paged(self._current, f"{self.title}: by {kind}", NAVIGATION, makers))
            for grp in g[kind]:
                out.update(self.acquisition(grp.feed, f"{self.title}: {grp.name}", grp.books))
        return out

    def acquisition(self, path: str, title: str, books: list[Book]) -> dict[str, bytes]:
        return self.paged(path, title, ACQUISITION, [lambda b=b: self.entries[id(b)] for b in books])

    def paged(self, path: str, title: str, type_: str, makers: list[Callable]) -> dict[str, bytes]:
        """The feed at ``path``, in pages of ``PAGE_SIZE`` entries (one page at least)."""
        chunks = [makers[i:i + PAGE_SIZE] for i in range(0, len(makers), PAGE_SIZE)] or [[]]
        names = [path] + [re.sub(r"\.xml$", f"-{n}.xml", path) for n in range(2, len(chunks) + 1)]
        here = posixpath.dirname(path)
        pages = {}
        for n, chunk in enumerate(chunks):
            feed = etree.Element(f"{{{ATOM}}}feed", nsmap=NSMAP)
            _sub(feed, "id", self.urn("feed:" + names[n]))
            _sub(feed, "title", title + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else ""))
            _sub(feed, "updated", self.updated)
            _sub(_sub(feed, "author"), "name", self.title)
            self.link(feed, "self", self.urls.href(names[n], here), type_)
            self.link(feed, "start", self.urls.href(OPDS_NAME, here), NAVIGATION)
            if path != OPDS_NAME:
                self.link(feed, "up", self.urls.href(OPDS_NAME, here), NAVIGATION)
            if len(chunks) > 1:
                self.link(feed, "first", self.urls.href(names[0], here), type_)
                self.link(feed, "last", self.urls.href(names[-1], here), type_)
                if n > 0:
                    self.link(feed, "previous", self.urls.href(names[n - 1], here), type_)
                if n + 1 < len(chunks):
                    self.link(feed, "next", self.urls.href(names[n + 1], here), type_)
            for make in chunk:
                feed.append(make())       # a book's entry moves here from the last feed written
            pages[names[n]] = etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
        return pages


def _sub(parent, tag: str, text: str | None = None):
    el = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{ATOM}}}{tag}")
    if text is not None:
        el.text = _xml_safe(text)
    return el


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _count(n: int) -> str:
    return f"{n} text" if n == 1 else f"{n} texts"


def text_page(book: Book) -> str:
    """The path in OUT of the book's own page."""
    return f"{CATALOG_DIR}/texts/{book.name}.html"


def opds_feeds(books: list[Book], title: str, base_url: str, updated: dt.datetime) -> dict[str, bytes]:
    """Every feed of the library, ``{path in OUT: bytes}``."""
    return Catalog(books, title, Urls(base_url), updated, base_url or title).feeds()
