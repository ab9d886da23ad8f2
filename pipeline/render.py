"""One XHTML rendering of a ``Document`` — title page, body, colophon — for both writers.

``prepare`` does the work both writers share: ids on headings, the table of
contents, the colophon, the language. Then ``pdf_html`` lays everything out in
one HTML page for WeasyPrint (footnotes inline, floated to the page foot by
CSS), and ``epub_parts`` cuts the same content into XHTML files for the EPUB
(footnotes as pop-up ``aside`` notes at the end of each file).
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import etree

from pipeline.colophon import Colophon, build_colophon
from pipeline.document import (BLOCKS, HEADINGS, Document, append_text, drop_image, is_noteref,
                               remove_keeping_tail, text_content, unwrap)
from pipeline.labels import labels_for
from pipeline.language import guess_language
from pipeline.scripts import direction

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.tests["rtl"] = lambda lang: direction(lang or "") == "rtl"     # {% if lang is rtl %}
    return env


@dataclass
class TocEntry:
    level: int
    title: str
    id: str


@dataclass
class PrintPage:
    """Where a page of the printed pamphlet begins, as read back from its PDF
    (``writers/pdf.py``): the page's number, what it is (``title``, ``text`` or
    ``colophon``) and, for a text page, the letters and digits its text area
    starts with (case-folded), a few candidates from its first spans on."""

    number: int
    kind: str
    starts: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """What both writers need, computed once."""

    doc: Document
    lang: str
    colophon: Colophon
    toc: list[TocEntry] = field(default_factory=list)
    show_toc: bool = False
    # The pamphlet made in the same build, when there is one: the EPUB marks
    # where its pages begin (a page list) and names it as the pages' source.
    print_pages: list[PrintPage] = field(default_factory=list)
    print_edition: str = ""


def prepare(doc: Document) -> Prepared:
    """Check the attribution, give headings ids and build the table of contents,
    on a copy: ``Prepared.doc`` is a new document, ``doc`` is left unchanged."""
    colophon = build_colophon(doc)
    lang = doc.metadata.lang or guess_language(text_content(doc.body))
    doc = replace(doc, body=copy.deepcopy(doc.body), warnings=list(doc.warnings), changes=list(doc.changes))
    if not doc.metadata.lang:
        doc.warnings.append(f"the source states no language; typeset as {lang!r} (give one with --lang)")
    used = {el.get("id") for el in doc.body.iter() if el.get("id")}
    toc = []
    for n, heading in enumerate(doc.headings(), start=1):
        if not heading.get("id"):
            hid = f"h{n}"
            while hid in used:
                hid += "x"
            heading.set("id", hid)
            used.add(hid)
        title = heading.get("data-toc") or heading_title(heading)
        if not heading.get("data-toc") and title != " ".join(text_content(heading).split()):
            # Contents, bookmarks and running heads without the note numbers.
            heading.set("data-toc", title)
        toc.append(TocEntry(int(heading.tag[1]), title, heading.get("id")))
    chapters = [e for e in toc if e.level <= 2]
    show_toc = not doc.metadata.notoc and len(chapters) >= 2
    return Prepared(doc=doc, lang=lang, colophon=colophon, toc=toc, show_toc=show_toc)


def heading_title(heading: etree._Element) -> str:
    """A heading's text without its footnote references, on one line."""
    clean = copy.deepcopy(heading)
    for ref in [el for el in clean.iter("a") if is_noteref(el)]:
        remove_keeping_tail(ref)
    return " ".join(text_content(clean).split())


def html_fragment(el: etree._Element) -> str:
    """Serialize the children of ``el`` (not ``el`` itself) as HTML."""
    parts = [escape_text(el.text or "")]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in el)
    return "".join(parts)


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- PDF

def pdf_body(prep: Prepared) -> etree._Element:
    """A copy of the body with every footnote reference replaced by the note itself,
    as an inline ``span.footnote`` that CSS floats to the foot of the page."""
    doc = prep.doc
    body = copy.deepcopy(doc.body)
    # A line break in a heading separates words in its bookmark too.
    for br in body.xpath("(//h1|//h2|//h3|//h4|//h5)//br"):
        br.tail = " " + (br.tail or "")
    ids = _RepeatIds()
    for ref in list(body.iter("a")):
        if not is_noteref(ref):
            href = ref.get("href")
            if href and not href.startswith("#"):
                ref.set("href", link_href(href))
            continue
        note_id = (ref.get("href") or "").lstrip("#")
        note = doc.notes.get(note_id)
        if note is None:
            continue
        _unwrap_superscript(ref)
        # An empty anchor marks where the reference stands, so that the PDF's named
        # destinations tell on which page each reference and each note landed.
        # A note called again is printed again, at the foot of that call's page.
        spans = [etree.Element("a", {"class": "fnref", "id": ids.next("fnref", note.id)}),
                 _footnote_span(note, ids.next("fn", note.id))]
        # Notes referenced from inside this note follow it, so they land on the same page.
        for inner in note.body.iter("a"):
            inner_id = (inner.get("href") or "").lstrip("#")
            if is_noteref(inner) and inner_id in doc.notes:
                spans.append(_footnote_span(doc.notes[inner_id], ids.next("fn", inner_id)))
        parent = ref.getparent()
        index = parent.index(ref)
        tail = ref.tail
        parent.remove(ref)
        for offset, span in enumerate(spans):
            parent.insert(index + offset, span)
        spans[-1].tail = tail
    keep_korean_words(body, prep.lang)
    for ruby in list(body.iter("ruby")):
        _ruby_for_pdf(ruby)
    return body


def _ruby_for_pdf(ruby: etree._Element) -> None:
    """WeasyPrint has no ruby layout: ``ruby`` becomes its base followed by the
    annotation, small, in parentheses (as the ``rp`` fallback reads) — placed
    above the base, the annotation would be read as part of the line above by
    text extraction and search; ``rp`` fallbacks are dropped."""
    notes = [rt for rt in ruby if rt.tag == "rt"]
    for rp in [el for el in ruby if el.tag in ("rp", "rt")]:
        tail = rp.tail
        rp.tail = None
        ruby.remove(rp)
        if tail:
            append_text(ruby, tail)
    base = etree.Element("span", {"class": "rb"})
    base.text = ruby.text
    for child in list(ruby):
        base.append(child)
    ruby.text = None
    ruby.tag = "span"
    ruby.set("class", "ruby")
    ruby.append(base)
    for rt in notes:
        rt.tag = "span"
        rt.set("class", "rt")
        ruby.append(rt)


# Korean is written with spaces between words and breaks only there
# (word-break: keep-all). WeasyPrint lacks keep-all and Pango breaks between
# any two Hangul syllables: a word joiner (U+2060, invisible, no glyph) between
# the characters of a word that holds Hangul keeps it on one line.
WORD_JOINER = "\u2060"
_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_IN_KOREAN_WORD = re.compile(f"(?<=[{_HANGUL}])(?=[^\\s{WORD_JOINER}])|(?<=[^\\s{WORD_JOINER}])(?=[{_HANGUL}])")


def keep_korean_words(el: etree._Element, lang: str) -> None:
    """Word joiners inside the Korean words of ``el`` (whose language is
    ``lang``), in place; elements in another language (``lang=…``) are left alone."""
    lang = el.get("lang") or lang
    korean = lang.split("-")[0].lower() == "ko"
    if korean and el.text and el.tag != "pre":
        el.text = _IN_KOREAN_WORD.sub(WORD_JOINER, el.text)
    for child in el:
        if isinstance(child.tag, str):
            keep_korean_words(child, lang)
        if korean and child.tail:
            child.tail = _IN_KOREAN_WORD.sub(WORD_JOINER, child.tail)


def _unwrap_superscript(ref: etree._Element) -> None:
    """A source may write its reference as a superscript (``<sup>[41]</sup>``);
    the footnote call is one already, and WeasyPrint draws no call for a note
    floated from inside a raised ``sup``: take the ``sup`` away."""
    sup = ref.getparent()
    if sup is None or sup.tag != "sup" or len(sup) != 1 or (sup.text or "").strip() \
            or (ref.tail or "").strip():
        return
    parent = sup.getparent()
    ref.tail = (ref.tail or "") + (sup.tail or "")
    parent.replace(sup, ref)


class _RepeatIds:
    """Ids of note calls and notes, unique however often a note is called: the
    first ``PREFIX-ID``, the next ``PREFIX2-ID``, ``PREFIX3-ID``…"""

    def __init__(self) -> None:
        self.count: dict[tuple[str, str], int] = {}

    def next(self, prefix: str, note_id: str) -> str:
        n = self.count[prefix, note_id] = self.count.get((prefix, note_id), 0) + 1
        return f"{prefix}-{note_id}" if n == 1 else f"{prefix}{n}-{note_id}"


def link_href(href: str) -> str:
    """A link's address as the outputs write it: characters a URL may not hold
    (spaces, quotes, brackets…) percent-encoded, the host in IDNA form. The
    text shown (and the colophon) keeps the address as the source wrote it."""
    from w3lib.url import safe_url_string

    # A "%" that starts no escape is a character of the address, not an escape.
    href = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", href.strip())
    try:
        return safe_url_string(href)
    except ValueError:          # a host IDNA cannot encode: leave the address as it is
        return href


def _footnote_span(note, span_id: str) -> etree._Element:
    span = etree.Element("span", {"class": "footnote" + (" secondary" if note.secondary else ""),
                                  "id": span_id, "data-label": note.label})
    content = copy.deepcopy(note.body)
    # Blocks become spans with display: block, which the HTML parser keeps
    # inside a note (an inline float).
    for el in content.iter():
        if el.tag in BLOCKS:
            el.set("class", f"fn-{el.tag} " + (el.get("class") or ""))
            el.tag = "span"
        elif is_noteref(el):
            el.tag = "sup"
            el.attrib.pop("href", None)
        elif el.tag == "a" and el.get("href") and not el.get("href").startswith("#"):
            el.set("href", link_href(el.get("href")))
    span.text = content.text
    for child in content:
        span.append(child)
    # The note's number (::footnote-marker) runs into its first paragraph
    # instead of standing on a line of its own above it: a plain paragraph's
    # content goes into the note itself (as an inline box in the note,
    # WeasyPrint 70 with overflow-wrap: break-word breaks the words of an
    # element inside it anywhere, without a hyphen: "trib|e"); a paragraph with
    # attributes of its own (language, direction) is set inline instead.
    if not (span.text or "").strip() and len(span) and span[0].get("class", "").startswith("fn-p "):
        first = span[0]
        if first.get("class").split() == ["fn-p"] and len(first.attrib) == 1:
            span.text = (span.text or "") + (first.text or "")
            for n, child in enumerate(list(first)):
                span.insert(n, child)
            after = first.getnext()
            if after is not None and after.get("class", "").startswith("fn-p "):
                after.set("class", after.get("class") + "fn-second")     # indented, as p + p
            remove_keeping_tail(first)
        else:
            first.set("class", first.get("class") + "fn-first")
    return span


def pdf_html(prep: Prepared) -> str:
    """The whole pamphlet as one HTML document for WeasyPrint."""
    doc = prep.doc
    return templates().get_template("pamphlet.html").render(
        lang=prep.lang, meta=doc.metadata, colophon=prep.colophon,
        toc=prep.toc if prep.show_toc else [], body=html_fragment(pdf_body(prep)),
        labels=labels_for(prep.lang),
        final_page=not doc.metadata.nofinalpage)


# ---------------------------------------------------------------- EPUB

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


def _skipped(el: etree._Element) -> bool:
    """Text the pamphlet sets small or not in the text's flow: note calls, raised
    and lowered text."""
    return el.tag in ("sup", "sub") or is_noteref(el)


# A run of the characters ``str.isalnum`` holds: a word character, not the underscore.
_ALNUM_RUN = re.compile(r"[^\W_]+")


def _letters(body: etree._Element):
    """The body's letters and digits, case-folded, in reading order (note calls and
    raised text left out, as ``writers/pdf.py`` leaves them out of a page's start),
    and a function that gives the text node and offset a position of them comes
    from. Kept by runs of letters, not letter by letter (a long book has millions)."""
    pieces: list[str] = []
    starts: list[int] = []      # where each run begins in the letters
    runs: list[tuple[etree._Element, str, int, str, str]] = []   # node, text or tail, offset, run, folded
    length = 0

    def add(el: etree._Element, kind: str, text: str | None) -> None:
        nonlocal length
        for match in _ALNUM_RUN.finditer(text or ""):
            run = match.group()
            folded = run.casefold()
            starts.append(length)
            runs.append((el, kind, match.start(), run, folded))
            pieces.append(folded)
            length += len(folded)

    def visit(el: etree._Element) -> None:
        add(el, "text", el.text)
        for child in el:
            if not _skipped(child):
                visit(child)
            add(child, "tail", child.tail)

    def locate(at: int) -> tuple[etree._Element, str, int]:
        k = bisect_right(starts, at) - 1
        el, kind, offset, run, folded = runs[k]
        i = at - starts[k]
        if len(folded) != len(run):         # a letter folds to more than one (ß → ss)
            for j, ch in enumerate(run):
                i -= len(ch.casefold())
                if i < 0:
                    return el, kind, offset + j
        return el, kind, offset + i

    visit(body)
    return "".join(pieces), locate


def mark_print_pages(body: etree._Element, pages: list[PrintPage]) -> set[str]:
    """Put a page-break marker (``span id=page-N``) where each page of the pamphlet
    begins: before the word that starts the page's text area, found by its first
    letters in the body's letters, in page order. Pages whose start is not found
    (a page of notes only, the contents) get none. Returns the numbers marked."""
    hay, locate = _letters(body)
    found: list[tuple[int, int]] = []      # (position in hay, page number)
    cursor = 0
    for page in pages:
        for start in page.starts:
            at = hay.find(start, cursor)
            if at >= 0:
                found.append((at, page.number))
                cursor = at + 1
                break
    used = {el.get("id") for el in body.iter() if el.get("id")}
    # From the last to the first, so that earlier offsets in a text node stay valid.
    for at, number in reversed(found):
        el, kind, offset = locate(at)
        text = (el.text if kind == "text" else el.tail) or ""
        # Back to the start of the word (a script without spaces between words
        # breaks where the page does).
        while offset > 0 and not text[offset - 1].isspace() and ord(text[offset - 1]) < 0x2E80 \
                and ord(text[offset]) < 0x2E80:
            offset -= 1
        marker_id = f"page-{number}" if f"page-{number}" not in used else f"print-page-{number}"
        marker = etree.Element("span", {"id": marker_id, "data-page": str(number)})
        marker.tail = text[offset:]
        if kind == "text":
            el.text = text[:offset]
            el.insert(0, marker)
        else:
            el.tail = text[:offset]
            el.addnext(marker)
    return {str(number) for _, number in found}


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


def style_path(name: str) -> Path:
    return Path(__file__).resolve().parent.parent / "styles" / name
