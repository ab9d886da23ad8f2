"""The pamphlet PDF of a long text, laid out in parallel processes and joined.

WeasyPrint lays out one document in one process. A long book is cut at its
forced page breaks (chapter headings), and each part is laid out by a worker
process with the very same stylesheets. A part that opens on a new page lays
out the same wherever it falls in the book, as long as every page of the body
has the same geometry (left and right pages differ only by their running
heads): its page count, its lines and its footnotes do not depend on its
first page number. What does depend on the numbers — the margin boxes (page
numbers, running heads) — is laid out once the number is known:

1. **Layout** (workers, a part at a time, in the book's order): each body
   part is laid out *without its margin boxes*; the worker keeps the laid-out
   part and reports, page by page, the page's name and side, its bookmarks,
   links and anchors, and the named strings (``string-set``) assigned on it.
   Before the workers start, the parent lays out the front matter (title page,
   contents) with placeholder page numbers, for its page count (the workers
   inherit the stylesheets and fonts it loaded); meanwhile, the back matter.
2. **Numbering** (parent): the parts are put in order as their reports come
   in; a blank page goes before a part whose heading asks for a right (or
   left) page when it would fall on the other side, as WeasyPrint does; blank
   pages go before the colophon so that the count is a multiple of 4. A part's
   first page number is known as soon as every part before it is laid out.
3. **Finishing** (the worker that holds the part, once no part is left to lay
   out): WeasyPrint's own ``make_margin_boxes`` lays out each page's margin
   boxes with the page's number and side in the book (``:left``/``:right``,
   ``:first``) and the named strings of the book up to it (``first-except``…),
   as the single pass does; then the part is written to PDF. The parent lays
   out the front matter again with the real numbers in its contents, and
   finishes it and the back matter.
4. **Join** (parent, PyMuPDF): the parts' pages in order, the outline rebuilt
   with WeasyPrint's own bookmark-tree rules, links and the document's
   metadata copied.

``write_parallel`` returns ``None`` when a text cannot be done this way (no
forced breaks to cut at, pages of different geometry, a part not opening on
a forced break, a stylesheet with what a part cannot know alone: the page
total, page groups, running elements); the caller then lays it out in one pass.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import re
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from lxml import etree, html as lxml_html

from pipeline import interrupt

# Below this size of pamphlet HTML, one process is faster than starting workers.
MIN_HTML_CHARS = 200_000
# Parts per worker: more parts balance the load better, each costs a fixed start.
PARTS_PER_WORKER = 3
SIDES = ("left", "right", "recto", "verso")
FORCED = SIDES + ("page",)
PX_TO_PT = 0.75
_TOC_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
_RULE = re.compile(r"([^{}@;]+)\{([^{}]*)\}")
# What a part laid out alone cannot know: the book's page total, page groups
# (``:nth(… of …)``), running elements taken from other parts.
_WHOLE_BOOK_ONLY = re.compile(r"counters?\(\s*pages\b|:nth\(|element\(")


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


# ---------------------------------------------------------------- tasks

@dataclass
class Sheets:
    """The stylesheets, as what can be sent to a worker."""

    files: list[str]
    strings: list[str]
    base_url: str | None
    base_dir: Path | None


@dataclass
class Task:
    kind: str                      # "front", "body", "back"
    index: int
    html: str
    sheets: Sheets
    extra_css: str = ""


@dataclass
class PageInfo:
    name: str
    side: str
    blank: bool
    geometry: tuple
    bookmarks: list
    links: list
    anchors: dict
    strings: list                  # [(name, text)] assigned on this page, in order


@dataclass
class Laid:
    kind: str
    index: int
    pages: list[PageInfo]
    first_break: str = "auto"
    last_break: str = "auto"
    refused: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    cpu: float = 0.0               # seconds of processor the layout took
    worker: int = 0


@dataclass
class Finished:
    pdf: bytes
    peak_rss_mb: float
    cpu: float                     # seconds of processor: margin boxes and writing


@dataclass
class _Held:
    """A laid-out part, kept by the process that laid it out, to be finished (again, if
    the contents move the pages after they were numbered)."""

    document: object               # weasyprint.Document
    html: object                   # weasyprint.HTML
    context: object                # the LayoutContext, for the margin boxes
    states: list                   # each page's page state (counters) as layout left it
    pages: list[PageInfo]


# Laid-out parts of this process, by (kind, index).
_HELD: dict[tuple[str, int], _Held] = {}


def release() -> None:
    """Forget the laid-out parts this process holds."""
    _HELD.clear()


_SHEET_CACHE: dict = {}


def _stylesheets(sheets: Sheets, fetcher, extra_css: str):
    from weasyprint import CSS
    out = []
    for name in sheets.files:
        key = (name, os.stat(name).st_mtime)
        if key not in _SHEET_CACHE:
            _SHEET_CACHE[key] = CSS(filename=name)
        out.append(_SHEET_CACHE[key])
    out += [CSS(string=text, url_fetcher=fetcher, base_url=sheets.base_url) for text in sheets.strings]
    if extra_css:
        out.append(CSS(string=extra_css))
    return out


_OTHER_SIDE = {"left": "right", "right": "left"}


def _book_side(first_side: str, number: int) -> str:
    """The side of page ``number`` (from 1) when page 1 is on ``first_side``."""
    return first_side if number % 2 else _OTHER_SIDE[first_side]


def _combine(*values: str) -> str:
    """The break that wins where several meet (a side beats a plain page break)."""
    for value in values:
        if value in SIDES:
            return value
    for value in values:
        if value == "page":
            return value
    return "auto"


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lay_out(task: Task) -> Laid:
    """Lay out one part without its margin boxes, keep it for ``finish`` and report its pages."""
    from weasyprint import HTML

    import weasyprint.layout as engine_layout

    from pipeline import hyphenation
    from pipeline.writers.pdf import engine
    from pipeline.writers.pdf.fetch import SafeFetcher

    engine.apply()
    hyphenation.register()
    started = time.process_time()
    fetcher = SafeFetcher(task.sheets.base_dir)
    states: list = []                  # each page's page state, in order
    contexts: list = []                # the document's layout context (the same for every page)

    def keep_for_later(context, page, state):
        # WeasyPrint lays out the margin boxes after all pages, from the page states
        # it passes here; they change nothing in the pages. ``finish`` lays them out.
        contexts[:] = [context]
        states.append(state)
        return ()

    make_margin_boxes = engine_layout.make_margin_boxes
    engine_layout.make_margin_boxes = keep_for_later
    try:
        html = HTML(string=task.html, base_url=task.sheets.base_url, url_fetcher=fetcher)
        document = html.render(stylesheets=_stylesheets(task.sheets, fetcher, task.extra_css))
    finally:
        engine_layout.make_margin_boxes = make_margin_boxes
    infos = []
    first_break = last_break = main_break = "auto"
    for number, page in enumerate(document.pages):
        box = page._page_box
        strings = []
        for child in box.descendants():
            sets = getattr(child, "string_set", None)
            if sets and sets != "none":
                strings.extend((name, text) for name, text in sets)
            element = getattr(child, "element", None)
            if element is not None and child.element_tag in ("main",) and number == 0 \
                    and "text" in (element.get("class") or "").split():
                main_break = child.style["break_before"]
            if element is not None and not child.element_tag.startswith("::") and "::" not in child.element_tag:
                if element.get("data-zp-first") and first_break == "auto":
                    first_break = child.style["break_before"]
                if element.get("data-zp-last"):
                    last_break = child.style["break_after"]
        page_type = box.page_type
        infos.append(PageInfo(
            name=page_type.name or "", side=page_type.side, blank=bool(page_type.blank),
            geometry=tuple(round(v, 3) for v in (
                box.margin_width(), box.margin_height(), box.margin_top, box.margin_right,
                box.margin_bottom, box.margin_left)),
            bookmarks=[(level, label, tuple(point), state) for level, label, point, state in page.bookmarks],
            links=[(kind, target, tuple(rect)) for kind, target, rect, _ in page.links],
            anchors={name: tuple(point) for name, point in page.anchors.items()},
            strings=strings))
    if task.kind == "body" and task.index == 0:
        first_break = _combine(first_break, main_break)
    _HELD[(task.kind, task.index)] = _Held(document, html, contexts[0] if contexts else None, states, infos)
    from pipeline.writers.pdf import off_page_warnings
    return Laid(task.kind, task.index, infos, first_break, last_break,
                fetcher.refused_messages() + off_page_warnings(document.pages),
                _peak_rss_mb(), cpu=time.process_time() - started, worker=os.getpid())


def finish(kind: str, index: int, first_number: int, first_side: str, entry: list[tuple[str, str]]) -> Finished:
    """Lay out the margin boxes of a part held by this process, as pages ``first_number``
    on of the book (the first on ``first_side``), after the named strings ``entry``
    (the last value of each before the part), and write the part."""
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_box_backgrounds
    from weasyprint.layout.page import PageType, make_margin_boxes, set_page_type_computed_styles

    started = time.process_time()
    held = _HELD[(kind, index)]
    context = held.context
    if context is not None:
        # WeasyPrint's named strings, by page number in the book.
        strings: defaultdict = defaultdict(lambda: defaultdict(list))
        for name, text in entry:
            strings[name][first_number - 1] = [text]
        for offset, info in enumerate(held.pages):
            for name, text in info.strings:
                strings[name][first_number + offset].append(text)
        context.string_set = strings
        for offset, (page, state) in enumerate(zip(held.document.pages, held.states)):
            box = page._page_box
            number = first_number + offset
            old = box.page_type
            box.page_type = PageType(_book_side(first_side, offset + 1), old.blank, old.name, number - 1, old.groups)
            set_page_type_computed_styles(box.page_type, held.html, context.style_for)
            context.current_page = number
            state = copy.deepcopy(state)
            state[1]["page"] = [number]
            margins = tuple(make_margin_boxes(context, box, state))
            for margin in margins:
                layout_box_backgrounds(box, margin, context.get_image_from_uri)
            box.children = tuple(c for c in box.children if not isinstance(c, MarginBox)) + margins
    data = held.document.write_pdf()
    return Finished(data, _peak_rss_mb(), time.process_time() - started)


def _serve(connection) -> None:
    """A worker process: run what the parent sends (``lay_out``, ``finish``) until it sends None."""
    interrupt.ignore_in_child()     # Ctrl-C is the parent's: it stops the workers
    calls = {"lay_out": lay_out, "finish": finish}
    while True:
        try:
            message = connection.recv()
        except EOFError:                   # the parent is gone
            return
        if message is None:
            return
        name, args = message
        try:
            answer = (True, calls[name](*args))
        except BaseException as error:      # sent to the parent, which raises it
            answer = (False, error, traceback.format_exc())
        try:
            connection.send(answer)
        except Exception:                  # an error that cannot be pickled
            connection.send((False, RuntimeError(answer[-1]), answer[-1]))


# ---------------------------------------------------------------- planning

@dataclass
class Plan:
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


def plan(html_text: str, parts_wanted: int) -> Plan | None:
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
    return Plan(html_open, dict(root.attrib), children[:at], dict(main.attrib), parts,
                children[at + 1:], prev_of)


def _attrs(attrib) -> str:
    from html import escape
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrib.items())


def _serialize(elements) -> str:
    return "".join(etree.tostring(e, encoding="unicode", method="html", with_tail=False) for e in elements)


def _document(p: Plan, inner: str) -> str:
    return f"{p.html_open}<body>{inner}</body></html>"


def _body_html(p: Plan, index: int) -> str:
    part = [copy.copy(e) for e in p.parts[index]]
    part[0].set("data-zp-first", "1")
    part[-1].set("data-zp-last", "1")
    hidden = ""
    prev = p.prev_of[index]
    if prev is not None:
        # The real previous sibling, empty and not displayed: selectors such as
        # ``:first-child`` and ``h1 + h2`` match as in the whole book.
        attrs = {k: v for k, v in prev.attrib.items() if k == "class"}
        attrs["style"] = "display: none !important"
        hidden = etree.tostring(etree.Element(prev.tag, attrs), encoding="unicode", method="html")
    return _document(p, f"<main{_attrs(p.main_attrs)}>{hidden}{_serialize(part)}</main>")


def _front_html(p: Plan, numbers: dict[str, str]) -> str:
    front = [copy.deepcopy(e) for e in p.front]
    for element in front:
        for a in element.iter("a"):
            href = a.get("href") or ""
            if href.startswith("#"):
                a.set("data-zp-page", numbers.get(href[1:], ""))
    return _document(p, _serialize(front))


def _sheets_text(sheets: Sheets) -> str:
    """The stylesheets' text, without comments."""
    text = "\n".join([Path(f).read_text(encoding="utf-8") for f in sheets.files] + list(sheets.strings))
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def _toc_css(text: str) -> str:
    """The rules of the stylesheets' ``text`` that print ``target-counter(attr(href), page)``,
    printing the page number the parent computed (``data-zp-page``) instead."""
    rules = []
    for selector, declarations in _RULE.findall(text):
        if _TOC_COUNTER.search(declarations):
            rules.append(f"{selector.strip()} {{ {_TOC_COUNTER.sub('attr(data-zp-page)', declarations)} }}")
    return "\n".join(rules)


# ---------------------------------------------------------------- the whole

@dataclass
class ParallelResult:
    data: bytes
    pages: int
    warnings: list[str]
    peak_rss_mb: float = 0.0
    # Wall seconds of each stage and processor seconds per task, for the benchmark.
    timings: dict = field(default_factory=dict)


def _number_pages(front: Laid, parts: list[Laid | None], back: Laid | None, final_page: bool):
    """The book's pages in order: (laid, page index) or None for an added blank page.

    Stops before the first part not laid out yet (None), and leaves out the back
    matter until every part is there. None when a part does not open on a forced break."""
    first_side = front.pages[0].side if front.pages else "right"
    other = _OTHER_SIDE[first_side]

    def side_of(number: int) -> str:
        return _book_side(first_side, number)

    order: list[tuple[Laid, int] | None] = [(front, i) for i in range(len(front.pages))]
    previous_last = "page"
    for part in parts:
        if part is None:
            return order
        wanted = _combine(part.first_break, previous_last)
        if wanted not in FORCED:
            return None
        side = {"recto": first_side, "verso": other}.get(wanted, wanted)
        if side in ("left", "right") and side_of(len(order) + 1) != side:
            order.append(None)
        order.extend((part, i) for i in range(len(part.pages)))
        previous_last = part.last_break
    if back is not None:
        if final_page:
            blanks = (-(len(order) + len(back.pages))) % 4
            order.extend([None] * blanks)
        order.extend((back, i) for i in range(len(back.pages)))
    return order


def _placements(order) -> dict[tuple[str, int], tuple[int, str, list]]:
    """For each part in ``order``: its first page number, that page's side in the book,
    and the named strings before it (the last value of each)."""
    first_side = order[0][0].pages[0].side if order and order[0] else "right"
    placed = {}
    strings: dict[str, str] = {}
    for number, slot in enumerate(order, start=1):
        if slot is None:
            continue
        laid, page = slot
        if page == 0:
            placed[(laid.kind, laid.index)] = (number, _book_side(first_side, number), list(strings.items()))
        for name, text in laid.pages[page].strings:
            strings[name] = text
    return placed


def _anchor_numbers(order) -> dict[str, str]:
    """The page number in the book of each anchor after the front matter."""
    numbers: dict[str, str] = {}
    for number, slot in enumerate(order, start=1):
        if slot is not None and slot[0].kind != "front":
            for anchor in slot[0].pages[slot[1]].anchors:
                numbers.setdefault(anchor, str(number))
    return numbers


class _Workers:
    """Worker processes, each keeping the parts it laid out, driven by the parent."""

    def __init__(self, jobs: int):
        # Forked workers start at once, with the engine already imported.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.connections = []
        self.processes = []
        self.busy: dict = {}               # connection -> what it was sent
        try:
            # Ctrl-C held back while they start (see pipeline.interrupt).
            with interrupt.held():
                for _ in range(jobs):
                    ours, theirs = context.Pipe()
                    process = context.Process(target=_serve, args=(theirs,), daemon=True)
                    process.start()
                    theirs.close()
                    self.connections.append(ours)
                    self.processes.append(process)
        except BaseException:
            self.close()
            raise

    def send(self, connection, name: str, *args) -> None:
        self.busy[connection] = (name, args)
        connection.send((name, args))

    def idle(self) -> list:
        return [c for c in self.connections if c not in self.busy]

    def answers(self):
        """Wait for at least one answer: [(connection, what was sent, answer)]."""
        out = []
        for connection in wait(list(self.busy)):
            try:
                answer = connection.recv()
            except EOFError:
                raise RuntimeError("a layout process ended without an answer (out of memory?)") from None
            sent = self.busy.pop(connection)
            if not answer[0]:
                raise answer[1]
            out.append((connection, sent, answer[1]))
        return out

    def close(self) -> None:
        """Stop the workers: an idle one when told to, a busy one (its work is no longer
        wanted: an error, or a text that needs the single pass) at once."""
        for connection, process in zip(self.connections, self.processes):
            if connection in self.busy:
                process.kill()
            else:
                try:
                    connection.send(None)
                except OSError:
                    process.kill()
        for connection, process in zip(self.connections, self.processes):
            process.join()
            connection.close()


def write_parallel(html_text: str, sheets: Sheets, jobs: int, final_page: bool = True) -> ParallelResult | None:
    clock = time.perf_counter()
    timings: dict = {"tasks": []}
    p = plan(html_text, jobs * PARTS_PER_WORKER)
    sheets_text = _sheets_text(sheets)
    if p is None or _WHOLE_BOOK_ONLY.search(sheets_text):
        return None
    timings["plan"] = time.perf_counter() - clock
    toc_css = _toc_css(sheets_text)
    try:
        # The front matter with placeholder numbers (for its page count), laid out
        # before the workers start: they inherit the stylesheets and fonts it loaded.
        placeholders = {a.get("href")[1:]: "888" for e in p.front for a in e.iter("a")
                        if (a.get("href") or "").startswith("#")}
        front = lay_out(Task("front", 0, _front_html(p, placeholders), sheets, extra_css=toc_css))
        workers = _Workers(jobs)
        try:
            return _write(p, sheets, toc_css, front, workers, final_page, clock, timings)
        finally:
            workers.close()
    finally:
        release()


def _write(p: Plan, sheets: Sheets, toc_css: str, front: Laid, workers: _Workers, final_page: bool,
           clock: float, timings: dict) -> ParallelResult | None:
    n_parts = len(p.parts)
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
        for connection in workers.idle():
            if to_lay_out:
                i = to_lay_out.pop(0)
                workers.send(connection, "lay_out", Task("body", i, _body_html(p, i), sheets))
                continue
            ready = [("body", i) for i, holder in owner.items() if holder is connection
                     and ("body", i) in placed and ("body", i) not in finishing and not done(("body", i))]
            if ready:
                finishing.add(ready[0])
                workers.send(connection, "finish", *ready[0], *placed[ready[0]])

    give_work()
    back = lay_out(Task("back", 0, _document(p, _serialize(p.back)), sheets)) if p.back else None
    wanted = [("front", 0)] + [("body", i) for i in range(n_parts)] + ([("back", 0)] if back else [])
    numbered = False
    while True:
        for connection, (name, args), answer in workers.answers() if workers.busy else ():
            if name == "lay_out":
                parts[args[0].index] = answer
                owner[args[0].index] = connection
            else:
                finishing.discard(args[:2])
                finished[args[:2]] = (args[2:], answer)
        body = [info for part in parts if part for info in part.pages if not info.blank]
        if len({info.geometry for info in body}) > 1:
            return None                     # left and right pages differ: parts depend on their side
        order = _number_pages(front, parts, back, final_page)
        if order is None:
            return None
        placed = _placements(order)
        if None not in parts and not numbered:
            timings["laid out"] = time.perf_counter() - clock
            give_work()
            # Every part is laid out: the contents get their page numbers, here, while
            # the workers finish the parts. If the contents grow or shrink, every page
            # after them moves, and the parts are finished again.
            for _ in range(3):
                count = len(front.pages)
                front = lay_out(Task("front", 0, _front_html(p, _anchor_numbers(order)), sheets,
                                     extra_css=toc_css))
                order = _number_pages(front, parts, back, final_page)
                if order is None:
                    return None
                placed = _placements(order)
                if len(front.pages) == count:
                    break
            else:
                return None
            numbered = True
        give_work()
        if numbered:
            for key in (("front", 0), ("back", 0)):
                if key in placed and not done(key):
                    finished[key] = (placed[key], finish(*key, *placed[key]))
        if all(done(key) for key in wanted):
            break
        if not workers.busy:
            raise RuntimeError("parallel layout: parts left unfinished")   # cannot happen
    timings["finished"] = time.perf_counter() - clock - timings["laid out"]
    everything = [x for x in (front, *parts, back) if x is not None]
    for laid in everything:
        timings["tasks"].append((laid.kind, laid.index, laid.worker, round(laid.cpu, 2),
                                 round(finished[(laid.kind, laid.index)][1].cpu, 2), len(laid.pages)))
    joining = time.perf_counter()
    result = _join(order, {key: made.pdf for key, (_, made) in finished.items()},
                   warnings=list(dict.fromkeys(w for x in everything for w in x.refused)),
                   peak=max(x.peak_rss_mb for x in [*everything, *(made for _, made in finished.values())]))
    timings["join"] = time.perf_counter() - joining
    result.timings = timings
    return result


def _join(order, pdfs: dict[tuple[str, int], bytes], warnings: list[str], peak: float) -> ParallelResult:
    import fitz
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    out = fitz.open()
    docs = {key: fitz.open(stream=data, filetype="pdf") for key, data in pdfs.items()}
    width, height = docs[("front", 0)][0].rect.width, docs[("front", 0)][0].rect.height
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
        if slot is None:
            out.new_page(width=width, height=height)
        elif run_start is None:
            run_start = number

    # Links and the outline, in the book's page numbers.
    infos = [slot[0].pages[slot[1]] if slot else None for slot in order]
    anchors: dict[str, tuple[int, float, float]] = {}
    for number, info in enumerate(infos):
        for name, position in (info.anchors.items() if info else ()):
            anchors.setdefault(name, (number, position[0], position[1]))
    for number, info in enumerate(infos):
        for kind, target, (x1, y1, x2, y2) in (info.links if info else ()):
            rect = fitz.Rect(x1 * PX_TO_PT, y1 * PX_TO_PT, x2 * PX_TO_PT, y2 * PX_TO_PT)
            if kind == "internal" and target in anchors:
                page_no, tx, ty = anchors[target]
                out[number].insert_link({"kind": fitz.LINK_GOTO, "from": rect, "page": page_no,
                                         "to": fitz.Point(tx * PX_TO_PT, ty * PX_TO_PT)})
            elif kind == "external":
                out[number].insert_link({"kind": fitz.LINK_URI, "from": rect, "uri": target})

    class _Page:
        def __init__(self, info):
            self.bookmarks = info.bookmarks if info else []

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    previous = 0
    for number, info in enumerate(infos):
        previous = make_page_bookmark_tree(_Page(info), skipped, last_by_depth, previous,
                                           number, Matrix(a=PX_TO_PT, d=PX_TO_PT))
    toc = []

    def walk(nodes, depth):
        for label, (page_no, x, y), children, state in nodes:
            toc.append([depth, label, page_no + 1,
                        {"kind": fitz.LINK_GOTO, "page": page_no, "to": fitz.Point(x, y),
                         "collapse": state == "closed"}])
            walk(children, depth + 1)
    walk(root, 1)
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
    if kind != "null":
        out.xref_set_key(out.pdf_catalog(), "Lang", lang)
    data = out.tobytes(garbage=1, deflate=True, no_new_id=True)
    return ParallelResult(data=data, pages=len(order), warnings=warnings, peak_rss_mb=peak)
