"""The attribution colophon every output ends with, built from ``Metadata``.

Laid out like The Anarchist Library's own final page: publisher and rights at
the top; author, title, date, where the text was retrieved from, notes and
the site at the bottom. A text without a title or an author cannot be
attributed, so the build stops and says which field is missing and how to
give it in the source's own format (``Document.how_to_state``, from its reader).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Document
from pipeline.errors import MissingMetadata


@dataclass
class Colophon:
    top: list[str] = field(default_factory=list)     # publisher, rights
    author: str = ""
    title: str = ""
    subtitle: str = ""
    date: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)
    site: str = ""
    # A bundle of several texts: one attribution per text, printed in place of
    # the single one above (``top`` still heads the page).
    entries: list["Colophon"] = field(default_factory=list)


def missing_fields(doc: Document) -> list[str]:
    missing = []
    if not doc.metadata.title.strip():
        missing.append("title")
    if not any(a.strip() for a in doc.metadata.authors):
        missing.append("author")
    return missing


def require_attribution(doc: Document) -> None:
    """Raise ``MissingMetadata`` naming the first missing field and how to supply it."""
    missing = missing_fields(doc)
    if not missing:
        return
    name = missing[0]
    how = doc.how_to_state.get(name, f"state the {name} in the source")
    also = f" (and no {missing[1]})" if len(missing) > 1 else ""
    seen = candidate_lines(doc)
    lines = f"; lines near the top: {' | '.join(seen)}" if seen else ""
    raise MissingMetadata(
        f"no {name}{also}: the colophon needs the text's title and author",
        path=doc.path, hint=f"{how}, or pass --{name} on the command line{lines}")


def candidate_lines(doc: Document, count: int = 4) -> list[str]:
    """The first short blocks of the body: what a user may pick as --title or --author."""
    found: list[str] = []
    for el in doc.body.iter("h1", "h2", "h3", "h4", "p"):
        text = " ".join("".join(el.itertext()).split())
        if 0 < len(text) <= 80:
            found.append(repr(text))
            if len(found) == count:
                break
    return found


def build_colophon(doc: Document) -> Colophon:
    require_attribution(doc)
    m = doc.metadata
    return Colophon(
        top=[part for part in (m.publisher, m.rights) if part],
        author=m.author_line,
        title=m.title,
        subtitle=m.subtitle,
        date=m.date,
        source=m.source,
        notes=[line for line in m.notes.split("\n") if line.strip()],
        site=m.site,
    )
