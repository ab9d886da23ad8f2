"""The Library's colophon page in a text extracted or converted from one of its PDFs.

A PDF of the Anarchist Library (or of one of its sister libraries) ends with
a page the Library prints about the text, which text extraction puts at the
end of the body::

    The Anarchist Library            <- the library: the publisher
    Anti-Copyright                   <- the rights

    Peter Kropotkin                  <- author(s), title, subtitle, date
    An Appeal to the Young
    1880

    Retrieved on February 16th, …    <- where the text came from: the source
    First appeared in French, …      <- notes on the text

    theanarchistlibrary.org          <- the library's site

and opens with a title page of the same author, title and date. The colophon
page is metadata, not body: its lines go to ``Metadata`` (publisher, rights,
source, notes; author, title and date where nothing better gave them), each
once, and leave the body, said in ``--debug``; the opening title page leaves
the body too when it prints the colophon's author, title and date (the
outputs print their own). A text without such a page is returned as it is.
Lines are compared without the Markdown a PDF-to-Markdown converter puts
around them ("## The Anarchist Library", "**theanarchistlibrary.org**").
"""

from __future__ import annotations

import re

from pipeline.document import Metadata
from pipeline.readers.title_page import letters

_RIGHTS = re.compile(r"^Anti-?Copyright\.?$", re.IGNORECASE)
# "theanarchistlibrary.org", "usa.anarchistlibraries.net", "www.anarchistischebibliothek.org"
_SITE = re.compile(r"^(?:https?://)?(?:[\w-]+\.)*[\w-]*anarchist[\w-]*\.(?:org|net)/?$", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:.*\b)?(?:Retrieved on|Source:|Quelle:|Fuente:)", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_TAIL = 40            # the colophon page stands within the last lines
_MARKS = re.compile(r"^[#>*_\s]+|[*_\s]+$")   # a converter's Markdown around a line


def bare(line: str) -> str:
    """``line`` without the Markdown a converter put around it ("## ", "**…**")."""
    return _MARKS.sub("", line)


def is_site_line(line: str) -> bool:
    """"theanarchistlibrary.org", "**usa.anarchistlibraries.net**": a library's address alone."""
    return bool(_SITE.match(bare(line)))


def blocks_of(lines: list[str], clean=lambda line: line) -> list[list[str]]:
    """The runs of non-blank ``lines`` (each made ``clean``), blank lines dropped."""
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(clean(line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _page(lines: list[str]) -> tuple[list[int], int, int, int] | None:
    """(the non-empty lines' numbers, and those of the library's name, the rights
    and the site lines) of the colophon page closing ``lines``; None without one."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    if len(filled) < 4 or not is_site_line(lines[filled[-1]]):
        return None
    rights = next((n for n in reversed(filled[-_TAIL:]) if _RIGHTS.match(bare(lines[n]))), None)
    if rights is None or filled.index(rights) == 0:
        return None
    library = filled[filled.index(rights) - 1]
    if len(bare(lines[library])) > 60:
        return None
    return filled, library, rights, filled[-1]


def has_page(text: str) -> bool:
    """Whether ``text`` ends with the Library's colophon page (for the readers' sniffing)."""
    return _page(text[-5000:].replace("\f", "\n").split("\n")) is not None


def take(text: str, meta: Metadata, changes: list[str]) -> str:
    """``text`` without the Library's colophon page (and the opening title page that
    repeats it); what they state goes into ``meta``. Lines are compared without the
    Markdown a PDF-to-Markdown converter puts around them."""
    lines = text.replace("\f", "\n").split("\n")
    page = _page(lines)
    if page is None:
        return text
    filled, library, rights, site = page
    meta.publisher = meta.publisher or bare(lines[library])
    meta.rights = meta.rights or bare(lines[rights]).rstrip(".")
    meta.site = meta.site or bare(lines[site])
    blocks = blocks_of(lines[rights + 1:site], bare)
    stated = Metadata()
    if blocks and not _SOURCE.match(blocks[0][0]):
        _title_block(blocks.pop(0), stated)
    have = set(filter(None, meta.notes.split("\n")))
    for block in blocks:
        if _SOURCE.match(block[0]):
            # the source line goes on where a line continues it (an address, a lower-case word)
            end = 1
            while end < len(block) and re.match(r"[a-z]|https?://|www\.", block[end]):
                end += 1
            if not meta.source:
                meta.source = " ".join(block[:end])
            block = block[end:]
        line = " ".join(block)
        if line and line not in have:
            meta.notes = f"{meta.notes}\n{line}" if meta.notes else line
            have.add(line)
    meta.title = meta.title or stated.title
    meta.subtitle = meta.subtitle or stated.subtitle
    meta.authors = meta.authors or stated.authors
    meta.date = meta.date or stated.date
    shown = " | ".join(bare(lines[n]) for n in filled[filled.index(library):])
    changes.append(f"Library colophon moved to the metadata: {shown[:200]}")
    body = lines[:library]
    return "\n".join(_without_title_page(body, meta, changes))


def _title_block(block: list[str], found: Metadata) -> None:
    """Author(s), title, subtitle and date as the colophon prints them: the date the
    last line if it holds a year; the title the line after the author."""
    if len(block) >= 2 and _YEAR.search(block[-1]) and len(block[-1]) <= 40:
        found.date = block.pop()
    if len(block) >= 2:
        found.authors = [block[0]]
        found.title = block[1]
        found.subtitle = " ".join(block[2:])


def _without_title_page(lines: list[str], meta: Metadata, changes: list[str]) -> list[str]:
    """``lines`` without an opening title page of only the author, title, subtitle and date."""
    wanted = {letters(v) for v in [meta.title, meta.subtitle, meta.date, *meta.authors] if v}
    filled = [n for n, line in enumerate(lines) if line.strip()][:6]
    used = []
    for n in filled:
        if letters(bare(lines[n])) in wanted:
            used.append(n)
        else:
            break
    if letters(meta.title) not in {letters(lines[n]) for n in used}:
        return lines
    changes.append("Library title page moved to the metadata: " + " | ".join(bare(lines[n]) for n in used))
    return [line for n, line in enumerate(lines) if n not in set(used)]
