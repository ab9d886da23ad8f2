"""The pamphlet PDF of a long text, laid out in parallel processes and joined.

WeasyPrint lays out one document in one process. A long book is cut at its
forced page breaks (chapter headings), and each part is laid out by a worker
process with the very same stylesheets. A part that opens on a new page lays
out the same wherever it falls in the book, as long as every page of the body
has the same geometry (left and right pages differ only by their running
heads): its page count, its lines and its footnotes do not depend on its
first page number. What does depend on the numbers is drawn afterwards:

1. **Wave one** (all workers): every body part, and the front matter (title
   page, contents) with placeholder page numbers, is laid out and written to
   PDF *without its margin boxes* (page numbers, running heads). Each worker
   also reports, page by page, the page's name and side, its bookmarks, links
   and anchors, and the named strings (``string-set``) assigned on it.
2. **Numbering** (parent): the parts are put in order; a blank page goes
   before a part whose heading asks for a right (or left) page when it would
   fall on the other side, as WeasyPrint does; blank pages go before the
   colophon so that the count is a multiple of 4.
3. **Wave two** (short tasks, in parallel): a *furniture* document with one
   empty page per page of the book (in one piece per worker), carrying the
   same page names and the same named-string assignments, laid out with the
   same stylesheets, so that WeasyPrint itself draws every page number and
   running head as the single pass would (``:first``, ``:left``/``:right``,
   ``first-except``…); meanwhile the parent lays out the front matter again,
   with the real page numbers in its contents.
4. **Join** (parent, PyMuPDF): the parts' pages in order, each with its page
   of furniture laid over it; the outline rebuilt with WeasyPrint's own
   bookmark-tree rules; links and the document's metadata copied.

``write_parallel`` returns ``None`` when a text cannot be done this way (no
forced breaks to cut at, pages of different geometry, a part not opening on
a forced break); the caller then lays it out in one pass.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html as lxml_html

# Below this size of pamphlet HTML, one process is faster than starting workers.
MIN_HTML_CHARS = 200_000
# Parts per worker: more parts balance the load better, each costs a fixed start.
PARTS_PER_WORKER = 3
SIDES = ("left", "right", "recto", "verso")
FORCED = SIDES + ("page",)
PX_TO_PT = 0.75
_TOC_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
_RULE = re.compile(r"([^{}@;]+)\{([^{}]*)\}")


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
    kind: str                      # "front", "body", "back", "furniture"
    index: int
    html: str
    sheets: Sheets
    strip: str = "margins"         # what to leave out of the PDF: "margins" or "content"
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
    pdf: bytes
    pages: list[PageInfo]
    first_break: str = "auto"
    last_break: str = "auto"
    refused: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    cpu: tuple = (0.0, 0.0)        # seconds of processor: layout, writing
    worker: int = 0


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


def _combine(*values: str) -> str:
    """The break that wins where several meet (a side beats a plain page break)."""
    for value in values:
        if value in SIDES:
            return value
    for value in values:
        if value == "page":
            return value
    return "auto"


def lay_out(task: Task) -> Laid:
    """Lay out one part (in a worker process) and write it without what ``strip`` says."""
    import resource

    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import MarginBox

    import weasyprint.layout as engine_layout

    from pipeline import engine_fixes
    from pipeline.fetch import SafeFetcher

    engine_fixes.apply()
    started = time.process_time()
    fetcher = SafeFetcher(task.sheets.base_dir)
    make_margin_boxes = engine_layout.make_margin_boxes
    if task.strip == "margins":
        # Margin boxes are laid out after all pages and change nothing in them: a
        # part leaves them to the furniture, and saves the time they cost.
        engine_layout.make_margin_boxes = lambda context, page, state: ()
    try:
        document = HTML(string=task.html, base_url=task.sheets.base_url, url_fetcher=fetcher).render(
            stylesheets=_stylesheets(task.sheets, fetcher, task.extra_css))
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
        if task.strip == "margins":
            box.children = tuple(c for c in box.children if not isinstance(c, MarginBox))
        else:
            box.children = tuple(c for c in box.children if isinstance(c, MarginBox))
    if task.kind == "body" and task.index == 0:
        first_break = _combine(first_break, main_break)
    laid_out = time.process_time()
    data = document.write_pdf()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Laid(task.kind, task.index, data, infos, first_break, last_break,
                fetcher.refused_messages(), rss,
                cpu=(laid_out - started, time.process_time() - laid_out), worker=os.getpid())


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
    import copy
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
    import copy
    front = [copy.deepcopy(e) for e in p.front]
    for element in front:
        for a in element.iter("a"):
            href = a.get("href") or ""
            if href.startswith("#"):
                a.set("data-zp-page", numbers.get(href[1:], ""))
    return _document(p, _serialize(front))


def _toc_css(sheets: Sheets) -> str:
    """The stylesheets' rules that print ``target-counter(attr(href), page)``, printing
    the page number the parent computed (``data-zp-page``) instead."""
    texts = [Path(f).read_text(encoding="utf-8") for f in sheets.files] + list(sheets.strings)
    rules = []
    for text in texts:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for selector, declarations in _RULE.findall(text):
            if _TOC_COUNTER.search(declarations):
                rules.append(f"{selector.strip()} {{ {_TOC_COUNTER.sub('attr(data-zp-page)', declarations)} }}")
    return "\n".join(rules)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ") + '"'


def _furniture_html(p: Plan, pages: list[PageInfo | None], before: list[PageInfo | None] = (),
                    first_number: int = 1) -> tuple[str, int]:
    """One empty page per page of the book, with its name and its named strings.

    A document for the pages from ``first_number`` on starts with one or two
    lead pages: they carry the page counter to its value and the named strings
    assigned on the ``before`` pages, and put the first page on its side.
    Returns the HTML and the number of lead pages."""
    rules = [".zp-page { break-before: page; margin: 0; padding: 0; border: 0; }",
             ".zp-string { display: block; height: 0; margin: 0; }"]
    divs = []
    n = 0

    def page_div(name: str, strings) -> str:
        nonlocal n
        spans = []
        for string_name, text in strings:
            n += 1
            rules.append(f"#zs{n} {{ string-set: {string_name} {_css_string(text)}; }}")
            spans.append(f'<div class="zp-string" id="zs{n}"></div>')
        return f'<div class="zp-page" style="page: {name}">{"".join(spans)}</div>'

    lead = 0
    if first_number > 1:
        # Lead pages: the first page of the book's part must fall on its side.
        lead = 1 if (first_number % 2 == 0) else 2
        entry: dict[str, str] = {}
        for info in before:
            for string_name, text in (info.strings if info else []):
                entry[string_name] = text
        # A page that sets the counter does not also step it: the first lead page shows
        # first_number - lead, the first real page first_number.
        rules.append(f"@page zp-lead {{ counter-reset: page {first_number - lead}; }}")
        divs.append(page_div("zp-lead", list(entry.items())))
        divs += [page_div("zp-lead-more", [])] * (lead - 1)
    for info in pages:
        divs.append(page_div(info.name if info and info.name else "auto", info.strings if info else []))
    head = p.html_open.replace("</head>", "<style>" + "\n".join(rules) + "</style></head>", 1)
    return f"{head}<body>{''.join(divs)}</body></html>", lead


# ---------------------------------------------------------------- the whole

@dataclass
class ParallelResult:
    data: bytes
    pages: int
    warnings: list[str]
    peak_rss_mb: float = 0.0
    # Wall seconds of each stage and processor seconds per task, for the benchmark.
    timings: dict = field(default_factory=dict)


def _xref(value: str) -> int:
    return int(value.split()[0])


def _overlay(out, page: int, furniture: int, bbox: str, open_xref: int, name: str) -> None:
    """Draw the furniture page (xref ``furniture``) over the page ``page``, as a form
    named ``name`` (unique in the book: the pages of a part share their resources)."""
    kind, contents = out.xref_get_key(furniture, "Contents")
    streams = [_xref(c) for c in re.findall(r"\d+ 0 R", contents)]
    kind, resources = out.xref_get_key(furniture, "Resources")
    if len(streams) == 1:
        # WeasyPrint writes one content stream per page: it becomes the form as it is.
        form = streams[0]
        stream_keys = out.xref_object(form, compressed=True).strip()[2:-2]    # /Filter…/Length…
        out.update_object(form, f"<<{stream_keys}/Type/XObject/Subtype/Form/BBox{bbox}/Resources {resources}>>")
    else:
        form = out.get_new_xref()
        out.update_object(form, f"<</Type/XObject/Subtype/Form/BBox{bbox}/Resources {resources}>>")
        out.update_stream(form, b"".join(out.xref_stream(x) + b"\n" for x in streams))
    kind, resources = out.xref_get_key(page, "Resources")
    if kind == "xref":
        holder, path = _xref(resources), ""
    else:
        holder, path = page, "Resources/"
    kind, xobjects = out.xref_get_key(holder, path + "XObject")
    if kind == "xref":
        out.xref_set_key(_xref(xobjects), name, f"{form} 0 R")
    else:
        out.xref_set_key(holder, path + "XObject/" + name, f"{form} 0 R")
    close_xref = out.get_new_xref()
    out.update_object(close_xref, "<<>>")
    out.update_stream(close_xref, f"Q\nq /{name} Do Q\n".encode())
    kind, contents = out.xref_get_key(page, "Contents")
    own = " ".join(re.findall(r"\d+ 0 R", contents))
    out.xref_set_key(page, "Contents", f"[{open_xref} 0 R {own} {close_xref} 0 R]")


def _number_pages(front: Laid, parts: list[Laid], back: Laid | None, final_page: bool):
    """The book's pages in order: (laid, page index) or None for an added blank page."""
    first_side = front.pages[0].side if front.pages else "right"
    other = "left" if first_side == "right" else "right"

    def side_of(number: int) -> str:          # 1-based
        return first_side if number % 2 else other

    order: list[tuple[Laid, int] | None] = [(front, i) for i in range(len(front.pages))]
    previous_last = "page"
    for part in parts:
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


def write_parallel(html_text: str, sheets: Sheets, jobs: int, final_page: bool = True) -> ParallelResult | None:
    clock = time.perf_counter()
    timings: dict = {}
    p = plan(html_text, jobs * PARTS_PER_WORKER)
    if p is None:
        return None
    timings["plan"] = time.perf_counter() - clock
    toc_css = _toc_css(sheets)
    # Forked workers start at once, with the engine already imported.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        # Wave one: the longest parts first, so that the workers finish together.
        tasks = [Task("body", i, _body_html(p, i), sheets) for i in range(len(p.parts))]
        tasks.sort(key=lambda t: -len(t.html))
        placeholders = {a.get("href")[1:]: "888" for e in p.front for a in e.iter("a")
                        if (a.get("href") or "").startswith("#")}
        tasks.append(Task("front", 0, _front_html(p, placeholders), sheets, extra_css=toc_css))
        if p.back:
            tasks.append(Task("back", 0, _document(p, _serialize(p.back)), sheets))
        futures = [pool.submit(lay_out, t) for t in tasks]
        laid = [f.result() for f in futures]
        timings["wave one"] = time.perf_counter() - clock - timings["plan"]
        timings["tasks"] = [(x.kind, x.index, x.worker, round(x.cpu[0], 2), round(x.cpu[1], 2), len(x.pages))
                            for x in laid]
        wave_two = time.perf_counter()
        parts = sorted((x for x in laid if x.kind == "body"), key=lambda x: x.index)
        front = next(x for x in laid if x.kind == "front")
        back = next((x for x in laid if x.kind == "back"), None)

        body_pages = [info for part in parts for info in part.pages if not info.blank]
        if len({info.geometry for info in body_pages}) > 1:
            return None                     # left and right pages differ: parts depend on their side

        # Wave two: the furniture of every page, in as many pieces as there are
        # workers; meanwhile this process lays out the front matter with the real
        # numbers (a page or two: it would leave one worker behind the other).
        for _ in range(3):
            order = _number_pages(front, parts, back, final_page)
            if order is None:
                return None
            numbers: dict[str, str] = {}
            for number, slot in enumerate(order, start=1):
                if slot is not None and slot[0].kind != "front":
                    for anchor in slot[0].pages[slot[1]].anchors:
                        numbers.setdefault(anchor, str(number))
            # The front matter's own strings are the same whatever its numbers.
            infos = [slot[0].pages[slot[1]] if slot else None for slot in order]
            pieces, pending = [], []
            step = -(-len(infos) // jobs)
            for start in range(0, len(infos), step):
                html_piece, lead = _furniture_html(p, infos[start:start + step], infos[:start], start + 1)
                pieces.append((start, lead))
                pending.append(pool.submit(lay_out, Task("furniture", start, html_piece, sheets, strip="content")))
            new_front = lay_out(Task("front", 0, _front_html(p, numbers), sheets, extra_css=toc_css))
            furniture = [f.result() for f in pending]
            if len(new_front.pages) == len(front.pages):
                front = new_front
                break
            front = new_front               # the contents grew or shrank: number again
        else:
            return None
        if sum(len(f.pages) - lead for f, (_, lead) in zip(furniture, pieces)) != len(order):
            return None
        timings["wave two"] = time.perf_counter() - wave_two
        timings["tasks"] += [(x.kind, "final", x.worker, round(x.cpu[0], 2), round(x.cpu[1], 2), len(x.pages))
                             for x in (front, *furniture)]
    joining = time.perf_counter()
    order = _number_pages(front, parts, back, final_page)
    result = _join(order, front, list(zip(furniture, pieces)), [front, *parts, *([back] if back else [])],
                   peak=max(x.peak_rss_mb for x in [*laid, front, *furniture]))
    timings["join"] = time.perf_counter() - joining
    result.timings = timings
    return result


def _join(order, front: Laid, furniture: list[tuple[Laid, tuple[int, int]]], all_laid: list[Laid],
          peak: float) -> ParallelResult:
    import fitz
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    out = fitz.open()
    docs = {id(x): fitz.open(stream=x.pdf, filetype="pdf") for x in all_laid}
    first_furniture = fitz.open(stream=furniture[0][0].pdf, filetype="pdf")
    width, height = first_furniture[0].rect.width, first_furniture[0].rect.height
    # Consecutive pages of one part are inserted in one call.
    run_start = None
    for number, slot in enumerate(order + [None]):
        if run_start is not None and (slot is None or slot[0] is not order[run_start][0]
                                      or slot[1] != order[number - 1][1] + 1):
            laid, first = order[run_start]
            out.insert_pdf(docs[id(laid)], from_page=first, to_page=order[number - 1][1],
                           links=False, annots=False)
            run_start = None
        if number == len(order):
            break
        if slot is None:
            out.new_page(width=width, height=height)
        elif run_start is None:
            run_start = number
    # The furniture pages go in after the book's, then each becomes a form drawn
    # over its page of the book, and the furniture pages go.
    furniture_page: dict[int, int] = {}
    for laid, (start, lead) in furniture:
        at = len(out)
        out.insert_pdf(fitz.open(stream=laid.pdf, filetype="pdf"), links=False, annots=False)
        for offset in range(len(laid.pages) - lead):
            furniture_page[start + offset] = at + lead + offset
    book_pages = len(order)
    open_xref = out.get_new_xref()
    out.update_object(open_xref, "<<>>")
    out.update_stream(open_xref, b"q\n")
    for number, slot in enumerate(order):
        if slot is None or slot[0].pages[slot[1]].blank:
            continue
        _overlay(out, out.page_xref(number), out.page_xref(furniture_page[number]),
                 f"[0 0 {width:g} {height:g}]", open_xref, f"ZpFurniture{number}")
    out.delete_pages(book_pages, len(out) - 1)

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

    source = docs[id(front)]
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
    warnings = list(dict.fromkeys(w for x in all_laid for w in x.refused))
    return ParallelResult(data=data, pages=len(order), warnings=warnings, peak_rss_mb=peak)
