"""The EPUB at the bar of DAISY Ace (accessibility, 0 violations of any impact),
the Nu HTML checker (0 errors but EPUB's own ``epub:type``) and EPUBCheck, and
what those checks and the accessibility metadata rest on: the package's
language, the colophon's role, headings without gaps, the rights, a summary
that claims only what is true, the NCX's depth and play order, language spans,
images that are missing, spacer lines, files cut by size, and the page list
that follows the pamphlet.

The books checked here are the fixtures of ``fixtures/standards/`` (one
construct each: a note, skipped heading levels, a language span, missing images
with and without words, a spacer line, publisher and rights; and a text with
none of those). The corpus build's books go through Ace, the Nu checker and the
page-list checks in ``test_epub_corpus.py``."""

from __future__ import annotations

import re
import shutil

import pytest
from lxml import etree

from conftest import FIXTURES, ace_check, epubcheck, nu_check, run_cli
from epub_checks import NS, Book, check_page_list, nav_doc

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("standards")
    src = root / "src"
    shutil.copytree(FIXTURES / "standards", src)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    proc = run_cli("build", src / "constructs.muse", src / "plain-words.muse",
                   "-o", root / "out", "--format", "pdf,epub", "--jobs", "2", env=env)
    assert proc.returncode == 0, proc.stderr
    alone = run_cli("build", src / "plain-words.muse", "-o", root / "alone", "--format", "epub", env=env)
    assert alone.returncode == 0, alone.stderr
    epubs = {p.stem: p for p in (root / "out").glob("*.epub")}
    epubs["alone"] = root / "alone" / "plain-words.epub"
    return epubs, root, proc.stderr


def test_epubcheck_ace_and_nu_find_nothing(built, tmp_path):
    epubs, _, _ = built
    paths = list(epubs.values())
    checked = epubcheck(paths)
    assert all(r.clean for r in checked.values()), {p.name: r.messages for p, r in checked.items() if not r.clean}
    ace = ace_check(paths, tmp_path / "ace")
    assert not any(ace.values()), {p.name: v for p, v in ace.items() if v}
    nu = nu_check(paths, tmp_path / "nu")
    assert not any(nu.values()), {p.name: v for p, v in nu.items() if v}


def test_package_language_rights_and_publisher(built):
    constructs, plain = Book.open(built[0]["constructs"]), Book.open(built[0]["plain-words"])
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert constructs.opf.get(xml_lang) == "en"
    assert constructs.dc("rights") == ["Anti-Copyright"] and constructs.dc("publisher") == ["The Example Press"]
    # Never invented: a source that states no rights says so, and names no publisher.
    rights = plain.opf.xpath("//dc:rights", namespaces=NS)
    assert [r.text for r in rights] == ["The source states no rights or licence."]
    assert rights[0].get(xml_lang) == "en" and plain.dc("publisher") == []


def test_colophon_has_its_role(built):
    book = Book.open(built[0]["constructs"])
    section = book.xhtml("colophon.xhtml").xpath("//x:section[contains(@epub:type, 'colophon')]", namespaces=NS)
    assert section and section[0].get("role") == "doc-colophon"


def test_headings_have_no_gaps_and_the_contents_keep_the_source_levels(built):
    book = Book.open(built[0]["constructs"])
    levels = [int(h.tag[-1]) for href in book.spine() for h in book.xhtml(href).xpath(
        "//x:section[contains(@epub:type,'chapter')]//*[self::x:h1 or self::x:h2 or self::x:h3 or self::x:h4]",
        namespaces=NS)]
    assert levels == [2, 3, 2]          # the source says ** / **** / **: h2, h4, h2
    _, nav = nav_doc(book)
    nested = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li[1]/x:ol/x:li/x:a/text()", namespaces=NS)
    assert nested == ["A subsection two levels down"]


def test_language_spans_carry_xml_lang(built):
    book = Book.open(built[0]["constructs"])
    spans = [el for href in book.spine() for el in book.xhtml(href).xpath("//x:span[@lang]", namespaces=NS)]
    assert spans and all(el.get("{http://www.w3.org/XML/1998/namespace}lang") == el.get("lang") == "fr"
                         for el in spans)


def test_summary_and_features_say_only_what_is_true(built):
    constructs, plain = Book.open(built[0]["constructs"]), Book.open(built[0]["plain-words"])
    with_notes, without = constructs.meta("schema:accessibilitySummary")[0], plain.meta("schema:accessibilitySummary")[0]
    assert "linked both ways" in with_notes and "linked both ways" not in without
    assert "nested table of contents" in with_notes and "nested" not in without
    assert "printPageNumbers" in constructs.meta("schema:accessibilityFeature")
    assert "structuralNavigation" not in plain.meta("schema:accessibilityFeature")


def _ncx(book: Book) -> etree._Element:
    item = next(i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
    return etree.fromstring(book.read(item.get("href")))


def test_ncx_depth_and_play_order(built):
    for name, depth in (("constructs", 2), ("plain-words", 1)):
        ncx = _ncx(Book.open(built[0][name]))
        assert ncx.xpath("//*[local-name()='meta'][@name='dtb:depth']/@content") == [str(depth)], name
        orders = [int(o) for o in ncx.xpath("//*[local-name()='navPoint' or local-name()='pageTarget']/@playOrder")]
        assert orders == list(range(1, len(orders) + 1)), name
    targets = _ncx(Book.open(built[0]["constructs"])).xpath("//*[local-name()='pageTarget']/@value")
    assert targets and targets == sorted(targets, key=int)


def test_missing_image_warns_and_keeps_its_words(built):
    epubs, _, stderr = built
    assert "missing-picture.png" in stderr and "missing-without-words.png" in stderr
    book = Book.open(epubs["constructs"])
    href = next(h for h in book.spine() if h.startswith("text"))
    text = book.read(href).decode()
    assert "<figure/>" not in text and "<figure></figure>" not in text
    figures = book.xhtml(href).xpath("//x:figure", namespaces=NS)
    assert [" ".join("".join(f.itertext()).split()) for f in figures] == ["A picture that is not there"]


def test_spacer_line_is_no_paragraph(built):
    book = Book.open(built[0]["constructs"])
    for href in book.spine():
        for p in book.xhtml(href).xpath("//x:p", namespaces=NS):
            assert "".join(p.itertext()).strip() or p.xpath(".//x:img", namespaces=NS), \
                f"{href}: an empty paragraph {etree.tostring(p)}"


def test_long_urls_wrap():
    from pipeline.render import style_path
    css = re.sub(r"/\*.*?\*/", "", style_path("epub.css").read_text(), flags=re.S)
    rule = next(r for r in re.findall(r"([^{}]+)\{([^}]*)\}", css) if "overflow-wrap" in r[1])
    assert {"p", "a", "li"} <= {s.strip() for s in rule[0].split(",")}


@pytest.mark.parametrize("text, heading", [("无政府主义" * 3000, "h2"), ("анархизам " * 3000, "h3")])
def test_long_chinese_and_cyrillic_texts_are_cut_by_size(text, heading):
    from pipeline.render.epub import split_chapters
    body = etree.Element("body")
    for n in range(4):
        etree.SubElement(body, heading).text = f"{n}"
        etree.SubElement(body, "p").text = text       # 15 000 characters, 30–45 KB each
    assert len(split_chapters(body)) == 4


def test_page_list_follows_the_pamphlet(built):
    epubs, root, _ = built
    book = Book.open(epubs["constructs"])
    numbers = check_page_list(book, root / "out" / "constructs.pdf")
    assert numbers[0] == 1 and book.xhtml("titlepage.xhtml").xpath("//*[@id='page-1']")
    source = book.meta("pageBreakSource")[0]
    assert "pamphlet" in source and "A5" in source, source


def test_epub_alone_has_no_page_list(built):
    book = Book.open(built[0]["alone"])
    _, nav = nav_doc(book)
    assert not nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    assert "printPageNumbers" not in book.meta("schema:accessibilityFeature")
    assert not book.meta("pageBreakSource")


def test_empty_header_cell_is_a_plain_cell():
    from pipeline.render.epub import _epub_fragment
    body = etree.fromstring("<body><table><tr><th/><th>1902</th></tr><tr><th>Kropotkin</th><td>x</td></tr></table></body>")
    html = _epub_fragment(body, "text001.xhtml", {})
    assert html.startswith("<table><tr><td/><th>1902</th></tr><tr><th>Kropotkin</th>"), html
