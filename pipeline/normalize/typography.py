"""Language-aware typography on a block's stream (see ``stream``).

House rules (where the brief left the choice to us):

* Straight quotes become the language's quotes: ``"`` the primary pair, ``'``
  the secondary pair, unless it is an apostrophe (between letters, or an
  English elision such as ’tis, ’90s, rock ’n’ roll), which is always ’.
  Curly quotes already in the source are left as they are: they were chosen
  by someone (a German text may use »…«, a Chinese one 「…」).
* Dashes keep the author's spacing: an unspaced ``--`` (or ``---``) between
  words is an em dash, unspaced — the Gutenberg convention; a spaced
  hyphen or double hyphen is the spaced dash of the language: an en dash
  " – " (en, fr, de, it and the default; the style of the Library's
  English texts) or an em dash " — " (ru, uk, mk, bg, sr, es). The space
  before a spaced dash becomes a no-break space, so no line starts with it.
  Number ranges (1853-1856) are left alone: too many false friends (ISO
  dates, ISBNs, phone numbers).
* ``...`` and ``. . .`` become …
* French: U+202F (narrow no-break space) inside « » and before ; : ! ?
* No-break spaces: between a number and a unit, after an initial or a short
  title (P. Kropotkin, Mr. Smith, No. 5).
* Chinese (zh): straight quotes only; dashes and spacing are left as they are.

Everything here is idempotent; nothing here adds, drops or reorders a letter
or a digit. URLs, e-mail addresses and domain names are protected.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from pipeline.normalize.stream import BREAK, MARK, MARKER_RE, MARKERS, OPAQUE

NBSP = "\u00a0"
NNBSP = "\u202f"
PROTECT = "\x10"  # DATA LINK ESCAPE: stands for a URL while rules run (see ``stream.CONTROLS``)


@dataclass(frozen=True)
class Style:
    open1: str
    close1: str
    open2: str
    close2: str
    spaced_dash: str = "–"
    french_spacing: bool = False
    dashes: bool = True


EN = Style("“", "”", "‘", "’")
STYLES = {
    "en": EN,
    "fr": Style("«", "»", "“", "”", french_spacing=True),
    "de": Style("„", "“", "‚", "‘"),
    "es": Style("«", "»", "“", "”", spaced_dash="—"),
    "it": Style("«", "»", "“", "”"),
    "pt": Style("«", "»", "“", "”"),
    "ru": Style("«", "»", "„", "“", spaced_dash="—"),
    "uk": Style("«", "»", "„", "“", spaced_dash="—"),
    "bg": Style("„", "“", "’", "‘", spaced_dash="—"),
    "mk": Style("„", "“", "’", "‘", spaced_dash="—"),
    "sr": Style("„", "”", "’", "’", spaced_dash="—"),
    "pl": Style("„", "”", "«", "»"),
    "cs": Style("„", "“", "‚", "‘"),
    "nl": Style("“", "”", "‘", "’"),
    "sv": Style("”", "”", "’", "’"),
    "zh": Style("“", "”", "‘", "’", dashes=False),
    "ja": Style("「", "」", "『", "』", dashes=False),
}


@lru_cache(maxsize=256)    # bounded: a text may name any number of languages
def style_for(lang: str) -> Style:
    base = (lang or "en").lower().replace("_", "-").split("-")[0]
    return STYLES.get(base, EN)


# --- protection of URLs ----------------------------------------------------

_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\bmailto:)[^\s" + MARKERS + r"<>\"'«»“”‘’]*"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:org|com|net|info|edu|gov|io|de|fr|ru|mk|es|it|uk)\b(?:/[^\s"
    + MARKERS + r"<>\"'«»“”‘’]*)?",
    re.IGNORECASE)
_TRAILING = ".,;:!?)]}…"
# What every match of ``_URL`` holds (one per alternative): most blocks hold
# none, and this literal search costs a tenth of ``_URL``'s.
_URL_HINT = re.compile(r"://|www\.|mailto:|@|\.(?:org|com|net|info|edu|gov|io|de|fr|ru|mk|es|it|uk)\b",
                       re.IGNORECASE)


def protect(text: str) -> tuple[str, list[str]]:
    saved: list[str] = []
    if not _URL_HINT.search(text):
        return text, saved

    def keep(m: re.Match) -> str:
        url = m.group(0)
        cut = len(url)
        while cut and url[cut - 1] in _TRAILING:
            if url[cut - 1] == ")" and url[:cut].count("(") >= url[:cut].count(")"):
                break
            cut -= 1
        saved.append(url[:cut])
        return PROTECT + url[cut:]

    return _URL.sub(keep, text), saved


def restore(text: str, saved: list[str]) -> str:
    if not saved:
        return text
    it = iter(saved)
    return re.sub(PROTECT, lambda m: next(it), text)


# --- local rules (per language run) -----------------------------------------

_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.\.)|(?<=\w) ?\. \. \.|^\. \. \.")
_TRIPLE = re.compile(r"(?<=\S)---(?=\S)|---")
_UNSPACED = re.compile(r"(?<=[\w,;:!?.…’”»)\]'\"" + MARK + r"])--(?=[\w“‘„«\"'(" + MARK + r"])")
_SPACED = re.compile(r"(?<=\S) +(?:--|-|–|—)(?= |[" + BREAK + r"]|$)")
_LEADING = re.compile(r"(^|[" + BREAK + r"])(?:--|-)(?= )")
_DASH_NBSP = re.compile(r"(?<=\S) (–|—)(?= |$|[" + BREAK + r"])")
_UNITS = (r"%|‰|°|km|kg|mg|cm|mm|m|g|t|ha|l|ml|h|min|s|kW|W|V|A|Hz|€|£|\$|¥|"
          r"acres?|miles?|francs?|roubles?|rubles?|dollars?|pounds?|lbs?|tons?|hours?|"
          r"per cent|percent|руб|км|кг|ч|ден|mkd|元|%")
# The space after a number, after an initial: the patterns start with the
# literal that every match holds (a fast search), then look behind it.
_NUM_UNIT = re.compile(r" (?<=\d )(?=(?:" + _UNITS + r")(?![\w]))")
_INITIAL = re.compile(r"\. (?<=(?<![\w.])\b[A-ZÀ-ÞА-ЯЁЃЌЅЉЊЏ]\. )(?=[A-ZÀ-ÞА-ЯЁЃЌЅЉЊЏ])")
_TITLES = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|St|Mme|Mlle|MM|No|Nos|pp?|vol|Vol|ch|Ch|art|Art|"
                     r"fig|Fig|n°|N°|§)\.? (?=[\w\d])")
_FR_OPEN = re.compile("«[ " + NBSP + NNBSP + "]*")
_FR_CLOSE = re.compile("[ " + NBSP + NNBSP + "]*»")
_FR_PUNCT = re.compile(
    "(?<=[^\\s" + BREAK + ";:!?" + NBSP + NNBSP + "])[ " + NBSP + NNBSP + "]*([;:!?])"
    "(?=[\\s" + MARKERS + "»”)\\]" + NBSP + NNBSP + ";:!?.…]|$)")


# Each rule runs only where the text holds what every one of its matches holds
# (a ``str`` search is many times faster than a pattern's): most blocks have
# no dash, no ellipsis, no initial.
def local_rules(text: str, style: Style) -> str:
    if "..." in text or ". . ." in text:
        text = _ELLIPSIS.sub("…", text)
    if style.dashes:
        if "---" in text:
            text = _TRIPLE.sub("—", text)
        if "--" in text:
            text = _UNSPACED.sub("—", text)
        if " -" in text or " –" in text or " —" in text:
            text = _SPACED.sub(" " + style.spaced_dash, text)
        if text.startswith("-") or BREAK + "-" in text:
            text = _LEADING.sub(lambda m: m.group(1) + style.spaced_dash, text)
    return text


def spacing_rules(text: str, style: Style) -> str:
    if style.dashes:
        if " –" in text or " —" in text:
            text = _DASH_NBSP.sub(NBSP + r"\1", text)
        text = _NUM_UNIT.sub(NNBSP if style.french_spacing else NBSP, text)
        if ". " in text:
            text = _INITIAL.sub("." + NBSP, text)
        text = _TITLES.sub(lambda m: m.group(0)[:-1] + NBSP, text)
    if style.french_spacing:
        text = _FR_OPEN.sub("«" + NNBSP, text)
        text = _FR_CLOSE.sub(NNBSP + "»", text)
        text = _FR_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    return text


# --- quotes (whole stream: pairs may span elements and language runs) -------

_ELISIONS_EN = re.compile(
    r"(?:tis|twas|twere|twill|twould|twixt|tween|em|n|cause|bout|gainst|neath|til|"
    r"appen)\b|\d\d(?:s|\b)", re.IGNORECASE)
_OPENERS = set("([{<«‹“‘„‚¿¡—–-/" + BREAK)
_LETTER = re.compile(r"[\w" + PROTECT + OPAQUE + "]")


def _prev_char(text: str, i: int) -> str:
    j = i - 1
    while j >= 0 and text[j] == MARK:
        j -= 1
    return text[j] if j >= 0 else ""


def _next_char(text: str, i: int) -> str:
    j = i + 1
    while j < len(text) and text[j] == MARK:
        j += 1
    return text[j] if j < len(text) else ""


_QUOTE = re.compile("[\"'‘]")


def quotes(text: str, langs: list[str]) -> str:
    """Replace straight quotes; ``langs[k]`` is the language of slot ``k`` (the
    text after the ``k``-th marker)."""
    if '"' not in text and "'" not in text and "‘" not in text:
        return text
    if all(lang == langs[0] for lang in langs):
        marks = None
    else:
        marks = [m.start() for m in MARKER_RE.finditer(text)]
    out: list[str] = []
    done = 0
    open_double: list[str] = []  # languages of the double quotes still open
    open_single: list[str] = []
    for m in _QUOTE.finditer(text):
        i = m.start()
        c = text[i]
        if marks is None:
            lang = langs[0]
        else:
            k = bisect_left(marks, i)    # the markers before ``i``: its slot
            lang = langs[k] if k < len(langs) else langs[-1]
        style = style_for(lang)
        prev, nxt = _prev_char(text, i), _next_char(text, i)
        prev_is_word = bool(prev) and bool(_LETTER.match(prev))
        next_is_word = bool(nxt) and bool(_LETTER.match(nxt))
        english = style == EN
        new = c
        if c == "‘":
            # Only English elisions written with the wrong curly quote: ‘tis → ’tis.
            if english and not prev_is_word and _ELISIONS_EN.match(text, i + 1):
                new = "’"
        elif c == "'":
            if prev_is_word and next_is_word or english and not prev_is_word and _ELISIONS_EN.match(text, i + 1):
                new = "’"  # an apostrophe: don't, l'homme, rock'n'roll; English elisions ('tis)
            elif _is_opening(prev, nxt, bool(open_single)):
                new = style.open2
                open_single.append(lang)
            elif open_single:
                new = style_for(open_single.pop()).close2
            else:
                new = "’"  # the workers' rights: a possessive, not a quote
        else:
            # a double quote; between two letters (CJK has no spaces) only the
            # count of open quotes can tell
            if prev_is_word and next_is_word:
                opening = not open_double
            else:
                opening = _is_opening(prev, nxt, bool(open_double))
            if opening:
                new = style.open1
                open_double.append(lang)
            else:
                new = style_for(open_double.pop()).close1 if open_double else style.close1
        if new != c:
            out.append(text[done:i])
            out.append(new)
            done = i + 1
    out.append(text[done:])
    return "".join(out)


def _is_opening(prev: str, nxt: str, something_open: bool) -> bool:
    if not prev or prev.isspace() or prev in _OPENERS and prev not in "—–-":
        return not (nxt == "" or nxt.isspace() or nxt in BREAK) or not something_open
    if prev in "—–-":
        # after a dash: opening before a word, closing at the end
        return bool(nxt) and not nxt.isspace() and nxt not in ".,;:!?)" + BREAK
    return False


# --- the whole pass ---------------------------------------------------------

def typeset(text: str, langs: list[str]) -> str:
    """Typeset one stream; ``langs[k]`` is the language of slot ``k``."""
    text, saved = protect(text)
    if all(lang == langs[0] for lang in langs):
        # One language (nearly every block): the stream is one run.
        style = style_for(langs[0])
        text = quotes(local_rules(text, style), langs)
        return restore(spacing_rules(text, style), saved)
    # split into slots to apply local rules per language run
    pieces = MARKER_RE.split(text)
    marks = MARKER_RE.findall(text)
    runs: list[tuple[str, list[int]]] = []
    for k, lang in enumerate(langs):
        if runs and runs[-1][0] == lang:
            runs[-1][1].append(k)
        else:
            runs.append((lang, [k]))

    def join(indices: list[int]) -> str:
        s = pieces[indices[0]]
        for k in indices[1:]:
            s += marks[k - 1] + pieces[k]
        return s

    def rebuild(new_runs: list[str]) -> str:
        out = []
        for r, (lang, indices) in enumerate(runs):
            if r:
                out.append(marks[indices[0] - 1])
            out.append(new_runs[r])
        return "".join(out)

    text = rebuild([local_rules(join(ix), style_for(lang)) for lang, ix in runs])
    text = quotes(text, langs)
    pieces = MARKER_RE.split(text)
    marks = MARKER_RE.findall(text)
    text = rebuild([spacing_rules(join(ix), style_for(lang)) for lang, ix in runs])
    return restore(text, saved)
