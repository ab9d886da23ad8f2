"""The pamphlet PDF: WeasyPrint lays out the rendering with ``styles/pamphlet.css``.

A small generated stylesheet adds what depends on the options: the page size
(``--paper``) and margins in proportion to it, the font size, the height of the
colophon page, crop marks and their bleed, and the running-head strings. After
layout, blank pages are inserted before the colophon so that the page count is
a multiple of 4 and the colophon is the back cover, whatever the paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import OptionError
from pipeline.paper import parse_paper
from pipeline.render import Prepared, pdf_html, style_path

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
# With crop marks, the CSS bleed area holds the bleed and the marks: WeasyPrint
# draws the marks in its outer half and sets the PDF BleedBox 10 pt (3.5 mm)
# outside the TrimBox, so the marks stand outside the bleed, as print shops expect.
BLEED = "7mm"
# The stylesheet's margins (top, right, bottom, left) for an A5 page, in mm;
# smaller pages get them in proportion.
MARGINS = (18, 16, 20, 16)


@dataclass
class PdfOptions:
    paper: str = "A5"                 # a CSS page size: "A5", "148mm 210mm"…
    font_size: str = ""               # e.g. "11pt"; empty keeps the stylesheet's
    css: list[Path] = field(default_factory=list)   # the user's own stylesheets, layered on top
    variant: str = ""                 # "" (plain), "pdf/ua-1" (tagged, accessible) or "pdf/a-3b" (archival)
    marks: bool = False               # crop marks, and a bleed (TrimBox and BleedBox inside MediaBox)
    jobs: int = 0                     # processes laying out one long text: 0 decides, 1 = one pass

    def check(self) -> None:
        parse_paper(self.paper)
        if self.variant and self.variant not in PDF_VARIANTS:
            raise OptionError(f"unknown PDF variant {self.variant!r}", hint=f"use one of {', '.join(PDF_VARIANTS)}")
        if self.font_size and not re.fullmatch(r"\d+(\.\d+)?(pt|px|mm)", self.font_size.strip()):
            raise OptionError(f"--font-size {self.font_size!r} is not a size", hint="give it in points, e.g. 11pt")


@dataclass
class PdfResult:
    data: bytes
    pages: int
    warnings: list[str]


@lru_cache(maxsize=None)
def _stylesheet(path: str, mtime: float):
    from weasyprint import CSS
    return CSS(filename=path)


def _css_string(text: str) -> str:
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _script_css(lang: str) -> str:
    """The running heads in the text's own face: a CJK text's Noto CJK variant,
    upright (the faces have no italic); a right-to-left text's Arabic or Hebrew
    face, with the heads changing sides — its left-hand pages are the rectos,
    so they carry the chapter and the right-hand ones the title."""
    from pipeline.scripts import cjk_face, direction

    css = ""
    face = cjk_face(lang)
    if face:
        css += "".join(f' @page :{side} {{ @top-center {{ font-family: "{face}", serif; font-style: normal; }} }}'
                       for side in ("left", "right"))
    if direction(lang) == "rtl":
        stack = '"Noto Naskh Arabic", "Noto Serif Hebrew", "Linux Libertine O", "DejaVu Serif", serif'
        css += (f" @page :left {{ @top-center {{ content: string(chapter, first-except); font-family: {stack}; }}"
                f" @bottom-center {{ font-family: {stack}; }} }}"
                f" @page :right {{ @top-center {{ content: string(running-title, first-except); font-family: {stack}; }}"
                f" @bottom-center {{ font-family: {stack}; }} }}")
    return css


def _page_css(options: PdfOptions, title: str = "", lang: str = "") -> str:
    paper = parse_paper(options.paper)
    factor = min(1.0, paper.width / 148)
    top, right, bottom, left = (round(m * max(factor, 0.55), 1) for m in MARGINS)
    css = f"@page {{ size: {paper.css()}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}"
    if options.marks:
        css += f" @page {{ bleed: {BLEED}; marks: crop; }}"
    if factor < 1 and not options.font_size:
        css += f" html {{ font-size: {max(7.0, 10.5 * factor):.1f}pt; }}"
    if options.font_size:
        css += f" html {{ font-size: {options.font_size}; }}"
    css += _script_css(lang)
    # The colophon fills the page area, so that it is one page, the last.
    css += f" .colophon {{ height: {paper.height - top - bottom - 1:.1f}mm; }}"
    if title:
        # A chapter heading sets both running heads, so "first-except" leaves
        # its opening page without either.
        css += (" .text h1, .text h2 { string-set: chapter content(), running-title "
                f"{_css_string(title)}; }}"
                " .text h1[data-toc], .text h2[data-toc] { string-set: chapter attr(data-toc), running-title "
                f"{_css_string(title)}; }}")
    return css


@lru_cache(maxsize=8)
def _blank_page(page_css: str):
    from weasyprint import CSS, HTML
    return HTML(string="<html><body></body></html>").render(
        stylesheets=[CSS(string=page_css + " @page { @bottom-center { content: none } }")]).pages[0]


def _write_parallel(prep: Prepared, options: PdfOptions, html_text: str, base_url: str | None,
                    page_css: str) -> PdfResult | None:
    """A long text, its chapters laid out in parallel processes (``parallel_pdf``); None when
    it is short, one process is asked for, or an option needs the single pass."""
    from pipeline.writers.parallel_pdf import Sheets, parallel_jobs, write_parallel

    jobs = parallel_jobs(options.jobs, len(html_text))
    if jobs <= 1 or options.css or options.variant or options.marks:
        return None
    sheets = Sheets([str(style_path("pamphlet.css"))], [page_css], base_url, prep.doc.base_dir)
    made = write_parallel(html_text, sheets, jobs, final_page=not prep.doc.metadata.nofinalpage)
    if made is None:
        return None
    return PdfResult(data=made.data, pages=made.pages, warnings=made.warnings)


def write_pdf(prep: Prepared, options: PdfOptions | None = None) -> PdfResult:
    from weasyprint import CSS, HTML

    from pipeline import engine_fixes, hyphenation
    from pipeline.fetch import SafeFetcher, user_stylesheet  # imports WeasyPrint too

    engine_fixes.apply()
    hyphenation.register()
    options = options or PdfOptions()
    doc = prep.doc
    fetcher = SafeFetcher(doc.base_dir, [Path(p).parent for p in options.css])
    base_url = (doc.base_dir.resolve().as_uri() + "/") if doc.base_dir else None
    html_text = pdf_html(prep)
    main_css = style_path("pamphlet.css")
    options.check()
    page_css = _page_css(options, doc.metadata.title, prep.lang)
    parallel = _write_parallel(prep, options, html_text, base_url, page_css)
    if parallel is not None:
        return parallel
    html = HTML(string=html_text, base_url=base_url, url_fetcher=fetcher)
    sheets = [_stylesheet(str(main_css), main_css.stat().st_mtime), CSS(string=page_css)]
    sheets += [user_stylesheet(p, fetcher) for p in options.css]
    document = html.render(stylesheets=sheets, url_fetcher=fetcher)
    pages = list(document.pages)
    if not doc.metadata.nofinalpage and pages:
        blanks = (-len(pages)) % 4
        # The colophon's first page (it is one page unless a --css makes it longer).
        start = next((n for n, page in enumerate(pages) if "colophon" in page.anchors), len(pages) - 1)
        if blanks:
            pages = pages[:start] + [_blank_page(page_css)] * blanks + pages[start:]
            document = document.copy(pages)
    data = document.write_pdf(pdf_variant=options.variant or None)
    return PdfResult(data=data, pages=len(pages), warnings=fetcher.refused_messages())
