"""The EPUB's XHTML files of a prepared document: ``epub_parts``.

The title page, the text (one file a chapter when it is long), the colophon;
footnotes as EPUB 3 notes (``aside epub:type=footnote``, after the text of the
file that first calls them) with back links; same-book links pointed at the
file that holds their target, and those that lead nowhere in the book made
plain text; the pamphlet's page breaks marked (``pages.mark_print_pages``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from pipeline.document import HEADINGS, drop_image, is_noteref, text_content, unwrap
from pipeline.labels import labels_for
from pipeline.render import EPUB_NS, XHTML_NS, XML_LANG, Prepared, TocEntry, link_href, templates
from pipeline.render.pages import mark_print_pages


@dataclass
class EpubPart:
    """One XHTML file of the EPUB."""

    file_name: str
    title: str
    kind: str               # "titlepage", "chapter", "colophon"
    xhtml: str = ""
    body: etree._Element | None = None
    headings: list[TocEntry] = field(default_factory=list)
    # The pamphlet's pages that begin in this file: (number, id of the marker).
    pages: list[tuple[int, str]] = field(default_factory=list)


def split_chapters(body: etree._Element, max_bytes: int = 60000) -> list[etree._Element]:
    """Cut the body into files at chapter headings when it is long. Long means
    its text is over ``max_bytes`` in UTF-8, what a reading system loads, so that
    Chinese (three bytes a character) and Cyrillic (two) texts are cut like Latin
    ones. The cuts are at h1/h2, or, in a text without those, at the highest
    level of heading it has."""
    total = len(text_content(body).encode("utf-8"))
    levels = sorted({int(child.tag[1]) for child in body if child.tag in HEADINGS})
    if total <= max_bytes or not levels:
        return [body]
    cut_tags = ("h1", "h2") if levels[0] <= 2 else (f"h{levels[0]}",)
    parts: list[etree._Element] = []
    current = etree.Element("body")
    current.text = body.text
    for child in body:
        if child.tag in cut_tags and (len(current) or (current.text or "").strip()):
            parts.append(current)
            current = etree.Element("body")
        current.append(copy.deepcopy(child))
    parts.append(current)
    return parts


def epub_parts(prep: Prepared, image_href=None) -> list[EpubPart]:
    """The EPUB's XHTML files: title page, the text (one file per chapter when
    long), the colophon. ``image_href(src)`` gives the in-book address of an
    image of the source, or None when the image cannot be included (it is then
    left out, its caption kept)."""
    doc = prep.doc
    env = templates()
    labels = labels_for(prep.lang)
    parts = [EpubPart("titlepage.xhtml", labels.titlepage, "titlepage")]
    body = copy.deepcopy(doc.body)
    text_pages = mark_print_pages(body, [p for p in prep.print_pages if p.kind == "text"])
    chunks = split_chapters(body)
    note_file: dict[str, str] = {}
    anchor_file: dict[str, str] = {}
    for n, chunk in enumerate(chunks, start=1):
        name = f"text{n:03d}.xhtml"
        heads = [TocEntry(int(h.tag[1]), h.get("data-toc") or " ".join(text_content(h).split()), h.get("id"))
                 for h in chunk.iter(*HEADINGS)]
        title = heads[0].title if heads else doc.metadata.title
        _close_heading_gaps(chunk)
        parts.append(EpubPart(name, title, "chapter", body=chunk, headings=heads))
        for el in chunk.iter():
            if el.get("id"):
                anchor_file[el.get("id")] = name
            if el.tag == "span" and el.get("data-page") in text_pages:
                parts[-1].pages.append((int(el.get("data-page")), el.get("id")))
            if is_noteref(el):
                note_file.setdefault((el.get("href") or "").lstrip("#"), name)
    # Notes referenced only from other notes go with their parent note's file.
    changed = True
    while changed:
        changed = False
        for note_id, note in doc.notes.items():
            if note_id not in note_file:
                continue
            for inner in note.body.iter("a"):
                inner_id = (inner.get("href") or "").lstrip("#")
                if is_noteref(inner) and inner_id not in note_file:
                    note_file[inner_id] = note_file[note_id]
                    changed = True
    for note_id, note in doc.notes.items():
        note_file.setdefault(note_id, parts[-1].file_name)
        anchor_file[f"fn-{note_id}"] = note_file[note_id]
        anchor_file[f"fnref-{note_id}"] = note_file[note_id]
        for el in note.body.iter():
            if el.get("id"):
                anchor_file.setdefault(el.get("id"), note_file[note_id])

    calls = _NoteCalls(note_file)
    for part in parts[1:]:
        notes = [doc.notes[i] for i in doc.notes if note_file[i] == part.file_name]
        body_html = _epub_fragment(part.body, part.file_name, anchor_file, doc.notes, image_href, calls)
        notes_html = [(note, _epub_fragment(note.body, part.file_name, anchor_file, doc.notes, image_href,
                                            calls))
                      for note in notes]
        part.xhtml = env.get_template("epub_chapter.xhtml").render(
            lang=prep.lang, title=part.title, body=body_html, notes=notes_html)
    printed = {p.kind: p.number for p in prep.print_pages if p.kind != "text"}
    parts[0].pages = [(printed["title"], f"page-{printed['title']}")] if "title" in printed else []
    parts[0].xhtml = env.get_template("epub_titlepage.xhtml").render(
        lang=prep.lang, meta=doc.metadata, pages=parts[0].pages)
    if not doc.metadata.nofinalpage:
        pages = [(printed["colophon"], f"page-{printed['colophon']}")] if "colophon" in printed else []
        parts.append(EpubPart("colophon.xhtml", labels.colophon, "colophon", pages=pages,
                              xhtml=env.get_template("epub_colophon.xhtml").render(
                                  lang=prep.lang, colophon=prep.colophon, labels=labels, pages=pages)))
    return parts


class _NoteCalls:
    """An id for each call of a note, unique when a note is called more than once:
    ``fnref-ID`` for its first call in the file that holds the note (where the
    note's back link leads), ``fnrefN-ID`` for the others."""

    def __init__(self, note_file: dict[str, str]) -> None:
        self.note_file = note_file
        self.count: dict[str, int] = {}
        self.first: set[str] = set()

    def id_for(self, note_id: str, file_name: str) -> str:
        n = self.count[note_id] = self.count.get(note_id, 0) + 1
        if note_id not in self.first and self.note_file.get(note_id) == file_name:
            self.first.add(note_id)
            return f"fnref-{note_id}"
        return f"fnref{n}-{note_id}"


def _close_heading_gaps(chunk: etree._Element) -> None:
    """Headings of one file at levels without gaps: a heading goes at most one
    level below the one before it (the file's first at most h2), so a source
    that skips a level (h2, then h4) reads h2, h3 to a screen reader. The
    contents keep the source's own levels (``EpubPart.headings``)."""
    previous = 1
    for heading in chunk.iter(*HEADINGS):
        level = min(int(heading.tag[1]), previous + 1)
        heading.tag = f"h{level}"
        previous = level


def _epub_fragment(el: etree._Element, file_name: str, anchor_file: dict[str, str],
                   notes: dict | None = None, image_href=None, calls: _NoteCalls | None = None) -> str:
    """Children of ``el`` as XHTML, with footnote links made EPUB 3 note references
    and same-book links pointed at the file that holds their target. Links that
    lead nowhere inside the book (a missing anchor, a relative address of the
    source's web site) keep their text and lose the link."""
    el = copy.deepcopy(el)
    for a in list(el.iter("a")):
        href = a.get("href") or ""
        if is_noteref(a):
            note_id = href.lstrip("#")
            if notes is not None and note_id not in notes:
                _unlink(a)
                continue
            a.set("id", calls.id_for(note_id, file_name) if calls else f"fnref-{note_id}")
            a.set("{%s}type" % EPUB_NS, "noteref")
            a.set("role", "doc-noteref")
            target = anchor_file.get(f"fn-{note_id}", file_name)
            a.set("href", (f"{target}" if target != file_name else "") + f"#fn-{note_id}")
        elif href.startswith("#"):
            target = anchor_file.get(href[1:])
            if target is None:
                _unlink(a)
            elif target != file_name:
                a.set("href", f"{target}{href}")
        elif href and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href):
            _unlink(a)      # relative to a web site or folder the book does not contain
        elif href:
            a.set("href", link_href(href))
    for img in list(el.iter("img")):
        if image_href is not None:
            new_src = image_href(img.get("src") or "")
            if new_src is None:
                drop_image(img)
                continue
            img.set("src", new_src)
        if img.get("alt") is None:
            img.set("alt", "")
    for node in el.iter():
        if node.tag == "th" and not text_content(node).strip() and node.find(".//img") is None:
            node.tag = "td"     # a header cell that says nothing heads nothing (e.g. a table's corner)
        if node.get("lang"):
            node.set(XML_LANG, node.get("lang"))     # older reading systems read only xml:lang
        if node.tag == "span" and node.get("data-page"):
            number = node.attrib.pop("data-page")
            node.set("{%s}type" % EPUB_NS, "pagebreak")
            node.set("role", "doc-pagebreak")
            node.set("aria-label", number)
    wrapper = etree.Element("{%s}div" % XHTML_NS, nsmap={None: XHTML_NS, "epub": EPUB_NS})
    wrapper.text = el.text
    for child in el:
        wrapper.append(child)
    for node in wrapper.iter():
        if isinstance(node.tag, str) and not node.tag.startswith("{"):
            node.tag = "{%s}%s" % (XHTML_NS, node.tag)
    text = etree.tostring(wrapper, encoding="unicode", method="xml")
    # Drop the wrapper's start and end tags (and its namespace declarations).
    inner = text[text.index(">") + 1: text.rindex("<")]
    return re.sub(r' xmlns(:epub)?="[^"]*"', "", inner)


def _unlink(el: etree._Element) -> None:
    """Replace a link by its content (text, children, tail); one with an ``id``
    stays as a plain anchor, since other links may point at it."""
    if el.getparent() is None or el.get("id"):
        for name in ("href", "class", "role", "{%s}type" % EPUB_NS):
            el.attrib.pop(name, None)
        return
    unwrap(el)
