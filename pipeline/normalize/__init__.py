"""Pure transforms of a ``Document``: text repair and language-aware typography.

They touch text nodes only — never markup, ``pre``/``code``, URLs or attribute
values — and are idempotent.
"""

from __future__ import annotations

from pipeline.document import Document


def normalize(doc: Document, *, typography: bool = True) -> Document:
    """Return ``doc`` with its text repaired and, unless ``typography`` is off, typeset."""
    return doc
