"""Pandoc's Markdown extensions that Python-Markdown and pymdown-extensions lack.

People convert their texts with pandoc, whose Markdown carries, besides what
the extensions of ``extensions()`` read (footnotes, ``{#id .class}`` header
attributes, fenced code blocks, ``^superscript^``, ``~subscript~``,
``~~strikeout~~``, a backslash before any punctuation, a trailing backslash
for a hard line break):

* fenced divs, ``::: {.class}`` … ``:::``: the fences go, their content stays;
* inline notes, ``^[the note's text]``: made ordinary footnotes
  (``[^inline-N]`` with its definition at the end), numbered with the others.

Code (fenced blocks and backtick spans) is left as written.
"""

from __future__ import annotations

import re

from pymdownx import caret, escapeall, tilde


def extensions() -> list:
    """What the Markdown reader adds to footnotes and tables for pandoc's syntax
    (``^^insert^^`` is not pandoc's: only the superscript of ``caret``)."""
    return ["attr_list", "fenced_code", caret.makeExtension(insert=False), tilde.makeExtension(),
            escapeall.makeExtension(hardbreak=True, nbsp=True)]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV = re.compile(r"^ {0,3}:{3,}[ \t]*(?:\{[^}\n]*\}|[\w-]+)?[ \t]*:*[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1)[\s\S])*?\1")


def preprocess(text: str) -> str:
    """``text`` with fenced divs unwrapped and inline notes made footnotes."""
    out: list[str] = []
    prose: list[str] = []
    notes: list[str] = []
    fence = ""

    def flush() -> None:
        if prose:
            out.append(_inline_notes("\n".join(prose), notes))
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


def _inline_notes(text: str, notes: list[str]) -> str:
    """Each ``^[…]`` (brackets nested, escaped ones skipped, not in a code span) → ``[^inline-N]``."""
    spans = [m.span() for m in _CODE_SPAN.finditer(text)]
    result: list[str] = []
    pos = 0
    start = text.find("^[")
    while start >= 0:
        if (start and text[start - 1] == "\\") or any(a <= start < b for a, b in spans):
            start = text.find("^[", start + 2)
            continue
        depth, i = 0, start + 1
        while i < len(text):
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    break
            elif c == "\n" and text[i + 1:i + 2] == "\n":   # a note never spans paragraphs
                break
            i += 1
        if i >= len(text) or text[i] != "]":
            start = text.find("^[", start + 2)
            continue
        notes.append(" ".join(text[start + 2:i].split()))
        result.append(text[pos:start] + f"[^inline-{len(notes)}]")
        pos = i + 1
        start = text.find("^[", pos)
    result.append(text[pos:])
    return "".join(result)
