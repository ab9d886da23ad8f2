"""OpenDocument Text (ODT) → ``Document``, from the ODF XML with lxml.

``content.xml``: headings by outline level, paragraphs, emphasis and weight
from the text styles (automatic and named, with their parents), super- and
subscript, links, lists (numbered when their style numbers), tables, images
of the package (``draw:frame``/``draw:image``, as ``data:`` addresses) with
their captions, footnotes and endnotes (``text:note``: the citation is the
label). Metadata from ``meta.xml``: title, subject as topic, keywords,
language, the initial creator (else the creator) as author; what it leaves
empty is taken from paragraphs styled Title, Subtitle, Author and Date
(which leave the body). A document saved with a password is refused.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from lxml import etree

from pipeline.document import Document, Metadata
from pipeline.errors import UnreadableSource
from pipeline.readers.docx import fill_from_styles, split_names
from pipeline.readers.package import Package, local, note_call, plain, text_refused, to_body

FORMAT = "odt"
EXTENSIONS = (".odt",)
HOW_TO_STATE = {"title": "fill in Title in File > Properties > Description",
                "author": "fill in the author in File > Properties"}
BINARY = True

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}
META_STYLES = {"title", "subtitle", "author", "date"}
# Inline elements that are no part of the text: comments, tracked-change
# markers, bookmarks, page-break hints.
_NOT_TEXT = {"annotation", "annotation-end", "change", "change-start", "change-end", "bookmark",
             "bookmark-start", "bookmark-end", "reference-mark-start", "reference-mark-end", "soft-page-break"}


def q(prefixed: str) -> str:
    prefix, name = prefixed.split(":")
    return f"{{{NS[prefix]}}}{name}"


parse = text_refused("an ODT")   # only files are read (``parse_bytes``)


def parse_bytes(data: bytes, path: Path | None = None) -> Document:
    package = Package(data, path, "ODT")
    if package.has("META-INF/manifest.xml"):
        manifest = package.xml("META-INF/manifest.xml")
        if manifest.find(".//manifest:encryption-data", NS) is not None:
            raise UnreadableSource("cannot read this ODT: it is protected by a password (encrypted)",
                                   path=path, hint="open it, remove the password and save it again")
    content = package.xml("content.xml")
    styles = Styles()
    if package.has("styles.xml"):
        styles.add(package.xml("styles.xml"))
    styles.add(content)
    text = content.find(".//office:body/office:text", NS)
    if text is None:
        raise package.broken("its content.xml holds no text (is it a spreadsheet or a drawing?)")
    converter = Converter(package, styles)
    body_html = converter.blocks(text)
    meta = read_meta(package)
    fill_from_styles(meta, converter.styled)
    body, found, warnings = to_body(body_html, converter.notes)
    return Document(metadata=meta, body=body, notes=found, path=path, format=FORMAT, warnings=warnings)


def read_meta(package: Package) -> Metadata:
    meta = Metadata()
    if not package.has("meta.xml"):
        return meta
    root = package.xml("meta.xml")

    def value(name: str) -> str:
        el = root.find(f".//{name}", NS)
        return plain(el.text) if el is not None else ""

    meta.title = value("dc:title")
    meta.authors = split_names(value("meta:initial-creator") or value("dc:creator"))
    meta.lang = value("dc:language")
    meta.topics = [t for t in [value("dc:subject")] + [plain(k.text) for k in root.iterfind(".//meta:keyword", NS)] if t]
    if value("dc:description"):
        meta.extra["description"] = value("dc:description")
    return meta


class Styles:
    """What the text styles make of their text: emphasis, weight, position;
    the display names of paragraph styles; which list styles number."""

    def __init__(self) -> None:
        self.text: dict[str, dict[str, str]] = {}
        self.parent: dict[str, str] = {}
        self.display: dict[str, str] = {}
        self.numbered: set[str] = set()

    def add(self, root: etree._Element) -> None:
        for style in root.iter(q("style:style")):
            name = style.get(q("style:name"))
            props = style.find("style:text-properties", NS)
            self.text[name] = {} if props is None else {
                "italic": props.get(q("fo:font-style")) in ("italic", "oblique"),
                "bold": props.get(q("fo:font-weight")) in ("bold", "600", "700", "800", "900"),
                "position": (props.get(q("style:text-position")) or "").split(" ")[0],
            }
            if style.get(q("style:parent-style-name")):
                self.parent[name] = style.get(q("style:parent-style-name"))
            self.display[name] = style.get(q("style:display-name")) or name
        for list_style in root.iter(q("text:list-style")):
            first = next(iter(list_style), None)
            if first is not None and local(first.tag) == "list-level-style-number":
                self.numbered.add(list_style.get(q("style:name")))

    def look(self, name: str | None) -> dict:
        """The text properties of a style with those of its parents under it."""
        found: dict = {}
        seen = set()
        while name and name not in seen:
            seen.add(name)
            for key, value in self.text.get(name, {}).items():
                found.setdefault(key, value)
            name = self.parent.get(name)
        return found

    def kind(self, name: str | None) -> str:
        """A paragraph style's display name, lower case, its parents included
        (for Title, Subtitle, Author, Date)."""
        seen = set()
        while name and name not in seen:
            seen.add(name)
            display = self.display.get(name, name).lower()
            if display in META_STYLES:
                return display
            name = self.parent.get(name)
        return ""


class Converter:
    def __init__(self, package: Package, styles: Styles) -> None:
        self.package = package
        self.styles = styles
        self.notes: list[tuple[str, str]] = []
        self.styled: dict[str, list[str]] = {}

    def blocks(self, parent: etree._Element) -> str:
        out = []
        for el in parent:
            out.append(self.block(el))
        return "".join(out)

    def block(self, el: etree._Element) -> str:
        name = local(el.tag)
        if name == "h":
            level = min(max(int(el.get(q("text:outline-level")) or 1), 1), 6)
            return f"<h{level}>{self.inline(el)}</h{level}>"
        if name == "p":
            kind = self.styles.kind(el.get(q("text:style-name")))
            if kind:
                self.styled.setdefault(kind, []).append(plain("".join(self.text_only(el))))
                return ""
            inner = self.inline(el)
            return f"<p>{inner}</p>" if inner.strip() else ""
        if name == "list":
            style = el.get(q("text:style-name"))
            tag = "ol" if style in self.styles.numbered else "ul"
            items = "".join(f"<li>{self.blocks(item)}</li>" for item in el
                            if local(item.tag) in ("list-item", "list-header"))
            return f"<{tag}>{items}</{tag}>"
        if name == "table":
            rows = []
            for row in el.iter(q("table:table-row")):
                cells = []
                for cell in row:
                    if local(cell.tag) != "table-cell":
                        continue
                    span = cell.get(q("table:number-columns-spanned"))
                    attr = f' colspan="{int(span)}"' if span and span.isdigit() and int(span) > 1 else ""
                    cells.append(f"<td{attr}>{self.blocks(cell)}</td>")
                rows.append(f"<tr>{''.join(cells)}</tr>")
            return f"<table><tbody>{''.join(rows)}</tbody></table>"
        if name == "frame":          # anchored to the page, not to a paragraph
            inner = self.frame(el)
            return f"<p>{inner}</p>" if inner else ""
        if name in ("section", "index-body", "list-item"):
            return self.blocks(el)
        if name in ("table-of-content", "alphabetical-index", "illustration-index", "bibliography",
                    "sequence-decls", "variable-decls", "user-field-decls", "tracked-changes",
                    "soft-page-break", "forms"):
            return ""
        return f"<p>{self.inline(el)}</p>" if plain("".join(el.itertext())) else ""

    def text_only(self, el: etree._Element):
        """Text of a paragraph without its notes."""
        if el.text:
            yield el.text
        for child in el:
            if local(child.tag) != "note":
                yield from self.text_only(child)
            if child.tail:
                yield child.tail

    def inline(self, el: etree._Element) -> str:
        out = [html.escape(el.text or "", quote=False)]
        for child in el:
            out.append(self.inline_element(child))
            out.append(html.escape(child.tail or "", quote=False))
        return "".join(out)

    def inline_element(self, el: etree._Element) -> str:
        name = local(el.tag)
        if name == "s":
            return " " * int(el.get(q("text:c")) or 1)
        if name == "tab":
            return " "
        if name == "line-break":
            return "<br>"
        if name == "span":
            inner = self.inline(el)
            look = self.styles.look(el.get(q("text:style-name")))
            if look.get("position", "").startswith("super") or look.get("position", "").startswith("33%"):
                inner = f"<sup>{inner}</sup>"
            elif look.get("position", "").startswith("sub") or look.get("position", "").startswith("-"):
                inner = f"<sub>{inner}</sub>"
            if look.get("bold"):
                inner = f"<strong>{inner}</strong>"
            if look.get("italic"):
                inner = f"<em>{inner}</em>"
            return inner
        if name == "a":
            href = el.get(q("xlink:href")) or ""
            inner = self.inline(el)
            if re.match(r"(?i)(https?|mailto):", href):
                return f'<a href="{html.escape(href)}">{inner}</a>'
            return inner
        if name == "note":
            citation = el.find("text:note-citation", NS)
            number = len(self.notes) + 1
            label = plain(citation.get(q("text:label")) or "".join(citation.itertext())) \
                if citation is not None else ""
            note_body = el.find("text:note-body", NS)
            note_id = f"n{number}"
            self.notes.append((note_id, self.blocks(note_body) if note_body is not None else ""))
            return note_call(note_id, label or str(number))
        if name == "frame":
            return self.frame(el)
        if name in _NOT_TEXT:
            return ""
        return self.inline(el)     # reference marks, fields, ruby…: their text

    def frame(self, frame: etree._Element) -> str:
        image = frame.find("draw:image", NS)
        box = frame.find("draw:text-box", NS)
        if box is not None:     # a captioned figure: the image and caption sit in a text box
            return "<br>".join(self.inline(p) for p in box if local(p.tag) in ("p", "h"))
        if image is None:
            return ""
        title = frame.find("svg:title", NS)
        desc = frame.find("svg:desc", NS)
        alt = plain((desc.text if desc is not None else "") or (title.text if title is not None else "")
                    or "")
        uri = self.package.image_uri(self.package.resolve("content.xml", image.get(q("xlink:href")) or ""))
        if not uri:
            return html.escape(alt, quote=False)
        return f'<img src="{uri}" alt="{html.escape(alt)}">'
