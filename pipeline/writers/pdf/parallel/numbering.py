"""The parallel layout's numbering: the parts' pages put in the book's order as
their reports come in, with the blank pages WeasyPrint would add — before a
part whose heading asks for a right (or left) page when it would fall on the
other side, and before the colophon so that the count is a multiple of 4 —;
then each part's first page number and side, and the named strings before it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.writers.pdf.parallel.workers import Laid

SIDES = ("left", "right", "recto", "verso")
FORCED = SIDES + ("page",)
_OTHER_SIDE = {"left": "right", "right": "left"}


def book_side(first_side: str, number: int) -> str:
    """The side of page ``number`` (from 1) when page 1 is on ``first_side``."""
    return first_side if number % 2 else _OTHER_SIDE[first_side]


def winning_break(*values: str) -> str:
    """The break that wins where several meet (a side beats a plain page break)."""
    for value in values:
        if value in SIDES:
            return value
    for value in values:
        if value == "page":
            return value
    return "auto"


def number_pages(front: Laid, parts: list[Laid | None], back: Laid | None, final_page: bool):
    """The book's pages in order: (laid, page index) or None for an added blank page.

    Stops before the first part not laid out yet (None), and leaves out the back
    matter until every part is there. None when a part does not open on a forced break."""
    first_side = front.pages[0].side if front.pages else "right"
    other = _OTHER_SIDE[first_side]

    def side_of(number: int) -> str:
        return book_side(first_side, number)

    order: list[tuple[Laid, int] | None] = [(front, i) for i in range(len(front.pages))]
    previous_last = "page"
    for part in parts:
        if part is None:
            return order
        wanted = winning_break(part.first_break, previous_last)
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


def placements(order) -> dict[tuple[str, int], tuple[int, str, list]]:
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
            placed[(laid.kind, laid.index)] = (number, book_side(first_side, number), list(strings.items()))
        for name, text in laid.pages[page].strings:
            strings[name] = text
    return placed


def anchor_numbers(order) -> dict[str, str]:
    """The page number in the book of each anchor after the front matter."""
    numbers: dict[str, str] = {}
    for number, slot in enumerate(order, start=1):
        if slot is not None and slot[0].kind != "front":
            for anchor in slot[0].pages[slot[1]].anchors:
                numbers.setdefault(anchor, str(number))
    return numbers
