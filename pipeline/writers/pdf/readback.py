"""Where each page of a written pamphlet begins, read back from its PDF
(PyMuPDF), for the EPUB's page list: the first letters and digits of the text
area (running head and page number are outside it), from its first span,
second or third (a list number or a symbol the EPUB's text does not have may
open a page). Page 1 is the title page, the last the colophon. Both PDF
writers' output goes through it, so the EPUB's page list follows whichever
laid the pages out.

Two steps: ``page_spans`` reads the text spans of each page of a PDF, which
the parallel layout does for each part as it comes in (a part's pages read
back as they do in the joined book); ``page_starts`` finds the starts in the
spans of the whole book.
"""

from __future__ import annotations

import collections
import re

from pipeline.render import PrintPage

# A page's start is taken from spans at least this size, relative to the text's
# (the most used size): footnotes (8.5 of 10.5 pt), note calls and raised text are left out.
START_SIZE = 0.83
START_CHARS = 40
LIST_MARKER = re.compile(r"\s*(\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]\s*")
# A letter or digit: exactly the characters of ``str.isalnum`` (a word character but the underscore).
ALNUM = re.compile(r"[^\W_]")

Spans = list[tuple[float, str]]      # a page's text spans: (font size, text), in reading order


def page_spans(data: bytes, top_mm: float, bottom_mm: float) -> list[Spans]:
    """The text spans of each page of the PDF ``data`` inside its text area: the
    trim box less ``top_mm`` and ``bottom_mm`` (the page's margins)."""
    import pymupdf

    mm = 72 / 25.4
    pdf = pymupdf.open(stream=data, filetype="pdf")
    spans_of: list[Spans] = []
    for page in pdf:
        box = page.trimbox
        clip = pymupdf.Rect(box.x0, box.y0 + top_mm * mm - 2, box.x1, box.y1 - bottom_mm * mm + 2)
        spans_of.append([(span["size"], span["text"])
                         for block in page.get_text("dict", clip=clip, sort=True)["blocks"]
                         for line in block.get("lines", ()) for span in line["spans"] if span["text"].strip()])
    pdf.close()
    return spans_of


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
