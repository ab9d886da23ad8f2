"""``Document`` → Markdown with YAML front matter (``zinepress normalize``).

The output reads back through ``pipeline.readers.markdown`` to the same text
and metadata. What Markdown cannot say is written as the small raw HTML the
reader keeps (``<sup>``, ``<sub>``, ``<del>``, ``<span class=sc>``,
``<span lang=…>``); verse becomes paragraphs with hard line breaks; footnotes
are ``[^id]`` with their bodies after the text.
"""

from __future__ import annotations

import re

import yaml
from lxml import etree

from pipeline.document import Document, Metadata, is_noteref

_ESCAPE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)](?:\s|$)))")


def _guard(line: str) -> str:
    """Escape what would make a line a heading, quote, list or rule."""
    m = _LINE_START.match(line)
    if not m:
        return line
    if m.group(2)[0].isdigit():  # "1. " → "1\. "
        end = m.end()
        return line[:end] + "\\" + line[end:]
    return line[: m.start(2)] + "\\" + line[m.start(2):]


def front_matter(meta: Metadata) -> str:
    data: dict = {}
    if meta.title:
        data["title"] = meta.title
    if meta.subtitle:
        data["subtitle"] = meta.subtitle
    if len(meta.authors) == 1:
        data["author"] = meta.authors[0]
    elif meta.authors:
        data["authors"] = list(meta.authors)
    for key in ("date", "lang", "source", "notes", "rights", "publisher"):
        if getattr(meta, key):
            data[key] = getattr(meta, key)
    if meta.topics:
        data["topics"] = list(meta.topics)
    if meta.cover:
        data["cover"] = meta.cover
    if meta.notoc:
        data["notoc"] = True
    if meta.nofinalpage:
        data["nofinalpage"] = True
    if meta.sort_authors:
        data["sortauthors"] = "; ".join(meta.sort_authors)
    if meta.site:
        data["site"] = meta.site
    for key, value in meta.extra.items():
        if key not in data:
            data[key] = value
    if not data:
        return ""
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{dumped}---\n\n"


def _escape(text: str) -> str:
    text = text.replace("\n", " ")
    text = _ESCAPE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


def _note_key(href: str) -> str:
    key = href.lstrip("#")
    key = key.removeprefix("fn-")
    return re.sub(r"[^\w-]", "-", key) or "note"


class _Writer:
    def inline(self, el: etree._Element) -> str:
        """The Markdown of ``el``'s content (not ``el`` itself)."""
        out = [_escape(el.text or "")]
        for child in el:
            if isinstance(child.tag, str):
                out.append(self.inline_element(child))
            out.append(_escape(child.tail or ""))
        return "".join(out)

    def inline_element(self, el: etree._Element) -> str:
        tag = el.tag
        if is_noteref(el):
            return f"[^{_note_key(el.get('href') or '')}]"
        if tag == "br":
            return "  \n"
        if tag == "code":
            code = "".join(el.itertext())
            fence = "``" if "`" in code else "`"
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{fence}{pad}{code}{pad}{fence}"
        inner = self.inline(el)
        if tag in ("em", "strong"):
            mark = "*" if tag == "em" else "**"
            stripped = inner.strip()
            if not stripped:
                return inner
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()):]
            return f"{lead}{mark}{stripped}{mark}{trail}"
        if tag in ("sup", "sub", "del"):
            return f"<{tag}>{inner}</{tag}>"
        if tag == "span":
            attrs = []
            if el.get("class"):
                attrs.append(f'class="{el.get("class")}"')
            if el.get("lang"):
                attrs.append(f'lang="{el.get("lang")}"')
            return f"<span {' '.join(attrs)}>{inner}</span>" if attrs else inner
        if tag == "a" and el.get("href"):
            href = el.get("href").replace(" ", "%20").replace(")", "%29").replace("(", "%28")
            return f"[{inner}]({href})"
        if tag == "img":
            return f"![{_escape(el.get('alt') or '')}]({el.get('src') or ''})"
        return inner

    def blocks(self, parent: etree._Element) -> list[str]:
        out: list[str] = []
        loose = (parent.text or "").strip()
        if loose:
            out.append(_guard(_escape(loose)))
        for child in parent:
            if isinstance(child.tag, str):
                if out and child.tag in ("ul", "ol", "pre") and parent[0] is not child \
                        and child.getprevious() is not None \
                        and child.getprevious().tag in ("ul", "ol"):
                    out.append("<!-- -->")  # keeps Markdown from merging it into the list
                out.extend(self.block(child))
            if child.tail and child.tail.strip():
                out.append(_escape(child.tail.strip()))
        return [b for b in out if b.strip()]

    def paragraph(self, el: etree._Element) -> str:
        text = self.inline(el).strip(" ")
        lines = text.split("\n")
        lines = [_guard(line.lstrip(" ")) for line in lines]
        return "\n".join(lines)

    def block(self, el: etree._Element) -> list[str]:
        tag, cls = el.tag, (el.get("class") or "").split()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = int(tag[1])
            if el.find(".//br") is not None or el.get("data-toc"):
                # Markdown headings hold one line and no short title: raw HTML
                copy = etree.fromstring(etree.tostring(el, with_tail=False))
                return [etree.tostring(copy, encoding="unicode", method="html")]
            return ["#" * level + " " + self.inline(el).replace("  \n", " ").strip()]
        if tag == "p":
            return [self.paragraph(el)]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(el))
            return ["\n".join(("> " + line) if line else ">" for line in inner.split("\n"))]
        if tag == "pre":
            text = "".join(el.itertext()).strip("\n")
            return ["\n".join("    " + line for line in text.split("\n"))]
        if tag in ("ul", "ol"):
            items = []
            for n, li in enumerate(el.iterfind("li"), start=1):
                marker = f"{n}. " if tag == "ol" else "- "
                has_blocks = any(isinstance(c.tag, str) and c.tag in _BLOCKISH for c in li)
                parts = self.blocks(li) if has_blocks else [self.paragraph(li)]
                body = "\n\n".join(parts) if parts else ""
                indented = body.replace("\n", "\n    ")
                items.append(marker + indented)
            return ["\n".join(items) if all("\n" not in i for i in items) else "\n\n".join(items)]
        if tag == "dl":
            out = []
            for child in el:
                if child.tag == "dt":
                    text = self.inline(child).strip()
                    out.append(f"**{text}**" if text else "")
                elif child.tag == "dd":
                    out.extend(self.blocks(child) if any(c.tag in _BLOCKISH for c in child)
                               else [self.paragraph(child)])
            return out
        if tag == "table":
            return [self.table(el)]
        if tag == "figure":
            out = []
            for img in el.iter("img"):
                out.append(self.inline_element(img))
            cap = el.find("figcaption")
            if cap is not None:
                out.extend(self.blocks(cap) if any(c.tag in _BLOCKISH for c in cap)
                           else [self.paragraph(cap)])
            return out
        if tag == "hr":
            return ["* * *"]
        if tag == "div" and "pagebreak" in cls:
            return ['<div class="pagebreak"></div>']
        if tag in ("div", "li", "dd", "td", "th", "caption", "figcaption", "section"):
            return self.blocks(el)
        return [self.paragraph(el)]

    def table(self, el: etree._Element) -> str:
        rows = []
        header = None
        for tr in el.iter("tr"):
            cells = [self.inline(c).replace("|", "\\|").replace("  \n", " ").strip()
                     for c in tr if c.tag in ("td", "th")]
            if header is None and (tr.getparent().tag == "thead"
                                   or all(c.tag == "th" for c in tr if isinstance(c.tag, str))):
                header = cells
            else:
                rows.append(cells)
        width = max([len(header or [])] + [len(r) for r in rows] + [1])
        header = header or [""] * width
        lines = ["| " + " | ".join(header + [""] * (width - len(header))) + " |",
                 "|" + "---|" * width]
        for r in rows:
            lines.append("| " + " | ".join(r + [""] * (width - len(r))) + " |")
        out = "\n".join(lines)
        cap = el.find("caption")
        if cap is not None:
            out += "\n\n" + self.paragraph(cap)
        return out


_BLOCKISH = {"p", "h1", "h2", "h3", "h4", "h5", "blockquote", "div", "ul", "ol", "dl", "table",
             "figure", "pre", "hr"}


def to_markdown(doc: Document) -> str:
    writer = _Writer()
    parts = [front_matter(doc.metadata)]
    body = "\n\n".join(writer.blocks(doc.body))
    parts.append(body + "\n")
    notes = []
    for key, note in doc.notes.items():
        blocks = writer.blocks(note.body)
        text = "\n\n".join(blocks) if blocks else ""
        indented = text.replace("\n", "\n    ")
        notes.append(f"[^{_note_key(key)}]: {indented}")
    if notes:
        parts.append("\n" + "\n\n".join(notes) + "\n")
    return "".join(parts)
