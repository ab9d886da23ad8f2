"""Measures of a built PDF's text setting, read back with PyMuPDF's word boxes.

- ``loose_lines``: justified lines of the body text whose widest word gap is
  wider than half the line pitch (the distance between successive baselines);
- ``line_ends``: the last word of every body line, to check where lines break
  (inside a word or at a space of the source).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Line:
    page: int
    x0: float
    x1: float
    y0: float
    y1: float
    words: list[tuple[float, float, str]]   # (x0, x1, text)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def text(self) -> str:
        return " ".join(w[2] for w in self.words)


def body_lines(pdf: Path | bytes) -> list[Line]:
    """The lines of the body text size (footnotes, headings, running heads and
    page numbers left out), in reading order, page by page."""
    import fitz

    doc = fitz.open(stream=pdf, filetype="pdf") if isinstance(pdf, bytes) else fitz.open(str(pdf))
    lines: list[Line] = []
    for number, page in enumerate(doc):
        grouped: dict[tuple[int, int], Line] = {}
        for x0, y0, x1, y1, word, block, line, _ in page.get_text("words"):
            key = (block, line)
            item = grouped.get(key)
            if item is None:
                grouped[key] = Line(number, x0, x1, y0, y1, [(x0, x1, word)])
            else:
                item.words.append((x0, x1, word))
                item.x0, item.x1 = min(item.x0, x0), max(item.x1, x1)
                item.y0, item.y1 = min(item.y0, y0), max(item.y1, y1)
        lines.extend(grouped.values())
    if not lines:
        return []
    # The body's size is the commonest line height.
    common = statistics.mode(round(line.height, 1) for line in lines)
    return [line for line in lines if abs(line.height - common) < 0.6]


def _pitch(lines: list[Line]) -> float:
    steps = [b.y0 - a.y0 for a, b in zip(lines, lines[1:])
             if a.page == b.page and 0 < b.y0 - a.y0 < 2 * a.height]
    return statistics.median(steps) if steps else (lines[0].height if lines else 0)


def justified_lines(lines: list[Line]) -> list[Line]:
    """Lines that run to the right edge of the text block (the block's edges
    taken per page parity, since left and right pages may differ), with two
    words or more: the lines that justification stretched."""
    right: dict[int, float] = {}
    for line in lines:
        right[line.page % 2] = max(right.get(line.page % 2, 0), line.x1)
    return [line for line in lines if len(line.words) >= 2 and line.x1 >= right[line.page % 2] - 1.0]


def loose_lines(pdf: Path | bytes) -> tuple[int, int]:
    """(loose, justified): how many justified body lines have a word gap wider
    than half the line pitch, out of how many justified lines."""
    lines = body_lines(pdf)
    pitch = _pitch(lines)
    justified = justified_lines(lines)
    loose = 0
    for line in justified:
        words = sorted(line.words)
        gaps = [b[0] - a[1] for a, b in zip(words, words[1:])]
        if gaps and max(gaps) > pitch / 2:
            loose += 1
    return loose, len(justified)


HYPHENS = ("-", "\u2010", "\u00ad")


def hyphen_breaks(pdf: Path | bytes) -> list[tuple[str, str]]:
    """(before, after) of every word broken across body lines at a hyphen: the
    last word of a line ending with a hyphen and the first word of the next line."""
    lines = body_lines(pdf)
    pairs = []
    for line, following in zip(lines, lines[1:]):
        last = sorted(line.words)[-1][2]
        if last.endswith(HYPHENS) and len(last) > 1 and following.words:
            pairs.append((last[:-1], sorted(following.words)[0][2]))
    return pairs


def consecutive_hyphenated(pdf: Path | bytes) -> int:
    """The longest run of successive body lines ending with a hyphen."""
    longest = run = 0
    for line in body_lines(pdf):
        run = run + 1 if sorted(line.words)[-1][2].endswith(HYPHENS) else 0
        longest = max(longest, run)
    return longest


def _plain(text: str) -> str:
    return text.replace("\u2060", "").replace("\u00ad", "")


def breaks_inside_words(pdf: Path | bytes, source_text: str) -> tuple[int, int]:
    """(inside, breaks): of the line breaks between successive body lines, how
    many fall inside a word of the source — the end of one line and the start
    of the next stand joined, with no space, in the source — rather than at
    one of its spaces."""
    source = " ".join(_plain(source_text).split())
    lines = body_lines(pdf)
    inside = total = 0
    for line, following in zip(lines, lines[1:]):
        if line.page != following.page or not following.words:
            continue
        last = _plain(sorted(line.words)[-1][2])
        first = _plain(sorted(following.words)[0][2])
        if not last or not first or last.endswith(HYPHENS):
            continue
        total += 1
        if last + first in source and f"{last} {first}" not in source:
            inside += 1
    return inside, total
