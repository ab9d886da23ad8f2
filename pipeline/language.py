"""The language of a text that does not state one, guessed from its script, then its words.

Hyphenation, quotes and the EPUB's ``dc:language`` need a language. When the
source does not say, we look first at the script its letters are written in —
Hangul is Korean; kana (with or without Han) Japanese; Han alone Chinese;
Hebrew letters Hebrew; Greek Greek; Arabic script Persian, Urdu or Arabic by
the letters only each uses; Cyrillic Macedonian, Serbian, Ukrainian or
Bulgarian by theirs — and, within Latin and Cyrillic, at the commonest short
words; and tell the user what we chose (``--lang`` overrides). Anything else
stays "und" (undetermined).
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
    "bg": "и на в да се не че от с за по са това като ще",
    "pt": "o a os as de que e do da em um uma para não com por",
    "tr": "ve bir bu da de için ile ne çok gibi daha olan",
}
CYRILLIC = {"ru", "mk", "bg"}

# Letters of one script, by Unicode block.
SCRIPTS = {
    "hangul": ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F)),
    "kana": ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9D)),
    "han": ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)),
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "hebrew": ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
    "greek": ((0x0370, 0x03FF), (0x1F00, 0x1FFF)),
    "cyrillic": ((0x0400, 0x052F),),
}
# Letters that only some of the languages of a script use.
PERSIAN = set("پچژگیک")          # گ پ چ ژ, Persian yeh and keheh
URDU = set("ٹڈڑںےھ")
ARABIC = set("يكةى")               # Arabic yeh and kaf, teh marbuta, alef maksura
YIDDISH = ("ײ", "װ", "ױ", "אַ", "אָ")


def script_of(ch: str) -> str | None:
    code = ord(ch)
    for name, ranges in SCRIPTS.items():
        if any(lo <= code <= hi for lo, hi in ranges):
            return name
    return None
_WORDS = {lang: set(words.split()) for lang, words in STOPWORDS.items()}
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def guess_language(text: str) -> str:
    sample = text[:20000]
    if not sample.strip():
        return "und"
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return "und"
    scripts = Counter(script_of(ch) for ch in letters)
    share = {name: count / len(letters) for name, count in scripts.items()}
    if share.get("hangul", 0) > 0.3:
        return "ko"
    if share.get("kana", 0) > 0.05 and share.get("kana", 0) + share.get("han", 0) > 0.3:
        return "ja"
    if share.get("han", 0) > 0.3:
        return "zh"
    if share.get("arabic", 0) > 0.3:
        chars = Counter(letters)
        urdu, persian, arabic = (sum(chars[c] for c in group) for group in (URDU, PERSIAN, ARABIC))
        if urdu > 0.01 * len(letters) and urdu >= arabic:
            return "ur"
        return "fa" if persian > arabic else "ar"
    if share.get("hebrew", 0) > 0.3:
        return "yi" if sum(sample.count(c) for c in YIDDISH) > 0.01 * len(letters) else "he"
    if share.get("greek", 0) > 0.3:
        return "el"
    cyrillic = share.get("cyrillic", 0) > 0.3
    if cyrillic:
        chars = Counter(ch.lower() for ch in letters)
        if chars["ѓ"] + chars["ќ"] + chars["ѕ"] > 0.0005 * len(letters):
            return "mk"
        if chars["ђ"] + chars["ћ"] > 0.0005 * len(letters):
            return "sr"
        if chars["ї"] + chars["є"] + chars["ґ"] + chars["і"] > 0.002 * len(letters):
            return "uk"
    words = Counter(w.lower() for w in _WORD_RE.findall(sample))
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in _WORDS.items()
              if (lang in CYRILLIC) == cyrillic}
    lang, score = max(scores.items(), key=lambda kv: kv[1])
    total = sum(words.values())
    if total and score / total > 0.08:
        return lang
    return "ru" if cyrillic else "und"
