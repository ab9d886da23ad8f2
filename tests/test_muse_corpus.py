"""Every .muse text of the corpus parses without losing a word, a heading or a footnote.

The expectations are derived from the raw lines with simple regexes, independently
of the reader: the header is skipped, comments and markup tokens are removed, and
what is left must appear, word by word and in order, in the Document's text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import CORPUS
from pipeline.readers import muse

FILES = sorted([*CORPUS.glob("muse/*.muse"), *CORPUS.glob("zh/*.muse"), *CORPUS.glob("mk/*.muse"),
                CORPUS / "manual" / "amusewiki-manual.muse"])
WORD = re.compile(r"\w+")
DIRECTIVE = re.compile(r"^#[A-Za-z0-9_-]+(\s+.+)?$")
LITERAL_START = re.compile(r"^(<example>|\{\{\{|<comment>|<verse>)\s*$")
LITERAL_END = {"<example>": "</example>", "{{{": "}}}", "<comment>": "</comment>", "<verse>": "</verse>"}
NOTE_DEF = re.compile(r"^(\[[1-9][0-9]*\]|\{[1-9][0-9]*\}) +\S")
HEADING = re.compile(r"^\*{1,5} \S")
TAG = re.compile(r"</?([A-Za-z\[][^<>\n]*)>")
# Inline tags may stand inside a word ("<strong>I</strong>t"): where the text is
# compared as laid out (PDF, EPUB) they must not part it; other tags part words.
INLINE_TAGS = {"em", "strong", "code", "sup", "sub", "del", "sc", "sf", "verbatim", "i", "b", "u"}


def join_inline(match: re.Match) -> str:
    return "" if match.group(1).split()[0].lower() in INLINE_TAGS else " "
LINK = re.compile(r"\[\[([^\]\n]*?)\](?:\[([^\]]*?)\])?\]", re.S)
LIST_MARK = re.compile(r"^\s+(-|[0-9]+\.|[a-zA-Z]\.|[ivxlIVXL]+\.)\s+")
ANCHOR = re.compile(r"^\s*#[A-Za-z][A-Za-z0-9-]+")


def body_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\t", "    ").split("\n")
    i, last = 0, False
    while i < len(lines):  # the header: directives, their continuation lines, blank lines
        line = lines[i]
        if not line.strip():
            last = False
        elif line.startswith("#") and DIRECTIVE.match(line.rstrip()):
            last = True
        elif not last:
            break
        i += 1
    return lines[i:]


def source_facts(text: str, untag=" "):
    """(body chunks, note chunks, heading count, note count) from the raw lines;
    ``untag`` replaces markup tags (a string, or a function of the match)."""
    chunks: list[tuple[bool, list[list[str]]]] = []  # (is_note, word groups in order)
    headings = notes = 0
    in_literal = None
    prev_note_width = None
    block: list[str] = []

    def flush():
        nonlocal prev_note_width, block
        if not block:
            return
        first = block[0]
        m = NOTE_DEF.match(first)
        indent = len(first) - len(first.lstrip(" "))
        if m:
            prev_note_width = len(re.match(r"^\S+ +", first).group(0))
            is_note = True
        elif prev_note_width and indent and abs(indent - prev_note_width) <= 1:
            is_note = True
        else:
            prev_note_width = None
            is_note = False
        # table rows are regrouped (caption, header, body, footer): each row is a group
        is_table = all("|" in line for line in block)
        groups: list[list[str]] = [[]]
        joined = "\n".join(block)
        joined = LINK.sub(lambda mm: " " + (mm.group(2) or ("" if re.search(r"\.(png|jpe?g)", mm.group(1) or "")
                                                             else mm.group(1))) + " ", joined)
        for line in joined.split("\n"):
            line = TAG.sub(untag, line)
            line = ANCHOR.sub(" ", line)
            line = LIST_MARK.sub(" ", line)
            line = re.sub(r"^(\[[0-9]+\]|\{[0-9]+\}) ", " ", line)
            line = re.sub(r"^(\*+ .*?) \| ", " ", line)  # short heading title goes to the TOC
            groups[-1].extend(WORD.findall(line))
            if is_table:
                groups.append([])
        chunks.append((is_note, [g for g in groups if g]))
        block = []

    for raw in body_lines(text):
        line = raw.rstrip()
        if in_literal:
            if line.strip() == LITERAL_END[in_literal]:
                in_literal = None
                flush()
            elif in_literal != "<comment>":
                if in_literal == "<verse>" and line.startswith("; "):
                    continue
                block.append(line)
            continue
        m = LITERAL_START.match(line)
        if m:
            flush()
            in_literal = m.group(1)
            continue
        if not line.strip():
            flush()
            continue
        if re.match(r"^;( |$)", line):
            continue
        if HEADING.match(line):
            headings += 1
        if NOTE_DEF.match(line):
            notes += 1
            flush()
        block.append(line)
    flush()
    return chunks, headings, notes


def is_subsequence(words: list[str], stream: list[str], start: int) -> int | None:
    pos = start
    for w in words:
        try:
            pos = stream.index(w, pos) + 1
        except ValueError:
            return None
    return pos


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
