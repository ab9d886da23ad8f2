"""Markdown reader: front matter, vocabulary, footnotes, sanitising, sniffing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import corpus_file
from pipeline.errors import SourceSyntaxError
from pipeline.readers import markdown

FIX = Path(__file__).parent / "fixtures"


def parse(text: str):
    return markdown.parse(text, Path("t.md"))


def html(el) -> str:
    return etree.tostring(el, encoding="unicode")


def test_sample_document():
    doc = parse((FIX / "markdown" / "sample.md").read_text())
    m = doc.metadata
    assert m.title == "Anarchist Morality: a Test"
    assert m.authors == ["Peter Kropotkin", "Someone Else"]
    assert (m.date, m.lang, m.topics) == ("1897", "en", ["ethics", "morality"])
    assert m.extra == {"translator": "Nobody"}
    body = html(doc.body)
    assert "<h1>" not in body  # the title heading is on the title page
    assert "<h2>First part</h2>" in body
    assert '<a class="noteref" href="#fn-1">1</a>' in body
    assert "<blockquote><p>A quotation" in body
    assert '<pre>literal -- "text"</pre>' in body
    assert "<table><thead><tr><th>a</th>" in body
    assert '<span class="sc">small caps</span>' in body
    for bad in ("script", "alert", "iframe", "onclick", "evil"):
        assert bad not in body
    assert html(doc.notes["fn-1"].body) == \
        "<div><p>The note <em>body</em>.</p><p>Its second paragraph.</p></div>"


@pytest.mark.parametrize("front,authors", [
    ("author: Emma Goldman", ["Emma Goldman"]),
    ("authors: [A, B]", ["A", "B"]),
    ("authors:\n  - A\n  - B", ["A", "B"]),
    ("", []),
])
def test_author_forms(front, authors):
    assert parse(f"---\n{front}\n---\n\ntext\n").metadata.authors == authors


def test_title_from_lone_heading_and_other_headings_kept():
    doc = parse("# The Title\n\ntext\n\n## Part\n")
    assert doc.metadata.title == "The Title"
    assert [h.tag for h in doc.headings()] == ["h2"]
    doc = parse("---\ntitle: Other\n---\n# One\n\n# Two\n")
    assert [h.text for h in doc.headings()] == ["One", "Two"]


def test_bad_front_matter_is_a_clear_error():
    with pytest.raises(SourceSyntaxError) as info:
        parse("---\ntitle: a: b: [\n---\ntext\n")
    assert "t.md" in str(info.value) and "front matter" in str(info.value)


def test_images_become_figures_and_javascript_links_go():
    body = html(parse("![alt text](img/a.png)\n\n[x](javascript:alert(1))\n").body)
    assert '<figure><img src="img/a.png" alt="alt text"/></figure>' in body
    assert "javascript" not in body


def test_sniff_scores():
    assert markdown.sniff("---\ntitle: x\n---\n# A\n\n*b*\n") == 40
    assert markdown.sniff("just words\n") == 0
    exports = sorted(corpus_file("export").glob("*.md"))
    assert exports, "no export texts in the corpus"
    for path in exports + [corpus_file("seed/azat-miftakhov.txt")]:
        assert markdown.sniff(path.read_text(encoding="utf-8")) <= 40, path.name


# --- pandoc's Markdown ------------------------------------------------------------

def test_pandoc_extensions_are_read():
    from pipeline.readers import read
    doc = read(Path(__file__).parent / "fixtures" / "markdown" / "pandoc-extensions.md")
    html = etree.tostring(doc.body, encoding=str)
    m = doc.metadata
    assert (m.title, m.subtitle, m.authors, m.date, m.lang, m.rights) == (
        "Les Temps nouveaux", "Conférence faite à Londres", ["Pierre Kropotkine", "Élisée Reclus"], "1976",
        "fr", "Domaine public")
    assert "2<sup>e</sup>" in html and "H<sub>2</sub>O" in html and "<del>barré</del>" in html
    assert "»Espoir»" in html and "*sans*" in html and "_ni_" in html
    assert "1976 :<br/>ici" in html
    prose = etree.tostring(doc.body, encoding=str, method="text", with_tail=False)
    for code in doc.body.iter("code", "pre"):
        prose = prose.replace(code.text, "")
    for residue in (":::", "{#", "{.", "\\", "^[", "^", "~"):
        assert residue not in prose, residue
    # the ordinary note and the inline one are both notes, in reading order
    assert [n.label for n in doc.notes.values()] == ["1", "2"]
    assert "".join(doc.notes["fn-inline-1"].body.itertext()) == "Une note [en ligne] avec emphase."
    # code is left as written
    assert [c.text for c in doc.body.iter("code", "pre")] == [
        "^[pas une note]", "^[pas une note non plus] ::: ni une clôture"]


PANDOC_FROM_MUSE = ["Action_of_Masses.muse", "The_Direct_Action_Of_Environment_And_Evolution.muse",
                    "Wars_And_Capitalism.muse", "Law_and_Authority.muse"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", PANDOC_FROM_MUSE)
def test_markdown_written_by_pandoc_from_a_muse_text_reads_the_same(tmp_path, name):
    """`pandoc -s -t markdown` of a corpus text: every note a note, every word in order."""
    import subprocess

    from pipeline.readers import read
    muse = corpus_file(f"muse/{name}")
    md = tmp_path / (muse.stem + ".md")
    subprocess.run(["pandoc", "-f", "muse", "-s", "-t", "markdown", str(muse), "-o", str(md)], check=True)
    original, converted = read(muse), read(md)
    assert converted.format == "markdown"
    assert (converted.metadata.title, converted.metadata.authors) == (original.metadata.title,
                                                                    original.metadata.authors)

    def words(tree) -> list[str]:
        # letters and digits only: pandoc curls the apostrophes and quotes of Muse
        return re.findall(r"[^\W_]+", " ".join(tree.itertext()))

    assert len(converted.notes) == len(original.notes) > 0
    assert [words(n.body) for n in converted.notes.values()] == [words(n.body) for n in original.notes.values()]
    assert words(converted.body) == words(original.body)
    # and none of pandoc's marks printed ("1^st^", "\\[", "1976:\\")
    assert not re.search(r"[\^\\]", " ".join(converted.body.itertext()))


def test_pandocs_simple_multiline_and_grid_tables_are_tables():
    # written by pandoc 2.17 (`-t markdown`) from an HTML page and a pipe table
    from pipeline.readers import read
    doc = read(Path(__file__).parent / "fixtures" / "markdown" / "pandoc-tables.md")

    def cells(table) -> list[list[str]]:
        return [[" ".join("".join(c.itertext()).split()) for c in tr] for tr in table.iter("tr")]

    tables = [cells(t) for t in doc.body.iter("table")]
    assert tables == [
        [["Name", "Born", "Place"], ["Kropotkin", "1842", "Moscow"], ["Reclus", "1830", "Sainte-Foy"]],
        [["Name", "Year", "Note"], ["Kropotkin", "1842", "born in Moscow"],
         ["Bakunin", "1814", "a long note that goes on and on and on and on and on, so that pandoc has to wrap "
                             "it over more than one line of the table"]],
        [["Press", "Papers"], ["Freedom", "- Freedom, a monthly - Freedom pamphlets"],
         ["Le Révolté", "Geneva, 1879 then Paris, as La Révolte"]],
        [["Kropotkin", "1842"], ["Bakunin", "1814"]]]
    assert [th.text for th in next(doc.body.iter("table")).iter("th")] == ["Name", "Born", "Place"]
    assert next(doc.body.iter("em")).text == "La Révolte"
    # no dash or border line left; a setext heading and a "- - -" rule are still themselves
    text = " ".join(doc.body.itertext())
    assert "---" not in text and "+==" not in text and "|" not in text
    assert [h.text for h in doc.body.iter("h2")] == ["Setext heading"] and len(list(doc.body.iter("hr"))) == 1


def test_dash_lines_that_are_no_table_stay_text():
    from pipeline.readers.pandoc_tables import rewrite
    for text in ("Title\n-----\n\nText.\n", "Text.\n\n- - -\n\nMore.\n", "Prose that runs on\n--- ---\nand on\n", "Text.\nA line\n--- ---\nno blank above\n",
                 "+---+\n| a |\nno closing border\n", "+---+---+\n| a   b |\n+---+---+\n"):
        assert rewrite(text) == text


def test_a_pandoc_tables_caption_is_a_paragraph_without_its_mark():
    from pipeline.readers.pandoc_tables import rewrite
    text = "  Name   Born\n  ------ ------\n  Reclus 1830\n\n  : Born where\n\nAfter.\n"
    assert rewrite(text).split("\n") == ["", "| Name | Born |", "|---|---|", "| Reclus | 1830 |", "",
                                         "Born where", "", "After.", ""]


TREE_TEXTS = [
    "# Title {#top lang=fr onclick=x}\n\nHello *w* and **s** [^1], a [web](http://x.org \"t\"), "
    "a [mail](mailto:a@b.c), a [local](other.html), a [bad](javascript:y), an [anchor](#top), "
    "[bracket](http://[) and ![alt text](pic.png) in a line  \nbroken.\n\n"
    "> quoted ^sup^ ~sub~ ~~del~~\n\n- one\n- two\n    1. inner\n\n"
    "| a | b |\n|:--|--:|\n| 1 | `co` |\n\n    code block\n\nPara {.sc lang=de Style=x}\n\n"
    "[^1]: a note with *emphasis*\n\n    and a second paragraph\n",
    "Footnotes only at the end[^a] and [^b].\n\n[^a]: one\n[^b]: two ![i](x.png)\n",
]


@pytest.mark.parametrize("text", TREE_TEXTS)
def test_the_tree_taken_directly_reads_as_its_html_would(text):
    """Without raw HTML, Python-Markdown's tree is converted without the round trip
    through HTML, the sanitizer and lxml: to the same Document."""
    from pipeline.readers import bounded_markdown, pandoc_markdown
    from pipeline.readers.html import html_to_body, own_tree_to_body

    _, body_text, _ = markdown.split_front_matter(text)
    body_text = pandoc_markdown.preprocess(body_text)
    md, tree, _ = bounded_markdown.convert_to_tree(
        body_text, ["footnotes", "tables", *pandoc_markdown.extensions()], text, footnotes={"BACKLINK_TEXT": ""})
    assert md.htmlStash.html_counter == 0
    by_html = html_to_body(bounded_markdown.html(md, tree), text)
    direct = own_tree_to_body(tree, md.postprocessors)
    assert direct is not None
    for (a, b) in [(by_html[0], direct[0]), *zip((n.body for n in by_html[1].values()),
                                                 (n.body for n in direct[1].values()))]:
        assert html(a) == html(b)
    assert [(n.id, n.label) for n in by_html[1].values()] == [(n.id, n.label) for n in direct[1].values()]
    assert by_html[2] == direct[2]



def _rules_and_headings(n: int) -> str:
    return "".join(f"Line {i} of *text*\n" + ("# Heading %d\n" % i if i % 3 == 0 else "---- ----\n")
                   for i in range(n))


def test_a_block_of_a_few_rules_and_headings_is_left_to_python_markdown():
    from pipeline.readers import bounded_markdown

    text = "Title\n-----\n" + _rules_and_headings(bounded_markdown.MAX_CUTS_PER_BLOCK - 1)
    md, tree, warnings = bounded_markdown.convert_to_tree(text, ["tables"], text)
    import markdown as markdown_lib

    upstream = markdown_lib.Markdown(extensions=["tables"], output_format="html")
    assert bounded_markdown.html(md, tree) == upstream.convert(text) and not warnings


def test_a_block_of_many_rules_and_headings_is_read_as_blocks_with_a_warning(tmp_path):
    """Python-Markdown tests the rest of a block again after each rule or heading
    in it: past ``MAX_CUTS_PER_BLOCK`` of them, each is a block of its own."""
    from pipeline.readers import bounded_markdown, read

    n = 3 * bounded_markdown.MAX_CUTS_PER_BLOCK
    path = tmp_path / "rules.md"
    path.write_text("---\ntitle: T\nauthor: A\n---\n\nBefore.\n\nTitle\n-----\n" + _rules_and_headings(n) + "\nAfter.\n")
    doc = read(path)
    assert [w for w in doc.warnings if "rules and headings without a blank line" in w] == [
        f"line 8: a block of {n + 1} rules and headings without a blank line between them is read as if "
        "blank lines stood around each of them: as it stands, reading it would take too long"]
    blocks = [(el.tag, "".join(el.itertext())) for el in doc.body]
    expected = [("p", "Before."), ("h2", "Title")]
    for i in range(n):
        expected.append(("p", f"Line {i} of text"))
        expected.append(("h1", f"Heading {i}") if i % 3 == 0 else ("hr", ""))
    assert blocks == expected + [("p", "After.")]
    assert len(list(doc.body.iter("em"))) == n
