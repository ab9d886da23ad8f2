"""What a language tag says about how its text is set: direction, CJK face.

One place for the writers: the pamphlet's running heads and font stacks, the
EPUB's ``dir`` and spine direction, the booklet's binding side, the cover.
"""

from __future__ import annotations

# Languages written right to left (in their usual script).
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ckb", "yi", "sd", "ug", "dv", "syr", "arc",
                 "prs", "pnb", "ks", "bal", "glk", "mzn", "lrc", "azb", "ota", "jrb", "lad"}
RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"}
LTR_SCRIPTS = {"latn", "cyrl", "grek"}

# One Noto CJK variant per language: body, headings and running heads alike.
CJK_FACES = {"zh": "Noto Serif CJK SC", "zh-hant": "Noto Serif CJK TC", "ja": "Noto Serif CJK JP",
             "ko": "Noto Serif CJK KR"}
TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def _parts(lang: str) -> list[str]:
    return (lang or "").replace("_", "-").lower().split("-")


def direction(lang: str) -> str:
    """"rtl" or "ltr": a script subtag (``ku-Arab``, ``az-Latn``) wins over the language."""
    parts = _parts(lang)
    scripts = [p for p in parts[1:] if len(p) == 4]
    if scripts:
        if scripts[0] in RTL_SCRIPTS:
            return "rtl"
        if scripts[0] in LTR_SCRIPTS:
            return "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def cjk_face(lang: str) -> str | None:
    """The Noto Serif CJK family for a Chinese, Japanese or Korean tag, else None."""
    parts = _parts(lang)
    if parts[0] == "zh":
        if "hant" in parts or (TRADITIONAL_REGIONS & set(parts[1:]) and "hans" not in parts):
            return CJK_FACES["zh-hant"]
        return CJK_FACES["zh"]
    return CJK_FACES.get(parts[0])
