"""Python-Markdown, kept linear on hostile input.

Python-Markdown reads the inline markup of each paragraph (or list item, cell,
heading) as one string, and several of its steps cost the paragraph's length
for each mark in it: from each ``[`` or ``![`` it counts brackets to the
partner or to the end (a run of unclosed ``[`` is quadratic), from each ``](``
it counts parentheses, from each backtick it looks for a closing run, and each
mark it replaces rebuilds the whole string. Its footnote extension looks every
reference up in a list. Upstream treats this as a known limit.

Here:

* the footnote lookups are made constant-time (same numbering, same output);
* before the inline step, the cost of each inline text is estimated in one
  linear pass — the distance each of those scans would run, plus the rebuilds —
  and a text whose estimate exceeds ``WORK_PER_CHARACTER`` times its length
  (texts of real books are far below: a paragraph's marks mostly close within a
  few words) is kept as written, without inline markup, with a warning. Nothing
  of it is lost; only its emphasis, links and note references are not read.

Normal texts are converted exactly as by Python-Markdown alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from xml.etree import ElementTree

import markdown as md_lib
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

# Estimated steps per character above which an inline text is not read as markup.
WORK_PER_CHARACTER = 64
# Below this estimate a text is always read. Small, so that many short costly texts
# stay cheap too: each costs at most about its length squared, under this floor.
WORK_FLOOR = 8192
# A replaced mark rebuilds the string: a copy, far cheaper than a step of a scan.
COPY_PER_STEP = 256

_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"\]\(|[()]")
_TICKS = re.compile(r"`+")
_MARKS = re.compile(r"[\[\]`*_<&\\!]")


def inline_work(text: str) -> int:
    """An upper estimate of the steps Python-Markdown's inline patterns take on ``text``."""
    length = len(text)
    work = 0
    open_at: list[int] = []
    for m in _BRACKET.finditer(text):
        if m.group() == "[":
            open_at.append(m.start())
        elif open_at:
            work += m.start() - open_at.pop()
    work += sum(length - i for i in open_at)
    open_at = []
    for m in _PAREN.finditer(text):
        token = m.group()
        if token == "](":
            open_at.append(-m.start() - 1)      # a link's address starts here
        elif token == "(":
            open_at.append(m.start())
        elif open_at:
            start = open_at.pop()
            if start < 0:
                work += m.start() + start + 1
    work += sum(length + start + 1 for start in open_at if start < 0)
    runs = [(m.start(), len(m.group())) for m in _TICKS.finditer(text)]
    following: dict[int, int] = {}
    for start, size in reversed(runs):
        work += following.get(size, length) - start
        following[size] = start
    work += len(_MARKS.findall(text)) * length // COPY_PER_STEP
    return work


def too_costly(text: str) -> bool:
    return inline_work(text) > max(WORK_FLOOR, WORK_PER_CHARACTER * len(text))


class _Budget(Treeprocessor):
    """Before the inline step: texts too costly to read as markup stay as written."""

    def __init__(self, md, refused: list[str]) -> None:
        super().__init__(md)
        self.refused = refused

    def run(self, root) -> None:
        for el in root.iter():
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if value and not isinstance(value, util.AtomicString) and too_costly(value):
                    setattr(el, attr, util.AtomicString(value))
                    self.refused.append(value)


_TAG_OPEN = re.compile(r"<(?=[A-Za-z!?/])")


class _RawHtmlBudget(Preprocessor):
    """Before raw HTML is looked for: Python's HTML parser, which Python-Markdown
    runs over the whole text, scans from each ``<`` that opens a tag, comment or
    CDATA section to its end; from each of a run of unclosed ones it scans to the
    end of the text. When that would cost too much, the ``<`` that no ``>``
    closes before the next ``<`` are written ``&lt;`` (shown as ``<``)."""

    def __init__(self, md, refused: list[str]) -> None:
        super().__init__(md)
        self.refused = refused

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        opens = [m.start() for m in _TAG_OPEN.finditer(text)]
        if not opens:
            return lines
        ends = [m.start() for m in re.finditer(">", text)]
        work, unclosed = 0, []
        for k, start in enumerate(opens):
            at = bisect_left(ends, start)
            close = ends[at] if at < len(ends) else len(text)
            work += close - start
            if close > (opens[k + 1] if k + 1 < len(opens) else len(text) - 1):
                unclosed.append(start)
        if work <= max(WORK_FLOOR, WORK_PER_CHARACTER * len(text)) or not unclosed:
            return lines
        pieces, last = [], 0
        for start in unclosed:
            pieces.append(text[last:start])
            pieces.append("&lt;")
            last = start + 1
        pieces.append(text[last:])
        self.refused.append(f"\x00{len(unclosed)}")
        return "".join(pieces).split("\n")


class _Order(list):
    """The footnote extension's list of references in order, with constant-time
    ``in`` and ``index``."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[str, int] = {}

    def append(self, item) -> None:
        self.at.setdefault(item, len(self))
        super().append(item)

    def __contains__(self, item) -> bool:
        return item in self.at

    def index(self, item, *args) -> int:
        if not args and item in self.at:
            return self.at[item]
        return super().index(item, *args)


class _Footnotes(FootnoteExtension):
    def reset(self) -> None:
        super().reset()
        self.footnote_order = _Order()
        self.defined_at: dict[str, int] = {}

    def extendMarkdown(self, md) -> None:
        super().extendMarkdown(md)
        pattern = md.inlinePatterns["footnote"]
        md.inlinePatterns.register(_FootnoteRefs(pattern.compiled_re.pattern, self), "footnote", 175)


class _FootnoteRefs(FootnoteInlineProcessor):
    """``FootnoteInlineProcessor.handleMatch`` with the note's number looked up in
    a map instead of a list of every definition."""

    def handleMatch(self, m, data):
        key = m.group(1)
        notes = self.footnotes
        if key not in notes.footnotes:
            return None, None, None
        notes.addFootnoteRef(key)
        if notes.getConfig("USE_DEFINITION_ORDER"):
            if len(notes.defined_at) != len(notes.footnotes):
                notes.defined_at = {name: n for n, name in enumerate(notes.footnotes)}
            number = notes.defined_at[key] + 1
        else:
            number = notes.footnote_order.index(key) + 1
        sup = ElementTree.Element("sup")
        a = ElementTree.SubElement(sup, "a")
        sup.set("id", notes.makeFootnoteRefId(key, found=True))
        a.set("href", "#" + notes.makeFootnoteId(key))
        a.set("class", "footnote-ref")
        a.text = notes.getConfig("SUPERSCRIPT_TEXT").format(number)
        return sup, m.start(0), m.end(0)


class _BudgetExtension(Extension):
    def __init__(self, refused: list[str]) -> None:
        super().__init__()
        self.refused = refused

    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_Budget(md, self.refused), "zinepress-budget", 25)
        md.preprocessors.register(_RawHtmlBudget(md, self.refused), "zinepress-html-budget", 25)


def converter(extensions: list[str], footnotes: dict | None = None) -> tuple[md_lib.Markdown, list[str]]:
    """A Python-Markdown converter with ``extensions`` (``footnotes`` among them made
    constant-time, configured by ``footnotes``) and the inline budget; and the list
    that collects, at each conversion, the texts kept as written."""
    refused: list[str] = []
    chosen = [_Footnotes(**(footnotes or {})) if name == "footnotes" else name for name in extensions]
    return md_lib.Markdown(extensions=[*chosen, _BudgetExtension(refused)], output_format="html"), refused


def refused_warning(text: str, line: int | None) -> str:
    where = f"line {line}: " if line else ""
    size = f"{len(text) / 1000:.0f} thousand characters" if len(text) >= 1000 else f"{len(text)} characters"
    return (f"{where}a paragraph of {size} is kept as written, without its emphasis, links or note "
            "references: its marks (unclosed brackets, backticks, a great many marks) would take "
            "too long to read — close them or split the paragraph")


def warnings_for(refused: list[str], original: str) -> list[str]:
    """A warning per text kept as written, with its line in ``original`` when found there."""
    from pipeline.safety import line_at

    warnings = []
    for text in refused:
        if text.startswith("\x00"):
            warnings.append(f"{text[1:]} '<' that open a tag, comment or CDATA section and are never "
                            "closed are kept as text: reading them as HTML would take too long")
            continue
        probe = text.strip()[:40]
        index = original.find(probe) if probe else -1
        warnings.append(refused_warning(text, line_at(original, index) if index >= 0 else None))
    return warnings


def convert(body: str, extensions: list[str], original: str,
            footnotes: dict | None = None) -> tuple[str, list[str]]:
    """``body`` to HTML, and the warnings for its texts kept as written."""
    md, refused = converter(extensions, footnotes)
    html = md.convert(body)
    return html, warnings_for(refused, original)
