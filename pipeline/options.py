"""The command line turned once into validated, typed options.

``command_options`` reads what ``build`` (or ``bundle``) was given — sizes as
numbers (a paper and a sheet as ``paper.Size`` in mm, the font size as a number
and its unit), the layout, the marks once, the PDF variant, the stylesheets,
the fallbacks for title, author and language — and checks it all once: an
``OptionError`` says what is wrong, and nothing after it checks again. ``SOURCE_DATE_EPOCH`` is read
here too, once, and travels as a value (to worker processes and Dask workers
inside ``BuildOptions``). These options are the user's and are never changed:
what depends on the document (the booklet's cover and binding side, the sheet
a paper gets by default) is derived per build by ``imposition``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import OptionError
from pipeline.writers.booklet.paper import Size, parse_paper, parse_sheet
from pipeline.scripts import direction

if TYPE_CHECKING:
    from pipeline.render import Prepared

FORMATS = ("pdf", "booklet", "epub")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
IMPOSITIONS = ("saddle", "onepagezine", "2up", "none")
DUPLEX = ("short-edge", "long-edge")
# --font-size bounds, in points: below 4 pt no printer or eye makes out the
# text (and a size near 0 breaks the layout); above 36 pt a word no longer
# fits the narrower pages.
FONT_SIZE_PT = (4.0, 36.0)
PT_PER = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4}
# Creep above this many mm per sheet is no paper.
MAX_CREEP_MM = 2.0

A4 = parse_sheet("a4")
A5 = parse_paper("a5")
LETTER = parse_sheet("letter")


@dataclass(frozen=True)
class FontSize:
    """``--font-size``: a number and its unit (pt, px or mm)."""

    value: float
    unit: str

    @property
    def points(self) -> float:
        return self.value * PT_PER[self.unit]

    def css(self) -> str:
        number = str(self.value)
        return (number[:-2] if number.endswith(".0") else number) + self.unit


@dataclass(frozen=True)
class PdfOptions:
    """The pamphlet's options."""

    paper: Size = A5
    font_size: FontSize | None = None     # None keeps the stylesheet's
    css: tuple[Path, ...] = ()            # the user's own stylesheets, layered on top
    variant: str = ""                     # "" (plain), "pdf/ua-1" (tagged, accessible) or "pdf/a-3b" (archival)
    marks: bool = False                   # crop marks and a bleed, on the pamphlet and the booklet
    jobs: int = 0                         # processes laying out one long text: 0 decides, 1 = one pass


@dataclass(frozen=True)
class ImposeOptions:
    """The booklet's options, as asked."""

    layout: str = "saddle"
    sheet: Size | None = None     # None: Letter for Letter-family papers, else A4
    signature: int = 0            # pages per signature (a multiple of 4); 0 = automatic
    duplex: str = "short-edge"    # how the printer turns the sheet; long-edge rotates the backs 180°
    creep: float = 0.0            # paper thickness in mm: inner sheets' pages move towards the fold


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds: the time every output is
    stamped with) when it is set to a number of seconds, else None (now)."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        return int(text) if text.isdigit() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build of one source (or a bundle) depends on besides the source."""

    formats: tuple[str, ...] = FORMATS
    source_format: str | None = None      # --from: skip detection
    typography: bool = True
    impose: ImposeOptions = field(default_factory=ImposeOptions)
    pdf: PdfOptions = field(default_factory=PdfOptions)
    # What the user supplies for a source that does not say it.
    title: str = ""
    author: str = ""
    lang: str = ""
    embed_fonts: bool = False             # --embed-fonts: the typeface in the EPUB, subset
    source_date_epoch: int | None = field(default_factory=source_date_epoch)


# ---------------------------------------------------------------- the command line

def parse_formats(value: str) -> tuple[str, ...]:
    """``--format``: a comma-separated subset of ``FORMATS``, in the order given;
    ``ValueError`` (a usage error) otherwise."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not names or any(name not in FORMATS for name in names):
        raise ValueError(f"use a comma-separated subset of {', '.join(FORMATS)}")
    return names


def parse_font_size(value: str) -> FontSize | None:
    """``--font-size``: ``11pt``, ``14px``, ``4mm``, within ``FONT_SIZE_PT``; None when empty."""
    if not value:
        return None
    low, high = FONT_SIZE_PT
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(pt|px|mm)", value.strip())
    if not match:
        raise OptionError(f"--font-size {value!r} is not a size",
                          hint=f"give it in points, from {low:g}pt to {high:g}pt, e.g. 11pt")
    size = FontSize(float(match.group(1)), match.group(2))
    if not low <= size.points <= high:
        raise OptionError(f"--font-size {value!r} is out of range",
                          hint=f"give a size from {low:g}pt to {high:g}pt, e.g. 11pt")
    return size


def impose_options(layout: str = "saddle", sheet: str = "", signature: int = 0, duplex: str = "short-edge",
                   creep: float = 0.0) -> ImposeOptions:
    """``--impose``, ``--sheet``, ``--signature``, ``--duplex``, ``--creep``, checked."""
    if layout not in IMPOSITIONS:
        raise OptionError(f"unknown imposition {layout!r}", hint=f"use one of {', '.join(IMPOSITIONS)}")
    if duplex not in DUPLEX:
        raise OptionError(f"unknown duplex mode {duplex!r}", hint=f"use one of {', '.join(DUPLEX)}")
    if signature and (signature < 4 or signature % 4):
        raise OptionError(f"--signature {signature} is not a multiple of 4",
                          hint="give the pages per signature as 4, 8, 12… (or 0 for automatic)")
    if signature and layout != "saddle":
        raise OptionError("--signature applies only to --impose saddle", hint="drop --signature")
    if not 0 <= creep <= MAX_CREEP_MM:
        raise OptionError(f"--creep {creep:g} mm is not a paper thickness",
                          hint="give the thickness of one sheet in mm, e.g. 0.1 for 80 g/m² paper")
    return ImposeOptions(layout, parse_sheet(sheet) if sheet else None, signature, duplex, creep)


def pdf_options(paper: str = "", font_size: str = "", css: list[Path] | tuple[Path, ...] = (),
                variant: str = "", marks: bool = False) -> PdfOptions:
    """``--paper`` (A5 when empty), ``--font-size``, ``--css``, ``--pdf-variant``, ``--marks``, checked."""
    size = parse_paper(paper)
    if variant and variant not in PDF_VARIANTS:
        raise OptionError(f"unknown PDF variant {variant!r}", hint=f"use one of {', '.join(PDF_VARIANTS)}")
    return PdfOptions(paper=size, font_size=parse_font_size(font_size), css=tuple(css), variant=variant,
                      marks=marks)


def onepagezine_paper(sheet: Size) -> str:
    """The page that fills an eighth of ``sheet`` (4 across, 2 down), as ``--paper`` would give it."""
    width, height = max(sheet.width, sheet.height), min(sheet.width, sheet.height)
    return f"{width / 4:.2f}x{height / 2:.2f}"


def command_options(*, formats: tuple[str, ...] = FORMATS, source_format: str | None = None,
                    paper: str = "", font_size: str = "", css: list[Path] | tuple[Path, ...] = (),
                    impose: str = "saddle", sheet: str = "", signature: int = 0, duplex: str = "short-edge",
                    creep: float = 0.0, marks: bool = False, pdf_variant: str = "", typography: bool = True,
                    title: str = "", author: str = "", lang: str = "", embed_fonts: bool = False) -> BuildOptions:
    """The options of ``build`` from its command line, each parsed and checked
    once; ``OptionError`` names the first that cannot be used. Without
    ``--paper``, a one-page zine's pages are sized to fill the eighths of its sheet."""
    imposition = impose_options(impose, sheet, signature, duplex, creep)
    if imposition.layout == "onepagezine" and not paper:
        paper = onepagezine_paper(imposition.sheet or A4)
    return BuildOptions(formats=formats, source_format=source_format, typography=typography,
                        impose=imposition, pdf=pdf_options(paper, font_size, css, pdf_variant, marks),
                        title=title, author=author, lang=lang, embed_fonts=embed_fonts)


# ---------------------------------------------------------------- per document

@dataclass(frozen=True)
class Imposition:
    """One document's booklet: the user's ``ImposeOptions`` and ``--marks``
    with what the paper and the document decide."""

    layout: str = "saddle"
    sheet: Size = A4
    signature: int = 0
    duplex: str = "short-edge"
    creep: float = 0.0
    marks: bool = False           # crop (and fold) marks, pages with their bleed
    cover: bool = True            # keep the last page last (it is the colophon, the back cover)
    rtl: bool = False             # a right-to-left book: bound on the right, every layout mirrored
    sheet_asked: bool = True      # --sheet was given (False: the paper's default sheet)

    def identity(self) -> str:
        """The text the booklet's file identifier is derived from, with the
        pamphlet's bytes. It is written as it has been since booklets have had
        an identifier derived (the options' form of then), so that a booklet
        keeps its bytes; a custom sheet reads as its size in mm."""
        named = (self.sheet.name or f"{self.sheet.width:g}x{self.sheet.height:g}") if self.sheet_asked else ""
        return (f"(ImposeOptions(layout={self.layout!r}, sheet={named!r}, signature={self.signature!r}, "
                f"duplex={self.duplex!r}, creep={self.creep!r}, marks={self.marks!r}, cover={self.cover!r}, "
                f"rtl={self.rtl!r}), {self.sheet!r})")


def imposition(options: BuildOptions, prep: Prepared) -> Imposition:
    """The booklet of ``prep`` under ``options``: the sheet (by default Letter
    for a Letter-family paper, else A4), the colophon kept as the back cover
    unless the text asks for no final page, mirrored for a right-to-left language."""
    asked = options.impose
    default_sheet = LETTER if options.pdf.paper.letter_family else A4
    return Imposition(layout=asked.layout, sheet=asked.sheet or default_sheet, signature=asked.signature,
                      duplex=asked.duplex, creep=asked.creep, marks=options.pdf.marks,
                      cover=not prep.doc.metadata.nofinalpage, rtl=direction(prep.lang) == "rtl",
                      sheet_asked=asked.sheet is not None)
