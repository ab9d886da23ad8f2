"""What the tests expect of a source, found from its raw text without the
readers (so that a reader's mistake cannot hide in its own expectations):
the words, headings and notes of a ``.muse`` text, and the body paragraphs of a
Library export. Shared by the reader tests and the tests of the built outputs."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import CORPUS, ROOT

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


SAMPLE = ROOT / "sources" / "azat-miftakhov.txt"


def source_blocks(path: Path) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if b.strip()]


def body_paragraphs(path: Path, not_body: tuple[str, ...] = ()) -> list[str]:
    """Paragraphs of running text, found without the reader: every block but
    headings, blocks with hard line breaks (header, bylines, attribution), the
    "Retrieved on" and site lines, and the blocks listed in ``not_body``."""
    return [b for b in source_blocks(path)
            if not b.startswith("#") and "Retrieved on" not in b and "  \n" not in b
            and "theanarchistlibrary.org" not in b and not any(x and x in b for x in not_body)]
