"""Reading-order pamphlet PDF → imposed sheets (``NAME.booklet.pdf``).

Layouts (the names follow PDF::Imposition's and pdfimpose's schemas):

- ``saddle``: 2-up booklet, sheets folded in the middle and nested. Long texts
  are cut into *signatures* (booklets of ``signature`` pages, nested sheets,
  stacked and sewn or glued together); automatic signatures pick, in
  ``SIGNATURE_RANGE``, the size that needs the fewest blank pages.
- ``onepagezine``: the 8-page zine folded and cut from one sheet (single-sided);
  pages scaled to fit the eighths of the sheet.
- ``2up``: two pages side by side, in reading order.
- ``none``: the pamphlet unchanged.

Which page goes where comes from pdfimpose's schemas (``hardcover`` with one
fold per sheet and ``group`` nested sheets is a saddle-stitched signature;
``onepagezine``); the geometry — exact sheet sizes, scaling, creep, the
rotation of backs for long-edge duplex, crop marks with bleed — is done here
with PyMuPDF, because pdfimpose has no duplex option and documents its creep
as broken.

Blank pages needed to fill a signature go before the last page, so the
colophon stays the back cover (PDF::Imposition's ``cover`` option).

A right-to-left book (``rtl``) is bound on the right: every layout is the
left-to-right one mirrored, so page 1 is on the left half of the first sheet
and the back cover on the right, and pages follow from right to left.

Paper and sheet sizes, which the pamphlet's ``--paper`` uses too, are in
``paper.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import OptionError
from pipeline.writers.booklet.paper import PT_PER_MM

if TYPE_CHECKING:
    from pipeline.options import Imposition

SIGNATURE_RANGE = (40, 80)    # pages; the Library's imposed PDFs use the same range
BLEED_MM = 3.0                # kept around each page when crop marks are asked for
MARK_MM = 4.0                 # length of a crop mark, beyond the bleed


# ---------------------------------------------------------------- page order

@dataclass
class Slot:
    page: int | None      # index in the pamphlet, None for a blank
    col: int
    row: int
    rotate: int = 0       # the page turned this much on the sheet (onepagezine's top row)
    sheet: int = 0        # the sheet's place in its signature, 0 = outermost (for creep)


def signature_pages(pages: int, requested: int = 0) -> int:
    """Pages per signature for a pamphlet of ``pages`` pages."""
    whole = pages + (-pages) % 4
    if requested:
        return min(requested, whole)
    low, high = SIGNATURE_RANGE
    if whole <= high:
        return whole
    # Fewest blank pages; on a tie, the bigger signature (fewer to bind).
    return min(range(low, high + 1, 4), key=lambda s: ((-pages) % s, -s))


def padded(pages: int, multiple: int, cover: bool) -> list[int | None]:
    """Page indexes with blanks (None) to a multiple of ``multiple``; before the last page when ``cover``."""
    blanks = (-pages) % multiple
    order: list[int | None] = list(range(pages))
    if cover and pages > 1:
        return order[:-1] + [None] * blanks + order[-1:]
    return order + [None] * blanks


def sheet_sides(layout: str, pages: int, signature: int = 0, cover: bool = True,
                rtl: bool = False) -> list[list[Slot]]:
    """The sheet sides in print order, each a list of slots (column, row from the top left);
    mirrored left to right for a book bound on the right (``rtl``)."""
    sides = _sheet_sides(layout, pages, signature, cover)
    if rtl:
        columns = 1 + max(slot.col for side in sides for slot in side)
        for side in sides:
            for slot in side:
                slot.col = columns - 1 - slot.col
            side.sort(key=lambda slot: (slot.row, slot.col))
    return sides


def _sheet_sides(layout: str, pages: int, signature: int, cover: bool) -> list[list[Slot]]:
    if layout == "saddle":
        from pdfimpose.schema.hardcover import HardcoverImpositor
        size = signature_pages(pages, signature)
        order = padded(pages, size, cover)
        sides: list[list[Slot]] = []
        schema = HardcoverImpositor(folds="h", group=size // 4)
        for start in range(0, len(order), size):
            for n, matrix in enumerate(schema.matrixes(size)):
                sides.append([Slot(order[start + matrix[x, y].number], x, y, matrix[x, y].rotate, n // 2)
                              for x, y in matrix.coordinates()])
        return sides
    if layout == "2up":
        order = padded(pages, 2, cover)
        return [[Slot(order[i], 0, 0), Slot(order[i + 1], 1, 0)] for i in range(0, len(order), 2)]
    if layout == "onepagezine":
        from pdfimpose.schema.onepagezine import OnePageZineImpositor
        if pages > 8:
            raise OptionError(f"--impose onepagezine holds 8 pages; this pamphlet has {pages}",
                              hint="use --impose saddle, or a smaller --font-size")
        order = padded(pages, 8, cover)
        matrix = next(OnePageZineImpositor().matrixes(8))
        return [[Slot(order[matrix[x, y].number], x, y, matrix[x, y].rotate) for x, y in matrix.coordinates()]]
    raise ValueError(f"no imposition {layout!r}")


# ---------------------------------------------------------------- geometry

def impose(pdf: bytes, options: Imposition) -> bytes:
    """The pamphlet ``pdf`` imposed as ``options.layout`` on ``options.sheet``."""
    import fitz

    if options.layout == "none":
        return pdf
    src = fitz.open(stream=pdf, filetype="pdf")
    sides = sheet_sides(options.layout, src.page_count, options.signature, options.cover, options.rtl)
    sheet = options.sheet
    width, height = max(sheet.points), min(sheet.points)        # landscape
    trim = src[0].trimbox
    media = src[0].rect
    tw, th = trim.width, trim.height
    bleed = min(BLEED_MM * PT_PER_MM, trim.x0 - media.x0, trim.y0 - media.y0) if options.marks else 0
    room = (BLEED_MM + MARK_MM) * PT_PER_MM if options.marks else 0

    if options.layout == "onepagezine":
        cols, rows = 4, 2
        cell_w, cell_h = (width - 2 * room) / cols, (height - 2 * room) / rows
        scale = min(cell_w / tw, cell_h / th)
        bleed = 0
    else:
        cols, rows = 2, 1
        need_w, need_h = 2 * tw + 2 * room, th + 2 * room
        if options.marks and (need_w > width + 0.01 or need_h > height + 0.01):
            raise OptionError(
                f"crop marks need {BLEED_MM + MARK_MM:g} mm around the pages, and two "
                f"{tw / PT_PER_MM:.0f}×{th / PT_PER_MM:.0f} mm pages fill the "
                f"{width / PT_PER_MM:.0f}×{height / PT_PER_MM:.0f} mm sheet",
                hint="use a bigger --sheet (sra4, a3, sra3) or a smaller --paper")
        scale = min(1.0, width / need_w, height / need_h)
        cell_w, cell_h = width / 2, height

    out = fitz.open()
    forms = _Forms(out, src)
    for side_no, side in enumerate(sides):
        page = out.new_page(width=width, height=height)
        turn = options.duplex == "long-edge" and side_no % 2 == 1 and options.layout != "onepagezine"
        placed: list[fitz.Rect] = []
        for slot in side:
            pw, ph = tw * scale, th * scale
            if options.layout == "saddle":
                spine = width / 2
                x0 = spine - pw if slot.col == 0 else spine
                y0 = (height - ph) / 2
            elif options.layout == "2up":
                x0 = slot.col * cell_w + (cell_w - pw) / 2
                y0 = (height - ph) / 2
            else:
                x0 = room + slot.col * cell_w + (cell_w - pw) / 2
                y0 = room + slot.row * cell_h + (cell_h - ph) / 2
            target = fitz.Rect(x0, y0, x0 + pw, y0 + ph)
            placed.append(target)
            if slot.page is None:
                continue
            clip = fitz.Rect(trim)
            shown = fitz.Rect(target)
            # Bleed on the sides that are cut, never across the fold.
            outer = {"left", "right", "top", "bottom"}
            if options.layout == "saddle":
                outer.discard("right" if slot.col == 0 else "left")
            if bleed:
                for edge in outer:
                    if edge == "left":
                        clip.x0 -= bleed; shown.x0 -= bleed * scale
                    elif edge == "right":
                        clip.x1 += bleed; shown.x1 += bleed * scale
                    elif edge == "top":
                        clip.y0 -= bleed; shown.y0 -= bleed * scale
                    else:
                        clip.y1 += bleed; shown.y1 += bleed * scale
            if options.layout == "saddle" and options.creep and slot.sheet:
                # Inner sheets stick out at the fore-edge once folded: move their
                # pages towards the fold, cutting what would cross it.
                shift = min(slot.sheet * options.creep * PT_PER_MM, pw / 4)
                if slot.col == 0:
                    shown.x0 += shift; clip.x1 -= shift / scale
                else:
                    shown.x1 -= shift; clip.x0 += shift / scale
            rotate = slot.rotate
            if turn:
                shown = fitz.Rect(width - shown.x1, height - shown.y1, width - shown.x0, height - shown.y0)
                rotate = (rotate + 180) % 360
            forms.place(page, shown, slot.page, clip, rotate)
        if options.marks:
            if turn:
                placed = [fitz.Rect(width - r.x1, height - r.y1, width - r.x0, height - r.y0) for r in placed]
            groups = placed if options.layout == "2up" else [_union(placed)]
            for rect in groups:
                _crop_marks(page, rect, bleed_pt=BLEED_MM * PT_PER_MM, mark_pt=MARK_MM * PT_PER_MM)
            if options.layout == "saddle":
                rect, spine = groups[0], width / 2
                for y_from, y_to in ((rect.y0 - room, rect.y0 - BLEED_MM * PT_PER_MM),
                                     (rect.y1 + BLEED_MM * PT_PER_MM, rect.y1 + room)):
                    page.draw_line((spine, y_from), (spine, y_to), color=(0, 0, 0), width=0.3, dashes="[2 1] 0")
    forms.finish()
    meta = {k: v for k, v in src.metadata.items() if k in
            ("title", "author", "subject", "keywords", "creator", "producer", "creationDate", "modDate") and v}
    out.set_metadata(meta)
    set_stable_id(out, pdf, options)
    return out.tobytes(garbage=3, deflate=True, no_new_id=True)


def _num(value: float) -> str:
    """A number as PDF content streams write it (no exponent)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Forms:
    """Places source pages on sheets as form XObjects made from each page's own,
    still compressed, content stream — one form per page, however often it is
    placed. (PyMuPDF's ``show_pdf_page`` decompresses and recompresses every
    page's content, most of an imposition's time.) Pages with several content
    streams, and turns other than 0 and 180 degrees, go through
    ``show_pdf_page``."""

    def __init__(self, out, src):
        self.out, self.src = out, src
        self.copied = src.page_count
        out.insert_pdf(src)                     # the pages' objects, copied as they are
        self.form: dict[int, int] = {}

    def _form_of(self, number: int) -> int | None:
        if number in self.form:
            return self.form[number]
        out = self.out
        page_xref = out.page_xref(number)
        kind, contents = out.xref_get_key(page_xref, "Contents")
        if kind != "xref":                      # an array of streams: not ours to join
            return None
        content = int(contents.split()[0])
        kind, resources = out.xref_get_key(page_xref, "Resources")
        _, filters = out.xref_get_key(content, "Filter")
        box = out[number].mediabox
        form = out.get_new_xref()
        out.update_object(form, f"<</Type/XObject/Subtype/Form/BBox[0 0 {_num(box.width)} {_num(box.height)}]"
                                f"/Resources {resources}>>")
        out.update_stream(form, out.xref_stream_raw(content), compress=False)
        if filters and filters != "null":
            out.xref_set_key(form, "Filter", filters)
        self.form[number] = form
        return form

    def place(self, page, shown, number: int, clip, rotate: int) -> None:
        """Show the ``clip`` part of source page ``number`` in ``shown`` on ``page``
        (rectangles in PyMuPDF's top-down coordinates), turned by ``rotate``."""
        form = self._form_of(number) if rotate in (0, 180) else None
        if form is None:
            page.show_pdf_page(shown, self.src, number, clip=clip, rotate=rotate, keep_proportion=False)
            return
        src_h, sheet_h = self.src[number].mediabox.height, page.rect.height
        sx, sy = shown.width / clip.width, shown.height / clip.height
        # PDF coordinates (bottom-up) of the clip's and the target's lower-left corners
        cx, cy = clip.x0, src_h - clip.y1
        if rotate == 0:
            a, d = sx, sy
            e, f = shown.x0 - sx * cx, (sheet_h - shown.y1) - sy * cy
        else:
            a, d = -sx, -sy
            e, f = shown.x1 + sx * cx, (sheet_h - shown.y0) + sy * cy
        name = f"ZpPage{number}"
        self._add_xobject(page.xref, name, form)
        clip_box = " ".join(map(_num, (shown.x0, sheet_h - shown.y1, shown.width, shown.height)))
        matrix = " ".join(map(_num, (a, 0, 0, d, e, f)))
        command = f"q {clip_box} re W n {matrix} cm /{name} Do Q\n"
        self._append(page, command.encode())

    def _add_xobject(self, page_xref: int, name: str, form: int) -> None:
        """Name ``form`` in the page's resources (which may be indirect objects)."""
        out = self.out
        kind, resources = out.xref_get_key(page_xref, "Resources")
        if kind == "xref":
            holder, prefix = int(resources.split()[0]), ""
        else:
            holder, prefix = page_xref, "Resources/"
        kind, xobjects = out.xref_get_key(holder, prefix + "XObject")
        if kind == "xref":
            out.xref_set_key(int(xobjects.split()[0]), name, f"{form} 0 R")
        else:
            out.xref_set_key(holder, f"{prefix}XObject/{name}", f"{form} 0 R")

    def _append(self, page, data: bytes) -> None:
        out = self.out
        kind, contents = out.xref_get_key(page.xref, "Contents")
        if kind == "xref":
            stream = int(contents.split()[0])
            out.update_stream(stream, out.xref_stream(stream) + data)
        else:
            stream = out.get_new_xref()
            out.update_object(stream, "<<>>")
            out.update_stream(stream, data)
            out.xref_set_key(page.xref, "Contents", f"{stream} 0 R")

    def finish(self) -> None:
        """Drop the copied pages; their objects live on in the forms."""
        self.out.delete_pages(range(0, self.copied))


def _union(rects):
    import fitz
    box = fitz.Rect(rects[0])
    for rect in rects[1:]:
        box |= rect
    return box


def _crop_marks(page, rect, *, bleed_pt: float, mark_pt: float) -> None:
    """Corner marks on the lines of ``rect``'s edges, outside its bleed."""
    black = (0, 0, 0)
    for x, sign_x in ((rect.x0, -1), (rect.x1, 1)):
        for y, sign_y in ((rect.y0, -1), (rect.y1, 1)):
            page.draw_line((x + sign_x * bleed_pt, y), (x + sign_x * (bleed_pt + mark_pt), y), color=black, width=0.3)
            page.draw_line((x, y + sign_y * bleed_pt), (x, y + sign_y * (bleed_pt + mark_pt)), color=black, width=0.3)


def set_stable_id(out, pdf: bytes, options: Imposition) -> None:
    """Give ``out`` a file identifier derived from what it is made of (the
    pamphlet's bytes and the imposition) instead of the random one PyMuPDF
    draws at each save: saved with ``no_new_id``, the same input gives the same
    bytes (builds with SOURCE_DATE_EPOCH are reproducible)."""
    digest = hashlib.sha256(pdf + options.identity().encode()).hexdigest()[:32].upper()
    out.xref_set_key(-1, "ID", f"[<{digest}><{digest}>]")
