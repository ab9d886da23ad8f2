"""A long text as a book: Kropotkin's Ethics (770 KB of .muse, some 300 A5 pages)
built once, then read back: the contents' page numbers against the pages where
the headings are, the outline, running heads, footnotes on the pages of their
calls, the colophon as back cover, and the saddle booklet's signatures."""

from __future__ import annotations

import re
import subprocess

import fitz
import pytest

from conftest import MM, TOP_MARGIN, alnum, corpus_file, pdf_body_text, pdf_pages

pytestmark = pytest.mark.corpus

SOURCE = "muse/Ethics_Origin_And_Development.muse"
TITLE = "Ethics: Origin and Development"


@pytest.fixture(scope="module")
def built(corpus_build):
    """Ethics as the corpus build made it (default options), built once per run."""
    assert corpus_build.result(SOURCE)["status"] == "built"
    return corpus_build.output(SOURCE, ".pdf"), corpus_build.output(SOURCE, ".booklet.pdf")


@pytest.fixture(scope="module")
def headings():
    """The source's section headings (levels 2 and 3), as plain text."""
    text = corpus_file(SOURCE).read_text(encoding="utf-8")
    found = []
    for stars, title in re.findall(r"^(\*{2,3}) (.+)$", text, re.M):
        found.append((len(stars), re.sub(r"<[^>]+>", "", title)))
    assert len(found) == 16
    return found


@pytest.fixture(scope="module")
def pages(built):
    """Body text (no running heads or page numbers) of every page, 1-based."""
    pdf, _ = built
    return [""] + pdf_body_text(pdf).split("\f")


@pytest.fixture(scope="module")
def toc(built, headings):
    """(title, page number printed in the contents) for each entry."""
    pdf, _ = built
    text = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "2", "-l", "3", str(pdf), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    entries = re.findall(r"(.+?)\s*\.{4,}\s*(\d+)", text)
    return [(title.replace("Contents", "").strip(), int(number)) for title, number in entries]


def test_toc_lists_every_heading(toc, headings):
    assert [alnum(t) for t, _ in toc] == [alnum(t) for _, t in headings]


def test_toc_page_numbers_are_where_the_headings_are(toc, pages):
    last_toc_page = min(n for _, n in toc) - 1
    for title, number in toc:
        key = alnum(title)
        found = next(p for p in range(last_toc_page + 1, len(pages)) if key in alnum(pages[p]))
        assert found == number, f"{title!r}: contents say page {number}, heading is on page {found}"


def test_chapters_open_a_page(toc, headings, pages):
    for (level, _), (title, number) in zip(headings, toc):
        if level == 2:
            assert alnum(pages[number]).startswith(alnum(title)), f"{title!r} does not open page {number}"


def test_outline_has_every_chapter_at_its_page(built, toc):
    pdf, _ = built
    outline = fitz.open(pdf).get_toc()
    assert outline[0][1] == TITLE
    by_title = {alnum(title): page for _, title, page in outline}
    for title, number in toc:
        assert by_title.get(alnum(title)) == number, title


def test_metadata(built):
    pdf, _ = built
    meta = fitz.open(pdf).metadata
    assert meta["title"] == TITLE
    assert meta["author"] == "Pëtr Kropotkin"
    assert "ethics" in meta["keywords"]
    assert meta["subject"]


def running_heads(pdf):
    info = fitz.open(pdf)
    heads = [""]
    for page in info:
        clip = fitz.Rect(0, 0, page.rect.width, TOP_MARGIN - 6)
        heads.append(" ".join(page.get_text("text", clip=clip).split()))
    return heads


def test_running_heads(built, toc, headings, pages):
    """Title on left-hand (even) pages, chapter on right-hand (odd) ones, none on
    chapter openings, blank pages, the title, contents and colophon pages."""
    pdf, _ = built
    heads = running_heads(pdf)
    openings = {number: title for (level, _), (title, number) in zip(headings, toc) if level == 2}
    first_text = min(n for _, n in toc)
    assert not any(heads[1:first_text])
    assert heads[-1] == ""
    chapter = TITLE
    checked = 0
    for n in range(first_text, len(heads) - 1):
        if n in openings:
            chapter = openings[n]
            assert heads[n] == "", f"page {n} opens a chapter but has the head {heads[n]!r}"
        elif not pages[n].strip():
            assert heads[n] == "", f"blank page {n} has a head"
        elif n % 2 == 0:
            assert alnum(heads[n]) == alnum(TITLE), f"left page {n}: {heads[n]!r}"
            checked += 1
        else:
            assert alnum(heads[n]) == alnum(chapter), f"right page {n}: {heads[n]!r}"
            checked += 1
    assert checked > 250


def footnote_places(pdf):
    """(page of the note, pages where its call appears) for every footnote."""
    doc = fitz.open(pdf)
    calls_on: dict[int, set[str]] = {}
    notes = []
    for page in doc:
        calls = calls_on.setdefault(page.number + 1, set())
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                spans = line["spans"]
                if spans[0]["bbox"][1] < TOP_MARGIN - 6:
                    continue                     # the running head
                for span in spans:
                    if span["size"] < 7 and span["text"].strip():
                        calls.add(span["text"].strip())     # note calls (and small superscripts)
                match = re.fullmatch(r"(\d+)\.\s*", spans[0]["text"])
                if match and abs(spans[0]["size"] - 8.5) < 0.1:
                    notes.append((match.group(1), page.number + 1))
    return notes, calls_on


def test_footnotes_are_all_on_the_pages_of_their_calls(built):
    # Read from the page text: each note's number at the foot against the small
    # call numbers in the text of the same page.
    pdf, _ = built
    notes, calls_on = footnote_places(pdf)
    assert len(notes) >= 240
    late = [(label, page) for label, page in notes if label not in calls_on[page]]
    assert not late, f"notes not on the page of their call: {late}"


def test_colophon_is_the_back_cover(built):
    pdf, _ = built
    n = pdf_pages(pdf)
    assert n % 4 == 0
    last = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Kropotkin" in last and "Ethics" in last


def printed_numbers(pdf, cols: int):
    """For each page of ``pdf``: the page numbers printed at the foot of each column."""
    doc = fitz.open(pdf)
    sides = []
    for page in doc:
        width, height = page.rect.width, page.rect.height
        foot = fitz.Rect(0, height - 20 * MM, width, height)
        slots = {}
        for x0, y0, x1, y1, word, *_ in page.get_text("words", clip=foot):
            if word.isdigit():
                slots[int((x0 + x1) / 2 // (width / cols))] = int(word)
        sides.append(slots)
    return sides


def test_booklet_is_in_signatures(built):
    pdf, booklet = built
    n = pdf_pages(pdf)
    # Auto signatures: one booklet up to 80 pages, else the size in 40..80 with
    # the fewest blank pages (the bigger on a tie).
    size = min(range(40, 81, 4), key=lambda s: ((-n) % s, -s))
    order = list(range(1, n)) + [None] * ((-n) % size) + [n]
    expected = []
    for base in range(0, len(order), size):
        sig = order[base:base + size]
        for k in range(size // 4):
            expected.append({0: sig[size - 1 - 2 * k], 1: sig[2 * k]})
            expected.append({0: sig[2 * k + 1], 1: sig[size - 2 - 2 * k]})
    got = printed_numbers(booklet, 2)
    assert len(got) == len(expected) == len(order) // 2
    assert len(order) // size >= 3
    compared = 0
    for side, (want, have) in enumerate(zip(expected, got)):
        for slot, number in have.items():
            assert want[slot] == number, f"sheet side {side + 1}, slot {slot}: page {number}, expected {want[slot]}"
            compared += 1
    assert compared > 0.9 * n
    sheet = fitz.open(booklet)[0].rect
    assert (sheet.width, sheet.height) == pytest.approx((297 * MM, 210 * MM), abs=0.01)
