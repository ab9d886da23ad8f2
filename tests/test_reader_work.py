"""Every reader stays linear on pathological input (runs of openers without
closers, thousands of notes…): the inputs of ``bench.hostile``.

Work is counted, not timed: the Python lines executed while ``read()`` runs
(``sys.settrace``), plus the characters copied when text is appended to the
tree. Twice the input must cost about twice the work, not four times (the
quadratic scans of Python-Markdown's link, image and code-span patterns, and
of text appended piece by piece, are Python lines and copies). The regular
expressions' own steps are not seen by this count; ``python -m bench.hostile``
times the same inputs at 1 MB."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.hostile import INPUTS
from pipeline.readers import muse, read

SIZE = 3000


def _work(name: str, size: int, folder: Path, monkeypatch) -> tuple[int, object]:
    suffix, make = INPUTS[name]
    path = folder / f"in{size}{suffix}"
    path.write_text(make(size), encoding="utf-8")
    count = [0]

    def tracer(frame, event, arg):
        count[0] += 1
        return local

    def local(frame, event, arg):
        count[0] += 1
        return local

    append = muse._append

    def counting_append(el, text):
        last = muse.last_child(el)
        count[0] += len((last.tail if last is not None else el.text) or "") + len(text or "")
        append(el, text)

    monkeypatch.setattr(muse, "_append", counting_append)
    sys.settrace(tracer)
    try:
        doc = read(path)
    finally:
        sys.settrace(None)
    return count[0], doc


@pytest.mark.parametrize("name", list(INPUTS))
def test_twice_the_input_costs_about_twice_the_work(name, tmp_path, monkeypatch):
    small, _ = _work(name, SIZE, tmp_path, monkeypatch)
    large, doc = _work(name, 2 * SIZE, tmp_path, monkeypatch)
    assert large <= 2.6 * small, (small, large, large / small)
    # and nothing of the text is lost: the body and notes hold the source's letters
    source = INPUTS[name][1](2 * SIZE).split("\n\n", 1)[1]
    kept = "".join(doc.body.itertext()) + "".join("".join(n.body.itertext()) for n in doc.notes.values())
    assert sum(c.islower() for c in kept) >= sum(c.islower() for c in source)


def test_a_costly_paragraph_is_kept_as_written_with_a_warning(tmp_path):
    path = tmp_path / "brackets.md"
    path.write_text("---\ntitle: T\nauthor: A\n---\n\nNormal *text*.\n\n" + "[" * 5000 + " end\n")
    doc = read(path)
    paragraphs = ["".join(p.itertext()) for p in doc.body.iter("p")]
    assert paragraphs == ["Normal text.", "[" * 5000 + " end"]
    assert any(w.startswith("line 8: a paragraph of 5 thousand characters is kept as written") for w in doc.warnings), \
        doc.warnings
