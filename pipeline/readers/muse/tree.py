"""The lxml tree built from the elements (step 6 of the reader): indented
paragraphs gathered in implicit blocks, blocks opened and closed (and forced
closed by headings), paragraphs and figures, verse, tables, anchors, and the
notes, in ``pipeline.document``'s vocabulary; ``inline.py`` renders the inline
markup of each."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.document import Note, new_body
from pipeline.errors import SourceTooLarge
from pipeline.readers.muse.element import MAX_OPEN_LEVELS, _El
from pipeline.readers.muse.inline import _INLINE_HOLDERS, _append, _plain


_HR = re.compile(r"^\s*-{4,}\s*$")


class _Tree:
    """Step 6 of ``_Parser``: the elements made a tree, with the ``ids``, ``note_keys``
    and ``referenced`` that ``build`` sets up."""

    # -- step 6: unroll implicit blocks
    def unroll(self, els: list[_El]) -> list[_El]:
        out: list[_El] = []
        last_stop: int | None = None  # index in out of the last implicit stop
        for el in els:
            if el.type == "regular" and el.block in ("quote", "center", "right"):
                blk = el.block
                el.block = ""
                if (last_stop is not None and out[last_stop].block == blk
                        and out[last_stop].indent == el.indent):
                    stop = out.pop(last_stop)
                    out.append(el)
                    out.append(stop)
                    last_stop = len(out) - 1
                    continue
                start = _El("startblock", el.line, block=blk, indent=el.indent)
                start.implicit = True
                stop = _El("stopblock", el.line, block=blk, indent=el.indent)
                stop.implicit = True
                out.extend((start, el, stop))
                last_stop = len(out) - 1
                continue
            if el.type != "null":
                last_stop = None
            out.append(el)
        return out

    # -- building the tree
    def paragraph(self, parent, el: _El, text: str, *, pri: bool = True, sec: bool = True) -> None:
        if _HR.match(text) and not el.anchors:
            etree.SubElement(parent, "hr")
            return
        p = etree.SubElement(parent, "p")
        self.add_anchors(p, el)
        self.inline(p, text, el.line, pri=pri, sec=sec, figures=True)
        if len(p) and all(child.tag == "br" for child in p) and not "".join(p.itertext()).strip():
            # A '<br>' on a line of its own asks for a blank line: not a paragraph of nothing.
            parent.remove(p)
            return
        if p.find("figure") is not None:
            _split_figures(p)

    def add_anchors(self, target, el: _El) -> None:
        for name in el.anchors:
            if name in self.ids:
                self.warn(el.line, f"anchor #{name} is defined twice; the second is ignored")
                continue
            self.ids.add(name)
            etree.SubElement(target, "a", id=name)
        el.anchors = []

    def build(self, els: list[_El], notes: list[_El]) -> tuple[etree._Element, dict[str, Note]]:
        body = new_body()
        self.ids: set[str] = set()
        self.referenced: set[str] = set()
        self.note_keys: set[str] = set()
        first_notes: list[_El] = []
        orphans: list[_El] = []
        for n in notes:
            if n.fnkey in self.note_keys:
                self.warn(n.line, f"footnote {n.label} is defined twice; the second one is "
                                  "kept as text at the end")
                orphans.append(n)
            else:
                self.note_keys.add(n.fnkey)
                first_notes.append(n)

        stack: list[tuple[etree._Element, str, int, bool]] = [(body, "body", 0, False)]
        for el in els:
            t = el.type
            parent = stack[-1][0]
            if t == "null":
                if el.anchors:  # anchors with nothing after them
                    self.add_anchors(etree.SubElement(parent, "p"), el)
                continue
            if t == "startblock":
                b = el.block
                if b in ("quote", "center", "right", "biblio", "play", "lang"):
                    if b == "quote":
                        node = etree.SubElement(parent, "blockquote")
                    elif b == "lang":
                        node = etree.SubElement(parent, "div", {"data-muse-lang": el.lang})
                    else:
                        node = etree.SubElement(parent, "div", {"class": b})
                elif b == "ul":
                    node = etree.SubElement(parent, "ul")
                elif b.startswith("ol"):
                    node = etree.SubElement(parent, "ol", type=b[2:])
                    if el.index and el.index != 1:
                        node.set("start", str(el.index))
                elif b == "dl":
                    node = etree.SubElement(parent, "dl")
                elif b in ("li", "dd"):
                    node = etree.SubElement(parent, b)
                else:  # pragma: no cover - classification only makes the above
                    continue
                if el.anchors:
                    self.add_anchors(node, el)
                stack.append((node, b, el.line, el.implicit))
                if len(stack) > MAX_OPEN_LEVELS:
                    raise SourceTooLarge("blocks are nested too deeply", path=self.path,
                                         line=el.line, hint="close the <quote> and similar tags")
                continue
            if t == "stopblock":
                b = el.block
                if stack[-1][1] == b and len(stack) > 1:
                    stack.pop()
                else:
                    tag = f"</[{el.lang}]>" if b == "lang" else f"</{b}>"
                    self.warn(el.line, f"{tag} closes nothing that is open; ignored")
                continue
            if t[0] == "h" and len(t) == 2:
                self._force_close(stack, el)
                parent = stack[-1][0]
                self.heading(parent, el)
                continue
            if t == "newpage":
                self._force_close(stack, el)
                etree.SubElement(stack[-1][0], "div", {"class": "pagebreak"})
                continue
            if t == "dt":
                dt = etree.SubElement(parent, "dt")
                self.inline(dt, el.string.strip(), el.line)
                continue
            if t == "regular":
                text = "\n".join(el.lines).strip() if el.lines else el.string.strip()
                self.paragraph(parent, el, text)
                continue
            if t == "example":
                pre = etree.SubElement(parent, "pre")
                self.add_anchors(pre, el)
                _append(pre, "\n".join(el.lines).strip("\n"))
                continue
            if t in ("verse", "versep"):
                self.verse(parent, el, el.lines)
                continue
            if t == "table":
                self.table(parent, el)
                continue
            # comment, inlinecomment: dropped
        while len(stack) > 1:
            node, b, line, implicit = stack.pop()
            if not implicit and b not in ("li", "dd", "ul", "dl") and not b.startswith("ol"):
                tag = "<[...]>" if b == "lang" else f"<{b}>"
                self.warn(line, f"{tag} opened on line {line} is not closed; "
                                "it ends at the end of the file")

        out_notes: dict[str, Note] = {}
        for n in first_notes:
            div = etree.Element("div")
            self.note_body(div, n, n.fnkey.startswith("b"))
            out_notes["fn" + n.fnkey] = Note(id="fn" + n.fnkey, label=n.label, body=div,
                                             secondary=n.fnkey.startswith("b"))
        final: dict[str, Note] = {}
        for n in first_notes:
            key = n.fnkey
            if key in self.referenced:
                final["fn" + key] = out_notes["fn" + key]
            else:
                self.warn(n.line, f"footnote {n.label} has no reference in the text; "
                                  "kept at the end of the body")
                orphans.append(n)
        orphans.sort(key=lambda n: n.line)
        for n in orphans:
            note = out_notes.pop("fn" + n.fnkey, None) if n in first_notes else None
            if note is not None:
                div = note.body
            else:
                div = etree.Element("div")
                self.note_body(div, n, n.fnkey.startswith("b"))
            first = div[0] if len(div) and div[0].tag == "p" else None
            mark = "[" + n.fnkey + "]" if not n.fnkey.startswith("b") else n.label
            if first is not None:
                first.text = mark + " " + (first.text or "")
            else:
                p = etree.SubElement(body, "p")
                p.text = mark
            for child in list(div):
                body.append(child)
        return body, final

    def _force_close(self, stack, el: _El) -> None:
        while len(stack) > 1:
            node, b, line, implicit = stack.pop()
            if not implicit:
                tag = "<[...]>" if b == "lang" else f"<{b}>"
                self.warn(line, f"{tag} opened on line {line} is closed by the heading or "
                                f"page break on line {el.line}")

    def note_body(self, div, n: _El, secondary: bool) -> None:
        text = "\n".join(line.strip() for line in n.lines).strip()
        self.paragraph(div, n, text, pri=False, sec=not secondary)
        for para in n.paras:
            self.paragraph(div, para, "\n".join(para.lines).strip(), pri=False,
                           sec=not secondary)

    def heading(self, parent, el: _El) -> None:
        level = el.type
        text = "\n".join(el.lines).strip()
        toc = ""
        m = re.match(r"^(.+?)\s+\|\s+(.+)$", text, re.S)
        if m:
            toc, text = m.group(1), m.group(2)
        h = etree.SubElement(parent, level)
        if el.anchors:
            first = el.anchors[0]
            if first not in self.ids:
                self.ids.add(first)
                h.set("id", first)
                el.anchors = el.anchors[1:]
            self.add_anchors(h, el)
        self.inline(h, text, el.line)
        if toc:
            tmp = etree.Element("span")
            self.inline(tmp, toc, el.line, pri=False, sec=False)
            h.set("data-toc", _plain(tmp).strip())

    def verse(self, parent, el: _El, lines: list[str]) -> None:
        div = etree.SubElement(parent, "div", {"class": "verse"})
        stanzas: list[list[str]] = [[]]
        for ln in lines:
            if ln.strip():
                stanzas[-1].append(ln)
            elif stanzas[-1]:
                stanzas.append([])
        if not stanzas[-1]:
            stanzas.pop()
        first = True
        for st in stanzas:
            p = etree.SubElement(div, "p")
            if first:
                self.add_anchors(p, el)
                first = False
            joined = "\n".join(
                "\u00a0" * (len(ln) - len(ln.lstrip(" "))) + ln.lstrip(" ") for ln in st)
            self.inline(p, joined, el.line)
            _newlines_to_br(p)
        if first and el.anchors:
            self.add_anchors(div, el)

    def table(self, parent, el: _El) -> None:
        if el.anchors:
            p = etree.SubElement(parent, "p")
            self.add_anchors(p, el)
        table = etree.SubElement(parent, "table")
        head: list[list[str]] = []
        body: list[list[str]] = []
        foot: list[list[str]] = []
        caption = None
        rows = el.lines
        gh_sep = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
        for i, row in enumerate(rows):
            r = row.strip()
            m = re.match(r"^\|\+\s*(.*?)\s*\+\|$", r)
            if m:
                caption = m.group(1)
                continue
            if r.startswith("|"):
                if gh_sep.match(r):
                    if i == 1 and body and not head:
                        head.append(body.pop())
                    continue
                cells = r.strip("|").split("|")
                body.append([c.strip() for c in cells])
                continue
            if "|||" in r:
                foot.append([c.strip() for c in r.split("|||")])
            elif "||" in r:
                head.append([c.strip() for c in r.split("||")])
            else:
                body.append([c.strip() for c in r.split("|")])
        if caption is not None:
            cap = etree.SubElement(table, "caption")
            self.inline(cap, caption, el.line)
        for rows_, sect, cell in ((head, "thead", "th"), (body, "tbody", "td"),
                                  (foot, "tfoot", "td")):
            if not rows_:
                continue
            s = etree.SubElement(table, sect)
            for row in rows_:
                tr = etree.SubElement(s, "tr")
                for c in row:
                    td = etree.SubElement(tr, cell)
                    self.inline(td, c, el.line)


def _split_figures(p: etree._Element) -> None:
    """Turn a paragraph holding figures into paragraph, figure, paragraph…"""
    parent = p.getparent()
    blocks: list[etree._Element] = []
    cur = etree.Element("p")
    cur.text = p.text
    for child in list(p):
        if child.tag == "figure":
            tail = child.tail
            child.tail = None
            if (cur.text and cur.text.strip()) or len(cur):
                blocks.append(cur)
            blocks.append(child)
            cur = etree.Element("p")
            cur.text = tail
        else:
            cur.append(child)
    if (cur.text and cur.text.strip()) or len(cur):
        blocks.append(cur)
    for b in blocks:
        if b.tag == "p":
            if b.text:
                b.text = b.text.lstrip()
                if not b.text:
                    b.text = None
            last = b[-1] if len(b) else None
            if last is not None and last.tail:
                last.tail = last.tail.rstrip() or None
            elif last is None and b.text:
                b.text = b.text.rstrip()
    at = p        # blocks go after p (no index(): it is linear in the position)
    for b in blocks:
        at.addnext(b)
        at = b
    parent.remove(p)


def _newlines_to_br(p: etree._Element) -> None:
    """Replace the newlines of a verse stanza's text by ``br`` elements."""
    for node in [p] + list(p.iterdescendants()):
        if node.tag == "code":
            continue
        if node.text and "\n" in node.text:
            first, *rest = node.text.split("\n")
            node.text = first
            for i, piece in enumerate(rest):
                br = etree.Element("br")
                br.tail = piece
                node.insert(i, br)
        if node is not p and node.tail and "\n" in node.tail:
            first, *rest = node.tail.split("\n")
            node.tail = first
            parent = node.getparent()
            at = parent.index(node) + 1
            for i, piece in enumerate(rest):
                br = etree.Element("br")
                br.tail = piece
                parent.insert(at + i, br)


def _apply_lang_blocks(body: etree._Element) -> None:
    divs = [d for d in body.iter("div") if d.get("data-muse-lang") is not None]
    for div in reversed(divs):
        lang = div.get("data-muse-lang")
        for holder in div.iter(*_INLINE_HOLDERS):
            span = etree.Element("span", lang=lang)
            span.text = holder.text
            holder.text = None
            for child in list(holder):
                span.append(child)
            holder.append(span)
        parent = div.getparent()
        at = parent.index(div)
        for i, child in enumerate(list(div)):
            parent.insert(at + i, child)
        parent.remove(div)
