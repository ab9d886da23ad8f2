"""No text leaves the page without a warning.

Fixtures: a table of 12 short columns, a table of 50 columns (40 rows: the
2000-row case costs minutes of layout and shows nothing more), a 400-character
word. Every token must be in the PDF's text (``pdftotext -raw``, whitespace
removed: a word broken inside a narrow cell is still there) or be named by a
warning. A stylesheet that forbids breaking, and a table of 300 columns (which
no type size fits), show that the check after layout names what runs off the
page, in the single pass and in the parallel one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pipeline.readers import read
from pipeline.render import prepare
from pipeline.writers.pdf import PdfOptions, write_pdf

LONG_WORD = "".join(f"{i:04d}" for i in range(100))          # 400 characters, unbreakable


def _table(rows: int, cols: int) -> str:
    lines = ["| " + " | ".join(f"h{c:03d}" for c in range(cols)) + " |", "|" + "---|" * cols]
    lines += ["| " + " | ".join(f"r{r:03d}c{c:03d}" for c in range(cols)) + " |" for r in range(rows)]
    return "\n".join(lines)


def _tokens(rows: int, cols: int) -> list[str]:
    return [f"h{c:03d}" for c in range(cols)] + [f"r{r:03d}c{c:03d}" for r in range(rows) for c in range(cols)]


def _build(tmp_path: Path, body: str, options: PdfOptions | None = None, name: str = "t") -> tuple[str, list[str]]:
    source = tmp_path / f"{name}.md"
    source.write_text(f"---\ntitle: Tables\nauthor: A\n---\n\n{body}\n")
    result = write_pdf(prepare(read(source)), options or PdfOptions())
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(result.data)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", "", text), result.warnings


def _lost(text: str, warnings: list[str], tokens: list[str]) -> list[str]:
    said = " ".join(warnings)
    return [t for t in tokens if t not in text and t not in said]


@pytest.mark.parametrize("rows, cols", [(3, 12), (40, 50)])
def test_wide_tables_fit_the_page(tmp_path, rows, cols):
    text, warnings = _build(tmp_path, "Before.\n\n" + _table(rows, cols) + "\n\nAfter.")
    assert _lost(text, warnings, _tokens(rows, cols)) == []
    assert not [w for w in warnings if "off the page" in w]    # they fit: nothing to say


def test_a_long_word_breaks_at_the_line_end(tmp_path):
    text, warnings = _build(tmp_path, f"A hash {LONG_WORD} ends here.\n\nA link <https://example.org/{LONG_WORD}>.")
    assert text.count(LONG_WORD) == 2, text[:300]
    assert not [w for w in warnings if "off the page" in w]


def test_text_that_cannot_fit_is_named(tmp_path):
    css = tmp_path / "nobreak.css"
    css.write_text("td, th, p { overflow-wrap: normal; white-space: nowrap; hyphens: manual }\n")
    text, warnings = _build(tmp_path, "Before.\n\n" + _table(2, 12) + f"\n\nA hash {LONG_WORD} ends.",
                            PdfOptions(css=[css]))
    off = [w for w in warnings if "off the page" in w]
    assert any(w.startswith("text off the page in the table whose first row is 'h000 | h001 | h002")
               for w in off), off
    assert any("the paragraph 'A hash 0000" in w for w in off), off
    assert _lost(text, warnings, _tokens(2, 12)) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_off_page_check_runs_in_both_pdf_writers(tmp_path, jobs):
    chapters = "\n\n".join(f"# Chapter {n}\n\n" + "Some text. " * 40 for n in range(4))
    body = chapters + "\n\n# The table\n\n" + _table(1, 300)
    text, warnings = _build(tmp_path, body, PdfOptions(jobs=jobs))
    off = [w for w in warnings if "off the page" in w]
    assert len(off) == 1 and "the table whose first row is 'h000 | h001" in off[0], off
