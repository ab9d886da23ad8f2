"""Comparing an output's words with a source's, in order: what the corpus
tests and the tests of the other formats' readers share. The source's words
come from its raw lines (``source_facts``); the output's from poppler (PDF)
or the XHTML (EPUB)."""

from __future__ import annotations

import bisect
import re
import unicodedata
import zipfile
from pathlib import Path

from lxml import etree

from source_facts import join_inline, source_facts

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
        if (best is None or best[0] > pos + 40) and chunk[i].isdigit() and _call_read_before(chunk[i], stream, pos):
            i += 1
            continue
        if best is None:
            return None
        pos, i = best[0] + 1, i + best[1]
    return pos


def _call_read_before(number: str, stream: Stream, pos: int) -> bool:
    """A note call right after the word that opens a line, raised above the
    line, is read by poppler as a line of its own before that line or not,
    depending on where the line falls on the page (poppler groups words by
    their baseline in buckets of a few points): ``number`` found among the few
    words just before ``pos``."""
    return number in stream.words[max(0, pos - 4):pos]


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


EPUB_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def epub_chapters_and_notes(path: Path) -> tuple[list, list]:
    """(chapter sections, footnote asides) of one of our EPUBs, in spine order."""
    chapters, notes = [], []
    with zipfile.ZipFile(path) as z:
        opf_name = next(n for n in z.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(z.read(opf_name))
        base = opf_name.rsplit("/", 1)[0] + "/"
        manifest = {i.get("id"): i.get("href") for i in opf.iter("{*}item")}
        for ref in opf.iter("{*}itemref"):
            tree = etree.fromstring(z.read(base + manifest[ref.get("idref")]))
            chapters += tree.xpath("//x:section[contains(@epub:type, 'chapter')]", namespaces=EPUB_NS)
            notes += tree.xpath("//x:aside[@epub:type='footnote']", namespaces=EPUB_NS)
    return chapters, notes
