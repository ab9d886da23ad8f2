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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import etree

from pipeline.colophon import Colophon, build_colophon
from pipeline.document import Document, remove_keeping_tail, text_content
from pipeline.labels import labels_for
from pipeline.language import guess_language
from pipeline.scripts import direction

HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5")
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

# Block elements of the vocabulary; inside a PDF footnote (an inline float)
# they become spans with display: block, so that the HTML parser keeps them.
BLOCK_TAGS = {"p", "blockquote", "div", "pre", "ul", "ol", "li", "dl", "dt", "dd",
              "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
              "figure", "figcaption", "hr", *HEADING_TAGS}


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
class Prepared:
    """What both writers need, computed once."""

    doc: Document
    lang: str
    colophon: Colophon
    toc: list[TocEntry] = field(default_factory=list)
    show_toc: bool = False


def prepare(doc: Document) -> Prepared:
    """Check the attribution, give headings ids and build the table of contents."""
    colophon = build_colophon(doc)
    lang = doc.metadata.lang or guess_language(text_content(doc.body))
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
    for ref in clean.xpath(".//a[contains(concat(' ', @class, ' '), ' noteref ')]"):
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
    for ref in list(body.iter("a")):
        if "noteref" not in (ref.get("class") or "").split():
            continue
        note_id = (ref.get("href") or "").lstrip("#")
        note = doc.notes.get(note_id)
        if note is None:
            continue
        _unwrap_superscript(ref)
        # An empty anchor marks where the reference stands, so that the PDF's named
        # destinations tell on which page each reference and each note landed.
        spans = [etree.Element("a", {"class": "fnref", "id": f"fnref-{note.id}"}), _footnote_span(note)]
        # Notes referenced from inside this note follow it, so they land on the same page.
        for inner in note.body.iter("a"):
            inner_id = (inner.get("href") or "").lstrip("#")
            if "noteref" in (inner.get("class") or "") and inner_id in doc.notes:
                spans.append(_footnote_span(doc.notes[inner_id]))
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
            _append_text(ruby, tail)
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


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


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


def _footnote_span(note) -> etree._Element:
    span = etree.Element("span", {"class": "footnote" + (" secondary" if note.secondary else ""),
                                  "id": f"fn-{note.id}", "data-label": note.label})
    content = copy.deepcopy(note.body)
    for el in content.iter():
        if el.tag in BLOCK_TAGS:
            el.set("class", f"fn-{el.tag} " + (el.get("class") or ""))
            el.tag = "span"
        elif el.tag == "a" and "noteref" in (el.get("class") or ""):
            el.tag = "sup"
            el.attrib.pop("href", None)
    span.text = content.text
    for child in content:
        span.append(child)
    # The note's number (::footnote-marker) runs into its first paragraph
    # instead of standing on a line of its own above it.
    if not (span.text or "").strip() and len(span) and span[0].get("class", "").startswith("fn-p "):
        span[0].set("class", span[0].get("class") + "fn-first")
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


def split_chapters(body: etree._Element, max_chars: int = 60000) -> list[etree._Element]:
    """Cut the body into files at chapter headings (h1/h2) when it is long."""
    total = len(text_content(body))
    cut_tags = ("h1", "h2")
    if total <= max_chars or not any(child.tag in cut_tags for child in body):
        return [body]
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
    chunks = split_chapters(doc.body)
    note_file: dict[str, str] = {}
    anchor_file: dict[str, str] = {}
    for n, chunk in enumerate(chunks, start=1):
        name = f"text{n:03d}.xhtml"
        heads = [TocEntry(int(h.tag[1]), h.get("data-toc") or " ".join(text_content(h).split()), h.get("id"))
                 for h in chunk.iter(*HEADING_TAGS)]
        title = heads[0].title if heads else doc.metadata.title
        parts.append(EpubPart(name, title, "chapter", body=chunk, headings=heads))
        for el in chunk.iter():
            if el.get("id"):
                anchor_file[el.get("id")] = name
            if el.tag == "a" and "noteref" in (el.get("class") or ""):
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
                if "noteref" in (inner.get("class") or "") and inner_id not in note_file:
                    note_file[inner_id] = note_file[note_id]
                    changed = True
    for note_id, note in doc.notes.items():
        note_file.setdefault(note_id, parts[-1].file_name)
        anchor_file[f"fn-{note_id}"] = note_file[note_id]
        anchor_file[f"fnref-{note_id}"] = note_file[note_id]
        for el in note.body.iter():
            if el.get("id"):
                anchor_file.setdefault(el.get("id"), note_file[note_id])

    for part in parts[1:]:
        notes = [doc.notes[i] for i in doc.notes if note_file[i] == part.file_name]
        body_html = _epub_fragment(part.body, part.file_name, anchor_file, doc.notes, image_href)
        notes_html = [(note, _epub_fragment(note.body, part.file_name, anchor_file, doc.notes, image_href))
                      for note in notes]
        part.xhtml = env.get_template("epub_chapter.xhtml").render(
            lang=prep.lang, title=part.title, body=body_html, notes=notes_html)
    parts[0].xhtml = env.get_template("epub_titlepage.xhtml").render(
        lang=prep.lang, meta=doc.metadata)
    if not doc.metadata.nofinalpage:
        parts.append(EpubPart("colophon.xhtml", labels.colophon, "colophon",
                              xhtml=env.get_template("epub_colophon.xhtml").render(
                                  lang=prep.lang, colophon=prep.colophon, labels=labels)))
    return parts


def _epub_fragment(el: etree._Element, file_name: str, anchor_file: dict[str, str],
                   notes: dict | None = None, image_href=None) -> str:
    """Children of ``el`` as XHTML, with footnote links made EPUB 3 note references
    and same-book links pointed at the file that holds their target. Links that
    lead nowhere inside the book (a missing anchor, a relative address of the
    source's web site) keep their text and lose the link."""
    el = copy.deepcopy(el)
    for a in list(el.iter("a")):
        href = a.get("href") or ""
        if "noteref" in (a.get("class") or ""):
            note_id = href.lstrip("#")
            if notes is not None and note_id not in notes:
                _unwrap(a)
                continue
            a.set("id", f"fnref-{note_id}")
            a.set("{%s}type" % EPUB_NS, "noteref")
            a.set("role", "doc-noteref")
            target = anchor_file.get(f"fn-{note_id}", file_name)
            a.set("href", (f"{target}" if target != file_name else "") + f"#fn-{note_id}")
        elif href.startswith("#"):
            target = anchor_file.get(href[1:])
            if target is None:
                _unwrap(a)
            elif target != file_name:
                a.set("href", f"{target}{href}")
        elif href and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href):
            _unwrap(a)      # relative to a web site or folder the book does not contain
    for img in list(el.iter("img")):
        if image_href is not None:
            new_src = image_href(img.get("src") or "")
            if new_src is None:
                _drop_image(img)
                continue
            img.set("src", new_src)
        if img.get("alt") is None:
            img.set("alt", "")
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


def _unwrap(el: etree._Element) -> None:
    """Replace a link by its content (text, children, tail); one with an ``id``
    stays as a plain anchor, since other links may point at it."""
    parent = el.getparent()
    if parent is None or el.get("id"):
        for name in ("href", "class", "role", "{%s}type" % EPUB_NS):
            el.attrib.pop(name, None)
        return
    index = parent.index(el)
    text = el.text or ""
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + text
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = el.tail or ""
    parent.remove(el)
    if tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + tail
        elif index == 0:
            parent.text = (parent.text or "") + tail
        else:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + tail


def _drop_image(img: etree._Element) -> None:
    """Leave out an image the book cannot hold; a figure keeps its caption."""
    parent = img.getparent()
    if parent is None:
        return
    figure = parent if parent.tag == "figure" else None
    if figure is not None and figure.find("figcaption") is None:
        grand = figure.getparent()
        if grand is not None:
            _remove_keep_tail(figure)
            return
    _remove_keep_tail(img)
    if figure is not None:
        figure.tag = "div"
        figure.set("class", ("figure " + (figure.get("class") or "")).strip())
        for cap in figure.findall("figcaption"):
            cap.tag = "p"
            cap.set("class", "caption")


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    index = parent.index(el)
    if el.tail:
        if index == 0:
            parent.text = (parent.text or "") + el.tail
        else:
            parent[index - 1].tail = (parent[index - 1].tail or "") + el.tail
    parent.remove(el)


def style_path(name: str) -> Path:
    return Path(__file__).resolve().parent.parent / "styles" / name
