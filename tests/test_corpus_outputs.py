"""Every .muse text of the corpus (``muse/``, ``zh/``, ``mk/``, the manual), built
once to all three outputs: no word of the source lost in the PDF or the EPUB,
in order; as many footnotes and headings in each output as in the source; the
footnotes of the PDF on the pages of their references; every font embedded.
(EPUBCheck over the whole corpus is test_epub_corpus.py's.)

Expectations come from the raw source lines (``source_facts.source_facts``),
not from the code under test. Texts whose header lacks a title or an author must
fail with the missing-field error instead.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from conftest import CORPUS, alnum
from output_words import EPUB_NS, block_text, check_words, epub_chapters_and_notes, pdf_streams, words
from source_facts import FILES, source_facts
from pipeline.readers import read

pytestmark = pytest.mark.corpus

def header_value(text: str, name: str) -> str:
    m = re.search(rf"^#{name}[ \t]+(\S.*)$", text, re.M)
    return m.group(1).strip() if m else ""


def relative(path: Path) -> str:
    return str(path.relative_to(CORPUS))


BUILDABLE = [p for p in FILES if header_value(p.read_text(encoding="utf-8"), "title")
             and (header_value(p.read_text(encoding="utf-8"), "author")
                  or header_value(p.read_text(encoding="utf-8"), "authors"))]
UNATTRIBUTED = [p for p in FILES if p not in BUILDABLE]
IDS = lambda p: f"{p.parent.name}/{p.name}"  # noqa: E731


def test_corpus_has_texts_of_every_kind():
    assert {p.parent.name for p in BUILDABLE} >= {"muse", "zh", "mk", "manual"}


@pytest.mark.parametrize("path", UNATTRIBUTED, ids=IDS)
def test_unattributed_texts_fail_with_the_missing_field(corpus_build, path):
    result = corpus_build.result(relative(path))
    assert result["status"] == "failed"
    assert re.search(r"no (title|author)", result["error"]), result["error"]
    assert not corpus_build.output(relative(path), ".pdf").exists()


@pytest.mark.parametrize("path", BUILDABLE, ids=IDS)
def test_pdf_keeps_every_word_note_and_heading(corpus_build, path):
    import fitz

    result = corpus_build.result(relative(path))
    assert result["status"] == "built", result.get("error")
    pdf_path = corpus_build.output(relative(path), ".pdf")
    pdf = fitz.open(pdf_path)
    body_text, notes_text = pdf_streams(pdf_path)
    check_words(path, words(body_text), words(notes_text), "PDF")

    doc = read(path)
    _, headings, _ = source_facts(path.read_text(encoding="utf-8"))
    names = pdf.resolve_names()
    notes = {k[3:]: v["page"] for k, v in names.items() if k.startswith("fn-")}
    assert len(notes) == len(doc.notes)
    # each note on the page of its reference (notes referenced from notes have no anchor)
    refs = {k[6:]: v["page"] for k, v in names.items() if k.startswith("fnref-")}
    assert refs.keys() <= notes.keys()
    misplaced = {n: (page, notes[n]) for n, page in refs.items() if notes[n] != page}
    assert not misplaced, f"(reference page, note page): {misplaced}"
    outline = [" ".join(title.split()) for _, title, _ in pdf.get_toc()]
    heading_titles = [contents_title(h) for h in doc.headings()]
    assert len(heading_titles) == headings
    for title in heading_titles:
        assert any(alnum(title) == alnum(entry) for entry in outline), f"no bookmark for {title!r}"


def contents_title(heading) -> str:
    """What a heading's bookmark must say: the title the source gives it for the
    contents when it gives one (Muse's ``** Short | Long title``, whose short
    title "will go into the table of contents": the PDF's outline is one, like
    the EPUB's navigation, which takes the same title), else its text without
    its note calls."""
    if heading.get("data-toc"):
        return heading.get("data-toc")
    heading = copy.deepcopy(heading)
    for ref in heading.xpath(".//a[contains(concat(' ', @class, ' '), ' noteref ')]"):
        previous, parent = ref.getprevious(), ref.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + (ref.tail or "")
        else:
            parent.text = (parent.text or "") + (ref.tail or "")
        parent.remove(ref)
    return " ".join("".join(heading.itertext()).split())


@pytest.mark.parametrize("path", BUILDABLE, ids=IDS)
def test_epub_keeps_every_word_note_and_heading(corpus_build, path):
    chapters, asides = epub_chapters_and_notes(corpus_build.output(relative(path), ".epub"))
    body, notes = [block_text(c) for c in chapters], [block_text(a) for a in asides]
    heading_count = sum(len(c.xpath(".//x:h1|.//x:h2|.//x:h3|.//x:h4|.//x:h5", namespaces=EPUB_NS))
                        for c in chapters)
    check_words(path, words(" ".join(body)), words(" ".join(notes)), "EPUB")
    doc = read(path)
    _, headings, _ = source_facts(path.read_text(encoding="utf-8"))
    assert heading_count == headings
    assert len(asides) == len(doc.notes)


def test_every_corpus_pdf_embeds_its_fonts(corpus_build):
    from conftest import pdf_fonts
    pdfs = sorted(corpus_build.out.rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        fonts = pdf_fonts(pdf)
        assert fonts and all(f["emb"] == "yes" for f in fonts), (pdf.name, fonts)


PLAIN = sorted((CORPUS / "plain").glob("*.txt"))


@pytest.mark.parametrize("path", PLAIN, ids=lambda p: p.name)
def test_plain_texts_build_to_all_three_outputs(corpus_build, path):
    """A plain text builds, or — when it states no title or author anywhere —
    fails naming the field, and then builds once the user supplies it."""
    result = corpus_build.result(relative(path))
    if result["status"] == "built":
        for suffix in (".pdf", ".booklet.pdf", ".epub"):
            assert corpus_build.output(relative(path), suffix).is_file()
        return
    assert re.search(r"no (title|author)", result["error"]), result["error"]
    from conftest import epubcheck, run_cli
    out = corpus_build.out.parent / "plain-supplied"
    proc = run_cli("build", path, "-o", out, "--title", "A title the user gives",
                   "--author", "An author the user gives")
    assert proc.returncode == 0, proc.stderr
    epub = out / (path.stem + ".epub")
    assert (out / (path.stem + ".pdf")).is_file() and (out / (path.stem + ".booklet.pdf")).is_file()
    assert epubcheck([epub])[epub].clean
