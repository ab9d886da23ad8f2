"""Every reader stays linear on pathological input (runs of openers without
closers, thousands of notes…): the inputs of ``bench.hostile``.

Work is counted, not timed: twice the input must cost about twice the work,
not four times. What is counted:

* the Python lines executed while ``read()`` runs (``sys.settrace``): the
  quadratic scans of Python-Markdown's link, image and code-span patterns;
* the characters copied when text is appended to the tree;
* the characters each inline pattern of Python-Markdown is applied to: each
  application scans (and, when it matches, rebuilds) the whole text, so that
  replacing the references of a text one at a time is quadratic;
* the characters the Muse tokenizer's regular expressions may examine (to the
  end of the match, or to the end of the text when one fails) and those the
  search for the lines of warnings scans: regular expressions and ``str.find``
  run in C, unseen by the line count.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.hostile import INPUTS
from pipeline import safety
from pipeline.document import last_child
from pipeline.readers import bounded_markdown, read
from pipeline.readers.muse import inline as muse_inline
from pipeline.readers.muse import tokens as muse_tokens
from pipeline.readers.muse import tree as muse_tree

SIZE = 3000


def _work(name: str, size: int, folder: Path, monkeypatch, trace: bool = True) -> tuple[int, object, int]:
    """(all the work counted, the document read, the part of it done by
    Python-Markdown's inline patterns) for the input ``name`` of ``size``."""
    suffix, make = INPUTS[name]
    path = folder / f"in{size}{suffix}"
    path.write_text(make(size), encoding="utf-8")
    read(path)      # once untraced: regular expressions compiled, modules imported
    count = [0]
    inline = [0]

    def tracer(frame, event, arg):
        count[0] += 1
        return local

    def local(frame, event, arg):
        count[0] += 1
        return local

    append = muse_inline._append

    def counting_append(el, text):
        last = last_child(el)
        count[0] += len((last.tail if last is not None else el.text) or "") + len(text or "")
        append(el, text)

    for module in (muse_inline, muse_tree):   # the modules of the Muse reader that append text
        monkeypatch.setattr(module, "_append", counting_append)

    apply_pattern = bounded_markdown._LinearInline._InlineProcessor__applyPattern

    def counting_apply_pattern(self, pattern, data, pattern_index, start=0):
        done, matched, after = apply_pattern(self, pattern, data, pattern_index, start)
        # searched to the match, or the end; a replacement copies the whole text
        inline[0] += len(done) if done is not data else (after if matched else len(data)) - start
        return done, matched, after

    monkeypatch.setattr(bounded_markdown._LinearInline, "_InlineProcessor__applyPattern",
                        counting_apply_pattern)

    class CountingRegex:
        """A compiled pattern that counts the characters it may examine."""

        def __init__(self, rx) -> None:
            self.rx = rx

        def _count(self, m, s, start):
            count[0] += (m.end() if m else len(s)) - start
            return m

        def match(self, s, start=0):
            return self._count(self.rx.match(s, start), s, start)

        def search(self, s, start=0):
            return self._count(self.rx.search(s, start), s, start)

    monkeypatch.setattr(muse_tokens, "_INLINE", CountingRegex(muse_tokens._INLINE))
    monkeypatch.setattr(muse_tokens, "_OPENING", CountingRegex(muse_tokens._OPENING))
    monkeypatch.setattr(muse_tokens, "_CLOSER", {kind: (CountingRegex(rx), offset)
                                                 for kind, (rx, offset) in muse_tokens._CLOSER.items()})
    locators = []

    class CountingLocator(safety.Locator):
        def __init__(self, text) -> None:
            super().__init__(text)
            locators.append(self)

    monkeypatch.setattr(safety, "Locator", CountingLocator)
    previous = sys.gettrace()       # a coverage tool's or a debugger's, given back after
    if trace:
        sys.settrace(tracer)
    try:
        doc = read(path)
    finally:
        sys.settrace(previous)
    return count[0] + inline[0] + sum(locator.scanned for locator in locators), doc, inline[0]


@pytest.mark.parametrize("name", list(INPUTS))
def test_twice_the_input_costs_about_twice_the_work(name, tmp_path, monkeypatch):
    small, _, _ = _work(name, SIZE, tmp_path, monkeypatch)
    large, doc, _ = _work(name, 2 * SIZE, tmp_path, monkeypatch)
    assert large <= 2.6 * small, (small, large, large / small)
    # and nothing of the text is lost: the body, notes and colophon notes hold the source's letters
    source = INPUTS[name][1](2 * SIZE).split("\n\n", 1)[1]
    kept = "".join(doc.body.itertext()) + "".join("".join(n.body.itertext()) for n in doc.notes.values()) \
        + (doc.metadata.notes or "")       # the publisher's matter goes to the colophon's notes
    assert sum(c.islower() for c in kept) >= sum(c.islower() for c in source)


@pytest.mark.parametrize("name", [name for name in INPUTS if name.startswith("md")])
def test_inline_patterns_scan_each_character_a_bounded_number_of_times(name, tmp_path, monkeypatch):
    """Python-Markdown's inline step on its own, larger inputs: in the whole
    count above, the rest of the reading hides a quadratic part that starts small
    (the text rebuilt for each of a paragraph's note references)."""
    _, _, small = _work(name, 2 * SIZE, tmp_path, monkeypatch, trace=False)
    _, _, large = _work(name, 8 * SIZE, tmp_path, monkeypatch, trace=False)
    assert large <= 4.5 * small, (small, large, large / small)


def test_a_costly_paragraph_is_kept_as_written_with_a_warning(tmp_path):
    path = tmp_path / "brackets.md"
    path.write_text("---\ntitle: T\nauthor: A\n---\n\nNormal *text*.\n\n" + "[" * 5000 + " end\n")
    doc = read(path)
    paragraphs = ["".join(p.itertext()) for p in doc.body.iter("p")]
    assert paragraphs == ["Normal text.", "[" * 5000 + " end"]
    assert any(w.startswith("line 8: a paragraph of 5 thousand characters is kept as written") for w in doc.warnings), \
        doc.warnings
