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
"""

from __future__ import annotations

import re
from collections import Counter

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
    def __init__(self, words: Words) -> None:
        self.words = words
        self.done: Counter[str] = Counter()
        self.cache: dict[str, str | None] = {}

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
            fixed = self.word(m.group(0))
            if fixed is None:
                return m.group(0)
            self.done[f"{m.group(0)} → {fixed}"] += 1
            return fixed

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


def shows_lost_ligatures(trees: list[etree._Element], words: Words) -> bool:
    """Whether the text lost its ligatures: several distinct broken words, and as
    broken words at least ``MIN_BROKEN_SHARE`` of the words that kept theirs (a
    clean book has thousands of "fi", "ff", "fl" and a dozen odd tokens; a damaged
    one lost them all, or all those of its body's font)."""
    probe = _Repairs(words)
    broken: set[str] = set()
    broken_count = intact = 0
    # Each distinct token once, with its count: a book has ten times fewer.
    for w, n in Counter(_tokens(trees)).items():
        if INTACT.search(w):
            intact += n
        elif len(w) >= 3 and probe.word(w):
            broken.add(w.lower())
            broken_count += n
    return len(broken) >= MIN_BROKEN_WORDS and broken_count >= MIN_BROKEN_SHARE * intact


def repair_ligatures(trees: list[etree._Element], lang: str) -> list[str]:
    """Repair ``trees`` in place; returns what was done, one line per kind of change."""
    words = words_for(lang)
    if not words or not shows_lost_ligatures(trees, words):
        return []
    repairs = _Repairs(words)
    for tree in trees:
        for el, slot in list(_text_nodes(tree)):
            setattr(el, slot, repairs.text(getattr(el, slot)))
    return [f"ligature repaired: {change} ({n}×)" for change, n in sorted(repairs.done.items())]
