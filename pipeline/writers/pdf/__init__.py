"""The pamphlet PDF: WeasyPrint lays out the rendering with ``styles/pamphlet.css``.

A small generated stylesheet adds what depends on the options: the page size
(``--paper``) and margins in proportion to it, the font size, the height of the
colophon page, crop marks and their bleed, and the running-head strings. After
layout, blank pages are inserted before the colophon so that the page count is
a multiple of 4 and the colophon is the back cover, whatever the paper.

Beside it in this folder: ``fetch.py``, the only way WeasyPrint gets
resources; ``engine.py``, every use of WeasyPrint beyond its public API (and
the check of its release); ``parallel/``, a long text laid out in parallel
processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import collector
from pipeline.options import PdfOptions
from pipeline.render import Prepared, PrintPage, style_path
from pipeline.render.pdf import pdf_html
from pipeline.writers.pdf import pagestarts

# With crop marks, the CSS bleed area holds the bleed and the marks: WeasyPrint
# draws the marks in its outer half and sets the PDF BleedBox 10 pt (3.5 mm)
# outside the TrimBox, so the marks stand outside the bleed, as print shops expect.
BLEED = "7mm"
# The stylesheet's margins (top, right, bottom, left) for an A5 page, in mm;
# smaller pages get them in proportion.
MARGINS = (18, 16, 20, 16)


@dataclass
class PdfResult:
    data: bytes
    pages: int
    warnings: list[str]
    # Where each page begins (``pagestarts.py``), for the EPUB's page list.
    print_pages: list[PrintPage] = field(default_factory=list)


@lru_cache(maxsize=None)
def _stylesheet(path: str, mtime: float):
    from weasyprint import CSS
    return CSS(filename=path)


def _css_string(text: str) -> str:
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _margins(options: PdfOptions) -> tuple[float, float, float, float]:
    """The page's margins in mm (top, right, bottom, left), in proportion on small papers."""
    factor = min(1.0, options.paper.width / 148)
    return tuple(round(m * max(factor, 0.55), 1) for m in MARGINS)


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
    paper = options.paper
    factor = min(1.0, paper.width / 148)
    top, right, bottom, left = _margins(options)
    css = f"@page {{ size: {paper.css()}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}"
    if options.marks:
        css += f" @page {{ bleed: {BLEED}; marks: crop; }}"
    if factor < 1 and not options.font_size:
        css += f" html {{ font-size: {max(7.0, 10.5 * factor):.1f}pt; }}"
    if options.font_size:
        css += f" html {{ font-size: {options.font_size.css()}; }}"
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


# Text that reaches this far (in CSS px) past the page's content area counts as
# off the page: less is the ink of a glyph or a hanging mark, not lost text.
OFF_PAGE_TOLERANCE = 2.0


def off_page_warnings(pages) -> list[str]:
    """One warning per paragraph (or cell, heading…) with text that layout put
    outside its page's content area — cut off at the page edge or printed in the
    margin, where nobody would read it; the words are named. A walk over the laid-
    out boxes, once: little next to the layout itself. Margin boxes (running
    heads, page numbers) stand outside the content area by design and are left
    alone."""
    from pipeline.writers.pdf import engine

    found: dict[int, tuple[str, list[str]]] = {}
    for element, tag, text in engine.text_off_page(pages, OFF_PAGE_TOLERANCE):
        key = id(element) if element is not None else 0
        if key not in found:
            found[key] = (_block_name(element, tag), [])
        found[key][1].append(text)
    warnings = []
    for name, words in found.values():
        shown = " ".join(dict.fromkeys(words))
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        warnings.append(f"text off the page in {name}: {shown!r} — shorten it, or break the "
                        "table into narrower ones (or give a wider --paper)")
    return warnings


def _block_name(element, tag: str) -> str:
    """``the paragraph 'Its first words…'`` for a laid-out block of ``element`` (``tag``)."""
    if element is None:
        return "the text"
    kind = {"table": "the table", "li": "the list item", "pre": "the preformatted block",
            "figcaption": "the caption", "caption": "the table caption"}.get(
        tag, "the heading" if re.fullmatch(r"h[1-6]", tag) else "the paragraph")
    if tag == "table":    # its first row, cell by cell
        row = next(element.iter("tr"), element)
        text = " | ".join(" ".join("".join(cell.itertext()).split()) for cell in row)
        kind = "the table whose first row is"
    else:
        text = " ".join("".join(element.itertext()).split())
    text = text if len(text) <= 50 else text[:47] + "..."
    return f"{kind} {text!r}" if text else kind


def _blank_document(page_css: str, count: int = 1):
    """``count`` blank pages with the book's page geometry (and crop marks), no page
    number. Laid out anew each time, never reused: WeasyPrint adds a page's crop marks
    to the laid-out page as it writes it, so a page written twice (repeated in one
    document, or again in a later build) would carry its marks twice."""
    from weasyprint import CSS, HTML
    # A break before the first element makes no page: ``count`` elements make ``count`` pages.
    body = '<div style="break-before: page"></div>' * count
    return HTML(string=f"<html><body>{body}</body></html>").render(
        stylesheets=[CSS(string=page_css + " @page { @bottom-center { content: none } }")])


def _write_parallel(prep: Prepared, options: PdfOptions, html_text: str, base_url: str | None,
                    page_css: str, page_list: bool) -> PdfResult | None:
    """A long text, its chapters laid out in parallel processes (``parallel``); None when
    it is short, one process is asked for, or an option needs the single pass (said in
    the document's changes, which ``--debug`` prints)."""
    from pipeline.writers.pdf.parallel import Stylesheets, parallel_jobs, write_parallel

    jobs = parallel_jobs(options.jobs, len(html_text))
    if jobs <= 1:
        return None
    one_pass = _one_pass_reason(options)
    if one_pass:
        prep.doc.changes.append(f"the pamphlet is laid out in one pass, not in parallel: {one_pass}")
        return None
    stylesheets = Stylesheets([str(style_path("pamphlet.css"))], [page_css], base_url, prep.doc.base_dir,
                              user_files=[str(p) for p in options.css], pdf_variant=options.variant)
    final_page = not prep.doc.metadata.nofinalpage
    made = write_parallel(html_text, stylesheets, jobs, final_page=final_page,
                          blank_pdf=_blank_pdf(page_css) if options.marks else None,
                          page_spans=page_list)
    if made is None:
        return None
    return PdfResult(data=made.data, pages=made.pages, warnings=made.warnings,
                     print_pages=pagestarts.page_starts(made.page_spans, final_page) if page_list else [])


def _one_pass_reason(options: PdfOptions) -> str:
    """Why the options need the single pass (a --css file using what a part of the book
    laid out alone cannot know, a PDF variant the join does not know), or ""."""
    from pipeline.writers.pdf.fetch import read_user_stylesheet
    from pipeline.writers.pdf.parallel.join_meta import JOINABLE
    from pipeline.writers.pdf.parallel.plan import whole_book_only

    if options.variant and options.variant not in JOINABLE:
        return f"the parts' PDFs are not joined in the variant {options.variant}"
    for path in options.css:
        found = whole_book_only(read_user_stylesheet(path))
        if found:
            return f"{path} uses {found}, which a part of the book laid out alone cannot know"
    return ""


def _blank_pdf(page_css: str) -> bytes:
    """A blank page as a one-page PDF: the parallel writer's added blank pages, with
    their crop marks and page boxes."""
    return _blank_document(page_css).write_pdf()


def write_pdf(prep: Prepared, options: PdfOptions | None = None, page_list: bool = True) -> PdfResult:
    """The pamphlet of ``prep``; with ``page_list``, where each of its pages begins
    (``PdfResult.print_pages``, read from the laid-out pages for the EPUB's page list:
    a build without an EPUB does without). Python's collector is kept out of the
    layout's way meanwhile (``collector``; the parallel layout's workers, forked
    meanwhile, inherit it)."""
    with collector.frozen(young=collector.LAYOUT_YOUNG):
        return _write_pdf(prep, options, page_list)


def _write_pdf(prep: Prepared, options: PdfOptions | None, page_list: bool) -> PdfResult:
    from pipeline.writers.pdf import engine     # before WeasyPrint, which it loads
    from weasyprint import CSS, HTML

    from pipeline import hyphenation
    from pipeline.writers.pdf.fetch import SafeFetcher, user_stylesheet

    engine.fix_footnote_policy()
    hyphenation.register()
    options = options or PdfOptions()
    doc = prep.doc
    fetcher = SafeFetcher(doc.base_dir, [Path(p).parent for p in options.css])
    base_url = (doc.base_dir.resolve().as_uri() + "/") if doc.base_dir else None
    html_text = pdf_html(prep)
    main_css = style_path("pamphlet.css")
    page_css = _page_css(options, doc.metadata.title, prep.lang)
    parallel = _write_parallel(prep, options, html_text, base_url, page_css, page_list)
    if parallel is not None:
        return parallel
    html = HTML(string=html_text, base_url=base_url, url_fetcher=fetcher)
    sheets = [_stylesheet(str(main_css), main_css.stat().st_mtime), CSS(string=page_css)]
    # Fonts a --css file names with @font-face (from its own folder, through the fetcher).
    font_config = None
    if options.css:
        font_config = engine.FontConfiguration()
    sheets += [user_stylesheet(p, fetcher, font_config) for p in options.css]
    document = html.render(stylesheets=sheets, url_fetcher=fetcher, font_config=font_config)
    pages = list(document.pages)
    off_page = off_page_warnings(pages)
    if not doc.metadata.nofinalpage and pages:
        blanks = (-len(pages)) % 4
        # The colophon's first page (it is one page unless a --css makes it longer).
        start = next((n for n, page in enumerate(pages) if "colophon" in page.anchors), len(pages) - 1)
        if blanks:
            pages = pages[:start] + _blank_document(page_css, blanks).pages + pages[start:]
            document = document.copy(pages)
    data = document.write_pdf(pdf_variant=options.variant or None)
    print_pages = (pagestarts.page_starts(pagestarts.page_spans(pages), not doc.metadata.nofinalpage)
                   if page_list else [])
    return PdfResult(data=data, pages=len(pages), warnings=fetcher.refused_messages() + off_page,
                     print_pages=print_pages)
