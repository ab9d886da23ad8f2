"""The one contract between readers and writers: ``Metadata`` + ``Document``.

Every reader returns a ``Document``; every writer consumes only a ``Document``.

The body is an lxml element tree in a small, fixed HTML vocabulary (no
namespace), so that normalisation and rendering never need to know which
format a text came from:

Blocks (children of ``body``, ``blockquote``, ``div``, ``li``, ``dd``, ``td``…)
    ``h1``–``h5``        part, chapter, section, subsection, unnumbered heading;
                         optional ``data-toc`` holds a short title for tables of
                         contents; ``id`` is unique when set (render adds missing ids)
    ``p``                a paragraph
    ``blockquote``       a quotation (contains blocks)
    ``div class=verse``  verse: ``p`` per stanza, ``br`` between lines
    ``div class=center`` / ``div class=right``  aligned blocks
    ``div class=biblio`` / ``div class=play``   bibliography / play (hanging indents)
    ``pre``              literal text (example, verbatim), never typographically changed
    ``ul`` / ``ol type=1|a|A|i|I`` / ``li``; ``dl`` / ``dt`` / ``dd``
    ``table`` (``caption``, ``thead``/``tbody``/``tfoot``, ``tr``, ``th``/``td``)
    ``figure`` > ``img src=… alt=…`` [+ ``figcaption``]; ``src`` relative to the
                         source's folder; optional class ``float-left``/``float-right``
    ``hr``               a rule; ``div class=pagebreak`` a forced page break
Inline
    ``em strong code sup sub del br a[href] a[id]`` (anchor),
    ``span class=sc`` (small caps), ``span class=sf`` (sans), ``span lang=xx``,
    ``span dir=ltr|rtl|auto`` — a run isolated in its direction (``p``, ``div``,
    ``blockquote`` may carry ``dir`` too), ``ruby`` > base text + ``rt``
    (annotation), optional ``rp`` (fallback parentheses),
    ``a class=noteref href=#ID`` — a footnote reference; ``ID`` is a key of
    ``Document.notes``; the element's text is the label shown.

A footnote's body lives in ``Document.notes[ID].body``: a ``div`` of blocks,
which may itself contain ``noteref``s to secondary notes.

The same vocabulary as code, for the readers that build it and the passes that
read it: ``HEADINGS``, ``BLOCKS`` (with ``TEXTLESS_BLOCKS``, whose children are
blocks, and ``BLOCK_CONTAINERS``, where blocks and loose text meet),
``DIV_CLASSES``, ``SPAN_CLASSES``, ``LIST_TYPES``, ``DIRECTIONS`` and
``ATTRIBUTES``; ``is_noteref`` tells a footnote reference. The helpers below
edit a tree without losing text: ``remove_keeping_tail``, ``unwrap``,
``append_text``, ``drop_image``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lxml import etree


HEADINGS = ("h1", "h2", "h3", "h4", "h5")      # a tuple: ``el.iter(*HEADINGS)``
BLOCKS = frozenset({*HEADINGS, "p", "blockquote", "div", "pre", "ul", "ol", "li", "dl", "dt", "dd",
                    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
                    "figure", "figcaption", "hr"})
# Blocks whose children are blocks (items, rows, cells, an image and its
# caption), never text of their own.
TEXTLESS_BLOCKS = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "figure"})
# Where blocks stand among themselves: loose text there belongs in a ``p``.
BLOCK_CONTAINERS = frozenset({"body", "blockquote", "div"})
DIV_CLASSES = frozenset({"verse", "center", "right", "biblio", "play", "pagebreak"})
SPAN_CLASSES = frozenset({"sc", "sf"})
LIST_TYPES = frozenset({"1", "a", "A", "i", "I"})       # ``ol type=…``
DIRECTIONS = frozenset({"ltr", "rtl", "auto"})          # ``dir=…``
# Every attribute an element of the body or a note may carry.
ATTRIBUTES = frozenset({"class", "id", "lang", "dir", "href", "src", "alt", "title", "type", "start",
                        "colspan", "rowspan", "data-toc", "data-label"})


def is_noteref(el: etree._Element) -> bool:
    """Whether ``el`` is a footnote reference (``a`` of class ``noteref``)."""
    return el.tag == "a" and "noteref" in (el.get("class") or "").split()


@dataclass
class Metadata:
    """What the title page and the colophon say. Empty means "the source does not say"."""

    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    lang: str = ""
    source: str = ""        # where the text was retrieved from (may hold URLs)
    notes: str = ""         # publication notes, printed on the colophon
    topics: list[str] = field(default_factory=list)
    publisher: str = ""
    rights: str = ""        # e.g. "Anti-Copyright"
    cover: str = ""         # an image file relative to the source's folder
    notoc: bool = False     # the source asks for no table of contents
    nofinalpage: bool = False  # the source asks for no colophon page
    # The authors' names as sorted ("Kropotkin, Peter"), when the source gives
    # them (a .muse ``#SORTauthors``): the EPUB's ``file-as``.
    sort_authors: list[str] = field(default_factory=list)
    site: str = ""          # the site the text comes from, closing the colophon
    extra: dict[str, str] = field(default_factory=dict)  # directives we do not use

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)


def sort_names(value: str) -> list[str]:
    """The names of a written list of sort names ("Kropotkin, Peter; Reclus,
    Élisée"), split as Amusewiki splits ``#SORTauthors``: on semicolons when
    there are any, else on commas."""
    separator = ";" if ";" in value else ","
    return [part.strip() for part in value.split(separator) if part.strip()]


@dataclass
class Note:
    """A footnote: ``label`` is what the reference shows, ``body`` a ``div`` of blocks."""

    id: str
    label: str
    body: etree._Element
    secondary: bool = False


@dataclass
class Document:
    metadata: Metadata
    body: etree._Element
    notes: dict[str, Note] = field(default_factory=dict)
    path: Path | None = None          # the source file, for resolving images
    format: str = ""                  # the reader that produced it, for messages only
    # How the source's format states a field ("title", "author" → what to
    # write where), for the message when one is missing.
    how_to_state: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What the readers and the normaliser removed or repaired, one line each
    # (debris rules, ligatures): shown with ``--debug``, so nothing goes unseen.
    changes: list[str] = field(default_factory=list)

    @property
    def base_dir(self) -> Path | None:
        return self.path.parent if self.path else None

    def headings(self) -> list[etree._Element]:
        return list(self.body.iter(*HEADINGS))

    def identifier(self) -> str:
        """The book's identifier: what identifies the *work*, not its bytes, so
        that correcting a typo keeps it (an e-reader keeps its place, highlights
        and notes). A name-based UUID (version 5) of the address the text was
        retrieved from, when its source names one; else of its title, authors
        and language (compared without regard to case, spacing or Unicode form)."""
        url = source_url(self.metadata.source)
        if url:
            return uuid.uuid5(uuid.NAMESPACE_URL, url).urn
        m = self.metadata
        name = "\x00".join(_key(part) for part in (m.title, "\x1f".join(m.authors), m.lang))
        return uuid.uuid5(WORK_NAMESPACE, name).urn


# The namespace of the identifiers of works known by title, authors and language.
WORK_NAMESPACE = uuid.UUID("6f1b7c2e-3d4a-5b8e-9c0f-2a7d4e1b6c35")
_URL = re.compile(r"(?<![A-Za-z0-9+.-])(?:https?|ftp)://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)


def source_url(source: str) -> str:
    """The first address in a ``Metadata.source`` ("Retrieved on … from URL"),
    in a canonical form: scheme and host in lower case, no fragment, no
    punctuation the sentence put after it. Empty when there is none."""
    match = _URL.search(source or "")
    if not match:
        return ""
    url = match.group(0).rstrip(".,;:!?'")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def new_body() -> etree._Element:
    return etree.Element("body")


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a child element; ``class_`` stands for ``class``."""
    if "class_" in attrs:
        attrs["class"] = attrs.pop("class_")
    el = etree.SubElement(parent, tag, attrs)
    if text:
        el.text = text
    return el


def last_child(el: etree._Element) -> etree._Element | None:
    """The last child of ``el``, or None: in constant time (``len()`` of an lxml
    element counts its children, which makes appending text to a long paragraph
    quadratic)."""
    try:
        return el[-1]
    except IndexError:
        return None


def append_text(el: etree._Element, text: str | None) -> None:
    """Add ``text`` at the end of ``el``'s content: to its last child's tail, or
    to its text when it has no child."""
    if not text:
        return
    last = last_child(el)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


def remove_keeping_tail(el: etree._Element, text: str = "") -> None:
    """Remove ``el``; ``text`` and the text that followed it stay where it stood."""
    parent = el.getparent()
    if parent is None:
        return
    joined = (text or "") + (el.tail or "")
    previous = el.getprevious()
    if joined:
        if previous is not None:
            previous.tail = (previous.tail or "") + joined
        else:
            parent.text = (parent.text or "") + joined
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content: its text, children and tail stay where it stood."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    previous = el.getprevious()
    if el.text:
        if previous is not None:
            previous.tail = (previous.tail or "") + el.text
        else:
            parent.text = (parent.text or "") + el.text
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if el.tail and children:
        children[-1].tail = (children[-1].tail or "") + el.tail
        el.tail = None
    remove_keeping_tail(el)


def text_content(el: etree._Element) -> str:
    """All the text of an element, in document order (notes excluded)."""
    return "".join(el.itertext())


def drop_image(img: etree._Element) -> None:
    """Leave an image out of the body, keeping what it says in words: a figure
    keeps its caption, or gets the image's alt text as its caption, and goes
    away only when neither says anything; an image in running text is replaced
    by its alt text."""
    parent = img.getparent()
    if parent is None:
        return
    if parent.tag != "figure":
        remove_keeping_tail(img, img.get("alt") or "")
        return
    alt = " ".join((img.get("alt") or "").split())
    caption = parent.find("figcaption")
    # Beside a caption, the alt text stays where the image stood unless the
    # caption already says it.
    kept = alt if caption is not None and alt != " ".join(text_content(caption).split()) else ""
    remove_keeping_tail(img, kept)
    if caption is None and alt:
        caption = etree.SubElement(parent, "figcaption")
        caption.text = alt
    if caption is None and not text_content(parent).strip():
        remove_keeping_tail(parent)
