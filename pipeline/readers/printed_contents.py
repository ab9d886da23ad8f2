"""A source's own printed table of contents, with another edition's page numbers.

A text taken from a printed book or a PDF (a Gutenberg e-text, a PDF's
extracted text) often keeps the book's contents page near its start::

    CONTENTS

    CHAPTER                                      PAGE
         I. OUR RICHES                              1
        II. WELL-BEING FOR ALL                     12
    Introduction . . . . . . . . . . . . . . . .   3

Its page numbers are those of an edition the outputs are not, and the outputs
make their own contents: it is not body text. A run of lines is such a
contents when, within the first third of the text,

* three or more of its lines are entries — a title, then dot leaders or spaces,
  then a page number (arabic, or a lower-case roman one for front matter) —
  with at most one blank or short wrapped line between two entries;
* their arabic page numbers never go down;
* at least two thirds of the entries, and three or more, name a line of the
  text after the run (a heading: "OUR RICHES", "Chapter One"), compared by
  letters, with or without the entry's own numbering ("I.", "Chapter 2:").

The run goes, with a "Contents" heading and a "CHAPTER … PAGE" column line
right above it, said in ``--debug`` (``Document.changes``). Nothing else is
touched: a list of numbered lines that does not name the text's own headings
(a table of figures, prices, dates) stays.
"""

from __future__ import annotations

import re

from pipeline.readers.title_page import letters

_ENTRY = re.compile(r"^\s*(?:[-*+]\s+|#{1,6}\s+)?(?P<label>\S(?:.*?[^\s.])?)"
                    r"(?:\s*(?:\.\s*){2,}|\s*[…·]+\s*|\s{2,}|\s+)(?P<page>\d{1,4}|[ivxlc]{1,7})\s*$")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?:table of contents|contents|content|index|inhalt|"
                      r"inhaltsverzeichnis|table des matières|sommaire|índice|indice|sumario|sommario)"
                      r"(?:\*\*)?\s*:?\s*$", re.IGNORECASE)
_COLUMNS = re.compile(r"^\s*(?:chapter|chap\.|part|section)?\s*(?:page|pages|p\.|pg\.)\s*$"
                      r"|^\s*(?:chapter|chap\.|part|section)\s{2,}(?:page|p\.)\s*$", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:(?:chapter|chap\.|part|book|section)\s+)?(?:[IVXLCDM]+|\d+|[a-z])[.:)]?\s+"
                        r"|^(?:chapter|part|book|section)\s+\w+\s*[.:—–-]\s*", re.IGNORECASE)
_ROMAN = re.compile(r"^[ivxlc]+$")
MIN_ENTRIES = 3
MIN_NAMED_SHARE = 2 / 3
_WRAPPED_MAX = 80      # a line inside the run that is not an entry: an entry's wrapped title


def _keys(label: str) -> set[str]:
    """The entry's label as letters, with and without its numbering."""
    label = re.sub(r"\*\*|__|[*_`]", "", label).strip()
    keys = {letters(label)}
    bare = _NUMBERING.sub("", label, count=1)
    if bare != label and letters(bare):
        keys.add(letters(bare))
    return {k for k in keys if k}


def _is_entry(line: str) -> bool:
    """An entry: a title with letters, then its page number."""
    m = _ENTRY.match(line)
    return m is not None and bool(re.search(r"[^\W\d_]", m.group("label")))


def _runs(lines: list[str], limit: int):
    """(first, last) line numbers of each run of entries starting before ``limit``."""
    n = 0
    while n < limit:
        if not _is_entry(lines[n]):
            n += 1
            continue
        first = last = n
        count = 1
        gap = 0
        k = n + 1
        while k < len(lines):
            line = lines[k]
            if _is_entry(line):
                last, count, gap = k, count + 1, 0
            elif not line.strip() or (len(line.strip()) <= _WRAPPED_MAX and gap == 0 and count >= 1
                                      and not line.strip().endswith((".", "!", "?"))):
                gap += 1
                if gap > 2:
                    break
            else:
                break
            k += 1
        if count >= MIN_ENTRIES:
            yield first, last
        n = last + 1


def _last_lines(lines: list[str]) -> dict[str, int]:
    """Each key of the lines that stand alone as short lines (headings and the
    like), with the number of the last line that has it: one pass, so that every
    run is judged against the text after it in constant time per entry."""
    last: dict[str, int] = {}
    for n, line in enumerate(lines):
        s = line.strip()
        if s and len(s) <= 120:
            for key in _keys(s.lstrip("#").strip()):
                last[key] = n
    return last


def _is_contents(lines: list[str], first: int, last: int, last_lines: dict[str, int]) -> bool:
    entries = [m for m in map(_ENTRY.match, lines[first:last + 1]) if m]
    pages = [int(m.group("page")) for m in entries if not _ROMAN.match(m.group("page"))]
    if any(b < a for a, b in zip(pages, pages[1:])):
        return False
    named = sum(1 for m in entries if any(last_lines.get(k, -1) > last for k in _keys(m.group("label"))))
    return named >= MIN_ENTRIES and named >= MIN_NAMED_SHARE * len(entries)


def remove(text: str, changes: list[str]) -> str:
    """``text`` without its printed contents (see the module's doc); each removal
    is said in ``changes``."""
    if not re.search(r"\d\s*$", text[: len(text) // 3 + 1], re.MULTILINE):
        return text
    lines = text.split("\n")
    last_lines: dict[str, int] | None = None
    for first, last in _runs(lines, len(lines) // 3):
        last_lines = _last_lines(lines) if last_lines is None else last_lines
        if not _is_contents(lines, first, last, last_lines):
            continue
        start = first
        above = [k for k in range(first - 1, max(first - 8, -1), -1) if lines[k].strip()][:2]
        for k in above:
            if _COLUMNS.match(lines[k]) or _HEADING.match(lines[k]):
                start = k
            else:
                break
        taken = [l.strip() for l in lines[start:last + 1] if l.strip()]
        changes.append(f"printed contents removed (another edition's page numbers, {len(taken)} lines): "
                       f"{taken[0][:50]} … {' '.join(taken[-1].split())[:50]}")
        return "\n".join(lines[:start] + lines[last + 1:])
    return text
