"""The words of a language, from the system's spelling word lists.

Repairs that must tell a word from a broken one (a ligature lost by a PDF's
text extraction, a hyphen at a line end) ask ``known``. The lists are Debian's
``wamerican``/``wbritish``/``wfrench``/… (installed by ``scripts/setup.sh``):
every inflected form is listed, so a lookup is a set membership. A language
without a list knows no word, and then nothing is repaired: a text is never
changed on a guess.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DICT_DIR = Path("/usr/share/dict")

# Language (the primary subtag) → the word lists that spell it.
LISTS = {
    "en": ("american-english", "british-english"),
    "fr": ("french",),
    "de": ("ngerman",),
    "es": ("spanish",),
    "it": ("italian",),
}

APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


class Words:
    """The words of one language; ``known`` ignores the case of a capitalised word."""

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self.lower = {w.lower() for w in words}

    def __bool__(self) -> bool:
        return bool(self.words)

    def known(self, word: str) -> bool:
        if "’" in word or "ʼ" in word:
            word = word.translate(APOSTROPHES)
        if word in self.words:
            return True
        # "First" at a sentence's start, "FIRST" in a heading: the lower-case word
        return (word[:1].isupper() and word[1:].islower() or word.isupper()) and word.lower() in self.lower


@lru_cache(maxsize=None)
def words_for(lang: str) -> Words:
    """The word list of ``lang`` (``"en"``, ``"fr-CA"``…); empty when none is installed."""
    words: set[str] = set()
    for name in LISTS.get(lang.split("-")[0].lower(), ()):
        try:
            words.update((DICT_DIR / name).read_text(encoding="utf-8", errors="replace").split("\n"))
        except OSError:
            continue
    words.discard("")
    return Words(words)


def line_end_hyphen(left: str, right: str, words: Words, seen: set[str]) -> bool | None:
    """Whether the hyphen of "left-" at a line end before "right" is the word's own
    ("less-powerful": True) or the printer's ("govern-ment": False); None when
    neither the text nor the word list can tell.

    ``seen`` holds the text's words and hyphenated compounds written within a
    line (lower case): how the text spells a word elsewhere decides first."""
    joined, compound = (left + right).lower(), f"{left}-{right}".lower()
    if compound in seen:
        return True
    if joined in seen or words.known(left + right):
        return False
    if words.known(left) and words.known(right):
        return True
    return None


_SEEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def words_seen(text: str) -> set[str]:
    """The words and hyphenated compounds of ``text`` written within a line, lower case."""
    seen: set[str] = set()
    for line in text.split("\n"):
        core = line.rstrip()
        if core.endswith("-"):
            core = core[:-1].rsplit(None, 1)[0] if " " in core.strip() else ""
        for m in _SEEN.finditer(core):
            seen.add(m.group(0).lower())
    return seen
