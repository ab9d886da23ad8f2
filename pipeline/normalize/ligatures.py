"""Ligatures lost by a PDF's text extraction, put back with the language's word list.

A PDF draws "fi", "fl", "ff", "ffi", "ffl" as one glyph; text extraction often
drops it ("dierent", "rst"), leaves a private-use character of the font in its
place ("di\\ue005erent"), or a space ("in nitely", "e ect"). A token is repaired
only when the repaired form is a word of the text's language and the broken
one is not (``pipeline.wordlist``); a language without a word list is left as
it is. A space is closed up only when one of its two sides is not a word.

A clean text has a few tokens that look broken by chance (a name, a foreign
word, "du", a private-use character that happens to stand where "fi" would
make a word): the repair runs only on a text that shows the damage, several
distinct broken words that are not rare beside the words that kept their
ligatures (``shows_lost_ligatures``). A capitalised word is repaired only into
a common word ("Dierent" → "Different", never "Bain" → "Baffin"). Other private-use characters
stay (a text may use them on purpose); an icon font's glyphs standing alone
are the readers' debris (``pipeline.readers.debris``).

A ligature can also take the space beside it with it: "leading\ufb01gure",
"o\ufb00the", "the\ue005rst". Such a token is split where its ligature glyph
(U+FB00–U+FB04) or stand-in is, when the two sides are words and the whole is
not, never where the text writes the whole elsewhere, and never after a word
that makes many compounds in the word list ("over\ufb02ooding", "un\ufb01tness"
stay whole: the list lacks many compounds of such words) nor in a capitalised token
(a name: "Beacons\ufb01eld"). A glyph is only written by PDF text extraction, so
a text holding one qualifies for this split without showing lost ligatures; a
private-use stand-in is split only in a text that shows them. A ligature lost
with its space and leaving no trace ("therst") is left as it is: nothing in
the text shows where a word would end.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

from lxml import etree

from pipeline.normalize.stream import LITERAL
from pipeline.wordlist import Words, words_for

LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# A word with its inner apostrophes ("we'll" is one token, not "we" and "ll"),
# private-use stand-ins included.
TOKEN = re.compile(r"(?:[^\W\d_]|[\ue000-\uf8ff])+(?:['’](?:[^\W\d_]|[\ue000-\uf8ff])+)*")
LETTERS_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")     # TOKEN in a text without them
SPACED = re.compile(r"([^\W\d_]+) ([^\W\d_]+)")
# Distinct broken words, and their share of the words that kept their ligature,
# that show a text lost its ligatures.
MIN_BROKEN_WORDS = 3
MIN_BROKEN_SHARE = 0.1
INTACT = re.compile("ff|fi|fl|[\ufb00-\ufb06]")
# The ligature glyphs of Unicode's presentation forms, and the letters they stand for.
GLYPHS = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
GLYPH = re.compile("[\ufb00-\ufb04]")
STAND_IN = re.compile("[\ufb00-\ufb04\ue000-\uf8ff]")
# A word that begins this many words of the word list that are it and another
# word of four letters or more ("over" + "flow", "un" + "fit") makes compounds; a
# word that begins a few by chance ("the" + "rapist", "of" + "fence") does not.
COMPOUND_HEAD_MIN = 40


def _case_like(word: str, ligature: str) -> str:
    return ligature.upper() if word.isupper() else ligature


def repaired_word(word: str, words: Words) -> str | None:
    """The word ``word`` was before its ligature was lost, when exactly one ligature
    at one place (or in place of its private-use characters) makes a known word."""
    if words.known(word):
        return None
    if PRIVATE_USE.search(word):
        pieces = PRIVATE_USE.split(word)
        if len(pieces) != 2:
            return None
        found = {pieces[0] + lig + pieces[1] for lig in LIGATURES}
        found = {w for w in found if words.known(w)}
        return found.pop() if len(found) == 1 else None
    found = set()
    # A ligature is lower case: never before a capital, never at the start of a
    # capitalised word (its capital is the word's own first letter).
    start = 1 if word[:1].isupper() and not word.isupper() else 0
    for at in range(start, len(word) + 1):
        for lig in LIGATURES:
            candidate = word[:at] + _case_like(word, lig) + word[at:]
            if words.known(candidate) if not start else words.known(candidate.lower()):
                found.add(candidate)
    return found.pop() if len(found) == 1 else None


def _spelt(word: str) -> str:
    return "".join(GLYPHS.get(c, c) for c in word)


@lru_cache(maxsize=4)
def _sorted_words(words: Words) -> list[str]:
    return sorted(words.lower)


def makes_compounds(word: str, words: Words) -> bool:
    """Whether ``word`` begins ``COMPOUND_HEAD_MIN`` words of the list that are it
    and another word of four letters or more."""
    ordered = _sorted_words(words)
    word = word.lower()
    at = bisect_left(ordered, word)
    found = 0
    while at < len(ordered) and ordered[at].startswith(word):
        rest = ordered[at][len(word):]
        if len(rest) >= 4 and "'" not in rest and rest in words.lower:
            found += 1
            if found >= COMPOUND_HEAD_MIN:
                return True
        at += 1
    return False


def glued_words(word: str, words: Words, seen: set[str], private_use: bool) -> str | None:
    """"leading\ufb01gure" → "leading \ufb01gure", "o\ufb00the" → "o\ufb00 the": the two
    words a ligature glyph (or, when ``private_use``, a private-use stand-in, made
    letters) glued together, when exactly one split makes two words and the whole
    is neither a known word nor written elsewhere in the text (``seen``)."""
    marks = STAND_IN.findall(word)
    if len(marks) != 1 or not word.islower():
        return None
    mark = marks[0]
    if mark not in GLYPHS and not private_use:
        return None
    at = word.index(mark)
    left, right = word[:at], word[at + 1:]
    found = set()
    for lig in ([GLYPHS[mark]] if mark in GLYPHS else LIGATURES):
        shown = mark if mark in GLYPHS else lig
        whole = left + lig + right
        if words.known(whole) or whole in seen:
            return None
        if len(left) >= 2 and len(lig + right) >= 3 and words.known(left) and words.known(lig + right) \
                and not makes_compounds(left, words):
            found.add(f"{left} {shown}{right}")
        if len(right) >= 2 and len(left + lig) >= 3 and words.known(left + lig) and words.known(right) \
                and not makes_compounds(left + lig, words):
            found.add(f"{left}{shown} {right}")
    return found.pop() if len(found) == 1 else None


def _text_nodes(root: etree._Element):
    """(element, "text"|"tail") of every text outside ``pre``/``code``."""
    stack = [(root, False)]
    while stack:
        el, literal = stack.pop()
        if not isinstance(el.tag, str):
            continue
        inside = literal or el.tag in LITERAL
        if el.text and not inside:
            yield el, "text"
        if el.tail and el is not root and not literal:
            yield el, "tail"
        stack.extend((child, inside) for child in reversed(el))


class _Repairs:
    """``lost``: the text shows lost ligatures (all repairs run); else only
    tokens glued at a ligature glyph are split. ``seen``: the text's tokens,
    spelt out, lower case."""

    def __init__(self, words: Words, *, lost: bool = True, seen: set[str] | None = None) -> None:
        self.words = words
        self.lost = lost
        self.seen = seen or set()
        self.done: Counter[str] = Counter()
        self.cache: dict[str, str | None] = {}
        self.glued_cache: dict[str, str | None] = {}

    def glued(self, word: str) -> str | None:
        if word not in self.glued_cache:
            self.glued_cache[word] = glued_words(word, self.words, self.seen, self.lost)
        return self.glued_cache[word]

    def word(self, word: str) -> str | None:
        if word not in self.cache:
            self.cache[word] = repaired_word(word, self.words) if len(word) > 1 or PRIVATE_USE.search(word) \
                else None
        return self.cache[word]

    def spaced(self, left: str, right: str) -> str | None:
        """"in nitely" → "infinitely": closed up when a side is no word and the whole is."""
        if self.words.known(left) and self.words.known(right):
            return None
        found = {left + lig + right for lig in LIGATURES if self.words.known(left + lig + right)}
        return found.pop() if len(found) == 1 else None

    def text(self, text: str) -> str:
        def close_up(m: re.Match) -> str:
            fixed = self.spaced(m.group(1), m.group(2))
            if fixed is None:
                return m.group(0)
            self.done[f"{m.group(0)} → {fixed}"] += 1
            return fixed

        def token(m: re.Match) -> str:
            fixed = self.word(m.group(0)) if self.lost else None
            if fixed is None and STAND_IN.search(m.group(0)):
                fixed = self.glued(m.group(0))
            if fixed is None:
                return m.group(0)
            self.done[f"{m.group(0)} → {fixed}"] += 1
            return fixed

        if self.lost:
            text = _sub_overlapping(SPACED, close_up, text)
        return TOKEN.sub(token, text)


def _sub_overlapping(pattern: re.Pattern, repl, text: str) -> str:
    """``pattern.sub`` where a word left unchanged may start the next match."""
    out, pos = [], 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            break
        new = repl(m)
        if new == m.group(0):
            out.append(text[pos:m.end(1) + 1])
            pos = m.end(1) + 1
        else:
            out.append(text[pos:m.start()] + new)
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _tokens(trees: list[etree._Element]) -> list[str]:
    """Every ``TOKEN`` of the texts outside ``pre``/``code``, in order."""
    # One search over the texts joined by a line end, which no token holds;
    # without private-use characters the plain pattern finds the same tokens, faster.
    text = "\n".join(getattr(el, slot) for tree in trees for el, slot in _text_nodes(tree))
    return (TOKEN if PRIVATE_USE.search(text) else LETTERS_TOKEN).findall(text)


def _survey(counts: Counter, words: Words) -> tuple[bool, set[str]]:
    """(whether the text lost its ligatures, its tokens that hold a ligature glyph),
    in one pass over the distinct tokens (``counts``: ``Counter(_tokens(trees))``).
    Lost: several distinct broken words, and as
    broken words at least ``MIN_BROKEN_SHARE`` of the words that kept theirs (a
    clean book has thousands of "fi", "ff", "fl" and a dozen odd tokens; a damaged
    one lost them all, or all those of its body's font)."""
    probe = _Repairs(words)
    broken: set[str] = set()
    glyphs: set[str] = set()
    broken_count = intact = 0
    # Each distinct token once, with its count: a book has ten times fewer.
    for w, n in counts.items():
        if INTACT.search(w):
            intact += n
            if GLYPH.search(w):
                glyphs.add(w)
        elif len(w) >= 3 and probe.word(w):
            broken.add(w.lower())
            broken_count += n
    return len(broken) >= MIN_BROKEN_WORDS and broken_count >= MIN_BROKEN_SHARE * intact, glyphs


def shows_lost_ligatures(trees: list[etree._Element], words: Words) -> bool:
    """Whether the text lost its ligatures (``_survey``)."""
    return _survey(Counter(_tokens(trees)), words)[0]


def repair_ligatures(trees: list[etree._Element], lang: str) -> list[str]:
    """Repair ``trees`` in place; returns what was done, one line per kind of change."""
    words = words_for(lang)
    if not words:
        return []
    counts = Counter(_tokens(trees))
    lost, glyphs = _survey(counts, words)
    if not lost and not any(glued_words(w, words, set(), False) for w in glyphs):
        return []
    # the text's words as it spells them, to keep a whole it writes elsewhere whole
    seen = {_spelt(w).lower() for w in counts if not STAND_IN.search(w)}
    repairs = _Repairs(words, lost=lost, seen=seen)
    for tree in trees:
        for el, slot in list(_text_nodes(tree)):
            setattr(el, slot, repairs.text(getattr(el, slot)))
    return [f"ligature repaired: {change} ({n}×)" for change, n in sorted(repairs.done.items())]
