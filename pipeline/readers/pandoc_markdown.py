"""Pandoc's Markdown extensions that Python-Markdown and pymdown-extensions lack.

People convert their texts with pandoc, whose Markdown carries, besides what
the extensions of ``extensions()`` read (footnotes, ``{#id .class}`` header
attributes, fenced code blocks, a backslash before any punctuation, a trailing
backslash for a hard line break), ``^superscript^``, ``~subscript~`` and
``~~strikeout~~`` (``_Scripts``: three regular expressions, not pymdown-extensions'
caret and tilde, whose delimiter matching is quadratic in the number of
unpaired ``^`` or ``~`` of a paragraph — 1,500 of them took seven seconds),

* fenced divs, ``::: {.class}`` … ``:::``: the fences go, their content stays;
* inline notes, ``^[the note's text]``: made ordinary footnotes
  (``[^inline-N]`` with its definition at the end), numbered with the others;
* simple, multiline and grid tables: made pipe tables (``pandoc_tables``).

Code (fenced blocks and backtick spans) is left as written.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from markdown.extensions import Extension
from markdown.inlinepatterns import SimpleTagInlineProcessor
from pymdownx import escapeall

from pipeline.readers import pandoc_tables

# Pandoc's rules: a superscript or subscript holds no unescaped space (an
# escaped one is a placeholder by then), a strikeout holds anything but "~~"
# and neither starts nor ends with a space. Each attempt stops at the next
# space or delimiter, so a paragraph is scanned a bounded number of times.
_STRIKEOUT = r"(~~)(?!\s)((?:(?!~~).)+?)(?<!\s)~~"
_SUPERSCRIPT = r"(\^)([^\s^]+)\^"
_SUBSCRIPT = r"(?<!~)(~)([^\s~]+)~(?!~)"


class _Scripts(Extension):
    def extendMarkdown(self, md) -> None:
        # After code spans and escapes (190, 180), before emphasis (50)
        md.inlinePatterns.register(SimpleTagInlineProcessor(_STRIKEOUT, "del"), "pandoc_strikeout", 67)
        md.inlinePatterns.register(SimpleTagInlineProcessor(_SUPERSCRIPT, "sup"), "pandoc_superscript", 66)
        md.inlinePatterns.register(SimpleTagInlineProcessor(_SUBSCRIPT, "sub"), "pandoc_subscript", 65)


def extensions() -> list:
    """What the Markdown reader adds to footnotes and tables for pandoc's syntax."""
    return ["attr_list", "fenced_code", _Scripts(), escapeall.makeExtension(hardbreak=True, nbsp=True)]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^ {0,3}:{3,}[ \t]*(?:\{[^}\n]*\}|[\w-]+)?[ \t]*:*[ \t]*$")
_TICKS = re.compile(r"`+")
_BRACKET_TOKEN = re.compile(r"\\.|[\[\]]|\n[ \t]*\n", re.DOTALL)


def preprocess(text: str) -> str:
    """``text`` with fenced divs unwrapped and inline notes made footnotes."""
    out: list[str] = []
    prose: list[str] = []
    notes: list[str] = []
    fence = ""

    def flush() -> None:
        if prose:
            out.append(_inline_notes(pandoc_tables.rewrite("\n".join(prose)), notes))
            prose.clear()

    for line in text.split("\n"):
        if fence:
            out.append(line)
            if line.strip().startswith(fence):
                fence = ""
            continue
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)
            out.append(line)
        elif _DIV.match(line):
            prose.append("")
        else:
            prose.append(line)
    flush()
    text = "\n".join(out)
    if notes:
        text += "\n\n" + "\n\n".join(f"[^inline-{n}]: {body}" for n, body in enumerate(notes, 1)) + "\n"
    return text


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the backtick code spans: a run opens a span closed by the next
    run of the same length (one pass, whatever the number of unclosed runs)."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        size = runs[k][1] - runs[k][0]
        following[k], last[size] = last.get(size), k
    spans, k = [], 0
    while k < len(runs):
        close = following[k]
        if close is None:
            k += 1
            continue
        spans.append((runs[k][0], runs[close][1]))
        k = close + 1
    return spans


def _closing_brackets(text: str) -> dict[int, int]:
    """Position of each ``[`` → that of its ``]`` (escaped ones skipped, never across
    a blank line: a note never spans paragraphs), in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET_TOKEN.finditer(text):
        token = m.group(0)
        if token == "[":
            stack.append(m.start())
        elif token == "]":
            if stack:
                pairs[stack.pop()] = m.start()
        elif token[0] == "\n":
            stack.clear()
    return pairs


def _inline_notes(text: str, notes: list[str]) -> str:
    """Each ``^[…]`` (not escaped, not in a code span) → ``[^inline-N]``."""
    if "^[" not in text:
        return text
    spans = _code_spans(text)
    starts = [a for a, _ in spans]
    pairs = _closing_brackets(text)
    result: list[str] = []
    pos = 0
    for m in re.finditer(r"(?<!\\)\^\[", text):
        start = m.start()
        k = bisect_right(starts, start) - 1
        if start < pos or (k >= 0 and start < spans[k][1]) or start + 1 not in pairs:
            continue
        end = pairs[start + 1]
        notes.append(" ".join(text[start + 2:end].split()))
        result.append(text[pos:start] + f"[^inline-{len(notes)}]")
        pos = end + 1
    result.append(text[pos:])
    return "".join(result)
