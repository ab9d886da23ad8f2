"""The EPUB's page list: where each page of the pamphlet made in the same build
begins, found in the body by the first letters of its text area
(``writers/pdf/pagestarts.py`` reads those from the laid-out pages), and marked there.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from lxml import etree

from pipeline.document import is_noteref
from pipeline.render import PrintPage


def skipped(el: etree._Element) -> bool:
    """Text the pamphlet sets small or not in the text's flow: note calls, raised
    and lowered text (left out of the letters here, and of a page's start by
    ``writers/pdf/pagestarts.py``)."""
    return el.tag in ("sup", "sub") or is_noteref(el)


# A run of the characters ``str.isalnum`` holds: a word character, not the underscore.
_ALNUM_RUN = re.compile(r"[^\W_]+")


def _letters(body: etree._Element):
    """The body's letters and digits, case-folded, in reading order (note calls and
    raised text left out, as ``writers/pdf`` leaves them out of a page's start),
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
            if not skipped(child):
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
