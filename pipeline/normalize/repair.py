"""Repairs that never change how a correct text reads: mojibake, Unicode form,
invisible characters, whitespace. Applied to a block's stream (see ``stream``).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from pipeline.normalize.stream import BREAK, MARK, MARKERS

_FTFY = ftfy.TextFixerConfig(
    unescape_html=False, fix_latin_ligatures=False, fix_character_width=False,
    uncurl_quotes=False, fix_line_breaks=False, normalization=None, explain=False)

# Soft hyphens (a renderer hyphenates by itself), BOM / zero-width no-break
# spaces, and control characters. Zero-width (non-)joiners stay: scripts need them.
_INVISIBLE = re.compile("[\u00ad\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Breaking whitespace only: no-break spaces (U+00A0, U+202F) and the
# ideographic space (U+3000) are deliberate.
_SPACE = re.compile(r"[ \t\n\r\f\v\u2028\u2029]+")
_AROUND_BREAK = re.compile(f"[ {MARK}]*{BREAK}[ {MARK}]*")
_AROUND_MARK = re.compile(f"(?:[ ]*{MARK})+[ ]*")


def _keep_markers(match: re.Match) -> str:
    return "".join(c for c in match.group(0) if c in MARKERS)


def _mark_run(match: re.Match) -> str:
    run = match.group(0)
    marks = run.replace(" ", "")
    if " " not in run:
        return run
    # The space goes before the element boundary: "a <em> b</em>" → "a <em>b</em>".
    return " " + marks


def repair_text(text: str) -> str:
    """Repair one stream (markers kept, in order)."""
    if is_bad(text):
        text = ftfy.fix_text(text, _FTFY)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACE.sub(" ", text)
    text = _AROUND_BREAK.sub(_keep_markers, text)
    text = _AROUND_MARK.sub(_mark_run, text)
    # No space at the start or the end of a block.
    head = len(text) - len(text.lstrip(" " + MARKERS))
    text = _keep_markers_only(text[:head]) + text[head:]
    tail = len(text.rstrip(" " + MARKERS))
    text = text[:tail] + _keep_markers_only(text[tail:])
    return text


def _keep_markers_only(s: str) -> str:
    return "".join(c for c in s if c in MARKERS)


def repair_string(text: str) -> str:
    """Repair a metadata value (no markup)."""
    return repair_text(text) if text else text
