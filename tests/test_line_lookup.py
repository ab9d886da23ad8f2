"""Saying on which line a refused reference stands costs little per warning.

Work is counted, not timed: the source text is a ``str`` that adds up how many
characters its searches (``find``, ``count``) look at. Twice the refusals must
cost about twice the characters, not four times (counting lines from the start
of the text for each warning, or searching the whole text again for each
reference, is quadratic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import markdown, muse
from pipeline.safety import line_at, vet


class CountingText(str):
    """A source text that counts the characters its searches examine."""

    scanned = 0

    def find(self, sub, start=0, end=None):
        stop = len(self) if end is None else min(end, len(self))
        index = super().find(sub, start, stop)
        CountingText.scanned += max(0, (index + len(sub) if index >= 0 else stop) - start)
        return index

    def count(self, sub, start=0, end=None):
        stop = len(self) if end is None else min(end, len(self))
        CountingText.scanned += max(0, stop - start)
        return super().count(sub, start, stop)


def _source(fmt: str, n: int) -> str:
    if fmt == "muse":
        return "#title T\n#author A\n\n" + "".join(f"[[missing{i}.png]]\n\n" for i in range(n))
    return "---\ntitle: T\nauthor: A\n---\n\n" + "".join(f"![a](missing{i}.png)\n\n" for i in range(n))


def _work(fmt: str, n: int, folder: Path) -> tuple[int, list[str]]:
    text = _source(fmt, n)
    path = folder / f"refused.{'muse' if fmt == 'muse' else 'md'}"
    doc = (muse if fmt == "muse" else markdown).parse(text, path)
    doc.path = path
    CountingText.scanned = 0
    vet(doc, CountingText(text))
    return CountingText.scanned, doc.warnings


@pytest.mark.parametrize("fmt", ["muse", "markdown"])
def test_line_lookup_is_linear_in_the_number_of_refusals(fmt, tmp_path):
    small, warnings = _work(fmt, 1000, tmp_path)
    large, more = _work(fmt, 2000, tmp_path)
    assert len(warnings) == 1000 and len(more) == 2000
    # every warning still names the right line: image i stands on line 2i + (header)
    header = 4 if fmt == "muse" else 6
    for i in (0, 999, 1999):
        assert more[i].startswith(f"line {2 * i + header}: image 'missing{i}.png'"), more[i]
    assert large <= 2.5 * small, (small, large)


def test_line_at_counts_lines_from_one():
    text = "a\nbb\n\nccc"
    assert [line_at(text, i) for i in range(len(text))] == [1, 1, 2, 2, 2, 3, 4, 4, 4]
