"""Right-to-left books: Persian and Arabic fixtures (tests/fixtures/scripts/,
written for these tests: a few paragraphs, a note, a list, Latin runs) built
into the three outputs and read back."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from conftest import FIXTURES, alnum, epubcheck, pdf_fonts, pdf_text, run_cli
from pipeline.writers.booklet import sheet_sides
from pipeline.scripts import direction

SCRIPTS = FIXTURES / "scripts"
SOURCES = {"fa": SCRIPTS / "fa-malatesta-anarchy.muse", "ar": SCRIPTS / "ar-kropotkin-morality.muse"}
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.parametrize("lang,expected", [
    ("fa", "rtl"), ("ar", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("ps", "rtl"), ("ckb", "rtl"),
    ("yi", "rtl"), ("fa-IR", "rtl"), ("ku-Arab", "rtl"), ("ku", "ltr"), ("az-Latn", "ltr"),
    ("en", "ltr"), ("zh", "ltr"), ("", "ltr"),
])
def test_direction_from_the_language_tag(lang, expected):
    assert direction(lang) == expected


def test_booklets_bound_on_the_right_are_mirrored():
    for layout in ("saddle", "2up", "onepagezine"):
        ltr, rtl = sheet_sides(layout, 8), sheet_sides(layout, 8, rtl=True)
        columns = 1 + max(s.col for side in ltr for s in side)
        for a, b in zip(ltr, rtl):
            assert sorted((columns - 1 - s.col, s.row, s.page) for s in a) == sorted((s.col, s.row, s.page) for s in b)
    front = sheet_sides("saddle", 8, rtl=True)[0]
    assert [s.page for s in sorted(front, key=lambda s: s.col)] == [0, 7]    # page 1 left, back cover right


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtl")
    proc = run_cli("build", *SOURCES.values(), "-o", out)
    assert proc.returncode == 0, proc.stderr
    return {lang: out / src.stem for lang, src in SOURCES.items()}


def epub_documents(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith(".xhtml")}, z.read("EPUB/content.opf").decode()


@pytest.mark.parametrize("lang", SOURCES)
def test_epub_is_right_to_left(built, lang):
    docs, opf = epub_documents(built[lang].with_suffix(".epub"))
    assert 'page-progression-direction="rtl"' in opf
    for name, data in docs.items():
        root = etree.fromstring(data)
        assert root.get("dir") == "rtl", name
        assert "<<<" not in data.decode() and ">>>" not in data.decode(), name
    text = b"".join(docs.values()).decode()
    latin = re.findall(r'<span dir="ltr">([^<]+)</span>', text)
    assert latin and all(re.fullmatch(r"[A-Za-z’ àè]+", run) for run in latin), latin


def test_epubs_pass_epubcheck(built):
    paths = [p.with_suffix(".epub") for p in built.values()]
    results = epubcheck(paths)
    for path in paths:
        assert results[path].clean, results[path].messages


def words(text: str) -> list[str]:
    """Letters-and-digits tokens; digits apart from letters, since poppler's
    bidi reordering moves the space around a number or a note call
    ("۱۸۹۱ به" may come out "۱۸۹۱به")."""
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", " ", text)
    text = re.sub(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", text)
    return [w for w in (alnum(t) for t in text.split()) if w]


def body_words(lang: str) -> list[str]:
    import copy

    from pipeline.build import BuildOptions, load
    from pipeline.document import remove_keeping_tail

    body = copy.deepcopy(load(SOURCES[lang], BuildOptions()).body)
    for ref in body.xpath("//a[@class='noteref']"):
        remove_keeping_tail(ref)
    return words(" ".join(body.itertext()))


def test_persian_pdf_text_reads_in_order(built):
    """Every word of the body, in reading order, in poppler's text (notes and
    running heads may come between)."""
    got = words(pdf_text(built["fa"].with_suffix(".pdf")))
    position = 0
    for n, word in enumerate(body_words("fa")):
        found = got.index(word, position) if word in got[position:] else -1
        assert found >= 0, f"word {n} {word!r} missing or out of order (after {got[position - 3:position]})"
        position = found + 1


def test_arabic_pdf_has_every_word(built):
    """Every word of the Arabic body in the PDF's text, read with PyMuPDF and
    compared on the letters with spaces left out. Reading order is checked on
    the Persian text only: WeasyPrint raises or lowers Arabic vowel marks
    (tanwin, shadda) with a text rise, which poppler takes for another line and
    which splits words for PyMuPDF (see README)."""
    import fitz

    doc = fitz.open(built["ar"].with_suffix(".pdf"))
    got = alnum("".join(page.get_text() for page in doc))
    missing = [w for w in body_words("ar") if w not in got]
    assert not missing


@pytest.mark.parametrize("lang", SOURCES)
def test_pdf_fonts_cover_the_script_and_are_embedded(built, lang):
    fonts = pdf_fonts(built[lang].with_suffix(".pdf"))
    assert any("Naskh" in f["name"] for f in fonts), fonts
    assert all(f["emb"] == "yes" for f in fonts)


def test_booklet_first_sheet_has_page_one_on_the_left(built):
    import fitz

    sheet = fitz.open(built["fa"].with_suffix(".booklet.pdf"))[0]
    middle = sheet.rect.width / 2
    left = fitz.Rect(0, 0, middle, sheet.rect.height)
    right = fitz.Rect(middle, 0, sheet.rect.width, sheet.rect.height)
    # The colophon (the back cover) names the source; the title page does not.
    assert "zinepress" in sheet.get_text(clip=right)
    assert "zinepress" not in sheet.get_text(clip=left)
    assert "آنارشی" in sheet.get_text(clip=left)


def test_running_heads_change_sides():
    from pipeline.writers.pdf import _script_css

    css = _script_css("fa")
    assert re.search(r"@page :left \{ @top-center \{ content: string\(chapter", css)
    assert re.search(r"@page :right \{ @top-center \{ content: string\(running-title", css)
    assert _script_css("en") == ""
