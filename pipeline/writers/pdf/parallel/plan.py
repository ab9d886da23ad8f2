"""The parallel layout's plan: the book cut into parts at its chapter headings,
and the HTML each part, the front matter and the back matter are laid out from.

A part is a run of the body's top-level elements that opens on a forced page
break (a chapter heading); its HTML is the whole book's ``<head>`` and
``<main>`` around it, with the element before it, empty and hidden, so that
selectors such as ``:first-child`` and ``h1 + h2`` match as in the whole book.
The stylesheets are read here too, for what a part laid out alone cannot know
(``WHOLE_BOOK_ONLY``, ``whole_book_only``) and for the rules of the contents' page numbers
(``toc_css``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from lxml import etree, html as lxml_html

_TOC_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
_RULE = re.compile(r"([^{}@;]+)\{([^{}]*)\}")
# What a part laid out alone cannot know: the book's page total, page groups
# (``:nth(… of …)``), running elements taken from other parts.
WHOLE_BOOK_ONLY = re.compile(r"counters?\(\s*pages\b|:nth\(|element\(")


@dataclass
class Stylesheets:
    """The pamphlet's stylesheets, as what can be sent to a worker, and the PDF
    variant the parts are written in."""

    files: list[str]
    strings: list[str]
    base_url: str | None
    base_dir: Path | None
    # The user's --css files, loaded by each process with their @font-face fonts
    # (``fetch.user_stylesheet``), after the others.
    user_files: list[str] = field(default_factory=list)
    pdf_variant: str = ""          # what ``finish`` writes each part as ("" = plain PDF)


@dataclass
class BookCut:
    """The pamphlet's HTML cut for the parallel layout."""

    html_open: str                 # "<!DOCTYPE html><html …><head>…</head>"
    html_attrs: dict
    front: list[etree._Element]
    main_attrs: dict
    parts: list[list[etree._Element]]
    back: list[etree._Element]
    prev_of: list[etree._Element | None]   # the element before each part (for sibling selectors)


def _cut_points(children: list[etree._Element]) -> list[int]:
    """Indexes of chapter headings (which open on a new page) to cut before."""
    cuts = []
    for i, child in enumerate(children):
        if i == 0 or child.tag not in ("h1", "h2"):
            continue
        if child.tag == "h2" and children[i - 1].tag == "h1":
            continue                       # a chapter's subtitle stays with it
        cuts.append(i)
    return cuts


def cut_book(html_text: str, parts_wanted: int) -> BookCut | None:
    """The pamphlet's HTML cut into about ``parts_wanted`` parts of its body; None
    when it has no single ``<main>`` or no chapter heading to cut at."""
    root = lxml_html.document_fromstring(html_text)
    head = root.find("head")
    body = root.find("body")
    if head is None or body is None:
        return None
    children = [c for c in body if isinstance(c.tag, str)]
    mains = [i for i, c in enumerate(children) if c.tag == "main"]
    if len(mains) != 1 or (body.text or "").strip():
        return None
    at = mains[0]
    main = children[at]
    body_children = [c for c in main if isinstance(c.tag, str)]
    if (main.text or "").strip() or any((c.tail or "").strip() for c in body_children):
        return None
    cuts = _cut_points(body_children)
    if not cuts:
        return None
    sizes = [len(etree.tostring(c)) for c in body_children]
    total = sum(sizes)
    goal = total / max(parts_wanted, 1)
    bounds, acc, start = [], 0, 0
    cut_set = set(cuts)
    for i, size in enumerate(sizes):
        # A part opening on a right-hand page (h1) starts a part of its own: a blank
        # page before it inside a part would depend on the side the part starts on.
        if i in cut_set and i > start and (acc >= goal * 0.75 or body_children[i].tag == "h1"):
            bounds.append((start, i))
            start, acc = i, 0
        acc += size
    if bounds and acc < goal * 0.25 and body_children[start].tag != "h1":
        start = bounds.pop()[0]            # a short last chapter is not worth a process's start
    bounds.append((start, len(body_children)))
    if len(bounds) < 2:
        return None
    parts = [body_children[a:b] for a, b in bounds]
    prev_of = [None] + [body_children[a - 1] for a, _ in bounds[1:]]
    html_open = "<!DOCTYPE html>\n<html" + _attrs(root.attrib) + ">" + \
        etree.tostring(head, encoding="unicode", method="html")
    return BookCut(html_open, dict(root.attrib), children[:at], dict(main.attrib), parts,
                   children[at + 1:], prev_of)


def _attrs(attrib) -> str:
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrib.items())


def _serialize(elements) -> str:
    return "".join(etree.tostring(e, encoding="unicode", method="html", with_tail=False) for e in elements)


def _document(cut: BookCut, inner: str) -> str:
    return f"{cut.html_open}<body>{inner}</body></html>"


def body_html(cut: BookCut, index: int) -> str:
    """The HTML of body part ``index``, its first and last elements marked
    (``data-zp-first``, ``data-zp-last``) for the breaks around it."""
    part = [copy.copy(e) for e in cut.parts[index]]
    part[0].set("data-zp-first", "1")
    part[-1].set("data-zp-last", "1")
    hidden = ""
    prev = cut.prev_of[index]
    if prev is not None:
        # The real previous sibling, empty and not displayed: selectors such as
        # ``:first-child`` and ``h1 + h2`` match as in the whole book.
        attrs = {k: v for k, v in prev.attrib.items() if k == "class"}
        attrs["style"] = "display: none !important"
        hidden = etree.tostring(etree.Element(prev.tag, attrs), encoding="unicode", method="html")
    return _document(cut, f"<main{_attrs(cut.main_attrs)}>{hidden}{_serialize(part)}</main>")


def front_html(cut: BookCut, numbers: dict[str, str]) -> str:
    """The HTML of the front matter, each link of its contents carrying the page
    number of its target (``data-zp-page``) from ``numbers``."""
    front = [copy.deepcopy(e) for e in cut.front]
    for element in front:
        for a in element.iter("a"):
            href = a.get("href") or ""
            if href.startswith("#"):
                a.set("data-zp-page", numbers.get(href[1:], ""))
    return _document(cut, _serialize(front))


def back_html(cut: BookCut) -> str:
    """The HTML of the back matter (the colophon)."""
    return _document(cut, _serialize(cut.back))


def stylesheets_text(stylesheets: Stylesheets) -> str:
    """The stylesheets' text (the user's too), without comments."""
    from pipeline.writers.pdf.fetch import read_user_stylesheet

    text = "\n".join([Path(f).read_text(encoding="utf-8") for f in stylesheets.files] + list(stylesheets.strings)
                     + [read_user_stylesheet(Path(f)) for f in stylesheets.user_files])
    return _without_comments(text)


def _without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def whole_book_only(css: str) -> str:
    """What the stylesheet ``css`` asks that a part laid out alone cannot know
    (``counter(pages)``, ``:nth()``, ``element()``), or ""."""
    found = WHOLE_BOOK_ONLY.search(_without_comments(css))
    return found.group(0) + ")" if found else ""


def toc_css(text: str) -> str:
    """The rules of the stylesheets' ``text`` that print ``target-counter(attr(href), page)``,
    printing the page number the parent computed (``data-zp-page``) instead."""
    rules = []
    for selector, declarations in _RULE.findall(text):
        if _TOC_COUNTER.search(declarations):
            rules.append(f"{selector.strip()} {{ {_TOC_COUNTER.sub('attr(data-zp-page)', declarations)} }}")
    return "\n".join(rules)
