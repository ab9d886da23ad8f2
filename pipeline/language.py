"""The language of a text that does not state one, guessed from its words.

Hyphenation, quotes and the EPUB's ``dc:language`` need a language. When the
source does not say, we look at the script and the commonest short words,
and tell the user what we chose (``--lang`` overrides). Only the languages we
typeset are guessed; anything else stays "und" (undetermined).
"""

from __future__ import annotations

import re
from collections import Counter

STOPWORDS = {
    "en": "the of and to in that is was for it with as not be by are this which",
    "fr": "le la les de des et est une un que qui dans pour pas sur au du ne",
    "de": "der die das und ist nicht den von zu mit sich des auf für ein eine",
    "es": "el la los las de que y en un una por con para es del se no",
    "it": "il di che la le e per un una non sono del della gli con si",
    "ru": "и в не на что с как он по это но из за то все так",
    "mk": "и на во да се не што од со за ги го е ја би",
}
_WORDS = {lang: set(words.split()) for lang, words in STOPWORDS.items()}
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def guess_language(text: str) -> str:
    sample = text[:20000]
    if not sample.strip():
        return "und"
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters and han / letters > 0.3:
        return "zh"
    words = Counter(w.lower() for w in _WORD_RE.findall(sample))
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in _WORDS.items()}
    lang, score = max(scores.items(), key=lambda kv: kv[1])
    total = sum(words.values())
    return lang if total and score / total > 0.08 else "und"
