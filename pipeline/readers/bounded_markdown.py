"""Python-Markdown, kept linear on hostile input.

Python-Markdown reads the inline markup of each paragraph (or list item, cell,
heading) as one string, and several of its steps cost the paragraph's length
for each mark in it: from each ``[`` or ``![`` it counts brackets to the
partner or to the end (a run of unclosed ``[`` is quadratic), from each ``](``
it counts parentheses, from each backtick it looks for a closing run, and each
mark it replaces rebuilds the whole string. Its footnote extension looks every
reference up in a list, names the n-th call of a note after trying the n-1
names before, and its inline step takes each element from the front of a list
of all those waiting. Upstream treats this as a known limit.

Here:

* the footnote lookups are made constant-time, the calls get no names and
  the notes empty back-links (the Document has neither; ``markdown_footnotes``),
  the inline step's queue is a double-ended one, and all the note references
  of a text are replaced in one pass (``_LinearInline``; same numbering, same
  Document);
* before the inline step, the cost of each inline text is estimated in one
  linear pass — the distance each of those scans would run, plus the rebuilds —
  and a text whose estimate exceeds ``WORK_PER_CHARACTER`` times its length
  (texts of real books are far below: a paragraph's marks mostly close within a
  few words) is kept as written, without inline markup, with a warning. Nothing
  of it is lost; only its emphasis, links and note references are not read.

Normal texts are converted as by Python-Markdown alone, but for the back-links
and the names of the calls, which the Document does not keep.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import deque
from xml.etree import ElementTree

import markdown as md_lib
from markdown import blockprocessors, inlinepatterns, util
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor, UnescapeTreeprocessor

from pipeline.readers.markdown_footnotes import Footnotes, FootnoteRefs

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
_MARKS = re.compile(r"[\[\]`*_<&\\!^~]")   # ^ and ~: pandoc's sub- and superscripts, strikeout
# Python-Markdown's footnote reference (``FootnoteExtension.extendMarkdown``).
_NOTE_REF = re.compile(r"\[\^([^\]]*)\]")


def inline_work(text: str, notes=()) -> int:
    """An upper estimate of the steps Python-Markdown's inline patterns take on
    ``text``, whose references to the notes ``notes`` cost nothing: they are
    replaced in one pass (``_LinearInline``) before any other mark is read."""
    if notes and "[^" in text:
        text = _NOTE_REF.sub(lambda m: "x" * len(m.group()) if m.group(1) in notes else m.group(), text)
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


def too_costly(text: str, notes=()) -> bool:
    # inline_work is under 3 × length² (each of its terms under length² per kind of
    # mark): a text that short is never too costly, and need not be estimated
    if 3 * len(text) ** 2 <= WORK_FLOOR:
        return False
    return inline_work(text, notes) > max(WORK_FLOOR, WORK_PER_CHARACTER * len(text))


class _Budget(Treeprocessor):
    """Before the inline step: texts too costly to read as markup stay as written."""

    def __init__(self, md, refused: list[str], footnotes: FootnoteExtension | None) -> None:
        super().__init__(md)
        self.refused = refused
        self.footnotes = footnotes

    def run(self, root) -> None:
        notes = self.footnotes.footnotes if self.footnotes else ()
        for el in root.iter():
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if value and not isinstance(value, util.AtomicString) and too_costly(value, notes):
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


# Lines at which Python-Markdown's block parser cuts a block: a rule (its
# ``HRProcessor``'s own pattern) and a "#" heading (any line that starts with "#").
_RULE = re.compile(blockprocessors.HRProcessor.RE)
_SETEXT_UNDERLINE = re.compile(r"^(?:=+|-+)[ ]*$")
MAX_CUTS_PER_BLOCK = 64


def _cuts_at(line: str) -> bool:
    return line.startswith("#") or line.lstrip(" ")[:1] in ("-", "_", "*") and bool(_RULE.match(line))


class _BlockCuts(Preprocessor):
    """Blank lines around the rules and "#" headings of a block (lines without a
    blank one) that has more than ``MAX_CUTS_PER_BLOCK`` of them, with a warning.
    Python-Markdown cuts a block at each such line, copies the rest and tests it
    against every block pattern again, several of which search all of it (for a
    heading, a quote, a table's rows): a block of alternating text and rule lines
    took minutes. Each such line is then a rule or a heading of its own, as it is
    almost always in Python-Markdown's own reading too; a line of ``-`` or ``=``
    under the first line of a block stays that line's underline (a heading).
    A block of up to that many is left to Python-Markdown as it is."""

    def __init__(self, md, refused: list[str]) -> None:
        super().__init__(md)
        self.refused = refused

    def run(self, lines: list[str]) -> list[str]:
        if len(lines) <= MAX_CUTS_PER_BLOCK:
            return lines
        out: list[str] = []
        block: list[str] = []
        for line in [*lines, ""]:
            if line.strip():
                block.append(line)
                continue
            out.extend(self._cut(block))
            out.append(line)
            block = []
        return out[:-1]

    def _cut(self, block: list[str]) -> list[str]:
        cuts = sum(map(_cuts_at, block)) if len(block) > MAX_CUTS_PER_BLOCK else 0
        if cuts <= MAX_CUTS_PER_BLOCK:
            return block
        self.refused.append(f"\x01{cuts}\x01{block[0]}")
        out: list[str] = []
        first = 0                       # the first line of the block being made
        for n, line in enumerate(block):
            if n == first + 1 and _SETEXT_UNDERLINE.match(line):
                out.extend((line, ""))
                first = n + 1
            elif _cuts_at(line):
                if out and out[-1]:
                    out.append("")
                out.extend((line, ""))
                first = n + 1
            else:
                out.append(line)
        return out[:-1] if out and not out[-1] else out


class _Blocks:
    """The list of blocks Python-Markdown's block parser works through. It and its
    processors only look at, take and put back the first block (``[0]``,
    ``pop(0)``, ``insert(0, …)``), which a list does by moving all the others:
    quadratic in a text of many blocks. Kept reversed, each is one step."""

    __slots__ = ("_reversed",)

    def __init__(self, blocks) -> None:
        self._reversed = list(blocks)[::-1]

    def __len__(self) -> int:
        return len(self._reversed)

    def __iter__(self):
        return reversed(self._reversed)

    def __getitem__(self, index: int) -> str:
        return self._reversed[-1 - index] if index >= 0 else self._reversed[-1 - (len(self) + index)]

    def __setitem__(self, index: int, block: str) -> None:
        self._reversed[-1 - index if index >= 0 else -1 - (len(self) + index)] = block

    def pop(self, index: int = -1) -> str:
        return self._reversed.pop(-1 - index if index >= 0 else -1 - (len(self) + index))

    def insert(self, index: int, block: str) -> None:
        self._reversed.insert(len(self) - index, block)

    def append(self, block: str) -> None:
        self._reversed.insert(0, block)


def _front_cheap(parse_blocks):
    def parse(parent, blocks) -> None:
        return parse_blocks(parent, blocks if isinstance(blocks, _Blocks) else _Blocks(blocks))
    return parse


class _Emphasis(inlinepatterns.DelimiterProcessor):
    """Python-Markdown's emphasis (``*`` and ``_``), with the pairs it finds
    ahead kept for the text they were found in.

    At the first delimiter of a text, upstream pairs the delimiters of all of
    it, returns the element of the first pair and keeps the others for the
    calls that follow on the same text, once that element is a placeholder in
    it. Two things went wrong, each losing or mangling text: it found where a
    kept pair now stands from the delimiter searched next, which is not the
    pair's own when an unpaired one lies between (``**e* *\n*x*`` made
    ``<em>\n</em>`` of ``*\n*`` and, with a line break, cut its placeholder in
    two); and the texts between the element's children, which the same
    processor reads before the rest of the text, took the kept pairs for
    their own (``*x **a *b* * c** d *e*`` lost its " c"). Here a kept pair
    moves by what the text's length changed (only the part before it was
    replaced), and the kept pairs are set aside while another text is read
    (``_LinearInline.__handleInline``)."""

    def handleMatch(self, m, data):  # noqa: N802
        if not self.regions:
            self.length = len(data)
        return super().handleMatch(m, data)

    def get_cached_result(self, pos, data):
        offset = len(data) - self.length
        start, end = self.regions[self.cache_index][0], self.regions[self.cache_index][3]
        el, count = self._build_element(data, self.cache_index, offset)
        self.increment_next_position(start, count)
        return el, start + offset, end + offset

    def set_aside(self):
        """The pairs kept for the text being read (None if none), forgotten here."""
        if not self.regions:
            return None
        kept = (self.regions[:], self.stack[:], self.cache_index, self.cache_pos, self.length,
                {token: list(delimiter.stack) for token, delimiter in self.delimiters.items()})
        self.reset()
        return kept

    def take_back(self, kept) -> None:
        """The pairs ``set_aside`` returned, kept again (those of the text read
        meanwhile, if any were left, are forgotten)."""
        if self.regions:
            self.reset()
        if kept is None:
            return
        regions, stack, self.cache_index, self.cache_pos, self.length, stacks = kept
        self.regions.extend(regions)
        self.stack.extend(stack)
        for token, delimiter in self.delimiters.items():
            delimiter.stack.extend(stacks[token])


class _LinearInline(InlineProcessor):
    """Python-Markdown's inline step (``markdown.treeprocessors.InlineProcessor``)
    without its quadratic paths; the same tree comes out.

    * ``run`` is upstream's, with its queue of elements a ``deque`` (upstream
      takes each from the front of a list: a step per element waiting, and a
      paragraph of 40,000 note references queues 40,000), the place of a
      child counted instead of looked up in the list of its siblings, and a
      text that came out without placeholders (no element made of it) set as
      it is, which is all upstream's placeholder step does with it.
    * The footnote pattern replaces every reference of a text in one pass:
      upstream rebuilds the whole text for each (the text's length per
      reference). The pattern looks neither behind its match nor at the rest
      of the text, so matching the text as written finds what matching it
      after each replacement finds. Other patterns, which may look behind
      (``(?<!\\w)_``), keep upstream's way, and the budget counts their
      rebuilds.

    The private helpers are called by their mangled names.
    """

    def run(self, tree, ancestors=None):
        handle_inline = self._InlineProcessor__handleInline
        process_placeholders = self._InlineProcessor__processPlaceholders
        prefix = self._InlineProcessor__placeholder_prefix
        self.patterns = list(self.inlinePatterns)
        self.emphasis = next((p for p in self.patterns if isinstance(p, _Emphasis)), None)
        # each pattern's search, when all search as upstream does (new-style patterns)
        self.searches = ([p.getCompiledRegExp().search for p in self.patterns]
                         if all(isinstance(p, inlinepatterns.InlineProcessor) for p in self.patterns)
                         else None)
        self.unmatched: set[tuple[str, int]] = set()   # (short text, first pattern) none matches
        self.stashed_nodes = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = deque([(tree, tree_parents)])
        self._InlineProcessor__build_ancestors(tree, tree_parents)
        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            insert_queue = []
            # Upstream inserts only after the child it is at: the child's place
            # is the number of children met before it.
            for place, child in enumerate(current):
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    done = handle_inline(child.text)
                    if prefix not in done:
                        # no element made of it: what upstream's placeholder step leaves
                        child.text = done or None
                    else:
                        child.text = None
                        lst = process_placeholders(done, child)
                        for item in lst:
                            self.parent_map[item[0]] = child
                        stack.extend(lst)
                        insert_queue.append((child, lst))
                    self.ancestors.pop()
                if child.tail:
                    tail = handle_inline(child.tail)
                    if prefix not in tail:
                        child.tail = tail or None
                    else:
                        dummy = ElementTree.Element("d")
                        child.tail = None
                        tail_result = process_placeholders(tail, dummy, False)
                        if dummy.tail:
                            child.tail = dummy.tail
                        tail_result.reverse()
                        for new_child in tail_result:
                            self.parent_map[new_child[0]] = current
                            current.insert(place + 1, new_child[0])
                if len(child):
                    self.parent_map[child] = current
                    stack.append((child, self.ancestors[:]))
            for element, lst in insert_queue:
                for i, obj in enumerate(lst):
                    element.insert(i, obj[0])
        return tree

    def _InlineProcessor__handleInline(self, data, patternIndex=0):  # noqa: N802, N803
        """Upstream's, with the patterns in a list (upstream sorts its registry
        at each step), a text that no pattern matches (a note's number, most
        short texts) returned at once: upstream would try each pattern on it
        through all its machinery, to the same end; and the pairs of emphasis
        kept for the text that was being read set aside meanwhile (``_Emphasis``)."""
        if isinstance(data, util.AtomicString):
            return data
        emphasis = self.emphasis
        if emphasis is None:
            return self._read(data, patternIndex)
        kept = emphasis.set_aside()
        try:
            return self._read(data, patternIndex)
        finally:
            emphasis.take_back(kept)

    def _read(self, data, patternIndex):  # noqa: N803
        patterns = self.patterns
        if self.searches is not None:
            key = (data, patternIndex)
            if key in self.unmatched:
                return data
            for search in self.searches[patternIndex:]:
                if search(data):
                    break
            else:
                if len(data) <= 64:     # short texts recur: a note's number, its text
                    self.unmatched.add(key)
                return data
        start = 0
        while patternIndex < len(patterns):
            data, matched, start = self._InlineProcessor__applyPattern(
                patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data

    def _InlineProcessor__applyPattern(self, pattern, data, patternIndex, startIndex=0):  # noqa: N802, N803
        if not isinstance(pattern, FootnoteRefs) or any(
                exclude.lower() in self.ancestors for exclude in pattern.ANCESTOR_EXCLUDES):
            return super()._InlineProcessor__applyPattern(pattern, data, patternIndex, startIndex)
        handle_inline = self._InlineProcessor__handleInline
        pieces, copied = [], 0
        for m in pattern.getCompiledRegExp().finditer(data, startIndex):
            node, start, end = pattern.handleMatch(m, data)
            if start is None or end is None:
                continue
            # as upstream: the texts of the new element go through the later patterns
            if not isinstance(node.text, util.AtomicString):
                for child in [node, *node]:
                    if child.text:
                        self.ancestors.append(child.tag.lower())
                        child.text = handle_inline(child.text, patternIndex + 1)
                        self.ancestors.pop()
                    if child.tail:
                        child.tail = handle_inline(child.tail, patternIndex)
            pieces += [data[copied:start], self._InlineProcessor__stashNode(node, pattern.type())]
            copied = end
        if not pieces:
            return data, False, 0
        done = "".join(pieces)
        return done + data[copied:], True, len(done)


class _Unescape(UnescapeTreeprocessor):
    """Upstream's, which runs a regular expression over every text, tail and
    attribute of the tree and sets every attribute again, for the few holding a
    backslash escape's placeholder: only those are touched."""

    def run(self, root) -> None:
        stx, unescape = util.STX, self.unescape
        for elem in root.iter():
            if elem.text and stx in elem.text and elem.tag != "code":
                elem.text = unescape(elem.text)
            if elem.tail and stx in elem.tail:
                elem.tail = unescape(elem.tail)
            for key, value in elem.items():
                if value is not None and stx in value:
                    elem.set(key, unescape(value))


class _BlockNames(list):
    """``Markdown.block_level_elements`` (a list of some sixty names, searched
    for every element by several steps) with a set beside it for ``in``, and
    the answer of ``Markdown.is_block_level`` for each tag met."""

    def __init__(self, names) -> None:
        super().__init__(names)
        self._changed_now()

    def _changed_now(self) -> None:
        self._names = frozenset(self)
        self.tags: dict[str, bool] = {}

    def __contains__(self, name) -> bool:
        return name in self._names

    def holds(self, tag: str) -> bool:
        """``Markdown.is_block_level(tag)`` for a tag that is a string."""
        known = self.tags.get(tag)
        if known is None:
            known = self.tags[tag] = tag.lower().rstrip("/") in self._names
        return known

    def _changed(method):  # noqa: N805 - wraps the list's own methods
        def changed(self, *args):
            result = method(self, *args)
            self._changed_now()
            return result
        return changed

    append = _changed(list.append)
    extend = _changed(list.extend)
    insert = _changed(list.insert)
    remove = _changed(list.remove)
    pop = _changed(list.pop)
    clear = _changed(list.clear)
    __setitem__ = _changed(list.__setitem__)
    __delitem__ = _changed(list.__delitem__)
    __iadd__ = _changed(list.__iadd__)
    del _changed


class _Markdown(md_lib.Markdown):
    def is_block_level(self, tag) -> bool:  # noqa: D102 - upstream's, answered once per tag
        names = self.block_level_elements
        if isinstance(tag, str) and isinstance(names, _BlockNames):
            return names.holds(tag)
        return super().is_block_level(tag)


class _LinearExtension(Extension):
    def __init__(self, refused: list[str], footnotes: FootnoteExtension | None) -> None:
        super().__init__()
        self.refused = refused
        self.footnotes = footnotes

    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_LinearInline(md), "inline", 20)
        emphasis = md.inlinePatterns["em_strong"]
        if type(emphasis) is inlinepatterns.DelimiterProcessor:
            emphasis.__class__ = _Emphasis      # as configured (``*``, ``_``), kept ahead safely
        md.treeprocessors.register(_Unescape(md), "unescape", 0)
        md.block_level_elements = _BlockNames(md.block_level_elements)
        md.treeprocessors.register(_Budget(md, self.refused, self.footnotes), "zinepress-budget", 25)
        md.preprocessors.register(_RawHtmlBudget(md, self.refused), "zinepress-html-budget", 25)
        # after fenced code (25) and raw HTML blocks (20) are set aside
        md.preprocessors.register(_BlockCuts(md, self.refused), "zinepress-block-cuts", 19)
        md.parser.parseBlocks = _front_cheap(md.parser.parseBlocks)


def converter(extensions: list[str], footnotes: dict | None = None) -> tuple[md_lib.Markdown, list[str]]:
    """A Python-Markdown converter with ``extensions`` (``footnotes`` among them made
    constant-time, configured by ``footnotes``) and the inline budget; and the list
    that collects, at each conversion, the texts kept as written."""
    refused: list[str] = []
    notes = Footnotes(**(footnotes or {})) if "footnotes" in extensions else None
    chosen = [notes if name == "footnotes" else name for name in extensions]
    return _Markdown(extensions=[*chosen, _LinearExtension(refused, notes)], output_format="html"), refused


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
        if text.startswith("\x01"):
            _, cuts, first = text.split("\x01", 2)
            index = original.find(first) if first.strip() else -1
            where = f"line {line_at(original, index)}: " if index >= 0 else ""
            warnings.append(f"{where}a block of {cuts} rules and headings without a blank line between "
                            "them is read as if blank lines stood around each of them: as it stands, "
                            "reading it would take too long")
            continue
        if text.startswith("\x00"):
            warnings.append(f"{text[1:]} '<' that open a tag, comment or CDATA section and are never "
                            "closed are kept as text: reading them as HTML would take too long")
            continue
        probe = text.strip()[:40]
        index = original.find(probe) if probe else -1
        warnings.append(refused_warning(text, line_at(original, index) if index >= 0 else None))
    return warnings


_PLACEHOLDER = re.compile("[\x02\x03]")


def refuse_placeholders(html: str, original: str, path=None) -> str:
    """``html``, unless Python-Markdown left one of its placeholders (STX … ETX)
    in it: a misreading of its own (its emphasis can still lose the character
    after ``**a*``, say) that would reach the outputs mangled. Then a clear
    error naming the line of the text before it, where it is found."""
    found = _PLACEHOLDER.search(html)
    if not found:
        return html
    from pipeline.errors import SourceSyntaxError
    from pipeline.safety import line_at

    # the first words of the block it stands in, found in the text
    block = max(html.rfind(f"<{tag}", 0, found.start()) for tag in ("p>", "li>", "h", "td>", "th>"))
    plain = re.sub(r"<[^>]*>|\x02[^\x03]*\x03?", "", html[max(0, block):found.start()])
    words = re.search(r"\w+(?:[ \t]+\w+){0,3}", plain)
    index = original.find(words.group()) if words else -1
    raise SourceSyntaxError(
        "the Markdown reader misread the emphasis or code marks here ('*', '_', '`') and would "
        "mangle the text", path=path, line=line_at(original, index) if index >= 0 else None,
        hint="escape the marks that are not emphasis or code (\\*, \\_, \\`), or close the ones left open")


def convert(body: str, extensions: list[str], original: str,
            footnotes: dict | None = None) -> tuple[str, list[str]]:
    """``body`` to HTML, and the warnings for its texts kept as written."""
    md, refused = converter(extensions, footnotes)
    html = md.convert(body)
    return html, warnings_for(refused, original)


def convert_to_tree(body: str, extensions: list[str], original: str, footnotes: dict | None = None
                    ) -> tuple[md_lib.Markdown, ElementTree.Element | None, list[str]]:
    """``convert`` up to Python-Markdown's tree, before it is serialized: (the
    converter, the tree — None for an empty text —, the warnings). ``html(md,
    tree)`` is then what ``convert`` returns; ``md.htmlStash`` holds the raw HTML
    of the text (and its entities), set aside as placeholders in the tree."""
    md, refused = converter(extensions, footnotes)
    if "{" not in body and "attr_list" in md.treeprocessors:
        md.treeprocessors.deregister("attr_list")   # no attribute list to find: a walk of every element saved
    root = None
    if body.strip():        # upstream's Markdown.convert, steps 1 to 3
        md.lines = body.split("\n")
        for preprocessor in md.preprocessors:
            md.lines = preprocessor.run(md.lines)
        root = md.parser.parseDocument(md.lines).getroot()
        for treeprocessor in md.treeprocessors:
            new_root = treeprocessor.run(root)
            if new_root is not None:
                root = new_root
    return md, root, warnings_for(refused, original)


def html(md: md_lib.Markdown, root: ElementTree.Element | None) -> str:
    """The rest of upstream's ``Markdown.convert`` on a tree of ``convert_to_tree``."""
    if root is None:
        return ""
    output = md.serializer(root)
    try:
        start = output.index(f"<{md.doc_tag}>") + len(md.doc_tag) + 2
        output = output[start:output.rindex(f"</{md.doc_tag}>")].strip()
    except ValueError:
        if not output.strip().endswith(f"<{md.doc_tag} />"):
            raise
        output = ""
    for postprocessor in md.postprocessors:
        output = postprocessor.run(output)
    return output.strip()
