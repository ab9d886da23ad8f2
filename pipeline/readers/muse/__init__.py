"""Amusewiki ``.muse`` reader (The Anarchist Library's source format).

The reference behaviour is Text::Amuse, the library's own compiler; the rules
below follow its parser (``Text::Amuse::Document``) line by line where the
manual is vague, and say so where we knowingly differ.

Pipeline
    1. clean the lines (``\\r``, tabs to 4 spaces, trailing blanks, characters
       XML cannot hold become U+FFFD with a warning);
    2. split the header (``#directive value`` lines, continuation lines, blank
       lines) from the body, exactly as Text::Amuse does;
    3. classify every body line (heading, list item, footnote, table row, block
       tag, indented paragraph …), catch the greedy blocks (``<example>``,
       ``{{{ }}}``, ``<verse>``, ``<comment>``) and pack continuation lines;
    4. nest the lists by indentation (tolerance of one column, list
       continuation and ``start`` numbers as in Text::Amuse);
    5. collect footnotes ``[1]`` / ``{1}`` with their indented continuation
       paragraphs;
    6. build the lxml tree of ``pipeline.document``'s vocabulary, parsing the
       inline markup of every paragraph with Text::Amuse's pairing rules for
       ``*``, ``**``, ``***`` and the inline tags.

Modules
    One module a step: ``header.py`` (1 and 2, and the header made ``Metadata``),
    ``classify.py`` and ``blocks.py`` (3), ``lists.py`` (4), ``footnotes.py``
    (5), ``tree.py`` (6), whose paragraphs ``inline.py`` fills with the
    inline markup that ``tokens.py`` finds and pairs; ``element.py`` holds
    ``_El``, what passes from one step to the next. The step modules give
    ``_Parser`` (below) their methods as mixins; it holds what they share and
    runs them in order.

Choices where the format or the brief is silent
    * Header values are stored as plain text: inline markup is dropped
      (``1<sup>st</sup>`` → ``1st``, ``~~`` → no-break space). A link becomes
      its URL alone when its text is the URL or the URL's host (with or
      without ``www.``), otherwise ``text <URL>`` — so the colophon always
      shows the full address the text was retrieved from, e.g.
      ``Retrieved on February 25th, 2009 from http://dwardmac.pitzer.edu/…``.
    * ``#author`` is the display author (one entry, never split); without it
      ``#authors`` or ``#SORTauthors`` are split on ``,`` / ``;``;
      ``#SORTauthors`` also gives ``Metadata.sort_authors`` (split on ``;``
      when it has one, else on ``,``, as Amusewiki does) and ``#site`` the
      colophon's ``Metadata.site``. Topics come
      from ``#SORTtopics`` and ``#topics``, split on ``,`` / ``;``, empty items
      dropped, duplicates removed. ``#notoc`` / ``#nofinalpage`` are true when
      their value is neither empty nor ``0`` (Perl truth, as the templates
      do). ``#lang`` (or ``#language``) fills ``Metadata.lang``. Every other
      directive goes to ``Metadata.extra`` under its name with ``_``/``-``
      removed (as Text::Amuse does), value as written.
    * Indented paragraphs (2–5 spaces quote, 6–19 centre, 20+ right) that
      follow each other are gathered in one ``blockquote`` / ``div``.
    * An indented ``* * * * *`` line is a page break (``div class=pagebreak``),
      as in Text::Amuse's PDF output; ``* * *`` stays a centred paragraph.
    * ``----`` alone in a paragraph is ``hr``.
    * Footnote ids are ``fnN`` (``[N]``) and ``fnbN`` (``{N}``); labels are
      ``N`` and ``{N}``. Whitespace before a reference is dropped (the
      reference sticks to its word, as in the PDF output). A reference to a
      missing note stays as its text ``[3]`` (warning); a note nobody refers
      to is kept as a ``[3] …`` paragraph at the end of the body (warning); a
      second note with an already used number is treated the same way.
    * Headings force open ``<quote>``/``<center>``… blocks to close (warning),
      as in Text::Amuse; unlike Text::Amuse, ``<example>``, ``<verse>`` and
      tables may sit inside them, since a tree can hold that.
    * A block-level ``<[xx]>`` … ``</[xx]>`` wraps the content of each
      paragraph, heading or cell inside it in ``span lang=xx`` (the
      vocabulary has no block-level language element).
    * Ordered lists carry ``type`` and, when they do not start at 1, ``start``.
    * Images keep their relative path in ``src``; ``r``/``l`` become classes
      ``float-right``/``float-left``; the width in percent is not kept (the
      vocabulary has no place for it). An image alone in a paragraph (or among
      its text) becomes a ``figure`` block; inside a heading, cell or other
      inline context it becomes a link to the file.
    * ``<ruby>`` and unknown tags are left as text, as Text::Amuse does.
    * ``; comment`` lines and ``<comment>`` blocks are dropped; unlike
      Text::Amuse, lines that directly follow a comment line are not
      swallowed by it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.document import Document
from pipeline.errors import SourceSyntaxError
from pipeline.readers.muse.blocks import _Blocks
from pipeline.readers.muse.footnotes import _Footnotes
from pipeline.readers.muse.header import _Header
from pipeline.readers.muse.inline import _Inline
from pipeline.readers.muse.lists import _Lists
from pipeline.readers.muse.tree import _Tree, _apply_lang_blocks

FORMAT = "muse"
EXTENSIONS = (".muse",)
HOW_TO_STATE = {"title": "add a '#title …' line to the header",
                "author": "add an '#author …' line to the header"}


# ---------------------------------------------------------------- sniffing

_SNIFF_DIRECTIVE = re.compile(r"^#([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+\S.*)?$")
_SNIFF_MARKUP = re.compile(
    r"^(?:<(?:quote|verse|example|center|right|biblio|play|comment)>\s*$"
    r"|\*{1,5} \S|\[[1-9][0-9]*\] \S|> |\{\{\{\s*$)", re.M)


def sniff(text: str) -> int:
    """How sure we are that ``text`` is a .muse source (0..100)."""
    head = text.lstrip("\ufeff").lstrip("\n")[:4000]
    lines = head.split("\n")
    directives = []
    for line in lines[:40]:
        line = line.rstrip()
        if not line:
            if directives:
                break
            continue
        m = _SNIFF_DIRECTIVE.match(line)
        if m:
            directives.append(m.group(1).lower())
        elif directives and line[:1] in (" ", "\t"):
            continue
        else:
            break
    score = 0
    if directives:
        score = 60
        if "title" in directives:
            score = 90
        if {"author", "lang", "source", "sortauthors", "sorttopics"} & set(directives):
            score = min(100, score + 8)
    markers = len(_SNIFF_MARKUP.findall(text[:20000]))
    score = min(100, score + min(markers, 10))
    return score


# ---------------------------------------------------------------- the parser


class _Parser(_Header, _Blocks, _Lists, _Footnotes, _Tree, _Inline):
    """The steps run in order on one source (``run``), sharing ``path``, ``text``
    and the ``warnings`` that ``warn`` adds to."""

    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.text = text

    # -- helpers
    def warn(self, line: int | None, msg: str) -> None:
        where = f"line {line}: " if line else ""
        self.warnings.append(f"{where}{msg}")

    # -- the whole
    def run(self) -> Document:
        directives, body_lines = self.split()
        meta = self.metadata(directives)
        els = self.construct(body_lines)
        els = self.lists(els)
        els, notes = self.footnotes(els)
        els = self.unroll(els)
        body, notes_out = self.build(els, notes)
        _apply_lang_blocks(body)
        return Document(metadata=meta, body=body, notes=notes_out, path=self.path,
                        format=FORMAT, warnings=self.warnings)


# --------------------------------------------------------------- interface


def parse(text: str, path: Path | str | None = None) -> Document:
    """Parse a .muse source into a ``Document``."""
    if not isinstance(text, str):
        raise SourceSyntaxError("the source is not decoded text", path=path,
                                hint="decode the file before parsing it")
    path = Path(path) if path is not None else None
    return _Parser(text, path).run()
