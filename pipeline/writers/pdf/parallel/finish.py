"""The parallel layout's finishing: a laid-out part, in the process that holds
it, gets its margin boxes once its page numbers are known, and is written to PDF.

The margin boxes (page numbers, running heads) are laid out by WeasyPrint's own
``make_margin_boxes`` (``engine.add_margin_boxes``) with each page's number and
side in the book (``:left``/``:right``, ``:first``) and the named strings of the
book up to it (``first-except``…), as the single pass does; the part is then
written in the book's PDF variant (in a tagged one, with an annotation for each
link into another part too, ``engine.anchor_elsewhere``, so that its Link
element refers to one, which the join ties to the link it makes:
``join_tags.py``). A part is finished again when the contents move the pages
after it was numbered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipeline.writers.pdf.parallel import workers
from pipeline.writers.pdf.parallel.join_tags import TAGGED
from pipeline.writers.pdf.parallel.numbering import book_side


@dataclass
class Finished:
    pdf: bytes
    peak_rss_mb: float
    cpu: float                     # seconds of processor: margin boxes and writing


def finish_part(kind: str, index: int, first_number: int, first_side: str,
                entry: list[tuple[str, str]]) -> Finished:
    """Lay out the margin boxes of a part held by this process, as pages ``first_number``
    on of the book (the first on ``first_side``), after the named strings ``entry``
    (the last value of each before the part), and write the part."""
    from pipeline.writers.pdf import engine

    started = time.process_time()
    part = workers.held(kind, index)
    sides = [book_side(first_side, offset + 1) for offset in range(len(part.pages))]
    engine.add_margin_boxes(part.part, first_number, sides, entry, [info.strings for info in part.pages])
    if part.pdf_variant in TAGGED:
        own = {name for info in part.pages for name in info.anchors}
        engine.anchor_elsewhere(part.part.document, sorted({target for info in part.pages for kind, target, _
                                                            in info.links if kind == "internal"} - own))
    data = part.part.document.write_pdf(pdf_variant=part.pdf_variant or None)
    return Finished(data, workers.peak_rss_mb(), time.process_time() - started)
