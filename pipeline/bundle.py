"""Several texts bound into one book, as the Library's "bookbuilder" does.

Each text becomes a part: a part heading (``h1``) with its title — listed in
the table of contents — its author and date on a page of their own, then its
body, its headings one level down when it has parts of its own. Ids and
footnotes are renamed per text (``t1-…``, ``t2-…``) so they stay unique. The
book's colophon lists every text's attribution.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from lxml import etree

from pipeline.build import SUFFIX, BuildResult, load, make_outputs
from pipeline.render.colophon import build_colophon
from pipeline.document import Document, Metadata, Note, new_body, sub
from pipeline.errors import OptionError
from pipeline.options import BuildOptions

DEMOTE = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5"}


def _renamed(el: etree._Element, prefix: str, demote: bool) -> etree._Element:
    """A copy of ``el`` with ids and same-document links prefixed, and headings
    demoted one level when ``demote``."""
    el = copy.deepcopy(el)
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.get("id"):
            node.set("id", prefix + node.get("id"))
        href = node.get("href") or ""
        if node.tag == "a" and href.startswith("#") and len(href) > 1:
            node.set("href", "#" + prefix + href[1:])
        if demote and node.tag in DEMOTE:
            node.tag = DEMOTE[node.tag]
    return el


def _same(values: list[str]) -> str:
    """The value every text shares, or nothing."""
    return values[0] if values and all(v == values[0] for v in values) else ""


def combine(docs: list[Document], title: str, author: str = "", lang: str = "") -> Document:
    """One ``Document`` holding ``docs`` as parts, under ``title`` and ``author``
    (by default, every text's authors)."""
    if not docs:
        raise OptionError("a bundle needs at least one text")
    authors = [author] if author else list(dict.fromkeys(a for d in docs for a in d.metadata.authors if a.strip()))
    langs = [d.metadata.lang for d in docs if d.metadata.lang]
    book_lang = lang or (max(set(langs), key=langs.count) if langs else "")
    meta = Metadata(
        title=title, authors=authors, lang=book_lang,
        publisher=_same([d.metadata.publisher for d in docs]),
        rights=_same([d.metadata.rights for d in docs]),
        topics=list(dict.fromkeys(t for d in docs for t in d.metadata.topics)),
    )
    meta.site = _same([d.metadata.site for d in docs])
    body = new_body()
    notes: dict[str, Note] = {}
    warnings: list[str] = []
    for n, doc in enumerate(docs, start=1):
        prefix = f"t{n}-"
        m = doc.metadata
        heading = sub(body, "h1", m.title, id=f"{prefix}part")
        heading.set("data-toc", m.title)
        head = sub(body, "div", class_="center")
        if m.subtitle:
            sub(head, "p", m.subtitle)
        if m.authors:
            sub(head, "p", m.author_line)
        if m.date:
            sub(head, "p", m.date)
        sub(body, "div", class_="pagebreak")
        demote = any(True for _ in doc.body.iter("h1"))
        part = _renamed(doc.body, prefix, demote)
        if (part.text or "").strip():
            sub(body, "p", part.text.strip())
        for child in part:
            if m.lang and m.lang != book_lang and isinstance(child.tag, str) and not child.get("lang"):
                child.set("lang", m.lang)   # hyphenation and quotes in the text's own language
            body.append(child)
        for note in doc.notes.values():
            notes[prefix + note.id] = Note(prefix + note.id, note.label,
                                           _renamed(note.body, prefix, False), note.secondary)
        name = doc.path.name if doc.path else f"text {n}"
        warnings += [f"{name}: {w}" for w in doc.warnings]
    return Document(metadata=meta, body=body, notes=notes, path=docs[0].path, format="bundle",
                    warnings=warnings)


def bundle_paths(name: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """``NAME.pdf``, ``NAME.booklet.pdf``, ``NAME.epub`` (a known ending on NAME is dropped)."""
    text = str(name)
    for ending in sorted(SUFFIX.values(), key=len, reverse=True):
        if text.endswith(ending):
            text = text[: -len(ending)]
            break
    return {fmt: Path(text + SUFFIX[fmt]) for fmt in formats}


def build_bundle(sources: list[Path], name: Path, title: str, author: str = "",
                 options: BuildOptions | None = None) -> BuildResult:
    """Read every source, bind them, write the book's outputs."""
    from pipeline.render import prepare

    options = options or BuildOptions()
    started = time.perf_counter()
    # Each text's own title and author are required: its attribution is printed.
    texts = [load(source, options) for source in sources]
    entries = [build_colophon(doc) for doc in texts]
    doc = combine(texts, title, author, options.lang)
    prep = prepare(doc)
    prep.colophon.entries = entries
    result = make_outputs(prep, bundle_paths(name, options.formats), options)
    result.source = sources[0]
    result.seconds = time.perf_counter() - started
    return result
