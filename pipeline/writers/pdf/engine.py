"""WeasyPrint behind one wall: every use of the engine beyond its public API.

The rule: outside this module, zinepress uses only the names
``weasyprint/__init__.py`` lists in ``__all__`` (``HTML``, ``CSS``,
``__version__``…) and, of the ``Document`` that ``HTML.render()`` returns and
its pages, the documented attributes and methods ``pages``, ``copy()``,
``write_pdf()`` and ``Page.anchors``. Everything else is used here and only
here: WeasyPrint's submodules (``layout``, ``formatting_structure``,
``anchors``, ``matrix``, ``urls``, ``text.fonts``) — even the classes
WeasyPrint documents there, ``URLFetcher`` and ``FontConfiguration``, whose
place and signatures have changed between releases —, private attributes
(``Page._page_box``), and the shapes of what a release may reshape (a page's
bookmark and link tuples, page types, page states, the layout context's named
strings). Moving to another WeasyPrint is a change of this file: its
``SUPPORTED`` releases, checked when it is imported (``EngineMismatch``, which
the command line prints as one line), and the code below.

Import it before WeasyPrint: it imports the engine with a quicker library
lookup (``_libraries_from_the_system_cache``).

What it gives:

- ``fix_footnote_policy()``: the one correction made to WeasyPrint's layout
  (below);
- ``URLFetcher``, ``URLFetcherResponse``, ``FontConfiguration``: the base of
  the safe fetcher (``fetch.py``) and the fonts of ``--css`` files;
- ``text_off_page()``: the laid-out text outside its page's content area;
- for the parallel layout (``parallel/``): ``render_without_margin_boxes()``,
  what a laid-out page says of itself (``page_type``, ``page_geometry``,
  ``named_strings``, ``element_breaks``, ``page_bookmarks``, ``page_links``),
  ``add_margin_boxes()``, ``anchor_elsewhere()`` and ``outline()``.

The footnote-policy correction. The pamphlet's notes have ``footnote-policy:
line``, which CSS GCPM defines as: when a note does not fit on the page of its
call, the line holding the call goes to the next page with it (honouring
widows and orphans). WeasyPrint 70 does so when the *note* does not fit, but
when a *line of text* does not fit and breaking before it would leave an
orphan, it sends the page's last notes to the next page instead, whatever
their policy (``_linebox_layout``, "report footnotes and see if we don't
overflow"). In Kropotkin's Ethics that put 5 of 251 notes a page after their
calls. ``fix_footnote_policy()`` keeps that move for notes whose policy is
``auto`` (which allows it) and, for the others, lets WeasyPrint's ordinary
orphan rule act: the paragraph goes to the next page, and the notes stay with
their calls. It rewrites one condition of WeasyPrint's function, read from its
source, and raises ``EngineMismatch`` when that condition is not found (a
WeasyPrint whose code moved is noticed instead of silently laying notes out
late) or the source cannot be read (an installation without ``.py`` files).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass

from pipeline.errors import EngineMismatch


@contextlib.contextmanager
def _libraries_from_the_system_cache():
    """While WeasyPrint loads its libraries (Pango, HarfBuzz, fontconfig…): cffi
    asks ``ctypes.util.find_library`` for each of the dozen names WeasyPrint tries,
    and on Linux each name the system's library cache lacks then runs gcc and ld,
    some 10 ms apiece: 0.2 s of every process that builds a PDF. The cache, which
    ``find_library`` reads first, is enough: a name it lacks, cffi opens as it is.
    Left as it is when ``LD_LIBRARY_PATH`` names folders the cache may not know,
    or where the lookup differs."""
    import ctypes.util

    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if from_cache is None or not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


# Import this module before WeasyPrint: it loads the engine this way.
with _libraries_from_the_system_cache():
    import weasyprint  # noqa: E402

# The WeasyPrint releases this module is written for: major versions from the
# first to before the second, as pyproject.toml pins them.
SUPPORTED = (70, 71)


def _expected() -> str:
    low, high = SUPPORTED
    return f"{low}.x" if high == low + 1 else f"{low}.x to {high - 1}.x"


def check_version(installed: str) -> None:
    """Refuse a WeasyPrint release this module is not written for."""
    low, high = SUPPORTED
    major = re.match(r"\d+", installed)
    if major is None or not low <= int(major.group()) < high:
        raise EngineMismatch(f"WeasyPrint {installed} is installed, but zinepress' PDF writer is written "
                             f"for WeasyPrint {_expected()}",
                             hint=f"install that release: pip install 'weasyprint>={low},<{high}'")


check_version(weasyprint.__version__)

# Only now the submodules, which another release may have moved. Given to the
# safe fetcher (``fetch.py``) and to the fonts of ``--css`` files.
from weasyprint.text.fonts import FontConfiguration  # noqa: E402, F401
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402, F401


# ---------------------------------------------------------------- the footnote-policy correction

_CONDITION = "report = not context.in_column and can_break_now and not could_break_before"
_POLICY = " and all(note.style['footnote_policy'] == 'auto' for note in context.current_page_footnotes)"
_fixed = False


def fix_footnote_policy() -> None:
    """Correct WeasyPrint's line layout (once per process)."""
    global _fixed
    if _fixed:
        return
    import weasyprint.layout.block as block

    try:
        lines, first = inspect.getsourcelines(block._linebox_layout)
    except (OSError, TypeError) as error:
        raise EngineMismatch(f"the source of WeasyPrint's line layout cannot be read ({error}), and zinepress' "
                             "footnote-policy correction is made there",
                             hint="install WeasyPrint with its Python source files "
                                  f"(pip install 'weasyprint>={SUPPORTED[0]},<{SUPPORTED[1]}')") from error
    source = "".join(lines)
    if source.count(_CONDITION) != 1:
        raise EngineMismatch(f"WeasyPrint's line layout has changed: zinepress' footnote-policy correction "
                             f"does not fit it (WeasyPrint {weasyprint.__version__} is installed)",
                             hint=f"install WeasyPrint {_expected()}, or update pipeline/writers/pdf/engine.py")
    # Compiled with the original file name and line numbers, so tracebacks still point into WeasyPrint.
    code = compile("\n" * (first - 1) + source.replace(_CONDITION, _CONDITION + _POLICY),
                   block.__file__, "exec")
    exec(code, block.__dict__)
    _fixed = True


# ---------------------------------------------------------------- a laid-out page's text

def text_off_page(pages, tolerance: float):
    """Each laid-out text outside its page's content area by more than ``tolerance``
    (CSS px), margin boxes (which stand outside it by design) left out, as
    ``(element, tag, text)``: the element and tag of the block holding it — the
    paragraph, heading, cell…, or the whole table —, or ``(None, "", text)``."""
    from weasyprint.formatting_structure import boxes

    for page in pages:
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        stack = [(child, None) for child in page_box.children
                 if not isinstance(child, boxes.MarginBox)]
        while stack:
            box, block = stack.pop()
            if isinstance(box, (boxes.BlockContainerBox, boxes.TableBox)) \
                    and getattr(box, "element", None) is not None \
                    and not (block is not None and block.element_tag == "table"):
                block = box
            if isinstance(box, boxes.TextBox):
                x, y = box.position_x, box.position_y
                if (x + box.width > right + tolerance or x < left - tolerance
                        or y + box.height > bottom + tolerance or y < top - tolerance) \
                        and box.text.strip():
                    if block is None:
                        yield None, "", box.text.strip()
                    else:
                        yield block.element, getattr(block, "element_tag", "") or "", box.text.strip()
                continue
            stack.extend((child, block) for child in reversed(getattr(box, "children", ())))


def page_text_spans(page, within: str, left_out) -> list[tuple[float, str]]:
    """The text a laid-out page shows inside its elements ``within`` (a tag: the
    text's ``main``, not the title page, contents, colophon, footnote area or margin
    boxes), in the order of the document, as spans ``(font size in CSS px, text)``: a
    line's text boxes of the same font and colour are one span, as a PDF's text reads.
    Text not shown (``visibility``) is left out, and so is the text of a box for which
    ``left_out(tag, element)`` is true (the tag of a pseudo-element's box is
    ``element::pseudo``, e.g. ``li::marker``)."""
    from weasyprint.formatting_structure import boxes

    spans: list[tuple[float, str]] = []
    last = None
    stack = [(child, None, False) for child in reversed(page._page_box.children)]
    while stack:
        box, line, inside = stack.pop()
        if isinstance(box, boxes.TextBox):
            style = box.style
            if inside and box.text.strip() and style["visibility"] == "visible":
                key = (line, style["font_size"], style["font_family"], style["font_weight"],
                       style["font_style"], style["color"])
                if key == last:
                    spans[-1] = (spans[-1][0], spans[-1][1] + box.text)
                else:
                    spans.append((style["font_size"], box.text))
                last = key
            continue
        if isinstance(box, boxes.LineBox):
            line = box
        tag = box.element_tag or ""
        if inside and left_out(tag, box.element):
            continue
        inside = inside or tag == within
        stack.extend((child, line, inside) for child in reversed(getattr(box, "children", ())))
    return spans


# ---------------------------------------------------------------- the parallel layout

@dataclass
class LaidOutPart:
    """A document laid out without its margin boxes, with what laying them out needs."""

    document: object               # the weasyprint.Document
    html: object                   # the weasyprint.HTML it was rendered from
    context: object                # the layout context (None when there are no pages)
    states: list                   # each page's page state (counters), as layout left it
    # Each page's background layers as layout left them: writing a page with crop
    # marks adds theirs to its background (``add_margin_boxes`` takes it off again).
    background_layers: list


def render_without_margin_boxes(html, stylesheets, font_config=None) -> LaidOutPart:
    """``html.render(stylesheets=…, font_config=…)`` without the margin boxes (running heads, page
    numbers): WeasyPrint lays them out after all pages, from the page states it
    passes to ``make_margin_boxes``, and they change nothing in the pages; here
    the states are kept for ``add_margin_boxes``."""
    import weasyprint.layout as layout

    states: list = []
    contexts: list = []                # the document's layout context (the same for every page)

    def keep_for_later(context, page, state):
        contexts[:] = [context]
        states.append(state)
        return ()

    make_margin_boxes = layout.make_margin_boxes
    layout.make_margin_boxes = keep_for_later
    try:
        document = html.render(stylesheets=stylesheets, font_config=font_config)
    finally:
        layout.make_margin_boxes = make_margin_boxes
    backgrounds = [page._page_box.background for page in document.pages]
    return LaidOutPart(document, html, contexts[0] if contexts else None, states,
                       [list(background.layers) if background else None for background in backgrounds])


def page_type(page) -> tuple[str, str, bool]:
    """The page's name (``@page NAME``, or ""), side (``left``, ``right``) and whether it is blank."""
    kind = page._page_box.page_type
    return kind.name or "", kind.side, bool(kind.blank)


def page_geometry(page) -> tuple[float, ...]:
    """The page's size and margins (CSS px, to a thousandth): width, height, top, right, bottom, left."""
    box = page._page_box
    return tuple(round(v, 3) for v in (box.margin_width(), box.margin_height(), box.margin_top,
                                       box.margin_right, box.margin_bottom, box.margin_left))


def named_strings(page) -> list[tuple[str, str]]:
    """The named strings (``string-set``) assigned on the page, as (name, text), in order."""
    strings = []
    for box in page._page_box.descendants():
        sets = getattr(box, "string_set", None)
        if sets and sets != "none":
            strings.extend((name, text) for name, text in sets)
    return strings


def element_breaks(page):
    """Each box of the page made for an element (not a pseudo-element), in tree
    order, as ``(element, tag, break-before, break-after)``."""
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and "::" not in box.element_tag:
            yield element, box.element_tag, box.style["break_before"], box.style["break_after"]


def page_bookmarks(page) -> list[tuple]:
    """The page's bookmarks: (level, label, (x, y), state), state ``open`` or ``closed``."""
    return [(level, label, tuple(point), state) for level, label, point, state in page.bookmarks]


def page_links(page) -> list[tuple]:
    """The page's links: (``internal`` or ``external``, anchor or address, (x1, y1, x2, y2))."""
    return [(kind, target, tuple(rect)) for kind, target, rect, _ in page.links]


def anchor_elsewhere(document, names) -> None:
    """Give ``document``'s first page the anchors ``names`` (at its corner), which other
    parts of the book hold. WeasyPrint drops a link to an anchor its document lacks;
    with these, it writes each link's annotation and, in a tagged PDF, its Link
    element's reference to it (``OBJR``), as in the whole book."""
    for name in names:
        document.pages[0].anchors.setdefault(name, (0, 0, 0, 0))


def add_margin_boxes(part: LaidOutPart, first_number: int, sides: list[str],
                     strings_before: list[tuple[str, str]], strings_on: list[list[tuple[str, str]]]) -> None:
    """Lay out the margin boxes of ``part``'s pages as pages ``first_number`` on of a
    book, its page i on side ``sides[i]`` (``:left``/``:right``, ``:first``), with
    the named strings before it (``strings_before``: the last value of each) and
    those assigned on each of its pages (``strings_on``) — WeasyPrint's own
    ``make_margin_boxes``, as its single pass does. Again, if need be: each time
    replaces the margin boxes laid out before, and takes off the pages'
    backgrounds the crop marks the last writing added to them (WeasyPrint adds
    them as it writes a page: a part written twice would carry them twice)."""
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_box_backgrounds
    from weasyprint.layout.page import PageType, make_margin_boxes, set_page_type_computed_styles

    context = part.context
    if context is None:
        return
    # WeasyPrint's named strings, by page number in the book.
    strings: defaultdict = defaultdict(lambda: defaultdict(list))
    for name, text in strings_before:
        strings[name][first_number - 1] = [text]
    for offset, assigned in enumerate(strings_on):
        for name, text in assigned:
            strings[name][first_number + offset].append(text)
    context.string_set = strings
    for offset, (page, state) in enumerate(zip(part.document.pages, part.states)):
        box = page._page_box
        if box.background is not None:
            box.background.layers[:] = part.background_layers[offset]
        number = first_number + offset
        old = box.page_type
        box.page_type = PageType(sides[offset], old.blank, old.name, number - 1, old.groups)
        set_page_type_computed_styles(box.page_type, part.html, context.style_for)
        context.current_page = number
        state = copy.deepcopy(state)
        state[1]["page"] = [number]
        margins = tuple(make_margin_boxes(context, box, state))
        for margin in margins:
            layout_box_backgrounds(box, margin, context.get_image_from_uri)
        box.children = tuple(c for c in box.children if not isinstance(c, MarginBox)) + margins


def outline(bookmarks_by_page: list[list[tuple]], scale: float) -> list[tuple[int, str, int, float, float, bool]]:
    """A book's outline from each page's bookmarks (as ``page_bookmarks`` gives them),
    nested by WeasyPrint's own rules (a skipped heading level is not a level):
    (depth from 1, label, page index, x, y, closed) in order, positions times ``scale``."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    class _Page:                       # what make_page_bookmark_tree reads of a page
        def __init__(self, bookmarks):
            self.bookmarks = bookmarks

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    previous = 0
    for number, bookmarks in enumerate(bookmarks_by_page):
        previous = make_page_bookmark_tree(_Page(bookmarks), skipped, last_by_depth, previous,
                                           number, Matrix(a=scale, d=scale))
    entries: list = []

    def walk(nodes, depth):
        for label, (page_index, x, y), children, state in nodes:
            entries.append((depth, label, page_index, x, y, state == "closed"))
            walk(children, depth + 1)
    walk(root, 1)
    return entries
