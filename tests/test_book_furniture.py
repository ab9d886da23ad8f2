"""The book's furniture in the book's language, headings without note numbers
in contents and bookmarks, note numbers beside their note, ruby in both outputs."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import FIXTURES, epubcheck, pdf_text, run_cli
from pipeline.labels import LABELS, labels_for

HEADED = """#title Notes in headings
#author A. Writer
#lang {lang}

* First part[1]

Some text that says a little.

* Second part{{1}}

More text, and a long note.[2]

[1] The first note.

[2] A note long enough to run over more than one line at the foot of the page, so that the number standing alone above its text would show: it has to begin the first line instead, as every note does.

{{1}} A secondary note.
"""


@pytest.mark.parametrize("lang", ["fr", "es", "de", "it", "pt", "ru", "mk", "sr", "hr", "bs", "sh",
                                  "zh", "ja", "ko", "fa", "ar", "el", "tr"])
def test_labels_translated_for_the_librarys_languages(lang):
    assert labels_for(lang) != labels_for("en")
    assert labels_for(lang + "-XX") == labels_for(lang)


def test_unknown_language_falls_back_to_english():
    assert labels_for("xx") == labels_for("") == labels_for("en")
    assert len({len(v) for v in LABELS.values()}) == 1


def test_prepare_leaves_its_input_unchanged():
    """``prepare`` gives headings ids and short titles and says the language it
    guessed on a new document: the one it is given is as it was."""
    from dataclasses import asdict

    from lxml import etree

    from pipeline.readers import muse
    from pipeline.render import prepare

    doc = muse.parse(HEADED.replace("#lang {lang}\n", "").replace("{{1}}", "{1}"))

    def state(d):
        return (etree.tostring(d.body), [(n.id, n.label, etree.tostring(n.body)) for n in d.notes.values()],
                asdict(d.metadata), list(d.warnings), list(d.changes))

    before = state(doc)
    prep = prepare(doc)
    assert state(doc) == before
    assert prep.doc is not doc
    assert [h.get("id") for h in prep.doc.headings()] == ["h1", "h2"]
    assert [h.get("data-toc") for h in prep.doc.headings()] == ["First part", "Second part"]
    assert prep.doc.warnings[-1].startswith("the source states no language")
    assert not any(h.get("id") or h.get("data-toc") for h in doc.headings())


@pytest.fixture(scope="module")
def headed(tmp_path_factory):
    out = tmp_path_factory.mktemp("headed")
    src = out / "headed.muse"
    src.write_text(HEADED.format(lang="fr"), "utf-8")
    proc = run_cli("build", src, "-o", out, "--format", "pdf,epub")
    assert proc.returncode == 0, proc.stderr
    return out / "headed"


def test_contents_and_bookmarks_carry_no_note_numbers(headed):
    import fitz

    toc = [title for _, title, _ in fitz.open(headed.with_suffix(".pdf")).get_toc()]
    assert toc[-2:] == ["First part", "Second part"]
    assert not any(ch.isdigit() or ch in "{}" for title in toc for ch in title), toc
    contents = pdf_text(headed.with_suffix(".pdf"), 2, 2)
    assert "Table des matières" in contents
    assert "First part " in contents or "First part." in contents
    assert "part1" not in contents and "{1}" not in contents
    with zipfile.ZipFile(headed.with_suffix(".epub")) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
        ncx = z.read("EPUB/toc.ncx").decode()
    assert ">First part</a>" in nav and ">Second part</a>" in nav and "Table des matières" in nav
    assert "<text>First part</text>" in ncx and "<text>Second part</text>" in ncx


def test_running_heads_carry_no_note_numbers(headed):
    text = pdf_text(headed.with_suffix(".pdf"))
    assert "Second part{1}" not in text and "First part1" not in text


def test_note_number_begins_its_note_line(headed):
    import fitz

    doc = fitz.open(headed.with_suffix(".pdf"))
    found = 0
    for page in doc:
        lines: dict = {}
        for x0, y0, x1, y1, word, block, line, _ in page.get_text("words"):
            lines.setdefault((block, line), []).append(word)
        for words in lines.values():
            if words[0] in ("1.", "2.", "{1}."):
                found += 1
                assert len(words) > 1, words      # the number is not alone on its line
    assert found == 3


def test_epub_passes_epubcheck(headed):
    path = headed.with_suffix(".epub")
    assert epubcheck([path])[path].clean


JAPANESE = FIXTURES / "scripts" / "ja-mutual-aid.muse"


@pytest.fixture(scope="module")
def japanese(tmp_path_factory):
    out = tmp_path_factory.mktemp("ja")
    proc = run_cli("build", JAPANESE, "-o", out, "--format", "pdf,epub")
    assert proc.returncode == 0, proc.stderr
    return out / JAPANESE.stem


def test_ruby_in_the_epub(japanese):
    with zipfile.ZipFile(japanese.with_suffix(".epub")) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
        opf = z.read("EPUB/content.opf").decode()
    assert "<ruby>相互扶助<rt>そうごふじょ</rt></ruby>" in text
    assert "<ruby>自治<rt>じち</rt></ruby>" in text
    assert "&lt;ruby" not in text and "|" not in text
    assert "<dc:language>ja</dc:language>" in opf
    assert epubcheck([japanese.with_suffix(".epub")])[japanese.with_suffix(".epub")].clean


def test_ruby_in_the_pdf_annotation_after_its_base(japanese):
    import fitz

    doc = fitz.open(japanese.with_suffix(".pdf"))
    spans = [span for page in doc for block in page.get_text("dict")["blocks"]
             for line in block.get("lines", []) for span in line["spans"]]
    texts = [span["text"] for span in spans]
    at = next(n for n, t in enumerate(texts) if t.endswith("相互扶助"))
    note = spans[at + 1]
    assert note["text"] == "(そうごふじょ)"
    assert note["size"] < spans[at]["size"]
    text = pdf_text(japanese.with_suffix(".pdf"))
    assert "<ruby>" not in text and "相互扶助(そうごふじょ)" in text


ETHICS_NOTES = FIXTURES / "ethics-notes.muse"      # two notes of the corpus's Ethics, as written


def test_note_words_stay_whole(tmp_path):
    # WeasyPrint 70 breaks the words of an element (here emphasis) inside an
    # inline box anywhere, without a hyphen, under overflow-wrap: break-word
    # ("trib|e", "me|mory"): the note's first paragraph, run in after its
    # number, must not be such a box.
    from collections import Counter

    proc = run_cli("build", ETHICS_NOTES, "-o", tmp_path, "--format", "pdf")
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(tmp_path / "ethics-notes.pdf").replace("\u2010\n", "")
    source = re.sub(r"<[^>]+>", "", ETHICS_NOTES.read_text("utf-8").split("\n\n", 2)[2])
    printed = Counter(re.findall(r"[^\W\d_]+", text))
    wanted = Counter(w for w in re.findall(r"[^\W\d_]+", source) if len(w) >= 4)
    assert not {w: n for w, n in wanted.items() if printed[w] < n}
