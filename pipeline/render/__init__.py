"""One XHTML rendering of a ``Document`` — title page, body, colophon — for both writers.

``prepare`` (here) does the work both writers share, once: the attribution
(``colophon.py``), ids on headings, the table of contents, the language. Then
``pdf.pdf_html`` lays everything out in one HTML page for WeasyPrint
(footnotes inline, floated to the page foot by CSS), and ``epub.epub_parts``
cuts the same content into XHTML files for the EPUB (footnotes as pop-up
``aside`` notes at the end of each file, the pamphlet's page breaks marked by
``pages.py``). Both fill the Jinja2 templates of ``pipeline/templates/``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import etree

from pipeline.document import Document, is_noteref, remove_keeping_tail, text_content
from pipeline.language import guess_language
from pipeline.render.colophon import Colophon, build_colophon
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
    """Where a page of the printed pamphlet begins, as read from its laid-out pages
    (``writers/pdf/pagestarts.py``): the page's number, what it is (``title``, ``text``
    or ``colophon``) and, for a text page, the letters and digits its part of the body
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


def style_path(name: str) -> Path:
    return Path(__file__).resolve().parents[2] / "styles" / name


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
