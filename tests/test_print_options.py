"""Print options through the command line: paper sizes, sheets, layouts, PDF variants,
and the colophon as the last page whatever the paper."""

from __future__ import annotations

import subprocess

import fitz
import pytest

from pipeline.errors import OptionError
from pipeline.writers.booklet.paper import parse_paper, parse_sheet
from conftest import ROOT, pdf_pages, pdf_text, run_cli

MM = 72 / 25.4
SAMPLE = ROOT / "sources" / "azat-miftakhov.txt"


def size_pt(pdf, page=0):
    rect = fitz.open(pdf)[page].rect
    return rect.width, rect.height


@pytest.mark.parametrize("value,mm", [
    ("a5", (148, 210)), ("A6", (105, 148)), ("half-letter", (139.7, 215.9)),
    ("quarter-letter", (107.95, 139.7)), ("pocket", (107.95, 174.625)),
    ("120x180", (120, 180)), ("5.5inx8.5in", (139.7, 215.9)), ("148mm 210mm", (148, 210)),
])
def test_paper_names_and_sizes(value, mm):
    size = parse_paper(value)
    assert (size.width, size.height) == pytest.approx(mm)


@pytest.mark.parametrize("value", ["a9", "10x10", "wide", "0x100"])
def test_bad_paper(value):
    with pytest.raises(OptionError, match="--paper"):
        parse_paper(value)


def test_sheet_names():
    assert (parse_sheet("letter").width, parse_sheet("letter").height) == (215.9, 279.4)
    with pytest.raises(OptionError, match="--sheet"):
        parse_sheet("a5x")


@pytest.mark.parametrize("args,message", [
    (["--paper", "b0"], "--paper"),
    (["--signature", "6"], "multiple of 4"),
    (["--impose", "fold"], "unknown imposition"),
    (["--duplex", "sideways"], "duplex"),
    (["--pdf-variant", "pdf/x-9"], "PDF variant"),
    (["--font-size", "big"], "--font-size"),
    (["--font-size", "0.0001pt"], "from 4pt to 36pt"),
    (["--font-size", "0pt"], "from 4pt to 36pt"),
    (["--font-size", "1mm"], "from 4pt to 36pt"),
    (["--font-size", "400px"], "from 4pt to 36pt"),
])
def test_bad_options_are_usage_errors(tmp_path, args, message):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("paper,mm", [("a6", (105, 148)), ("pocket", (107.95, 174.625)),
                                      ("quarter-letter", (107.95, 139.7)), ("a5", (148, 210))])
def test_colophon_is_the_last_page_whatever_the_paper(tmp_path, paper, mm):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf", "--paper", paper, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "azat-miftakhov.pdf"
    n = pdf_pages(pdf)
    assert n % 4 == 0
    assert size_pt(pdf) == pytest.approx((mm[0] * MM, mm[1] * MM), abs=0.05)
    last = pdf_text(pdf, n, n)
    assert "Anarchist Azat Miftakhov" in last
    assert "The Anarchist Library" in last or "Anonymous" in last
    # Nothing of the colophon before its page: the pages before it are text or blank.
    assert "Anarchist Azat Miftakhov" not in pdf_text(pdf, n - 1, n - 1) or n == 4


def test_half_letter_booklet_goes_on_letter(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "booklet", "--paper", "half-letter",
                   "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert size_pt(tmp_path / "azat-miftakhov.booklet.pdf") == pytest.approx((792, 612), abs=0.05)


def test_onepagezine_from_the_cli(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf,booklet", "--impose", "onepagezine",
                   "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    pdf, booklet = tmp_path / "azat-miftakhov.pdf", tmp_path / "azat-miftakhov.booklet.pdf"
    # Pages laid out at one eighth of an A4 sheet.
    assert size_pt(pdf) == pytest.approx((297 / 4 * MM, 105 * MM), abs=0.05)
    assert pdf_pages(booklet) == 1
    assert size_pt(booklet) == pytest.approx((297 * MM, 210 * MM), abs=0.05)


@pytest.mark.parametrize("args,parsed", [
    (["--paper", "a6", "--sheet", "a4", "--font-size", "9pt"], ["--sheet", "--paper"]),
    (["--impose", "onepagezine"], ["--paper"]),        # the eighth of the default A4 sheet
])
def test_sizes_are_read_once_per_command(tmp_path, monkeypatch, args, parsed):
    """The command line is read once (``pipeline.options``): a build of all
    three outputs parses each size it was given once — the pamphlet's and the
    booklet's writers, the EPUB's page list and the batch's digest use the
    numbers — and the font size once."""
    from typer.testing import CliRunner

    import pipeline.options
    import pipeline.writers.booklet.paper
    from pipeline.cli import app

    sizes, fonts = [], []
    parse_size, parse_font_size = pipeline.writers.booklet.paper.parse_size, pipeline.options.parse_font_size
    monkeypatch.setattr(pipeline.writers.booklet.paper, "parse_size",
                        lambda value, table, option: sizes.append(option) or parse_size(value, table, option))
    monkeypatch.setattr(pipeline.options, "parse_font_size",
                        lambda value: fonts.append(value) or parse_font_size(value))
    result = CliRunner().invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path), "--jobs", "1", "--lang", "en",
                                      *args])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "azat-miftakhov.booklet.pdf", "azat-miftakhov.epub", "azat-miftakhov.pdf"]
    assert sizes == parsed
    assert len(fonts) == 1


def pdf_box(doc, page, name: str) -> fitz.Rect:
    """A page box as the PDF writes it (x0 y0 x1 y1, origin bottom left), in mm."""
    kind, value = doc.xref_get_key(page.xref, name)
    assert kind == "array", f"no {name}"
    return fitz.Rect(*(float(v) / MM for v in value.strip("[]").split()))


def test_marks_give_the_pamphlet_crop_marks_outside_its_bleed(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf,booklet", "--marks", "--sheet", "sra4",
                   "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    doc = fitz.open(tmp_path / "azat-miftakhov.pdf")
    assert len(doc) % 4 == 0
    for page in doc:               # the blank pages before the colophon too
        media, bleed, trim = (pdf_box(doc, page, name) for name in ("MediaBox", "BleedBox", "TrimBox"))
        assert (trim.width, trim.height) == (pytest.approx(148, abs=0.05), pytest.approx(210, abs=0.05))
        assert media.x0 == pytest.approx(trim.x0 - 7, abs=0.05) and media.y1 == pytest.approx(trim.y1 + 7, abs=0.05)
        assert bleed.contains(trim) and media.contains(bleed) and trim.x0 - bleed.x0 >= 3
        # Eight strokes, two at each corner, on the trim lines, between the bleed and the
        # edge (WeasyPrint draws them to 3.5 mm from the edge, its BleedBox is 10 pt out).
        height = media.height
        strokes = [(a.x / MM, height - a.y / MM, b.x / MM, height - b.y / MM)   # to PDF coordinates, mm
                   for drawing in page.get_drawings() for kind, a, b in
                   [item[:3] for item in drawing["items"]] if kind == "l"]
        assert len(strokes) == 8, page.number
        trim_lines_x = {round(trim.x0 - media.x0, 1), round(trim.x1 - media.x0, 1)}
        trim_lines_y = {round(trim.y0 - media.y0, 1), round(trim.y1 - media.y0, 1)}
        for x0, y0, x1, y1 in strokes:
            if y0 == pytest.approx(y1):          # horizontal, at a trim line's height, outside the bleed
                assert round(y0, 1) in trim_lines_y
                assert max(x0, x1) <= bleed.x0 - media.x0 + 0.05 or min(x0, x1) >= bleed.x1 - media.x0 - 0.05
            else:                                 # vertical
                assert x0 == pytest.approx(x1) and round(x0, 1) in trim_lines_x
                assert max(y0, y1) <= bleed.y0 - media.y0 + 0.05 or min(y0, y1) >= bleed.y1 - media.y0 - 0.05
    booklet = fitz.open(tmp_path / "azat-miftakhov.booklet.pdf")
    assert booklet[0].rect.width == pytest.approx(320 * MM, abs=0.05)
    assert len(booklet[0].get_drawings()) >= 8


def test_each_blank_page_before_the_colophon_has_its_crop_marks_once(tmp_path):
    # Eight pages: title, four of text, three blank pages, colophon. WeasyPrint adds a
    # page's crop marks to the laid-out page as it writes it: one blank page repeated
    # carried its marks once, twice, three times, and more in the next build of the
    # same process.
    from pipeline.readers import read
    from pipeline.render import prepare
    from pipeline.writers.pdf import PdfOptions, write_pdf

    source = tmp_path / "blanks.md"
    paragraph = "Mutual aid among animals is a factor of evolution. " * 12
    source.write_text("---\ntitle: Blank Pages\nauthor: A. Tester\n---\n\n" + "\n\n".join([paragraph] * 10) + "\n",
                      encoding="utf-8")
    prep = prepare(read(source))
    for build in range(2):
        doc = fitz.open(stream=write_pdf(prep, PdfOptions(marks=True)).data, filetype="pdf")
        assert len(doc) == 8 and not doc[-2].get_text().strip()
        strokes = [sum(1 for drawing in page.get_drawings() for item in drawing["items"] if item[0] == "l")
                   for page in doc]
        assert strokes == [8] * 8, f"build {build + 1}: {strokes}"


def test_pdf_ua_is_tagged_with_language_and_title(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf", "--pdf-variant", "pdf/ua-1", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    info = subprocess.run(["pdfinfo", str(tmp_path / "azat-miftakhov.pdf")], capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info
    assert "Title:           Anarchist Azat Miftakhov" in info


def test_pdf_a3b(tmp_path):
    proc = run_cli("build", SAMPLE, "-o", tmp_path, "--format", "pdf", "--pdf-variant", "pdf/a-3b", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    doc = fitz.open(tmp_path / "azat-miftakhov.pdf")
    xmp = doc.get_xml_metadata()
    assert "pdfaid" in xmp and "3" in xmp.split("pdfaid:part")[1][:5]
    assert "OutputIntents" in doc.xref_object(doc.pdf_catalog())
