"""What each body line of a ``.muse`` source is (step 3 of the reader, first
half): heading, list item, footnote, table row, block tag, indented paragraph
…, by Text::Amuse's rules for a line, with the ``#anchor`` it may start with."""

from __future__ import annotations

import re

from pipeline.readers.muse.element import _El
from pipeline.readers.muse.tokens import _RUBY_RUN


_ANCHOR = re.compile(r"^(\s*)#([A-Za-z][A-Za-z0-9-]+) *(.*)$", re.S)
_START = re.compile(r"^<(biblio|play|comment|verse|center|right|example|quote)>\s*$")
_STOP = re.compile(r"^</(biblio|play|comment|verse|center|right|example|quote)>\s*$")
_LANGBLOCK = re.compile(r"^<(/?)\[([a-zA-Z-]+)\]>\s*$")
_HEADING = re.compile(r"^(\*{1,5}) (.+)$", re.S)
_TABLE_GH = re.compile(r"^\|+(?: +|\+)")
_COMMENT = re.compile(r"^;(?: +(.*))?$", re.S)
_FOOTNOTE = re.compile(r"^(\[([1-9][0-9]*)\] +)(.+)$", re.S)
_SFOOTNOTE = re.compile(r"^(\{([1-9][0-9]*)\} +)(.+)$", re.S)
_NEWPAGE = re.compile(r"^ {6,}(?:\* ?){5}\s*$")
_DL = re.compile(r"^( +)(.+?) +::(?: ?)(.*)$", re.S)
_UL = re.compile(r"^( +)- +(.*)$", re.S)
_OL = re.compile(r"^( +)([0-9]+|[a-zA-Z]|[ixvl]+|[IXVL]+)\. +(.*)$", re.S)
_RIGHT = re.compile(r"^( {20,})([^ ].*)$", re.S)
_CENTER = re.compile(r"^( {6,})([^ ].*)$", re.S)
_QUOTE = re.compile(r"^( {2,})([^ ].*)$", re.S)

_ROMAN = {}
for _i, _r in enumerate(
        "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx "
        "xxi xxii xxiii xxiv xxv xxvi xxvii xxviii xxix xxx xxxi xxxii xxxiii xxxiv "
        "xxxv xxxvi xxxvii xxxviii xxxix xl xli xlii xliii xliv xlv xlvi xlvii xlviii "
        "xlix l li lii liii liv lv lvi lvii lviii lix lx lxi lxii lxiii lxiv lxv lxvi "
        "lxvii lxviii lxix lxx lxxi lxxii lxxiii lxxiv lxxv lxxvi lxxvii lxxviii lxxix "
        "lxxx lxxxi lxxxii lxxxiii lxxxiv lxxxv lxxxvi lxxxvii lxxxviii lxxxix".split(), 1):
    _ROMAN[_r] = _i


def _list_index(prefix: str) -> int:
    if prefix.isdigit():
        return int(prefix) if len(prefix) < 7 else 0
    low = prefix.lower()
    if len(low) == 1 and low not in "ixvl":
        return ord(low) - ord("a") + 1
    if low in _ROMAN:
        return _ROMAN[low]
    return 0


def _list_type(prefix: str) -> str:
    if prefix.isdigit():
        return "1"
    if re.fullmatch(r"[ixvl]+", prefix):
        return "i"
    if re.fullmatch(r"[IXVL]+", prefix):
        return "I"
    return "a" if prefix.islower() else "A"


def _classify(raw: str, lineno: int, nolist: bool = False) -> _El:
    anchors: list[str] = []
    line = raw
    if "#" in raw:
        m = _ANCHOR.match(raw)
        if m:
            anchors = [m.group(2)]
            line = m.group(1) + m.group(3)
    el = _classify_line(line, lineno, nolist)
    el.raw = raw
    el.anchors = anchors
    return el


def _classify_line(line: str, n: int, nolist: bool) -> _El:
    if not line.strip():
        return _El("null", n)
    c = line[0]
    if c == "<":
        m = _START.match(line)
        if m:
            return _El("startblock", n, block=m.group(1))
        m = _STOP.match(line)
        if m:
            return _El("stopblock", n, block=m.group(1))
        m = _LANGBLOCK.match(line)
        if m:
            el = _El("stopblock" if m.group(1) else "startblock", n, block="lang")
            el.lang = m.group(2)
            return el
    elif c == "{":
        if line.startswith("{{{") and not line[3:].strip():
            el = _El("startblock", n, block="example")
            el.style = "{{{"
            return el
        m = _SFOOTNOTE.match(line)
        if m:
            el = _El("secondary_footnote", n, string=m.group(3), indent=len(m.group(1)))
            el.fnkey, el.label = "b" + m.group(2), "{" + m.group(2) + "}"
            return el
    elif c == "}":
        if line.startswith("}}}") and not line[3:].strip():
            el = _El("stopblock", n, block="example")
            el.style = "{{{"
            return el
    elif c == "*":
        m = _HEADING.match(line)
        if m:
            return _El("h" + str(len(m.group(1))), n, string=m.group(2))
    elif c == ">":
        if line.startswith("> "):
            return _El("versep", n, string=line[2:])
        if line == ">":
            return _El("versep", n, string="")
    elif c == ";":
        m = _COMMENT.match(line)
        if m:
            return _El("inlinecomment", n, string=m.group(1) or "")
    elif c == "[":
        m = _FOOTNOTE.match(line)
        if m:
            el = _El("footnote", n, string=m.group(3), indent=len(m.group(1)))
            el.fnkey, el.label = m.group(2), m.group(2)
            return el
    elif c == "|":
        if _TABLE_GH.match(line):
            return _El("table", n, string=line)
    if c == " ":
        if "|" in line and "|" in _RUBY_RUN.sub("", line):     # a ruby's "|" is no cell border
            return _El("table", n, string=line)
        if _NEWPAGE.match(line):
            return _El("newpage", n)
        if "::" in line:
            m = _DL.match(line)
            if m:
                el = _El("dd", n, string=m.group(3), block="dl", indent=len(m.group(1)) + 2)
                el.term = m.group(2)
                el.index = 1
                return el
        if not nolist:
            m = _UL.match(line)
            if m:
                el = _El("li", n, string=m.group(2), block="ul", indent=len(m.group(1)) + 2)
                el.index = 1
                return el
            m = _OL.match(line)
            if m:
                idx = _list_index(m.group(2))
                if idx:
                    el = _El("li", n, string=m.group(3), block="ol" + _list_type(m.group(2)),
                             indent=len(m.group(1)) + 2)
                    el.index = idx
                    return el
        for rx, block in ((_RIGHT, "right"), (_CENTER, "center"), (_QUOTE, "quote")):
            m = rx.match(line)
            if m:
                return _El("regular", n, string=m.group(2), block=block, indent=len(m.group(1)))
        return _El("regular", n, string=line.lstrip(), indent=0)
    return _El("regular", n, string=line)
