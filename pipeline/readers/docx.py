"""Word (DOCX) → ``Document``, through mammoth (Word styles to semantic HTML:
headings, emphasis, lists, tables, images as ``data:`` addresses, footnotes
and endnotes).

Metadata from the document's core properties (``docProps/core.xml``: title,
creator, subject and keywords as topics, language); what they leave
empty is taken from the paragraphs styled Title, Subtitle, Author and Date,
which leave the body either way (the title page shows them). The file's own
creation and modification times are not the text's date and are not used.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import lxml.html

from pipeline.document import Document, Metadata, remove_keeping_tail
from pipeline.readers.package import Package, plain, refuse_office_container, text_refused, to_body
from pipeline.readers.xhtml import collect_notes, inner_html

FORMAT = "docx"
EXTENSIONS = (".docx",)
HOW_TO_STATE = {"title": "fill in Title in the document's properties (File > Info)",
                "author": "fill in Author in the document's properties (File > Info)"}
BINARY = True

CORE = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/"}
# Paragraph styles that state metadata, as Word and pandoc name them.
META_STYLES = {"Title": "title", "Subtitle": "subtitle", "Author": "author", "Date": "date"}
STYLE_MAP = "\n".join(f"p[style-name='{name}'] => p.zp-meta-{field}:fresh"
                      for name, field in META_STYLES.items())


parse = text_refused("a DOCX")   # only files are read (``parse_bytes``)


def parse_bytes(data: bytes, path: Path | None = None) -> Document:
    import mammoth

    refuse_office_container(data, path, "DOCX")
    package = Package(data, path, "DOCX")
    if not package.has("word/document.xml"):
        raise package.broken("it has no word/document.xml")
    meta = core_metadata(package)
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP, id_prefix="zp-")
    except Exception as exc:   # mammoth raises what its XML and zip readers raise
        raise package.broken(f"its text cannot be read ({type(exc).__name__}: {exc})") from exc
    root = lxml.html.fragment_fromstring(result.value or "", create_parent="div")
    styled: dict[str, list[str]] = {}
    for p in list(root.iter("p")):
        for cls in (p.get("class") or "").split():
            if cls.startswith("zp-meta-"):
                styled.setdefault(cls.removeprefix("zp-meta-"), []).append(plain(p.text_content()))
                remove_keeping_tail(p)
    fill_from_styles(meta, styled)
    for a in root.iter("a"):
        if re.match(r"zp-(foot|end)note-ref-", a.get("id") or ""):
            a.set("class", "footnote-ref")
        elif re.match(r"#zp-(foot|end)note-ref-", a.get("href") or ""):
            a.set("class", "footnote-back")
    notes = collect_notes([("document", root)], {},
                          lambda base, href: ("document", href[1:]) if href.startswith("#") else None)
    for ol in list(root.iter("ol")):     # mammoth's lists of notes, now empty
        if not plain(ol.text_content()) and not len(ol.xpath(".//img")):
            remove_keeping_tail(ol)
    body, found, warnings = to_body(inner_html(root), notes)
    return Document(metadata=meta, body=body, notes=found, path=path, format=FORMAT, warnings=warnings)


def core_metadata(package: Package) -> Metadata:
    meta = Metadata()
    if not package.has("docProps/core.xml"):
        return meta
    core = package.xml("docProps/core.xml")

    def value(name: str) -> str:
        el = core.find(name, CORE)
        return plain(el.text) if el is not None else ""

    meta.title = value("dc:title")
    meta.authors = split_names(value("dc:creator"))
    meta.lang = value("dc:language")
    meta.topics = [t.strip() for t in re.split(r"[,;]", value("cp:keywords")) if t.strip()]
    if value("dc:subject") and value("dc:subject") not in meta.topics:
        meta.topics.insert(0, value("dc:subject"))
    description = value("dc:description")
    if description:
        meta.extra["description"] = description
    return meta


def split_names(text: str) -> list[str]:
    """Authors as a field lists them ("A; B", "A and B" stay one name each side of ';')."""
    return [name.strip() for name in re.split(r";", text) if name.strip()]


def fill_from_styles(meta: Metadata, styled: dict[str, list[str]]) -> None:
    """What the properties leave empty, from the paragraphs styled for it."""
    if not meta.title and styled.get("title"):
        meta.title = " ".join(styled["title"])
    if not meta.subtitle and styled.get("subtitle"):
        meta.subtitle = " ".join(styled["subtitle"])
    if not meta.authors and styled.get("author"):
        meta.authors = [a for line in styled["author"] for a in split_names(line)]
    if not meta.date and styled.get("date"):
        meta.date = styled["date"][0]

