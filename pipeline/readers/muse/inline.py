"""The inline markup of a paragraph rendered into the tree (step 6 of the reader):
the tokens of ``tokens.py`` become ``em``, ``strong``, ``code``… elements,
note references, links, images, direction and ruby runs; and the way back, an
element's text with its links written out, for header values and the titles
of the table of contents."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from pipeline.document import append_text, last_child
from pipeline.errors import SourceTooLarge
from pipeline.readers.muse.element import MAX_OPEN_LEVELS
from pipeline.readers.muse.tokens import _pair, _special_runs, _tokenize


_LINK_DESC = re.compile(r"^\[\[\s*(.+?)\s*\]\[\s*(.+?)\s*\]\]$", re.S)
_LINK_ONE = re.compile(r"^\[\[\s*(.+?)\s*\]\]$", re.S)
_IMAGE = re.compile(
    r"^(?P<src>[0-9A-Za-z][0-9A-Za-z/._-]*\.(?:png|jpe?g|gif|svg|webp))"
    r"(?:\s+(?P<w>[0-9]+)?\s*(?P<f>[rlf])?|(?P<w2>[0-9]+)?(?P<f2>[rlf])?)?$", re.I)
_TAGMAP = {"strike": "del"}
_INLINE_HOLDERS = ("p", "h1", "h2", "h3", "h4", "h5", "dt", "td", "th", "caption", "figcaption")


def _image(target: str):
    m = _IMAGE.match(target)
    if not m or "://" in target:
        return None
    flt = m.group("f") or m.group("f2") or ""
    return m.group("src"), flt


class _Inline:
    """The inline rendering of ``_Parser``: it reads ``note_keys`` and adds to
    ``referenced``, which ``build`` (or ``metadata``) sets first."""

    # -- inline rendering
    def inline(self, parent: etree._Element, s: str, line: int, *, pri: bool = True,
               sec: bool = True, links: bool = True, figures: bool = False) -> None:
        if not s:
            return
        if ("<<<" in s or ">>>" in s or "<ruby>" in s) and self._runs(
                parent, s, line, pri=pri, sec=sec, links=links, figures=figures):
            return
        toks = _pair(_tokenize(s))
        stack = [parent]
        # Text between elements is gathered and set once: appending piece by piece
        # copies the growing text each time (quadratic in a long paragraph).
        pending: list[str] = []

        def flush() -> None:
            if pending:
                _append(stack[-1], "".join(pending))
                pending.clear()

        for t in toks:
            k = t.kind
            if k == "text":
                if t.s:
                    pending.append(t.s)
                continue
            if k == "verbatim":
                pending.append(t.m.group("vb"))
                continue
            if k == "nbsp":
                pending.append("\u00a0")
                continue
            if k in ("fn", "sfn"):
                num = t.m.group("fnn") if k == "fn" else t.m.group("sfnn")
                key = num if k == "fn" else "b" + num
                allowed = pri if k == "fn" else sec
                if not (allowed and key in self.note_keys):
                    if allowed:
                        self.warn(line, f"footnote reference {t.s.strip()} has no note; "
                                        "kept as text")
                    pending.append(t.s)
                    continue
            flush()
            top = stack[-1]
            if k == "open":
                tag = t.tag
                if tag.startswith("["):
                    el = etree.SubElement(top, "span", lang=tag[1:-1])
                elif tag in ("sc", "sf"):
                    el = etree.SubElement(top, "span", {"class": tag})
                else:
                    el = etree.SubElement(top, _TAGMAP.get(tag, tag))
                stack.append(el)
                if len(stack) > MAX_OPEN_LEVELS:
                    raise SourceTooLarge("inline markup is nested too deeply", path=self.path,
                                         line=line, hint="check the <em>/<strong> tags")
            elif k == "close":
                if len(stack) > 1:
                    stack.pop()
            elif k in ("code", "eq"):
                code = etree.SubElement(top, "code")
                code.text = t.m.group("cd") if k == "code" else t.m.group("eqc")
            elif k == "br":
                _rstrip_last(top, " ")
                etree.SubElement(top, "br")
            elif k in ("fn", "sfn"):       # a reference to a note (the others are text above)
                _rstrip_last(top, None)
                label = num if k == "fn" else "{" + num + "}"
                a = etree.SubElement(top, "a", {"class": "noteref", "href": "#fn" + key})
                a.text = label
                self.referenced.add(key)
            elif k == "link":
                self._link(top, t.s, line, links=links,
                           figures=figures and len(stack) == 1, pri=pri, sec=sec)
        flush()

    def _runs(self, parent: etree._Element, s: str, line: int, **options) -> bool:
        """Direction runs and ruby (``_special_runs``), each rendered with the
        ordinary inline markup inside; False when ``s`` has none. A paragraph
        that is one direction run takes the direction itself."""
        runs = _special_runs(s)
        if len(runs) == 1 and not runs[0][0]:
            return False
        whole = [r for r in runs if r[0] or r[1].strip()]
        if (len(whole) == 1 and whole[0][0] in ("rtl", "ltr") and parent.tag in _INLINE_HOLDERS
                and not len(parent) and not (parent.text or "").strip()):
            parent.set("dir", whole[0][0])
            self.inline(parent, whole[0][1], line, **options)
            return True
        for kind, text in runs:
            if not kind:
                self.inline(parent, text, line, **options)
            elif kind == "ruby":
                base, _, note = text.partition("|")
                ruby = etree.SubElement(parent, "ruby")
                self.inline(ruby, base, line, **options)
                if note.strip():
                    rt = etree.SubElement(ruby, "rt")
                    self.inline(rt, note.strip(), line, **options)
            else:
                span = etree.SubElement(parent, "span", dir=kind)
                self.inline(span, text, line, **options)
        return True

    def _link(self, top, raw: str, line: int, *, links: bool, figures: bool,
              pri: bool, sec: bool) -> None:
        if not links:
            _append(top, raw)
            return
        m = _LINK_DESC.match(raw)
        if m:
            target, desc = m.group(1), m.group(2)
        else:
            m = _LINK_ONE.match(raw)
            if not m:
                _append(top, raw)
                return
            target, desc = m.group(1), ""
        img = _image(target)
        if img is not None:
            src, flt = img
            if figures:
                fig = etree.SubElement(top, "figure")
                if flt == "r":
                    fig.set("class", "float-right")
                elif flt == "l":
                    fig.set("class", "float-left")
                im = etree.SubElement(fig, "img", src=src, alt="")
                if desc:
                    cap = etree.SubElement(fig, "figcaption")
                    self.inline(cap, desc, line, pri=pri, sec=sec, links=False)
                    im.set("alt", "".join(cap.itertext()).strip())
                return
            a = etree.SubElement(top, "a", href=src)
            if desc:
                self.inline(a, desc, line, pri=pri, sec=sec, links=False)
            else:
                a.text = src
            return
        a = etree.SubElement(top, "a", href=target)
        if desc:
            self.inline(a, desc, line, pri=pri, sec=sec, links=False)
        else:
            a.text = target


_append = append_text        # a name of this module's own: the work tests count its calls


def _rstrip_last(el: etree._Element, chars: str | None) -> None:
    """Strip trailing whitespace of the text just before a new child of ``el``."""
    last = last_child(el)
    if last is not None:
        if last.tail:
            last.tail = last.tail.rstrip(chars) or None
    elif el.text:
        el.text = el.text.rstrip(chars) or None


def _plain(el: etree._Element) -> str:
    """Text of ``el`` with links written out so that their URL is never lost."""
    parts: list[str] = []

    def walk(node, top: bool) -> None:
        if not top and node.tag == "a" and node.get("href"):
            text = "".join(node.itertext())
            href = node.get("href")
            parts.append(href if _same_link(text, href) else f"{text} <{href}>")
        elif not top and node.tag == "br":
            parts.append(" ")
        else:
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child, False)
                if child.tail:
                    parts.append(child.tail)

    walk(el, True)
    return "".join(parts)


def _same_link(text: str, href: str) -> bool:
    t = text.strip().lower().rstrip("/")
    h = href.strip().lower().rstrip("/")
    if not t or t == h:
        return True
    try:
        host = (urlsplit(h).hostname or "")
    except ValueError:
        host = ""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", h)

    def nowww(s: str) -> str:
        return s[4:] if s.startswith("www.") else s

    return bool(host) and nowww(t) == nowww(host) or nowww(t) == nowww(bare)
