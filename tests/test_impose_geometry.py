"""Imposition geometry: which page sits in each slot of each sheet side, read back
from the output's text, against orders worked out here from how sheets are
folded (not from the code under test); and exact sheet sizes."""

from __future__ import annotations

import fitz
import pytest

from pipeline.errors import OptionError
from pipeline.writers.booklet import impose
from pipeline.options import Imposition, impose_options
from pipeline.writers.booklet.paper import parse_sheet

MM = 72 / 25.4
A4 = (297 * MM, 210 * MM)                 # landscape
LETTER = (11 * 72, 8.5 * 72)
A5 = (148 * MM, 210 * MM)
HALF_LETTER = (5.5 * 72, 8.5 * 72)


def numbered_pdf(pages: int, size=A5) -> bytes:
    """A PDF whose page k (1-based) shows only the label "P<k>", in its middle."""
    doc = fitz.open()
    for k in range(1, pages + 1):
        page = doc.new_page(width=size[0], height=size[1])
        page.insert_text((size[0] / 2 - 20, size[1] / 2), f"P{k}", fontsize=24)
    return doc.tobytes()


def read_slots(pdf: bytes, cols: int, rows: int) -> list[dict[tuple[int, int], tuple[int, bool]]]:
    """For each sheet side: (column, row) → (page number, upside down?)."""
    doc = fitz.open(stream=pdf, filetype="pdf")
    sides = []
    for page in doc:
        width, height = page.rect.width, page.rect.height
        slots = {}
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                text = "".join(span["text"] for span in line["spans"]).strip()
                if not text.startswith("P"):
                    continue
                x0, y0, x1, y1 = line["bbox"]
                cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                slot = (int(cx // (width / cols)), int(cy // (height / rows)))
                assert slot not in slots, f"two pages in slot {slot}"
                slots[slot] = (int(text[1:]), line["dir"][0] < 0)
        sides.append(slots)
    return sides


def with_cover(pages: int, multiple: int) -> list[int | None]:
    """1-based page numbers padded with blanks (None) before the last page."""
    blanks = (-pages) % multiple
    return list(range(1, pages)) + [None] * blanks + [pages]


def saddle_expected(pages: int, signature: int) -> list[dict]:
    """Fold a stack of s/4 sheets in the middle: on sheet k (0 = outermost) of each
    signature the front carries the signature's last-k and first+k pages, the back
    the two pages that face them."""
    order = with_cover(pages, signature)
    sides = []
    for base in range(0, len(order), signature):
        sig = order[base:base + signature]
        for k in range(signature // 4):
            sides.append({(0, 0): sig[signature - 1 - 2 * k], (1, 0): sig[2 * k]})
            sides.append({(0, 0): sig[2 * k + 1], (1, 0): sig[signature - 2 - 2 * k]})
    return sides


def as_read(expected: list[dict], upside_down_backs: bool = False) -> list[dict]:
    out = []
    for n, side in enumerate(expected):
        turned = upside_down_backs and n % 2 == 1
        got = {}
        for (col, row), page in side.items():
            if page is None:
                continue
            if turned:      # the whole side turned 180°: left ↔ right, upside down
                col = 1 - col
            got[(col, row)] = (page, turned)
        out.append(got)
    return out


def assert_size(pdf: bytes, size) -> None:
    doc = fitz.open(stream=pdf, filetype="pdf")
    for page in doc:
        assert page.rect.width == pytest.approx(size[0], abs=0.01)
        assert page.rect.height == pytest.approx(size[1], abs=0.01)


def auto_signature(pages: int) -> int:
    """The Library's rule: one booklet up to 80 pages; beyond, the size in 40–80
    (multiple of 4) that leaves the fewest blanks, the bigger on a tie."""
    whole = pages + (-pages) % 4
    if whole <= 80:
        return whole
    best = None
    for size in range(40, 81, 4):
        blanks = -(-pages // size) * size - pages
        if best is None or blanks < best[0] or (blanks == best[0] and size > best[1]):
            best = (blanks, size)
    return best[1]


@pytest.mark.parametrize("pages", [4, 8, 12, 40, 100])
def test_saddle_automatic_signatures(pages):
    out = impose(numbered_pdf(pages), Imposition("saddle"))
    expected = saddle_expected(pages, auto_signature(pages))
    assert read_slots(out, 2, 1) == as_read(expected)
    assert_size(out, A4)


def test_saddle_100_pages_is_two_signatures_of_52():
    assert auto_signature(100) == 52
    out = impose(numbered_pdf(100), Imposition("saddle"))
    assert fitz.open(stream=out, filetype="pdf").page_count == 2 * 52 // 2


@pytest.mark.parametrize("pages,signature", [(40, 8), (40, 12), (100, 16), (100, 100), (12, 40)])
def test_saddle_given_signature(pages, signature):
    out = impose(numbered_pdf(pages), Imposition("saddle", signature=signature))
    expected = saddle_expected(pages, min(signature, pages + (-pages) % 4))
    assert read_slots(out, 2, 1) == as_read(expected)


def test_cover_stays_outside_when_padding():
    out = impose(numbered_pdf(6), Imposition("saddle"))
    sides = read_slots(out, 2, 1)
    assert sides[0] == {(0, 0): (6, False), (1, 0): (1, False)}   # back cover | front cover
    assert sides == as_read(saddle_expected(6, 8))


@pytest.mark.parametrize("pages", [4, 8, 12, 40, 100])
def test_saddle_long_edge_turns_the_backs(pages):
    out = impose(numbered_pdf(pages), Imposition("saddle", duplex="long-edge"))
    expected = saddle_expected(pages, auto_signature(pages))
    assert read_slots(out, 2, 1) == as_read(expected, upside_down_backs=True)


@pytest.mark.parametrize("pages", [4, 8, 12, 40, 100])
def test_2up_keeps_reading_order(pages):
    out = impose(numbered_pdf(pages), Imposition("2up"))
    expected = [{(0, 0): k, (1, 0): k + 1} for k in range(1, pages + 1, 2)]
    assert read_slots(out, 2, 1) == as_read(expected)
    assert_size(out, A4)


@pytest.mark.parametrize("pages", [4, 8])
def test_onepagezine(pages):
    """Folded in eight and cut along the middle: the bottom row, left to right, reads
    back cover … front cover as 6 7 8 1 (8 being the last), the top row, upside
    down, 5 4 3 2."""
    out = impose(numbered_pdf(pages), Imposition("onepagezine"))
    order = with_cover(pages, 8)
    expected = {(0, 1): order[5], (1, 1): order[6], (2, 1): order[7], (3, 1): order[0],
                (0, 0): order[4], (1, 0): order[3], (2, 0): order[2], (3, 0): order[1]}
    got = read_slots(out, 4, 2)
    assert len(got) == 1
    assert got[0] == {slot: (page, slot[1] == 0) for slot, page in expected.items() if page is not None}
    assert_size(out, A4)


@pytest.mark.parametrize("pages", [12, 40, 100])
def test_onepagezine_refuses_long_texts(pages):
    with pytest.raises(OptionError, match="8 pages"):
        impose(numbered_pdf(pages), Imposition("onepagezine"))


def test_none_returns_the_pamphlet():
    pdf = numbered_pdf(8)
    assert impose(pdf, Imposition("none")) == pdf


def test_half_letter_on_letter_sheets():
    out = impose(numbered_pdf(8, HALF_LETTER), Imposition("saddle", sheet=parse_sheet("letter")))
    assert_size(out, LETTER)
    assert read_slots(out, 2, 1) == as_read(saddle_expected(8, 8))


def test_pages_sit_against_the_fold():
    out = impose(numbered_pdf(8, (105 * MM, 148 * MM)), Imposition("saddle"))   # A6 on A4
    doc = fitz.open(stream=out, filetype="pdf")
    page = doc[0]
    images = page.get_text("dict")["blocks"]
    xs = [line["bbox"] for b in images for line in b.get("lines", [])]
    spine = page.rect.width / 2
    # A6 label drawn 20 pt left of the page's middle: 105/2 mm from the fold on each side.
    left, right = sorted(xs, key=lambda r: r[0])
    assert left[0] == pytest.approx(spine - 105 * MM / 2 - 20, abs=1)
    assert right[0] == pytest.approx(spine + 105 * MM / 2 - 20, abs=1)


def test_creep_moves_inner_pages_towards_the_fold():
    plain = fitz.open(stream=impose(numbered_pdf(16), Imposition("saddle")), filetype="pdf")
    crept = fitz.open(stream=impose(numbered_pdf(16), Imposition("saddle", creep=0.5)), filetype="pdf")

    def lefts(doc, side):
        return sorted(line["bbox"][0] for b in doc[side].get_text("dict")["blocks"] for line in b.get("lines", []))

    for side in range(8):
        sheet = side // 2
        shift = sheet * 0.5 * MM
        (pl, pr), (cl, cr) = lefts(plain, side), lefts(crept, side)
        assert cl - pl == pytest.approx(shift, abs=0.05)       # left page moves right
        assert pr - cr == pytest.approx(shift, abs=0.05)       # right page moves left


def test_marks_need_room_and_draw_on_a_bigger_sheet():
    with pytest.raises(OptionError, match="crop marks"):
        impose(numbered_pdf(8), Imposition("saddle", marks=True))
    out = impose(numbered_pdf(8), Imposition("saddle", marks=True, sheet=parse_sheet("sra3")))
    doc = fitz.open(stream=out, filetype="pdf")
    assert doc[0].rect.width == pytest.approx(450 * MM, abs=0.01)
    drawings = doc[0].get_drawings()
    assert len(drawings) >= 8
    assert read_slots(out, 2, 1) == as_read(saddle_expected(8, 8))


@pytest.mark.parametrize("options,message", [
    ({"layout": "fold"}, "unknown imposition"),
    ({"signature": 6}, "multiple of 4"),
    ({"layout": "2up", "signature": 8}, "only to --impose saddle"),
    ({"duplex": "sideways"}, "duplex"),
    ({"sheet": "b0"}, "--sheet"),
    ({"creep": 5}, "thickness"),
])
def test_bad_options(options, message):
    with pytest.raises(OptionError, match=message):
        impose_options(**options)


def test_many_impositions_give_the_same_bytes_and_a_derived_id():
    """PyMuPDF draws a random file identifier at each save, now and then written
    as a literal string (which a search of the bytes for hex digits misses): the
    booklet's is derived from its input. Many saves, so that such an id shows."""
    pamphlet = numbered_pdf(4)
    booklets = {impose(pamphlet, Imposition(layout="saddle")) for _ in range(200)}
    assert len(booklets) == 1
    ident = fitz.open(stream=booklets.pop(), filetype="pdf").xref_get_key(-1, "ID")
    assert ident[0] == "array" and ident[1].count("<") == 2, ident
    other = fitz.open(stream=impose(numbered_pdf(12), Imposition(layout="saddle")), filetype="pdf")
    assert other.xref_get_key(-1, "ID") != ident
