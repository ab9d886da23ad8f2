"""The pamphlet PDF: WeasyPrint lays out the rendering with ``styles/pamphlet.css``.

After layout, blank pages are inserted before the colophon so that the page
count is a multiple of 4 and the colophon is the back cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.fetch import SafeFetcher
from pipeline.render import Prepared, pdf_html, style_path


@dataclass
class PdfOptions:
    paper: str = "A5"                 # a CSS page size: "A5", "148mm 210mm"…
    font_size: str = ""               # e.g. "11pt"; empty keeps the stylesheet's
    css: list[Path] = field(default_factory=list)   # the user's own stylesheets, layered on top


@dataclass
class PdfResult:
    data: bytes
    pages: int
    warnings: list[str]


@lru_cache(maxsize=None)
def _stylesheet(path: str, mtime: float):
    from weasyprint import CSS
    return CSS(filename=path)


def _page_css(options: PdfOptions) -> str:
    css = f"@page {{ size: {options.paper}; }}"
    if options.font_size:
        css += f" html {{ font-size: {options.font_size}; }}"
    return css


@lru_cache(maxsize=8)
def _blank_page(page_css: str):
    from weasyprint import CSS, HTML
    return HTML(string="<html><body></body></html>").render(
        stylesheets=[CSS(string=page_css + " @page { @bottom-center { content: none } }")]).pages[0]


def write_pdf(prep: Prepared, options: PdfOptions | None = None) -> PdfResult:
    from weasyprint import CSS, HTML

    options = options or PdfOptions()
    doc = prep.doc
    fetcher = SafeFetcher(doc.base_dir)
    base_url = (doc.base_dir.resolve().as_uri() + "/") if doc.base_dir else None
    html = HTML(string=pdf_html(prep), base_url=base_url, url_fetcher=fetcher)
    main_css = style_path("pamphlet.css")
    page_css = _page_css(options)
    sheets = [_stylesheet(str(main_css), main_css.stat().st_mtime), CSS(string=page_css)]
    sheets += [CSS(string=Path(p).read_text(encoding="utf-8"), url_fetcher=fetcher) for p in options.css]
    document = html.render(stylesheets=sheets, url_fetcher=fetcher)
    pages = list(document.pages)
    if not doc.metadata.nofinalpage and pages:
        blanks = (-len(pages)) % 4
        pages = pages[:-1] + [_blank_page(page_css)] * blanks + pages[-1:]
        document = document.copy(pages)
    data = document.write_pdf()
    return PdfResult(data=data, pages=len(pages), warnings=fetcher.refused_messages())
