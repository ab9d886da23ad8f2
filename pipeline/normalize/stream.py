"""A block's text as one string, so rules can see across inline elements.

The text of a block (``p``, a heading, ``li``…) is spread over ``.text`` and
``.tail`` of its inline descendants. ``Stream`` joins those pieces ("slots")
with one marker character between consecutive slots, so that a quote opening
before an ``<em>`` and closing after it is seen as one pair:

``MARK``    entering or leaving a transparent inline element (``em``, ``span``…)
``OPAQUE``  an inline element whose content is not text to typeset (``code``,
            a footnote reference, ``img``): it stands for a word
``BREAK``   a ``br`` or a nested block: a line boundary

The markers are C0 control characters, which an XML tree cannot hold (lxml
refuses them in ``.text`` and ``.tail``; the readers drop them when they
decode a file): no character of a source can be taken for a marker, whatever
it holds — private-use characters (icon fonts, ligature stand-ins) included.
``CONTROLS`` are the characters reserved this way, for the normaliser's own
use (``typography`` takes one for the URLs it protects). They are chosen
among those Python's regular expressions do not count as white space
(``\\s`` matches U+001C–U+001F), so that the rules see each marker as a
non-space, as they would a letter that is not a word character.

Transforms must keep the markers (number and order); ``write_back`` checks it.
Text inside ``pre`` and ``code`` is never part of a stream; attributes never are.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from pipeline.document import BLOCKS, TEXTLESS_BLOCKS, is_noteref

MARK = "\x0e"     # SHIFT OUT
OPAQUE = "\x1a"   # SUBSTITUTE
BREAK = "\x0f"    # SHIFT IN
MARKERS = MARK + OPAQUE + BREAK
# Every character the normaliser may use as its own: none can be in a tree's text.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
MARKER_RE = re.compile(f"[{MARKERS}]")

LITERAL = {"pre", "code", "script", "style"}
OPAQUE_INLINE = {"code", "img", "svg", "math"}


@dataclass
class Stream:
    slots: list[tuple[etree._Element, str]] = field(default_factory=list)  # (element, "text"|"tail")
    langs: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = []
        for i, (el, attr) in enumerate(self.slots):
            if i:
                parts.append(self.markers[i - 1])
            parts.append(getattr(el, attr) or "")
        return "".join(parts)

    def add(self, el: etree._Element, attr: str, lang: str, marker: str) -> None:
        if self.slots:
            self.markers.append(marker)
        self.slots.append((el, attr))
        self.langs.append(lang)

    def write_back(self, new: str) -> bool:
        """Put ``new`` back into the slots; False (and nothing written) if markers changed."""
        pieces = MARKER_RE.split(new)
        if len(pieces) != len(self.slots) or MARKER_RE.findall(new) != self.markers:
            return False
        for (el, attr), piece in zip(self.slots, pieces):
            setattr(el, attr, piece or None)
        return True


def _lang_of(el: etree._Element, inherited: str) -> str:
    lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.lower() if lang else inherited


def streams(root: etree._Element, lang: str) -> Iterator[Stream]:
    """Every text stream under the block ``root`` (itself included), in document order."""
    # A double-ended queue: taking the first of a list is linear in its length,
    # which made a body of 100,000 paragraphs quadratic (2 s for this walk alone).
    pending: deque[tuple[etree._Element, str]] = deque([(root, lang)])
    while pending:
        block, block_lang = pending.popleft()
        block_lang = _lang_of(block, block_lang)
        if block.tag in LITERAL or not isinstance(block.tag, str):
            continue
        stream = Stream()
        nested: list[tuple[etree._Element, str]] = []
        if block.tag not in TEXTLESS_BLOCKS:
            stream.add(block, "text", block_lang, MARK)
        _walk_children(block, block_lang, stream, nested)
        if block.tag not in TEXTLESS_BLOCKS:
            yield stream
        pending.extendleft(reversed(nested))


def _walk_children(parent, lang, stream: Stream, nested: list) -> None:
    for child in parent:
        if not isinstance(child.tag, str):  # comments, processing instructions
            stream.add(child, "tail", lang, MARK)
            continue
        tag = child.tag
        if tag in BLOCKS:
            nested.append((child, lang))
            stream.add(child, "tail", lang, BREAK)
        elif tag == "br":
            stream.add(child, "tail", lang, BREAK)
        elif tag in OPAQUE_INLINE or is_noteref(child):
            stream.add(child, "tail", lang, OPAQUE)
        else:
            child_lang = _lang_of(child, lang)
            stream.add(child, "text", child_lang, MARK)
            _walk_children(child, child_lang, stream, nested)
            stream.add(child, "tail", lang, MARK)


def apply(root: etree._Element, lang: str, transform: Callable[[str, list[str]], str],
          warnings: list[str] | None = None) -> None:
    """Run ``transform(stream_text, langs_per_slot)`` on every stream under ``root``."""
    for stream in list(streams(root, lang)):
        old = stream.text()
        new = transform(old, stream.langs)
        if new != old and not stream.write_back(new):
            if warnings is not None:
                warnings.append(f"normalisation skipped a block it could not map back: {old[:60]!r}")
