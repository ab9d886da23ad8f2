"""Repairs that never change how a correct text reads: Unicode form, ligature
characters, invisible characters, whitespace. Applied to a block's stream (see
``stream``). Mojibake is undone earlier, when the file is decoded
(``pipeline.readers.decode``), where whole lines give ftfy enough context; on a
block's text alone it would mistake rare letter sequences for mojibake.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.normalize.stream import BREAK, CONTROLS, MARK, MARKERS

# Soft hyphens (a renderer hyphenates by itself), BOM / zero-width no-break
# spaces, and control characters. Zero-width (non-)joiners stay: scripts need them.
# The C0 controls are the stream's markers here: a tree's text holds none of
# its own, and ``repair_string`` drops those of a metadata value first.
_INVISIBLE = re.compile("[\u00ad\ufeff\x7f-\x9f]")
# Breaking whitespace only: no-break spaces (U+00A0, U+202F) and the
# ideographic space (U+3000) are deliberate.
_SPACE = re.compile(r"[ \t\n\r\f\v\u2028\u2029]+")
# Typographic ligatures as characters (PDF extractions are full of them) hide
# words from search, hyphenation and fonts without them: the font makes its own.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
# What ``_SPACE`` changes: a white space other than " " (or a run of spaces).
_OTHER_SPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029]")
# What ``_INVISIBLE`` removes and ``_LIGATURES`` spells out.
_TO_REMOVE = re.compile("[\u00ad\ufeff\x7f-\x9f\ufb00-\ufb06]")
_AROUND_BREAK = re.compile(f"[ {MARK}]*{BREAK}[ {MARK}]*")
_AROUND_MARK = re.compile(f"(?:[ ]*{MARK})+[ ]*")


def _keep_markers(match: re.Match) -> str:
    return "".join(c for c in match.group(0) if c in MARKERS)


def _mark_run(match: re.Match) -> str:
    run = match.group(0)
    if " " not in run:
        return run
    # One space, where the first one stood: "a <em> b</em>" → "a <em>b</em>",
    # and "<em>cult</em> -- of" keeps its space after the element. (Moving
    # every space before the boundary put it inside a closing element:
    # "<em>cult </em>-- of".) Spaces a source puts inside an element's edges
    # are moved out beforehand (``spacing.spaces_outside``).
    first = run.index(" ")
    marks = run.replace(" ", "")
    return marks[:first] + " " + marks[first:]


def repair_text(text: str) -> str:
    """Repair one stream (markers kept, in order).

    Each step runs only on a text it would change (a search is much cheaper
    than a substitution): most blocks of a clean source need none of them."""
    if _TO_REMOVE.search(text):
        text = _INVISIBLE.sub("", text).translate(_LIGATURES)
    text = unicodedata.normalize("NFC", text)
    if "  " in text or _OTHER_SPACE.search(text):
        text = _SPACE.sub(" ", text)
    if BREAK in text:
        text = _AROUND_BREAK.sub(_keep_markers, text)
    if " " + MARK in text or MARK + " " in text:
        text = _AROUND_MARK.sub(_mark_run, text)
    # No space at the start or the end of a block.
    head = len(text) - len(text.lstrip(" " + MARKERS))
    if head:
        text = _keep_markers_only(text[:head]) + text[head:]
    tail = len(text.rstrip(" " + MARKERS))
    if tail < len(text):
        text = text[:tail] + _keep_markers_only(text[tail:])
    return text


def _keep_markers_only(s: str) -> str:
    return "".join(c for c in s if c in MARKERS)


def repair_string(text: str) -> str:
    """Repair a metadata value (no markup)."""
    return repair_text(CONTROLS.sub("", text)) if text else text
