"""Plain text → ``Document``.

* Blocks are separated by blank lines. Hard-wrapped lines are joined into
  paragraphs; a text written one paragraph per line (no wrapping) keeps each
  line as a paragraph.
* A block of short lines (verse, an address, a signature) keeps its line breaks.
* A block whose lines hold columns (runs of 3+ spaces between words: tables,
  tables of contents) stays literal (``pre``); neighbouring ones are merged.
* Headings: ``CHAPTER I`` / ``PART I.`` / ``BOOK II`` (with the title that
  follows it in the next block, if ALL CAPS), a lone roman numeral (``I``,
  ``IV.``) for sections, and single-line ALL-CAPS blocks.
* ``_italic_`` → ``em``; ``[12]`` → a footnote reference when a note ``[12]``
  exists under a ``FOOTNOTE:``/``FOOTNOTES:`` line; Project Gutenberg's
  superscripts, ``2^e`` and ``M^{me}`` (after a letter or digit), → ``sup``.
* A transcriber's note (``Transcriber's Note:`` and the block after it, or a
  bracketed ``[Transcriber's note: …]`` to its closing bracket) says how the
  e-text marked what print showed; those marks are read, so the note moves to
  the colophon's notes (``Metadata.notes``), said in ``--debug``.
* A line-end hyphen is dropped when the joined word occurs unhyphenated
  elsewhere in the text, or is a word of the language (``wordlist``) whose
  second part is no word by itself (``wonder-ful``); otherwise it stays
  (``forty-five``, ``co-operation``).
* Project Gutenberg: the header and the licence after ``*** END OF`` are
  dropped; ``Title:`` / ``Author:`` / ``Language:`` / ``Translator:`` and the
  eBook number come from the header only.
* A title page printed at the top — an e-book's or Gutenberg's ("MEMOIRS / OF /
  A REVOLUTIONIST / BY / P. KROPOTKIN"), a marxists.org header, a Feedbooks
  title page — gives title, subtitle, author and date (``title_page``).
* A PDF of the Anarchist Library ends with its colophon page ("The Anarchist
  Library / Anti-Copyright", author, title, date, "Retrieved on …", notes, the
  site): metadata, not body (``library_colophon``).
* A printed table of contents with another edition's page numbers goes
  (``printed_contents``): the outputs make their own.
* A first line ``Source: …`` becomes ``Metadata.source``; a first block of two
  short lines (title, then a name) gives the title and the author. Nothing
  else is guessed: a missing title or author stays empty.
* Web-page debris goes first (``debris``), then an e-book site's matter
  about itself, the author and the licence, to the colophon's notes
  (``publisher_matter``).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from lxml import etree

from pipeline.document import Document, Metadata, Note, append_text, new_body, sub
from pipeline.language import guess_language
from pipeline.readers import debris, library_colophon, printed_contents, publisher_matter
from pipeline.readers.title_page import from_title_page
from pipeline.wordlist import Words, line_end_hyphen, words_for, words_seen

FORMAT = "plain"
EXTENSIONS = (".txt", ".text")
HOW_TO_STATE = {"title": "put the title on the first line",
                "author": "put the author's name on the line under the title"}

_PG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK.*$",
                       re.MULTILINE | re.IGNORECASE)
_PG_END = re.compile(r"^\*\*\* ?END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK.*$",
                     re.MULTILINE | re.IGNORECASE)
_SOURCE = re.compile(r"\A\s*source:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_LANGS = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
          "russian": "ru", "macedonian": "mk", "chinese": "zh", "portuguese": "pt",
          "dutch": "nl", "polish": "pl", "ukrainian": "uk", "bulgarian": "bg", "serbian": "sr"}

_ROMAN = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_CHAPTER = re.compile(rf"^(CHAPTER|PART|BOOK|SECTION|Chapter|Part|Book|Section)\s+"
                      rf"({_ROMAN}|\d+|[A-Z]+)\.?$")
_SECTION = re.compile(r"^(?=[LXVI])(?:XL|L?X{0,3})(?:IX|IV|V?I{0,3})\.?$")
_COLUMNS = re.compile(r"\S {3,}\S")
_SEPARATOR = re.compile(r"^\s*(?:\*\s*){3,}$|^\s*(?:-\s*){4,}$|^\s*(?:_\s*){4,}$")
_FOOTNOTES = re.compile(r"^\s*FOOTNOTES?:?\s*$", re.IGNORECASE)
_NOTE_START = re.compile(r"^\[(\d+)\]\s+")
_INLINE = re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])|\[(\d+)\]"
                     r"|(?<=\w)\^(?:\{([^{}\n]{1,40})\}|(\w))")
_TRANSCRIBERS_NOTE = re.compile(r"\[?[ \t]*transcriber[\u2019']?s?[ \t]+notes?\b", re.IGNORECASE)
_BLOCK_GAP = re.compile(r"(\n[ \t]*\n\s*)")


def sniff(text: str) -> int:
    head = text[:5000]
    if _PG_START.search(text[:30000]):
        return 70
    if _SOURCE.match(head):
        return 50
    if library_colophon.has_page(text):     # a Library PDF's text (its export has the lines on top)
        return 60
    return 10


# --- header and metadata -------------------------------------------------------

def _gutenberg(text: str, meta: Metadata) -> str:
    start = _PG_START.search(text)
    if not start:
        return text
    header = text[: start.start()]
    end = _PG_END.search(text, start.end())
    body = text[start.end(): end.start() if end else len(text)]
    fields: dict[str, list[str]] = {}
    current = None
    for line in header.split("\n"):
        m = re.match(r"^([A-Z][A-Za-z ]{1,30}):\s*(.*)$", line)
        if m:
            current = m.group(1).strip().lower()
            fields[current] = [m.group(2).strip()] if m.group(2).strip() else []
        elif current and line.startswith((" ", "\t")) and line.strip():
            fields[current].append(line.strip())
        else:
            current = None
    if fields.get("title"):
        meta.title = fields["title"][0]
        if len(fields["title"]) > 1:
            meta.subtitle = " ".join(fields["title"][1:])
    if fields.get("author"):
        meta.authors = [a.strip() for a in re.split(r"\s+and\s+|;", " ".join(fields["author"]))
                        if a.strip()]
    if fields.get("language"):
        meta.lang = _LANGS.get(fields["language"][0].lower(), "")
    if fields.get("translator"):
        meta.extra["translator"] = " ".join(fields["translator"])
    number = re.search(r"\[E-?Book #(\d+)\]", header, re.IGNORECASE)
    source = f"Project Gutenberg eBook #{number.group(1)}" if number else "Project Gutenberg"
    meta.source = f"{meta.title}, {source}" if meta.title else source
    # the producers' credit opening the body is part of the Gutenberg apparatus
    body = re.sub(r"\A\s*Produced by\b.*?(?:\n[ \t]*\n|\Z)", "\n", body, count=1, flags=re.DOTALL)
    return body


# "P. KROPOTKIN", "Peter Kropotkin", "E. Malatesta": initials and capitalised names.
_SIGNATURE = re.compile(r"(?:[A-ZÀ-Þ]\.\s*){0,3}(?:[A-ZÀ-Þ][\w'’-]+\s*){1,3}")


def _letter_header(text: str, meta: Metadata) -> str:
    m = _SOURCE.match(text)
    if m:
        meta.source = m.group(1).strip()
        text = text[m.end():]
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"), maxsplit=1)
    first = [line.strip() for line in blocks[0].split("\n") if line.strip()]
    if (len(first) == 2 and all(len(line) <= 80 for line in first)
            and not first[0].endswith((".", ",", ";", ":"))
            and re.fullmatch(r"(?:[A-Z][\w.'’-]*\.?\s+){1,4}[A-Z][\w'’-]+", first[1])):
        meta.title, meta.authors = first[0], [first[1]]
        text = blocks[1] if len(blocks) > 1 else ""
        return text
    # A letter: its title an ALL-CAPS line among the first paragraphs (the line
    # stays in the text as its heading until ``_drop_title``), its author the
    # signature that closes it (which stays in the text: it is part of the letter).
    paragraphs = [b.strip() for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]
    for block in paragraphs[:4]:
        if "\n" not in block and _is_caps_heading(block) and len(block.split()) <= 8:
            meta.title = block.title() if block.isupper() else block
            break
    if meta.title and paragraphs:
        signature = paragraphs[-1]
        if "\n" not in signature and _SIGNATURE.fullmatch(signature):
            meta.authors = [" ".join(w.capitalize() if w.isupper() and len(w) > 2 else w
                                     for w in signature.split())]
    return text


# --- blocks ---------------------------------------------------------------------

def _is_caps_heading(line: str) -> bool:
    s = line.strip()
    letters = [c for c in s if c.isalpha()]
    return (0 < len(s) <= 80 and len(letters) >= 3 and all(not c.islower() for c in letters)
            and not s.endswith((",", ";", ".")) and not _COLUMNS.search(s))


def _join(lines: list[str], vocab: set[str], words: Words) -> str:
    out = lines[0].strip()
    for line in lines[1:]:
        nxt = line.strip()
        if not nxt:
            continue
        if out.endswith("--") or nxt.startswith("--"):
            out += nxt
        # (only the end of ``out`` is searched: searching all of it made long blocks quadratic)
        elif re.search(r"[^\W\d_]-$", out[-2:]) and re.match(r"[^\W\d_]", nxt):
            left = re.search(r"([^\W\d_]+)-$", out[-200:]).group(1)
            right = re.match(r"[^\W\d_]+", nxt).group(0)
            # A typed text hyphenates less than a typeset one: unless the text writes
            # the joined word, a hyphen before a whole word stays ("co-operation").
            if line_end_hyphen(left, right, words, vocab) is False \
                    and ((left + right).lower() in vocab or not words.known(right)):
                out = out[:-1] + nxt
            else:
                out += nxt
        else:
            out += " " + nxt
    return out


def _inline(parent: etree._Element, text: str, notes: set[str]) -> None:
    pos = 0
    for m in _INLINE.finditer(text):
        if m.group(2) is not None and m.group(2) not in notes:
            continue
        _append(parent, text[pos:m.start()])
        if m.group(1) is not None:
            em = sub(parent, "em")
            _inline(em, m.group(1), notes)
        elif m.group(2) is None:
            sub(parent, "sup", m.group(3) or m.group(4))
        else:
            sub(parent, "a", m.group(2), class_="noteref", href=f"#fn-{m.group(2)}")
        pos = m.end()
    _append(parent, text[pos:])


def _append(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if "\n" in text:
        for k, piece in enumerate(text.split("\n")):
            if k:
                sub(parent, "br")
            _append(parent, piece)
        return
    append_text(parent, text)


class _Builder:
    def __init__(self, text: str) -> None:
        self.vocab = words_seen(text)
        self.words = words_for(guess_language(text))
        lengths = [len(line) for line in text.split("\n") if line.strip()]
        self.width = (statistics.quantiles(lengths, n=10)[8] if len(lengths) >= 10
                      else max(lengths, default=80))
        self.wrapped = self.width <= 100
        self.note_numbers = set(re.findall(r"^\[(\d+)\]\s", text, re.MULTILINE))

    def paragraph(self, parent, lines: list[str]) -> None:
        if not self.wrapped:
            for line in lines:
                if line.strip():
                    _inline(sub(parent, "p"), line.strip(), self.note_numbers)
            return
        stripped = [line.strip() for line in lines]
        if len(lines) >= 2 and max(len(line.rstrip()) for line in lines) < 0.75 * self.width \
                and not any(line.endswith("-") for line in stripped[:-1]):
            _inline(sub(parent, "p"), "\n".join(stripped), self.note_numbers)
            return
        _inline(sub(parent, "p"), _join(lines, self.vocab, self.words), self.note_numbers)


def _transcribers_notes(text: str, meta: Metadata, changes: list[str]) -> str:
    """``text`` without its transcriber's notes, which go to ``meta.notes``: a
    block that opens with "Transcriber's note" — with the block after it when it
    is only that heading; to the block that closes its bracket when it opens one."""
    parts = _BLOCK_GAP.split(text)           # blocks at even places, gaps between
    kept: list[str] = []
    i = 0
    while i < len(parts):
        block = parts[i]
        if i % 2 or not _TRANSCRIBERS_NOTE.match(block.lstrip()):
            kept.append(block)
            i += 1
            continue
        taken = [block]
        if block.lstrip().startswith("["):
            while taken[-1].count("]") < taken[-1].count("[") and i + 2 < len(parts) and len(taken) < 12:
                i += 2
                taken[-1] += "\n\n" + parts[i]
        elif "\n" not in block.strip() and len(block.strip()) < 40 and i + 2 < len(parts):
            i += 2
            taken.append(parts[i])
        note = " ".join(" ".join(taken).split()).strip("[] ")
        meta.notes = f"{meta.notes}\n{note}" if meta.notes else note
        changes.append(f"transcriber's note moved to the colophon's notes: {note[:70]}")
        i += 2                                   # the gap after it goes too
    return "".join(kept)


def build(text: str, meta: Metadata) -> tuple[etree._Element, dict[str, Note]]:
    body = new_body()
    notes: dict[str, Note] = {}
    builder = _Builder(text)
    blocks = library_colophon.blocks_of(text.split("\n"), str.rstrip)
    target = body          # where blocks go (a note's div while in footnotes)
    in_notes = False
    i = 0
    while i < len(blocks):
        block = blocks[i]
        first = block[0].strip()
        single = len(block) == 1
        if single and _FOOTNOTES.match(first):
            in_notes, target = True, body
            i += 1
            continue
        if in_notes:
            m = _NOTE_START.match(first)
            if m:
                key = f"fn-{m.group(1)}"
                if key in notes:
                    key += f"-{len(notes)}"
                div = etree.Element("div")
                notes[key] = Note(id=key, label=m.group(1), body=div)
                target = div
                block = [block[0][m.end():]] + block[1:]
            elif single and (_CHAPTER.match(first)
                             or _is_caps_heading(first) and not block[0][:1].isspace()):
                in_notes, target = False, body
        if _SEPARATOR.match(first) and single:
            sub(target, "hr")
        elif all(_COLUMNS.search(line.strip()) or not line.strip() for line in block) \
                or (len(block) > 1 and sum(bool(_COLUMNS.search(x.strip())) for x in block)
                    >= len(block) / 2):
            prev = target[-1] if len(target) else None
            if prev is not None and prev.tag == "pre" and getattr(prev, "_plain_merge", True):
                prev.text += "\n\n" + "\n".join(block)
            else:
                sub(target, "pre", "\n".join(block))
        elif single and _CHAPTER.match(first):
            h = sub(target, "h2")
            _inline(h, first, set())
            if i + 1 < len(blocks) and len(blocks[i + 1]) == 1 \
                    and _is_caps_heading(blocks[i + 1][0]) \
                    and not _CHAPTER.match(blocks[i + 1][0].strip()):
                title = blocks[i + 1][0].strip()
                sub(h, "br")
                _inline(h, title, builder.note_numbers)
                h.set("data-toc", re.sub(r"\[\d+\]", "", title).strip())
                i += 1
        elif single and _SECTION.match(first) and target is body:
            sub(target, "h3", first)
        elif single and target is body and _is_caps_heading(first) and i + 1 < len(blocks):
            h = sub(target, "h2")
            _inline(h, first, builder.note_numbers)
        else:
            builder.paragraph(target, block)
        i += 1
    _drop_title(body, meta)
    return body, notes


def _drop_title(body: etree._Element, meta: Metadata) -> None:
    if not meta.title:
        return
    want = re.sub(r"\W+", " ", meta.title).strip().casefold()
    for h in list(body)[:30]:
        if h.tag in ("h1", "h2") and re.sub(r"\W+", " ", "".join(h.itertext())).strip().casefold() \
                == want:
            body.remove(h)
            return


def parse(text: str, path: Path | None = None) -> Document:
    meta = Metadata()
    changes: list[str] = []
    text = publisher_matter.move_to_notes(debris.remove(text.lstrip("\ufeff"), changes), meta, changes)
    if _PG_START.search(text):
        text = _gutenberg(text, meta)
        if not meta.title:      # the licence header was cut off: the book's own title page
            text = from_title_page(text, meta)
    else:
        text = library_colophon.take(text, meta, changes)
        if not meta.title:
            text = from_title_page(text, meta)
        if not meta.title:
            text = _letter_header(text, meta)
    text = printed_contents.remove(text, changes)
    text = _transcribers_notes(text, meta, changes)
    body, notes = build(text, meta)
    return Document(metadata=meta, body=body, notes=notes, path=Path(path) if path else None,
                    format=FORMAT, changes=changes)
