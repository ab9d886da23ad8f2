"""Where each page of a laid-out pamphlet begins, for the EPUB's page list:
the first letters and digits of the page's part of the text's body (not the
contents, notes at the foot of the page, running head or page number), from
its first span, second or third (a list number or a symbol the EPUB's text
does not have may open a page). Page 1 is the title page, the last the
colophon; a page without any of the body (the contents, a blank page) has no
start. The text is read from the laid-out pages (``engine.page_text_spans``),
so the EPUB's page list follows whichever writer laid the pages out, and
nothing is read back from the written PDF.

Two steps: ``page_spans`` reads the text spans of each laid-out page, which the
parallel layout does for each part as it lays it out; ``page_starts`` finds the
starts in the spans of the whole book.
"""

from __future__ import annotations

import collections
import re

from pipeline.render import PrintPage
from pipeline.render.pages import skipped

# A page's start is taken from spans at least this size, relative to the text's
# (the most used size): note calls, raised text and other small print are left out.
START_SIZE = 0.83
START_CHARS = 40
LIST_MARKER = re.compile(r"\s*(\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]\s*")
# A letter or digit: exactly the characters of ``str.isalnum`` (a word character but the underscore).
ALNUM = re.compile(r"[^\W_]")

Spans = list[tuple[float, str]]      # a page's text spans: (font size, text), in reading order


def page_spans(pages) -> list[Spans]:
    """The text spans of each of WeasyPrint's laid-out ``pages``, of the text's ``<main>``
    (``templates/pamphlet.html``): the title page, contents, notes at the foot of a page
    and colophon left out (a page with none of the text: no spans)."""
    from pipeline.writers.pdf import engine

    return [engine.page_text_spans(page, within="main", left_out=_left_out) for page in pages]


def _left_out(tag: str, element) -> bool:
    """Text the EPUB's letters do not hold (``render/pages.py``): generated text (list
    numbers, note calls, ``::before`` and ``::after``), raised and lowered text."""
    return "::" in tag or skipped(element)


def page_starts(spans_of: list[Spans], final_page: bool) -> list[PrintPage]:
    """Where each page begins, from the spans of every page of the book (``page_spans``);
    ``final_page``: the last page is the colophon."""
    if not spans_of:
        return []
    sizes: collections.Counter = collections.Counter()
    for spans in spans_of:
        for size, text in spans:
            sizes[round(size, 1)] += len(text)
    least = START_SIZE * (sizes.most_common(1)[0][0] if sizes else 0)
    pages = [PrintPage(1, "title")]
    last = len(spans_of) if final_page and len(spans_of) > 1 else None
    for number, spans in enumerate(spans_of[1:], start=2):
        if number == last:
            pages.append(PrintPage(number, "colophon"))
            continue
        # A list's numbers or letters, which the EPUB's text does not hold, are spans of their own.
        texts = [text for size, text in spans if size >= least and not LIST_MARKER.fullmatch(text)]
        starts = []
        for skip in range(min(3, len(texts))):
            for marker in (False, True):
                text = "".join(texts[skip:skip + 12])
                if marker:      # a number or letter the text starts with, as a list's
                    text = LIST_MARKER.sub("", text, count=1) if LIST_MARKER.match(text) else text
                start = "".join(ALNUM.findall(text)).casefold()[:START_CHARS]
                if start and start not in starts:
                    starts.append(start)
        if starts:
            pages.append(PrintPage(number, "text", starts))
    return pages
