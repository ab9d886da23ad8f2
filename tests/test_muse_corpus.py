"""Every .muse text of the corpus parses without losing a word, a heading or a footnote.

The expectations are derived from the raw lines with simple regexes, independently
of the reader: the header is skipped, comments and markup tokens are removed, and
what is left must appear, word by word and in order, in the Document's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from source_facts import FILES, WORD, is_subsequence, source_facts
from pipeline.readers import muse

@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_text_lost(path: Path):
    text = path.read_text(encoding="utf-8")
    doc = muse.parse(text, path)
    chunks, headings, notes = source_facts(text)

    body_words = WORD.findall(" ".join(doc.body.itertext()))
    note_words = WORD.findall(" ".join(" ".join(n.body.itertext()) for n in doc.notes.values()))
    body_pos = note_pos = 0
    for is_note, groups in chunks:
        if not groups:
            continue
        if len(groups) > 1:  # a table: rows may move, but stay after what precedes them
            ends = [is_subsequence(g, body_words, body_pos) for g in groups]
            assert None not in ends, groups
            body_pos = max(ends)
            continue
        words = groups[0]
        if is_note:
            found = is_subsequence(words, note_words, note_pos)
            if found is not None:
                note_pos = found
                continue
            # a note nobody refers to is kept at the end of the body
            assert is_subsequence(words, body_words, 0) is not None, words[:20]
        else:
            found = is_subsequence(words, body_words, body_pos)
            assert found is not None, f"lost or reordered: {' '.join(words[:30])}"
            body_pos = found

    assert len(doc.headings()) == headings
    orphans = sum(1 for w in doc.warnings if "has no reference" in w or "defined twice" in w)
    assert len(doc.notes) + orphans == notes
    etree.tostring(doc.body)
