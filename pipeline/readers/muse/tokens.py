"""Which characters of a Muse paragraph are inline markup (step 6 of the reader,
before any element is made): the tokenizer, Text::Amuse's rules pairing ``*``,
``**``, ``***`` and the inline tags, and the direction and ruby runs. Strings
in, tokens out, in time linear in the text."""

from __future__ import annotations

import re


_INLINE = re.compile(r"""
  (?=[\[<={~*])   # cheap first-character filter: most positions fail here
  (?:
  (?P<link>\[\[[^\[].*?\]\])
| (?P<verbatim><verbatim>(?P<vb>.*?)</verbatim>)
| (?P<code><code>(?P<cd>.*?)</code>)
| (?P<eq>(?<![^\W_])=(?=\S)(?P<eqc>.+?)(?<=\S)=(?![^\W_]))
| (?P<fn>\[(?P<fnn>[1-9][0-9]*)\])
| (?P<sfn>\{(?P<sfnn>[1-9][0-9]*)\})
| (?P<tag><(?P<close>/?)(?P<tname>strong|em|strike|del|sup|sub|sc|sf|\[[a-zA-Z-]+\])>)
| (?P<nbsp>~~)
| (?P<inline>\*\*\*|\*\*|\*)
| (?P<br><br\x20*/?>)
  )
""", re.S | re.X)
_ALNUM_END = re.compile(r"[^\W_]$")
_ALNUM_START = re.compile(r"^[^\W_]")


class _Tok:
    __slots__ = ("kind", "s", "tag", "m")

    def __init__(self, kind: str, s: str, tag: str = "", m=None) -> None:
        self.kind = kind
        self.s = s
        self.tag = tag
        self.m = m


# The same alternatives with only the opening of the four that run to a closer
# (``[[…]]``, ``<verbatim>…</verbatim>``, ``<code>…</code>``, ``=…=``): the full
# pattern is tried at an opening only once a closer is known to follow, so a
# paragraph of openers without closers (``=a =a =a …``) is read in linear time
# instead of scanning to its end from each of them.
_OPENING = re.compile(r"""
  (?=[\[<={~*])
  (?:
  (?P<link>\[\[[^\[])
| (?P<verbatim><verbatim>)
| (?P<code><code>)
| (?P<eq>(?<![^\W_])=(?=\S))
| \[[1-9] | \{[1-9] | <[/a-z\[] | ~~ | \*
  )
""", re.S | re.X)
_CLOSER = {
    "link": (re.compile(r"\]\]"), 3),
    "verbatim": (re.compile(r"</verbatim>"), 10),
    "code": (re.compile(r"</code>"), 6),
    "eq": (re.compile(r"(?<=\S)=(?![^\W_])"), 2),
}


class _Closers:
    """Where the next closer of each kind stands, for searches that move forward:
    each part of the text is searched once per kind."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.known: dict[str, tuple[int, int]] = {}   # kind → (searched from, found at or -1)

    def after(self, kind: str, start: int) -> bool:
        rx, offset = _CLOSER[kind]
        start += offset
        known = self.known.get(kind)
        if known is not None and known[0] <= start and (known[1] < 0 or known[1] >= start):
            return known[1] >= 0
        m = rx.search(self.s, start)
        self.known[kind] = (start, m.start() if m else -1)
        return m is not None


def _tokenize(s: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    closers = _Closers(s)
    search = _OPENING.search
    end = len(s)
    at = 0
    while at < end:
        opening = search(s, at)
        if opening is None:
            break
        start = opening.start()
        kind = opening.lastgroup
        if kind is not None and not closers.after(kind, start):
            at = start + 1       # no closer: the full pattern cannot match here
            continue
        m = _INLINE.match(s, start)
        if m is None:
            at = start + 1
            continue
        if start > pos:
            toks.append(_Tok("text", s[pos:start]))
        kind = m.lastgroup      # the last group closed: the alternative's own, never a sub-group
        raw = m.group(0)
        if kind == "tag":
            name = m.group("tname")
            toks.append(_Tok("close" if m.group("close") else "open", raw, name, m))
        elif kind == "inline":
            toks.append(_Tok("inline", raw, raw, m))
        else:
            toks.append(_Tok(kind, raw, "", m))
        pos = at = m.end()
    toks.append(_Tok("text", s[pos:]))
    return toks


def _pair(toks: list[_Tok]) -> list[_Tok]:
    """Text::Amuse's rules deciding which ``*`` and tags are markup."""
    last = len(toks) - 1
    for i, t in enumerate(toks):
        if t.kind == "inline" and 0 < i < last:
            if _ALNUM_END.search(toks[i - 1].s) and _ALNUM_START.search(toks[i + 1].s):
                t.kind, t.tag = "text", ""
    # remaining counts of each inline tag, to answer "is there another later?"
    remaining: dict[str, int] = {}
    for t in toks:
        if t.kind == "inline":
            remaining[t.tag] = remaining.get(t.tag, 0) + 1
    pieces: list[_Tok] = []
    tracking: list[str] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t.kind == "inline":
            remaining[t.tag] -= 1
            prev = pieces[-1] if pieces else None
            nxt = toks[i + 1] if i + 1 < n else None
            later = remaining.get(t.tag, 0) > 0
            done = False
            if prev is None:
                if nxt is not None and later and nxt.s[:1] and not nxt.s[:1].isspace():
                    t.kind = "open_inline"
                    tracking.append(t.tag)
                    done = True
            elif nxt is None:
                if tracking and t.tag == tracking[-1] and prev.s[-1:] and not prev.s[-1:].isspace():
                    t.kind = "close_inline"
                    tracking.pop()
                    done = True
            else:
                if tracking and t.tag == tracking[-1] and prev.s[-1:] and not prev.s[-1:].isspace():
                    if prev.kind != "open_inline":
                        t.kind = "close_inline"
                        tracking.pop()
                        done = True
                elif (nxt.s[:1] and not nxt.s[:1].isspace() and prev.s[-1:]
                      and not _ALNUM_END.search(prev.s) and later):
                    t.kind = "open_inline"
                    tracking.append(t.tag)
                    done = True
            if not done:
                t.kind = "text"
        pieces.append(t)
    # unroll: keep only matched pairs; *, **, *** become tags
    out: list[_Tok] = []
    tracking = []
    closes: dict[str, int] = {}
    for t in pieces:
        if t.kind == "close_inline":
            closes[t.tag] = closes.get(t.tag, 0) + 1
    for t in pieces:
        if t.kind == "open_inline":
            if closes.get(t.tag, 0) > 0:
                tracking.append(t.tag)
                out.extend(_unroll(t.tag, False))
                continue
            t.kind = "text"
        elif t.kind == "close_inline":
            closes[t.tag] -= 1
            if tracking and tracking[-1] == t.tag:
                tracking.pop()
                out.extend(_unroll(t.tag, True))
                continue
            t.kind = "text"
        out.append(t)
    # validate open/close tags
    closes = {}
    for t in out:
        if t.kind == "close":
            closes[t.tag] = closes.get(t.tag, 0) + 1
    final: list[_Tok] = []
    pile: list[str] = []
    for t in out:
        if t.kind == "open":
            if closes.get(t.tag, 0) > 0:
                pile.append(t.tag)
            else:
                t.kind = "text"
        elif t.kind == "close":
            closes[t.tag] -= 1
            if pile and pile[-1] == t.tag:
                pile.pop()
                if final and final[-1].kind == "open" and final[-1].tag == t.tag:
                    final.pop()  # empty element: drop both
                    continue
            else:
                t.kind = "text"
        final.append(t)
    while pile:
        final.append(_Tok("close", "", pile.pop()))
    return final


def _unroll(tag: str, close: bool) -> list[_Tok]:
    if tag == "*":
        names = ["em"]
    elif tag == "**":
        names = ["strong"]
    else:
        names = ["strong", "em"]
    if close:
        return [_Tok("close", "", n) for n in reversed(names)]
    return [_Tok("open", "", n) for n in names]


# Amusewiki's direction markers, ``<<<right to left>>>`` and ``>>>left to
# right<<<``, and furigana, ``<ruby>base|annotation</ruby>``: found by plain
# string searches (each marker's next place is looked up once, and a marker
# with no closer after it ends that kind of run), linear in the text.
_RUBY_RUN = re.compile(r"<ruby>[^<]*</ruby>")
_RUN_MARKERS = (("<<<", ">>>", "rtl"), (">>>", "<<<", "ltr"), ("<ruby>", "</ruby>", "ruby"))


def _special_runs(s: str) -> list[tuple[str, str]]:
    """``s`` cut into (kind, text): kind "" for ordinary text, "rtl", "ltr" or "ruby"."""
    out: list[tuple[str, str]] = []
    pos = text_from = 0
    ahead = {opener: s.find(opener) for opener, _, _ in _RUN_MARKERS}
    live = {opener for opener, _, _ in _RUN_MARKERS if ahead[opener] >= 0}
    while live:
        for opener in list(live):
            if ahead[opener] < pos:
                ahead[opener] = s.find(opener, pos)
                if ahead[opener] < 0:
                    live.discard(opener)
        if not live:
            break
        opener, closer, kind = min((m for m in _RUN_MARKERS if m[0] in live), key=lambda m: ahead[m[0]])
        start = ahead[opener]
        end = s.find(closer, start + len(opener))
        if end < 0:
            live.discard(opener)
            continue
        if start > text_from:
            out.append(("", s[text_from:start]))
        out.append((kind, s[start + len(opener):end]))
        pos = text_from = end + len(closer)
    if text_from < len(s) or not out:
        out.append(("", s[text_from:]))
    return out
