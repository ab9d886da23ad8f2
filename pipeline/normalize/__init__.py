"""Pure transforms of a ``Document``: text repair and language-aware typography.

They touch text nodes only — never markup, ``pre``/``code``, URLs or attribute
values — and are idempotent.

The text of each block is processed as one stream (``stream.py``), so that a
quotation opening before an ``<em>`` and closing after it pairs correctly.
``repair.py`` holds the repairs (mojibake, NFC, invisible characters,
whitespace); ``ligatures.py`` puts back ligatures lost by PDF text extraction
(once per document, before the streams, as it needs the whole text to tell
damage from chance); ``typography.py`` the language rules and the house choices.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from pipeline.document import Document, Metadata, text_content
from pipeline.language import guess_language
from pipeline.normalize import stream
from pipeline.normalize.ligatures import repair_ligatures
from pipeline.normalize.repair import repair_string, repair_text
from pipeline.normalize.spacing import spaces_outside
from pipeline.normalize.typography import typeset


def _transform(typography: bool):
    def run(text: str, langs: list[str]) -> str:
        text = repair_text(text)
        if typography:
            text = typeset(text, langs)
        return text
    return run


def normalize_string(text: str, lang: str = "", *, typography: bool = True) -> str:
    """Normalise a string with no markup (a title, an author's name)."""
    if not text:
        return text
    text = repair_string(text)
    return typeset(text, [lang]) if typography else text


def _metadata(m: Metadata, typography: bool) -> Metadata:
    def t(s: str) -> str:
        return normalize_string(s, m.lang, typography=typography)

    return replace(
        m,
        title=t(m.title), subtitle=t(m.subtitle), authors=[t(a) for a in m.authors], date=t(m.date),
        notes="\n".join(t(line) for line in m.notes.split("\n")),    # one a line, as the colophon has them
        publisher=t(m.publisher), rights=t(m.rights),
        topics=[repair_string(x) for x in m.topics], source=repair_string(m.source),
        lang=m.lang.strip(), sort_authors=list(m.sort_authors), extra=dict(m.extra))


def normalize(doc: Document, *, typography: bool = True) -> Document:
    """Return ``doc`` with its text repaired and, unless ``typography`` is off, typeset.

    ``doc`` itself is left unchanged: the result holds copies of its trees.
    """
    lang = doc.metadata.lang or "en"
    body = copy.deepcopy(doc.body)
    notes = {key: replace(note, body=copy.deepcopy(note.body)) for key, note in doc.notes.items()}
    warnings = list(doc.warnings)
    changes = list(doc.changes) + repair_ligatures(
        [body] + [note.body for note in notes.values()],
        doc.metadata.lang or guess_language(text_content(body)))
    run = _transform(typography)
    spaces_outside(body)
    stream.apply(body, lang, run, warnings)
    for note in notes.values():
        spaces_outside(note.body)
        stream.apply(note.body, lang, run, warnings)
    return replace(doc, metadata=_metadata(doc.metadata, typography), body=body, notes=notes,
                   warnings=warnings, changes=changes)
