"""End to end: the sample article through the CLI into its three outputs, read back
with poppler and by opening the EPUB."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from conftest import (ROOT, assert_in_order_once, epub_body_text, epub_texts, epubcheck,
                      pdf_body_text, pdf_fonts, pdf_pages, pdf_text, run_cli)
from source_facts import SAMPLE, body_paragraphs

PARAGRAPHS = [re.sub(r"</?sup>", "", p) for p in body_paragraphs(SAMPLE, ("Anonymous", "12<sup>th</sup> March 2019"))]
URL = "https://bo-ak.org/index.php/en/theory-en/146-anarchist-azat-miftakhov-an-example-of-resistance"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = run_cli("build", SAMPLE, "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_three_outputs_named_after_the_source(built):
    # Hidden files are the build's own bookkeeping (the incremental-build manifest).
    assert sorted(p.name for p in built.iterdir() if not p.name.startswith(".")) == [
        "azat-miftakhov.booklet.pdf", "azat-miftakhov.epub", "azat-miftakhov.pdf"]


def test_pdf_pages_multiple_of_four_and_a5(built):
    pdf = built / "azat-miftakhov.pdf"
    assert pdf_pages(pdf) % 4 == 0
    assert page_size_mm(pdf) == (148, 210)


def page_size_mm(pdf) -> tuple[int, int]:
    import subprocess
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).group(1, 2))
    return round(w * 25.4 / 72), round(h * 25.4 / 72)


def test_pdf_title_page(built):
    first = pdf_text(built / "azat-miftakhov.pdf", 1, 1)
    assert "Anarchist Azat Miftakhov" in first and "Anonymous" in first and "12th March 2019" in first


def test_pdf_body_paragraphs_once_in_order(built):
    pdf = built / "azat-miftakhov.pdf"
    pages = pdf_pages(pdf)
    body = pdf_body_text(pdf, 2, pages - 1)
    assert_in_order_once(body, PARAGRAPHS, "PDF")
    for residue in ("Retrieved on", "theanarchistlibrary.org", "Anti-Copyright"):
        assert residue not in body


def test_pdf_colophon_is_the_last_page(built):
    pdf = built / "azat-miftakhov.pdf"
    last = pdf_text(pdf, pdf_pages(pdf), pdf_pages(pdf))
    flat = " ".join(last.split())
    order = ["The Anarchist Library", "Anti-Copyright", "Anonymous", "Anarchist Azat Miftakhov",
             "12th March 2019", "Retrieved on 15th August 2020", "theanarchistlibrary.org"]
    positions = [flat.find(part) for part in order]
    assert -1 not in positions, flat
    assert positions == sorted(positions), flat
    # the URL, broken across lines by the export, is whole again (the PDF may wrap it
    # after a hyphen, which pdftotext then joins without the hyphen)
    assert URL.replace("-", "") in re.sub(r"\s+", "", last).replace("-", "")
    # pages between the text and the colophon are blank padding
    for page in range(2, pdf_pages(pdf)):
        text = pdf_text(pdf, page, page)
        assert "theanarchistlibrary.org" not in text


def test_pdf_fonts_all_embedded(built):
    for pdf in (built / "azat-miftakhov.pdf", built / "azat-miftakhov.booklet.pdf"):
        fonts = pdf_fonts(pdf)
        assert fonts, "no fonts listed"
        assert all(f["emb"] == "yes" for f in fonts), fonts
        assert any("Libertine" in f["name"] for f in fonts), fonts


def test_booklet_is_saddle_imposed(built):
    pdf, booklet = built / "azat-miftakhov.pdf", built / "azat-miftakhov.booklet.pdf"
    n = pdf_pages(pdf)
    assert pdf_pages(booklet) == n // 2
    assert page_size_mm(booklet) == (297, 210)  # two A5 pages on an A4 sheet, landscape


def test_epub_metadata(built):
    files = epub_texts(built / "azat-miftakhov.epub")
    opf_name = next(name for name in files if name.endswith(".opf"))
    opf = etree.fromstring(files[opf_name].encode())
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    get = lambda tag: [" ".join(e.text.split()) for e in opf.iter(f"{{{dc['dc']}}}{tag}")]
    assert get("title") == ["Anarchist Azat Miftakhov – an example of resistance"]
    assert get("creator") == ["Anonymous"]
    assert get("language") == ["en"]
    assert get("date") == ["2019-03-12"]
    assert get("source") == [f"Retrieved on 15th August 2020 from {URL}"]
    assert get("publisher") == ["The Anarchist Library"]
    assert get("rights") == ["Anti-Copyright"]
    ident = get("identifier")
    assert len(ident) == 1 and ident[0].startswith("urn:uuid:")
    assert any(name.endswith("nav.xhtml") for name in files) and any(name.endswith(".ncx") for name in files)


def test_epub_identifier_is_stable(built, tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "epub")
    assert proc.returncode == 0, proc.stderr
    opf = lambda p: next(v for k, v in epub_texts(p).items() if k.endswith(".opf"))
    ident = lambda p: re.search(r"<dc:identifier[^>]*>([^<]+)<", opf(p)).group(1)
    assert ident(tmp_path / "azat-miftakhov.epub") == ident(built / "azat-miftakhov.epub")


def test_epub_body_paragraphs_once_in_order(built):
    text = epub_body_text(built / "azat-miftakhov.epub")
    assert_in_order_once(text, PARAGRAPHS, "EPUB")
    for residue in ("Retrieved on", "theanarchistlibrary.org", "Anti-Copyright"):
        assert residue not in text


def test_epub_colophon(built):
    files = epub_texts(built / "azat-miftakhov.epub")
    colophon = next(v for k, v in files.items() if k.endswith("colophon.xhtml"))
    for part in ("The Anarchist Library", "Anti-Copyright", "Anonymous", "12th March 2019",
                 "Retrieved on 15th August 2020", URL, "theanarchistlibrary.org"):
        assert part in colophon


def test_epubcheck_clean(built):
    result = epubcheck([built / "azat-miftakhov.epub"])[built / "azat-miftakhov.epub"]
    assert result.clean, result.messages


@pytest.mark.parametrize("case", ["missing", "empty", "whitespace", "no-title"])
def test_bad_input_clear_error_no_output(tmp_path, case):
    src = tmp_path / "in" / "article.txt"
    src.parent.mkdir()
    if case == "empty":
        src.write_bytes(b"")
    elif case == "whitespace":
        src.write_text(" \n\n\t\n")
    elif case == "no-title":
        src.write_text("The Anarchist Library  \nAnti-Copyright\n\nA paragraph of text without any title.\n")
    out = tmp_path / "out"
    proc = run_cli("build", src, "-o", out)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(src) in lines[0]
    expected = {"missing": "no such file", "empty": "empty", "whitespace": "empty", "no-title": "no title"}[case]
    assert expected in lines[0]
    assert not out.exists() or not any(out.rglob("*"))


def test_usage_error_exit_2(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf,nonsense")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_help_does_not_import_engines():
    import subprocess, sys
    code = ("import sys; sys.argv=['zinepress','--help']\n"
            "from pipeline.cli import app\n"
            "try:\n app()\nexcept SystemExit: pass\n"
            "heavy=[m for m in ('weasyprint','ebooklib','fitz','lxml','markdown') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert "HEAVY []" in out, out
