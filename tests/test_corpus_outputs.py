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

import bisect
import re
import unicodedata
from pathlib import Path

import pytest

from conftest import CORPUS, alnum
from source_facts import FILES, join_inline, source_facts
from pipeline.readers import read

pytestmark = pytest.mark.corpus

# A word broken at a line end by hyphenation (U+2010) joins up again. (poppler
# also drops a compound's own hyphen at a line end: "fellow-|men" → "fellowmen";
# ``in_order`` lets two source words match one such word.)
SOFT_BREAK = re.compile("\u2010\n")
# Chinese and Japanese lines break between any two characters: compare those
# scripts character by character, other scripts word by word; digits apart
# from letters (a footnote call sits right against its word: "Lordon1").
_CJK = "[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
TOKEN = re.compile(f"{_CJK}|(?:(?!{_CJK})[^\\W\\d_])+|\\d+")


# poppler gives right-to-left words (an Arabic phrase in a Chinese note) in
# visual order, letters and words reversed: such words are left out of the
# comparison on both sides.
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def words(text: str) -> list[str]:
    tokens = TOKEN.findall(unicodedata.normalize("NFC", SOFT_BREAK.sub("", text)).casefold())
    return [t for t in tokens if not RTL.search(t)]


def pdf_streams(path: Path) -> tuple[str, str]:
    """(text of the pages' bodies, text of their footnote areas), without running
    heads and page numbers (what stands in the top and bottom margins), read by
    poppler, which keeps superscripts in their line. Apart, so that a word
    hyphenated across two pages joins up again over the notes between."""
    import subprocess

    import fitz
    from lxml import etree

    # WeasyPrint draws the footnote area's top border as a box as wide as the text.
    splits = []
    for page in fitz.open(path):
        r = page.rect
        areas = [d["rect"].y0 for d in page.get_drawings()
                 if d["rect"].width > 0.5 * r.width and d["rect"].y1 > 0.75 * r.height]
        splits.append(min(areas) if areas else r.height)
    layout = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(path), "-"],
                            capture_output=True, check=True).stdout
    pages = etree.fromstring(layout).iter("{*}page")
    bodies, notes = [], []
    for page, split in zip(pages, splits):
        height = float(page.get("height"))
        for line in page.iter("{*}line"):
            y = float(line.get("yMin"))
            if y < 0.075 * height or y > 0.925 * height:
                continue
            text = " ".join(w.text or "" for w in line.iter("{*}word"))
            (notes if y >= split else bodies).append(text)
    return "\n".join(bodies), "\n".join(notes)


def header_value(text: str, name: str) -> str:
    m = re.search(rf"^#{name}[ \t]+(\S.*)$", text, re.M)
    return m.group(1).strip() if m else ""


class Stream:
    """Words of an output with, for each word, where it occurs (fast look-ups)."""

    def __init__(self, words_: list[str]):
        self.words = words_
        self.at: dict[str, list[int]] = {}
        for n, w in enumerate(words_):
            self.at.setdefault(w, []).append(n)

    def find(self, word: str, pos: int) -> int | None:
        places = self.at.get(word)
        if not places:
            return None
        k = bisect.bisect_left(places, pos)
        return places[k] if k < len(places) else None


def in_order(chunk: list[str], stream: Stream, pos: int) -> int | None:
    """Where ``chunk`` ends if its words occur in ``stream`` in order from ``pos``
    (other words may stand between). Two neighbouring words of the chunk may match
    one word of the stream written together ("fellow-|men" joined by poppler), and
    one word may match two pieces close together (a word hyphenated at a line end
    with something floated beside it). None if they do not occur."""
    i = 0
    while i < len(chunk):
        best = None
        forms = [(chunk[i], 1)] + ([(chunk[i] + chunk[i + 1], 2)] if i + 1 < len(chunk) else [])
        for form, used in forms:
            found = stream.find(form, pos)
            if found is not None and (best is None or found < best[0]):
                best = (found, used)
        if best is None or best[0] > pos + 40:
            split = _split_match(chunk[i], stream, pos)
            if split is not None and (best is None or split < best[0]):
                best = (split, 1)
        if best is None:
            return None
        pos, i = best[0] + 1, i + best[1]
    return pos


def _split_match(word: str, stream: Stream, pos: int) -> int | None:
    """The end of ``word`` written as two pieces at most 4 words apart, near ``pos``."""
    words_ = stream.words
    for j in range(pos, min(pos + 40, len(words_))):
        head = words_[j]
        if len(head) < len(word) and word.startswith(head):
            for k in range(j + 1, min(j + 5, len(words_))):
                if head + words_[k] == word:
                    return k
    return None


def check_words(path: Path, body_words: list[str], note_words: list[str], what: str) -> None:
    """Every chunk of the source is a subsequence of the output, body chunks in
    order in ``body_stream``, note chunks in order in ``note_stream``."""
    chunks, _, _ = source_facts(path.read_text(encoding="utf-8"), untag=join_inline)
    body_stream, note_stream = Stream(body_words), Stream(note_words)
    body_pos = note_pos = 0
    for is_note, groups in chunks:
        groups = [[w for ws in (words(" ".join(g)),) for w in ws] for g in groups]
        groups = [g for g in groups if g]
        if not groups:
            continue
        if len(groups) > 1:  # a table: rows may be regrouped, but follow what precedes them
            ends = [in_order(g, body_stream, body_pos) for g in groups]
            assert None not in ends, f"{what}: table row lost: {groups[ends.index(None)][:12]}"
            continue  # a cell's short words could match far ahead: do not move on
        chunk = groups[0]
        if is_note:
            found = in_order(chunk, note_stream, note_pos)
            if found is not None:
                note_pos = found
                continue
            # a note nobody refers to is kept at the end of the body
            assert in_order(chunk, body_stream, 0) is not None, f"{what}: note lost: {chunk[:20]}"
        else:
            found = in_order(chunk, body_stream, body_pos)
            assert found is not None, f"{what}: lost or reordered: {' '.join(chunk[:30])}"
            if len(chunk) > 3:  # a short chunk (a caption floated aside) may match far ahead
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
    heading_texts = [" ".join("".join(h.itertext()).split()) for h in doc.headings()]
    assert len(heading_texts) == headings
    for title in heading_texts:
        assert any(alnum(title) == alnum(entry) for entry in outline), f"no bookmark for {title!r}"


BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "li", "dt", "dd", "td", "th", "caption", "figcaption",
          "blockquote", "div", "pre", "br", "tr"}


def block_text(element) -> str:
    """The text of an XHTML element with a line break between blocks, so that a
    heading's last word and the next paragraph's first do not run together."""
    parts: list[str] = []

    def walk(el):
        block = isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in BLOCKS
        if block:
            parts.append("\n")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    walk(element)
    return "".join(parts)


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
                body.append(block_text(section))
                heading_count += len(section.xpath(".//x:h1|.//x:h2|.//x:h3|.//x:h4|.//x:h5", namespaces=ns))
            for aside in tree.xpath("//x:aside[@epub:type='footnote']", namespaces=ns):
                notes.append(block_text(aside))
                note_count += 1
    check_words(path, words(" ".join(body)), words(" ".join(notes)), "EPUB")
    doc = read(path)
    _, headings, _ = source_facts(path.read_text(encoding="utf-8"))
    assert heading_count == headings
    assert note_count == len(doc.notes)


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
