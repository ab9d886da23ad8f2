"""The parallel layout's join: the finished parts' pages in the book's order,
with the blank pages the numbering added (copies of the caller's blank page,
with its crop marks and page boxes, when it gives one), in one PDF (PyMuPDF);
the links and the outline rebuilt in the book's page numbers (the outline by
WeasyPrint's own bookmark-tree rules; on pages with a bleed, moved by it as
WeasyPrint places them), the document information and language copied from the
front matter's PDF, and what the PDF variant adds to the whole document
(``join_meta.py``; a tagged variant's structure tree, ``join_tags.py``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

PX_TO_PT = 0.75


def join_parts(order, pdfs: dict[tuple[str, int], bytes], blank_pdf: bytes | None = None,
               pdf_variant: str = "") -> bytes:
    """The book's PDF from ``order`` (``numbering.number_pages``: (laid part, page
    index) or None for a blank page) and each part's PDF by (kind, index), the
    parts written in ``pdf_variant``. ``blank_pdf``: a one-page PDF whose page the
    blank pages copy (crop marks, page boxes); without it they are empty."""
    import fitz

    from pipeline.writers.pdf import engine
    from pipeline.writers.pdf.parallel.join_meta import carry_variant
    from pipeline.writers.pdf.parallel.join_tags import TAGGED, join_trees

    out = fitz.open()
    docs = {key: fitz.open(stream=data, filetype="pdf") for key, data in pdfs.items()}
    width, height = docs[("front", 0)][0].rect.width, docs[("front", 0)][0].rect.height
    blank = fitz.open(stream=blank_pdf, filetype="pdf") if blank_pdf else None
    # Consecutive pages of one part are inserted in one call.
    run_start = None
    for number, slot in enumerate(order + [None]):
        if run_start is not None and (slot is None or slot[0] is not order[run_start][0]
                                      or slot[1] != order[number - 1][1] + 1):
            laid, first = order[run_start]
            out.insert_pdf(docs[(laid.kind, laid.index)], from_page=first, to_page=order[number - 1][1],
                           links=False, annots=False)
            run_start = None
        if number == len(order):
            break
        if slot is None and blank is not None:
            out.insert_pdf(blank, links=False, annots=False)
        elif slot is None:
            out.new_page(width=width, height=height)
        elif run_start is None:
            run_start = number

    # Links and the outline, in the book's page numbers.
    infos = [slot[0].pages[slot[1]] if slot else None for slot in order]
    anchors: dict[str, tuple[int, float, float]] = {}
    for number, info in enumerate(infos):
        for name, position in (info.anchors.items() if info else ()):
            anchors.setdefault(name, (number, position[0], position[1]))
    bleeds = [_bleed_shift(out, page) if info else None for page, info in zip(out, infos)]
    # For each page, for each of its links a part's PDF has an annotation for: whether it is made.
    links_made: list[list[bool]] = []
    for number, info in enumerate(infos):
        links_made.append([])
        for kind, target, (x1, y1, x2, y2) in (info.links if info else ()):
            rect = fitz.Rect(x1 * PX_TO_PT, y1 * PX_TO_PT, x2 * PX_TO_PT, y2 * PX_TO_PT)
            if bleeds[number]:
                rect = rect + (*bleeds[number][:2], *bleeds[number][:2])
            if kind == "internal" and target in anchors:
                page_no, tx, ty = anchors[target]
                dx, dy = bleeds[page_no][:2] if bleeds[page_no] else (0, 0)
                out[number].insert_link({"kind": fitz.LINK_GOTO, "from": rect, "page": page_no,
                                         "to": fitz.Point(tx * PX_TO_PT + dx, ty * PX_TO_PT + dy)})
            elif kind == "external":
                out[number].insert_link({"kind": fitz.LINK_URI, "from": rect, "uri": target})
            if kind in ("internal", "external"):
                links_made[-1].append(kind == "external" or target in anchors)
    toc = [[depth, label, page_index + 1,
            {"kind": fitz.LINK_GOTO, "page": page_index,
             "to": fitz.Point(x, y + (bleeds[page_index][2] if bleeds[page_index] else 0)), "collapse": closed}]
           for depth, label, page_index, x, y, closed
           in engine.outline([info.bookmarks if info else [] for info in infos], PX_TO_PT)]
    if toc:
        out.set_toc(toc)

    source = docs[("front", 0)]
    # The document information and language, copied as they are (PyMuPDF would
    # re-encode non-ASCII text in the information dictionary).
    kind, info = source.xref_get_key(-1, "Info")
    if kind == "xref":
        out.set_metadata({"producer": "-"})
        _, out_info = out.xref_get_key(-1, "Info")
        out.update_object(int(out_info.split()[0]), source.xref_object(int(info.split()[0]), compressed=True))
    kind, lang = source.xref_get_key(source.pdf_catalog(), "Lang")
    if kind == "string":
        out.xref_set_key(out.pdf_catalog(), "Lang", fitz.get_pdf_str(lang))
    if pdf_variant in TAGGED:
        last_body = max(number for number, slot in enumerate(order) if slot and slot[0].kind != "back")
        join_trees(out, [(docs[(slot[0].kind, slot[0].index)], slot[1]) if slot else None for slot in order],
                   links_made, filled={number for number, slot in enumerate(order) if number > last_body and not slot})
    if pdf_variant:
        carry_variant(out, source, pdf_variant, [pdfs[key] for key in sorted(pdfs)])
    # A tagged book's many thousand structure elements go in object streams, as WeasyPrint puts them.
    return _pdf_bytes(out, object_streams=pdf_variant in TAGGED)


def _pdf_bytes(out, object_streams: bool) -> bytes:
    """``out`` written (unused objects dropped, streams compressed, no new file
    identifier), through a file: ``tobytes`` hands MuPDF's output to Python a few bytes
    at a time, which for a tagged book's thousands of small objects takes most of a second."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "joined.pdf"
        out.save(path, garbage=1, deflate=True, no_new_id=True, use_objstms=int(object_streams))
        return path.read_bytes()


def _bleed_shift(out, page) -> tuple[float, float, float] | None:
    """How far, in points, PyMuPDF must be told to move a page's link rectangles and link
    targets (x, y) and outline targets (y) so that they land where WeasyPrint puts them
    on a page with a bleed (a MediaBox larger than the TrimBox); None without a bleed."""
    kind, trim = out.xref_get_key(page.xref, "TrimBox")
    if kind != "array":
        return None
    media = page.mediabox
    x0, y0, _, y1 = (float(v) for v in trim.strip("[]").split())
    if (x0, y0) == (media.x0, media.y0):
        return None
    return x0 - media.x0, media.y1 - y1, (media.y1 - y1) + (y0 - media.y0)
