"""The pamphlet PDF of a long text, laid out in parallel processes and joined.

WeasyPrint lays out one document in one process. A long book is cut at its
forced page breaks (chapter headings), and each part is laid out by a worker
process with the very same stylesheets. A part that opens on a new page lays
out the same wherever it falls in the book, as long as every page of the body
has the same geometry (left and right pages differ only by their running
heads): its page count, its lines and its footnotes do not depend on its
first page number. What does depend on the numbers — the margin boxes (page
numbers, running heads) — is laid out once the number is known:

0. **Plan** (``plan.py``): the body cut into a few parts per process, at
   chapter headings; each part's HTML.
1. **Layout** (``workers.py``, a part at a time, in the book's order): each body
   part is laid out *without its margin boxes*; the worker keeps the laid-out
   part and reports, page by page, the page's name and side, its bookmarks,
   links and anchors, and the named strings (``string-set``) assigned on it
   (and, for the EPUB's page list, its text spans: ``pagestarts.page_spans``).
   Before the workers start, the parent lays out the front matter (title page,
   contents) with placeholder page numbers, for its page count (the workers
   inherit the stylesheets and fonts it loaded); meanwhile, the back matter.
2. **Numbering** (``numbering.py``, parent): the parts are put in order as
   their reports come in; a blank page goes before a part whose heading asks
   for a right (or left) page when it would fall on the other side, as
   WeasyPrint does; blank pages go before the colophon so that the count is a
   multiple of 4. A part's first page number is known as soon as every part
   before it is laid out.
3. **Finishing** (``finish.py``, the worker that holds the part, as soon as
   the part's first page number is known, before it lays out another part):
   WeasyPrint's own ``make_margin_boxes`` lays out each page's margin boxes
   with the page's number and side in the book (``:left``/``:right``,
   ``:first``) and the named strings of the book up to it (``first-except``…),
   as the single pass does; then the part is written to PDF. Once every part
   is laid out, the parent lays out the front matter again with the real
   numbers in its contents, and finishes it and the back matter; if the
   contents' page count changed, the parts finished before are finished again.
4. **Join** (``join.py``, parent, PyMuPDF): the parts' pages in order, the
   outline rebuilt with WeasyPrint's own bookmark-tree rules, links and the
   document's metadata copied, and what the PDF variant adds to the whole
   document (``join_meta.py``); for a tagged variant (PDF/UA-1), the parts'
   structure trees joined into one, the single pass's (``join_tags.py``).

``write_parallel`` returns ``None`` when a text cannot be done this way (no
forced breaks to cut at, pages of different geometry, a part not opening on
a forced break, a stylesheet with what a part cannot know alone: the page
total, page groups, running elements); the caller then lays it out in one
pass. What the steps need of WeasyPrint's internals (layout without margin
boxes, page types and states, named strings, the bookmark tree) is in
``pipeline/writers/pdf/engine.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass, field

from pipeline.writers.pdf.parallel import finish, join, numbering, plan, workers
from pipeline.writers.pdf.parallel.plan import Stylesheets
from pipeline.writers.pdf.parallel.workers import Laid, Task

# Below this size of pamphlet HTML, one process is faster than starting workers.
MIN_HTML_CHARS = 200_000
# Parts per worker: more parts balance the load better, each costs a fixed start.
PARTS_PER_WORKER = 3

def parallel_jobs(requested: int, html_chars: int) -> int:
    """How many processes to lay out a pamphlet of ``html_chars`` with.

    ``requested``: 0 = decide (all cores for a long text, when this process is
    not itself a worker of a parallel batch), 1 = one process, N = N processes."""
    if requested == 1:
        return 1
    if requested == 0:
        if html_chars < MIN_HTML_CHARS or multiprocessing.parent_process() is not None:
            return 1
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return min(cores or 1, 8)
    return requested


@dataclass
class ParallelResult:
    data: bytes
    pages: int
    warnings: list[str]
    peak_rss_mb: float = 0.0
    # The text spans of each page of the book (``pagestarts.page_spans``), in order (a blank
    # page added: none), when asked for.
    page_spans: list = field(default_factory=list)
    # Wall seconds of each stage and processor seconds per task, for the benchmark.
    timings: dict = field(default_factory=dict)


def write_parallel(html_text: str, stylesheets: Stylesheets, jobs: int, final_page: bool = True,
                   blank_pdf: bytes | None = None, page_spans: bool = False) -> ParallelResult | None:
    """The book's PDF, or None when it needs the single pass. ``blank_pdf``: a one-page PDF
    whose page the added blank pages copy (crop marks, page boxes); without it they are empty.
    ``page_spans``: read the text spans of each page (``pagestarts.page_spans``), for the
    EPUB's page list, each part's as it is laid out; they are put in the book's order in
    the result's ``page_spans``."""
    clock = time.perf_counter()
    timings: dict = {"tasks": []}
    cut = plan.cut_book(html_text, jobs * PARTS_PER_WORKER)
    css_text = plan.stylesheets_text(stylesheets)
    if cut is None or plan.WHOLE_BOOK_ONLY.search(css_text):
        return None
    timings["plan"] = time.perf_counter() - clock
    toc_css = plan.toc_css(css_text)
    try:
        # The front matter with placeholder numbers (for its page count), laid out
        # before the workers start: they inherit the stylesheets and fonts it loaded.
        placeholders = {a.get("href")[1:]: "888" for e in cut.front for a in e.iter("a")
                        if (a.get("href") or "").startswith("#")}
        front = workers.lay_out(Task("front", 0, plan.front_html(cut, placeholders), stylesheets,
                                     extra_css=toc_css, page_spans=page_spans))
        processes = workers.Workers(jobs)
        try:
            return _lay_out_and_finish(cut, stylesheets, toc_css, front, processes, final_page, clock, timings,
                                       blank_pdf, page_spans)
        finally:
            processes.close()
    finally:
        workers.release()


def _lay_out_and_finish(cut: plan.BookCut, stylesheets: Stylesheets, toc_css: str, front: Laid,
                        processes: workers.Workers, final_page: bool, clock: float,
                        timings: dict, blank_pdf: bytes | None, page_spans: bool) -> ParallelResult | None:
    """Lay out the body parts in ``processes``, number the pages as they come in, finish
    every part with the numbering of the end and join them; None when the text
    turns out to need the single pass."""
    n_parts = len(cut.parts)
    to_lay_out = list(range(n_parts))          # in the book's order: numbers come in early
    parts: list[Laid | None] = [None] * n_parts
    owner: dict[int, object] = {}              # part -> the worker that holds it
    placed: dict = {}                          # (kind, index) -> first number, side, strings before
    finishing: set = set()                     # parts a worker is finishing now
    finished: dict = {}                        # (kind, index) -> (the placement it had, Finished)

    def done(key) -> bool:
        """Finished with the numbering of now (the contents may have moved the pages since)."""
        return key in finished and finished[key][0] == placed.get(key)

    def give_work() -> None:
        # A worker first finishes a part it holds whose pages are numbered, then lays
        # out the next: what is left at the end, which only the part's holder can do,
        # is then no more than its last part or two, and the workers end together.
        for connection in processes.idle():
            ready = [("body", i) for i, holder in owner.items() if holder is connection
                     and ("body", i) in placed and ("body", i) not in finishing and not done(("body", i))]
            if ready:
                finishing.add(ready[0])
                processes.send(connection, "finish", *ready[0], *placed[ready[0]])
            elif to_lay_out:
                i = to_lay_out.pop(0)
                task = Task("body", i, plan.body_html(cut, i), stylesheets, page_spans=page_spans)
                processes.send(connection, "lay_out", task)

    give_work()
    back = (workers.lay_out(Task("back", 0, plan.back_html(cut), stylesheets, page_spans=page_spans))
            if cut.back else None)
    wanted = [("front", 0)] + [("body", i) for i in range(n_parts)] + ([("back", 0)] if back else [])
    numbered = False
    while True:
        for connection, (name, args), answer in processes.answers() if processes.busy else ():
            if name == "lay_out":
                parts[args[0].index] = answer
                owner[args[0].index] = connection
            else:
                finishing.discard(args[:2])
                finished[args[:2]] = (args[2:], answer)
        body = [info for part in parts if part for info in part.pages if not info.blank]
        if len({info.geometry for info in body}) > 1:
            return None                     # left and right pages differ: parts depend on their side
        order = numbering.number_pages(front, parts, back, final_page)
        if order is None:
            return None
        placed = numbering.placements(order)
        if None not in parts and not numbered:
            timings["laid out"] = time.perf_counter() - clock
            give_work()
            # Every part is laid out: the contents get their page numbers, here, while
            # the workers finish the parts. If the contents grow or shrink, every page
            # after them moves, and the parts are finished again.
            for _ in range(3):
                count = len(front.pages)
                front = workers.lay_out(Task("front", 0, plan.front_html(cut, numbering.anchor_numbers(order)),
                                             stylesheets, extra_css=toc_css, page_spans=page_spans))
                order = numbering.number_pages(front, parts, back, final_page)
                if order is None:
                    return None
                placed = numbering.placements(order)
                if len(front.pages) == count:
                    break
            else:
                return None
            numbered = True
        give_work()
        if numbered:
            for key in (("front", 0), ("back", 0)):
                if key in placed and not done(key):
                    finished[key] = (placed[key], finish.finish_part(*key, *placed[key]))
        if all(done(key) for key in wanted):
            break
        if not processes.busy:
            raise RuntimeError("parallel layout: parts left unfinished")   # cannot happen
    timings["finished"] = time.perf_counter() - clock - timings["laid out"]
    everything = [x for x in (front, *parts, back) if x is not None]
    for laid in everything:
        timings["tasks"].append((laid.kind, laid.index, laid.worker, round(laid.cpu, 2),
                                 round(finished[(laid.kind, laid.index)][1].cpu, 2), len(laid.pages)))
    joining = time.perf_counter()
    data = join.join_parts(order, {key: made.pdf for key, (_, made) in finished.items()},
                           blank_pdf=blank_pdf, pdf_variant=stylesheets.pdf_variant)
    result = ParallelResult(
        data=data, pages=len(order), warnings=list(dict.fromkeys(w for x in everything for w in x.refused)),
        peak_rss_mb=max(x.peak_rss_mb for x in [*everything, *(made for _, made in finished.values())]))
    timings["join"] = time.perf_counter() - joining
    if page_spans:
        result.page_spans = [slot[0].page_spans[slot[1]] if slot else [] for slot in order]
    result.timings = timings
    return result
