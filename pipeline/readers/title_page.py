"""Metadata from what a plain text prints at its top: an e-book's or Project
Gutenberg's title page, a marxists.org transcription's header, a Feedbooks
title page. Each finder takes the text, fills what it finds into ``Metadata``
(never guessing: a field it does not see stays empty) and returns the text
without the lines it used — a title page is metadata, not body.
"""

from __future__ import annotations

import re

from pipeline.document import Metadata

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
# Words that stay in lower case inside a title made from capitals.
_SMALL = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
          "the", "to", "with", "de", "des", "du", "la", "le", "les", "et", "en", "y", "el", "und", "der",
          "die", "das", "von", "di", "il"}
_ROMAN = re.compile(r"^[IVXLCDM]+\.?$")
_NAME_WORD = r"[A-ZÀ-Þ][\w'’.-]*"


def title_case(text: str) -> str:
    """"FIELDS, FACTORIES AND WORKSHOPS" → "Fields, Factories and Workshops"; a text
    with lower-case letters is left as it is; roman numerals and initials stay."""
    if not text.isupper():
        return text
    words = text.split()
    out = []
    for k, word in enumerate(words):
        bare = word.strip(",.;:!?()\"'“”").lower()
        if _ROMAN.match(word.strip(",;:")) and len(word.strip(",.;:")) > 1 or re.fullmatch(r"[A-Z]\.", word):
            out.append(word)
        elif k and bare in _SMALL:
            out.append(word.lower())
        else:
            out.append(re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), word.lower(), count=1)
                       if word[:1].isalpha() else word[:1] + word[1:2].upper() + word[2:].lower())
    return " ".join(out)


def natural_name(name: str) -> str:
    """"Kropotkine, Pierre" → "Pierre Kropotkine"; "P. KROPOTKIN" → "P. Kropotkin"."""
    name = " ".join(name.split())
    m = re.fullmatch(rf"({_NAME_WORD}(?: {_NAME_WORD})?), ((?:{_NAME_WORD} ?){{1,3}})", name)
    if m:
        name = f"{m.group(2).strip()} {m.group(1)}"
    return " ".join(w.capitalize() if w.isupper() and len(w.rstrip(".")) > 1 else w for w in name.split())


def _is_name(line: str) -> bool:
    return bool(re.fullmatch(rf"(?:{_NAME_WORD}\s+){{0,4}}{_NAME_WORD}|{_NAME_WORD}(?: {_NAME_WORD})?, (?:{_NAME_WORD} ?){{1,3}}",
                             line.strip())) and len(line) <= 60


def _lines(text: str, limit: int = 60) -> list[tuple[int, str]]:
    """(index in text.split("\\n"), stripped line) of the first non-empty lines."""
    out = []
    for n, line in enumerate(text.split("\n")):
        if line.strip():
            out.append((n, line.strip()))
            if len(out) == limit:
                break
    return out


def _without(text: str, used: set[int]) -> str:
    return "\n".join(line for n, line in enumerate(text.split("\n")) if n not in used)


def ebook_title_page(text: str, meta: Metadata) -> str:
    """MEMOIRS / OF / A REVOLUTIONIST / BY / P. KROPOTKIN (a subtitle after "OR", a
    year within the next lines): the short lines before a "BY" line."""
    lines = _lines(text)
    for k, (n, line) in enumerate(lines):
        m = re.fullmatch(r"(?:BY|By|by)(?:\s+(.+))?", line)
        if not m:
            continue
        author = m.group(1) or (lines[k + 1][1] if k + 1 < len(lines) else "")
        start = k
        while start > 0 and len(lines[start - 1][1]) <= 80 and k - start < 10:
            start -= 1
        title_lines = [l for _, l in lines[start:k]]
        # a title page's lines, not a paragraph of prose above a by-line
        if not title_lines or len(" ".join(title_lines)) > 200 or title_lines[-1].endswith(".") \
                or not _is_name(author.rstrip(".,")):
            return text
        used = {i for i, _ in lines[start:k + (1 if m.group(1) else 2)]}
        parts = " ".join(title_lines)
        pieces = re.split(r"\s+(?:OR|or|Or)[,:]?\s+", parts, maxsplit=1)
        title = pieces[0]
        subtitle = pieces[1] if len(pieces) > 1 else ""
        meta.title = title_case(title.strip(" ,.;:"))
        meta.subtitle = meta.subtitle or title_case(subtitle.strip(" ,.;:"))
        meta.authors = [natural_name(author.rstrip(".,"))]
        after = k + (1 if m.group(1) else 2)
        for j in range(after, min(after + 8, len(lines))):
            year = _YEAR.search(lines[j][1])
            if year and len(lines[j][1]) <= 40:
                # the imprint down to the year: the printed edition's, kept as a note
                meta.date = meta.date or year.group(0)
                meta.notes = " ".join(l for _, l in lines[after:j + 1])
                used.update(i for i, _ in lines[after:j + 1])
                break
        return _without(text, used)
    return text


# marxists.org: "Peter Kropotkin. July 1906" / "The Revolution in Russia" / "First Published: …"
_MIA_BYLINE = re.compile(r"((?:[A-ZÀ-Þ]\.\s*|[A-ZÀ-Þ][\w'’-]+\s+){0,3}[A-ZÀ-Þ][\w'’-]+)[.,]\s+"
                         r"(.{0,30}\b(?:1[5-9]\d\d|20\d\d)\b.{0,10})")
_MIA_FIELD = re.compile(r"^(First Published(?: in English)?|Written|Source|Translated|Translation|"
                        r"Transcri(?:ption|bed)(?:[\\/ ]Markup)?|HTML Markup|Online Version|Copyleft|Public Domain)"
                        r"(?: by)?:\s*(.*)$")


def marxists_header(text: str, meta: Metadata) -> str:
    lines = _lines(text, 20)
    fields = [(n, l) for n, l in lines if _MIA_FIELD.match(l)]
    if not fields:
        return text
    used = {n for n, _ in fields}
    values = {_MIA_FIELD.match(l).group(1).split()[0].lower(): _MIA_FIELD.match(l).group(2) for _, l in fields}
    before = [(n, l) for n, l in lines if n < fields[0][0]]
    byline = next(((n, _MIA_BYLINE.fullmatch(l)) for n, l in before if _MIA_BYLINE.fullmatch(l)), None)
    if byline:
        meta.authors = [natural_name(byline[1].group(1))]
        meta.date = byline[1].group(2).strip()
        used.add(byline[0])
        rest = [(n, l) for n, l in before if n > byline[0]]
        if rest:
            meta.title = title_case(" ".join(l for _, l in rest))
            used.update(n for n, _ in rest)
    first = values.get("first", "")
    m = re.match(rf"((?:{_NAME_WORD}\s+){{0,3}}{_NAME_WORD}),\s+[\"“](.+?)[,.]?[\"”]", first)
    if m:
        meta.authors = meta.authors or [natural_name(m.group(1))]
        meta.title = meta.title or m.group(2).strip(" ,.")
        year = _YEAR.search(first[m.end():])
        meta.date = meta.date or (year.group(0) if year else "")
    if values.get("source"):
        meta.source = meta.source or values["source"]
    notes = [l for _, l in fields if not l.startswith("Source")]
    meta.notes = "\n".join(filter(None, [meta.notes, *notes]))
    return _without(text, used)


# Feedbooks (and Wikisource exports): "La Morale anarchiste" / "Kropotkine, Pierre" / "Publication: 1889"
_PUBLICATION = re.compile(r"^Publication\s*:\s*(.*\d{4}.*)$")


def feedbooks_title_page(text: str, meta: Metadata) -> str:
    lines = _lines(text, 30)
    for k, (n, line) in enumerate(lines):
        m = _PUBLICATION.match(line)
        if m and k >= 2 and _is_name(lines[k - 1][1]):
            meta.title = title_case(lines[k - 2][1])
            meta.authors = [natural_name(lines[k - 1][1])]
            meta.date = m.group(1).strip()
            used = {lines[k - 2][0], lines[k - 1][0], n}
            source = re.match(r"^Source\s*:\s*(.+)$", lines[k + 1][1]) if k + 1 < len(lines) else None
            if source:
                meta.source = source.group(1)
                used.add(lines[k + 1][0])
            return _without(text, used)
    return text


# libcom.org pages copied as text: "Title * Date: 2010 Source: https://libcom.org/… Tags: a, b",
# then one paragraph per line, the first often naming the author ("…, by Name Surname.").
_LIBCOM = re.compile(r"^(?P<title>\S.*?)\s+\*\s+Date:\s*(?P<date>.*?)\s+Source:\s*(?P<source>https?://(?:www\.)?libcom\.org/\S*)"
                     r"(?:\s+Tags:\s*(?P<tags>.*?))?\s*$", re.MULTILINE)
_BY = re.compile(r"\bby\s+((?:[A-ZÀ-Þ][\w'’-]+\s+){1,4}[A-ZÀ-Þ][\w'’-]+)\.?\s*$")


def libcom_header(text: str, meta: Metadata) -> str:
    """Title, date, source and topics from a libcom.org header line (the text's own
    statement wins over a converter's front matter), the author from a "by" at the
    end of the next line; the header line leaves the body, whose lines become
    paragraphs. ``text`` is returned unchanged when it has no such header."""
    head = _LIBCOM.search(text[:3000])
    if not head:
        return text
    meta.title = head.group("title").strip()
    meta.date = "" if head.group("date").strip().lower() in {"unknown", "n/a", ""} else head.group("date").strip()
    meta.source = head.group("source")
    meta.topics = [t.strip() for t in (head.group("tags") or "").split(",") if t.strip()]
    rest = text[head.end():].lstrip("\n")
    first = rest.split("\n", 1)[0]
    by = _BY.search(first) if len(first) <= 200 else None
    if by:
        meta.authors = [by.group(1)]
    before = text[:head.start()]
    # a converter's "# Title" above the header repeats the title: not body
    if re.fullmatch(r"\s*#\s+(.+?)\s*", before) and letters(before.strip("# \n")) == letters(meta.title):
        before = ""
    return before + "\n\n".join(line for line in rest.split("\n") if line.strip()) + "\n"


def letters(text: str) -> str:
    """Letters and digits only, case folded: to compare titles and names as printed."""
    return "".join(c for c in text.casefold() if c.isalnum())


FINDERS = (marxists_header, feedbooks_title_page, ebook_title_page)


def from_title_page(text: str, meta: Metadata) -> str:
    """The first finder that sees a title and an author gives them."""
    for finder in FINDERS:
        trial = Metadata()
        rest = finder(text, trial)
        if trial.title and trial.authors:
            adopt(meta, trial, page_wins=False)
            return rest
    return text


def adopt(meta: Metadata, found: Metadata, *, page_wins: bool) -> None:
    """A title page's title and authors into ``meta``; its subtitle and date over
    ``meta``'s when ``page_wins``, else only where ``meta`` has none; its source
    where ``meta`` has none; its notes after ``meta``'s."""
    first, second = (found, meta) if page_wins else (meta, found)
    meta.title, meta.authors = found.title, found.authors
    meta.subtitle = first.subtitle or second.subtitle
    meta.date = first.date or second.date
    meta.source = meta.source or found.source
    meta.notes = "\n".join(filter(None, [meta.notes, found.notes]))
