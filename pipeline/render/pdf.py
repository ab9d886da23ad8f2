"""The pamphlet's one HTML page for WeasyPrint: ``pdf_html``.

Every footnote reference is replaced by the note itself, an inline
``span.footnote`` that ``styles/pamphlet.css`` floats to the foot of the page
(a note called again is printed again, at that call's page); Korean words are
kept whole with word joiners, and ruby becomes its base with the annotation
after it, since WeasyPrint has neither ``word-break: keep-all`` nor ruby layout.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from pipeline.document import BLOCKS, append_text, is_noteref, remove_keeping_tail
from pipeline.labels import labels_for
from pipeline.render import Prepared, html_fragment, link_href, templates


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
