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

Choices where the format or the brief is silent
    * Header values are stored as plain text: inline markup is dropped
      (``1<sup>st</sup>`` → ``1st``, ``~~`` → no-break space). A link becomes
      its URL alone when its text is the URL or the URL's host (with or
      without ``www.``), otherwise ``text <URL>`` — so the colophon always
      shows the full address the text was retrieved from, e.g.
      ``Retrieved on February 25th, 2009 from http://dwardmac.pitzer.edu/…``.
    * ``#author`` is the display author (one entry, never split); without it
      ``#authors`` or ``#SORTauthors`` are split on ``,`` / ``;``. Topics come
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

from lxml import etree

from pipeline.document import Document, Metadata, Note, new_body
from pipeline.errors import SourceSyntaxError, SourceTooLarge
from pipeline.readers.decode import replace_forbidden
from pipeline.readers.muse.classify import _ANCHOR, _classify, _classify_line
from pipeline.readers.muse.element import MAX_DEPTH, _El
from pipeline.readers.muse.inline import _INLINE_HOLDERS, _append, _Inline, _plain

FORMAT = "muse"
EXTENSIONS = (".muse",)


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


# ------------------------------------------------------------ line cleanup

_DIRECTIVE = re.compile(r"^#([A-Za-z0-9_-]+)(?:\s+(.+))?$", re.S)


_HR = re.compile(r"^\s*-{4,}\s*$")


# ---------------------------------------------------------------- the parser


class _Parser(_Inline):
    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.text = text

    # -- helpers
    def warn(self, line: int | None, msg: str) -> None:
        where = f"line {line}: " if line else ""
        self.warnings.append(f"{where}{msg}")

    # -- step 1 and 2
    def split(self) -> tuple[dict[str, str], list[tuple[int, str]]]:
        text = self.text
        if text.startswith("\ufeff"):
            text = text[1:]
        text, replaced = replace_forbidden(text)
        self.warnings += replaced
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        lines = text.split("\n")
        directives: dict[str, str] = {}
        order: list[str] = []
        last = None
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i].rstrip(" ")
            if not line.strip():
                last = None
            else:
                m = _DIRECTIVE.match(line) if line[0] == "#" else None
                if m:
                    name = re.sub(r"[_-]", "", m.group(1))
                    if name in directives:
                        self.warn(i + 1, f"directive #{name} given twice, the last one wins")
                    directives[name] = m.group(2) or ""
                    if name not in order:
                        order.append(name)
                    last = name
                elif last is not None:
                    directives[last] += "\n" + line
                else:
                    break
            i += 1
        body = [(j + 1, lines[j].rstrip(" ")) for j in range(i, n)]
        clean = {}
        for k in order:
            if not k:
                continue
            clean[k] = re.sub(r"\s+", " ", directives[k]).strip()
        return clean, body

    # -- step 3: greedy blocks and packing
    def construct(self, body: list[tuple[int, str]]) -> list[_El]:
        out: list[_El] = []
        current: _El | None = None
        for lineno, raw in body:
            el = _classify(raw, lineno)
            if current is not None and current.type in ("null", "startblock") and current.anchors:
                el.anchors = current.anchors + el.anchors
                current.anchors = []
            if (el.type == "null" and el.anchors and current is not None
                    and current.type not in ("null", "example")):
                current.anchors.extend(el.anchors)
                continue
            if current is not None and current.type in ("example", "comment", "verse") \
                    and current.block == "open":
                if (el.type == "stopblock" and el.block == current.type
                        and el.style == current.style):
                    current.block = ""
                    current = None
                    out.append(_El("null", lineno))
                    continue
                if not (current.type == "verse" and el.type == "inlinecomment"):
                    current.lines.append(el.raw)
                continue
            if el.type == "startblock" and el.block in ("example", "comment", "verse"):
                blk = _El(el.block, lineno, block="open")
                blk.style = el.style
                blk.anchors = el.anchors
                current = blk
                out.append(blk)
                continue
            if current is not None and self._can_append(current, el):
                if current.type in ("footnote", "secondary_footnote"):
                    current.lines.append(el.raw)
                else:
                    current.lines.append(el.string)
                current.anchors.extend(el.anchors)
                continue
            current = el
            el.lines = [el.string]
            out.append(el)
        for el in out:
            if el.type in ("example", "comment", "verse") and el.block == "open":
                if el.type != "comment":
                    self.warn(el.line, f"<{el.type}> is not closed; it ends at the end of the file")
                else:
                    self.warn(el.line, "<comment> is not closed; everything after it is hidden")
                el.block = ""
        return out

    @staticmethod
    def _should_close(el: _El) -> bool:
        t = el.type
        if t == "regular":
            return False
        if t[0] == "h" and len(t) == 2:
            return True
        return el.block in ("example", "verse", "table") or t in ("newpage", "table")

    def _can_append(self, cur: _El, el: _El) -> bool:
        ct = cur.type
        et = el.type
        if et == "regular" and ct not in ("stopblock", "startblock", "null", "table", "newpage",
                                          "comment", "example", "verse", "inlinecomment"):
            return True
        if ct in ("footnote", "secondary_footnote"):
            return (et not in ("footnote", "secondary_footnote", "null", "startblock",
                               "stopblock") and not self._should_close(el))
        if ct == et and ct in ("table", "versep"):
            return True
        return False

    # -- step 4: lists
    def lists(self, els: list[_El]) -> list[_El]:
        out: list[_El] = []
        pile: list[_El] = []  # closers: block ul/ol*/dl then li/dd

        def cmp(a: int, b: int) -> int:
            tol = 1 if (a and b) else 0
            d = a - b
            if d - tol > 0:
                return 1
            if d + tol < 0:
                return -1
            return 0

        def closer(block: str, el: _El) -> _El:
            c = _El("stopblock", el.line, block=block, indent=el.indent)
            c.index = el.index
            return c

        def opening(el: _El) -> None:
            if el.type == "dd":
                dt = _El("dt", el.line, string=el.term)
                out.append(dt)
                o = _El("startblock", el.line, block="dd", indent=el.indent)
            else:
                o = _El("startblock", el.line, block="li", indent=el.indent)
            out.append(o)

        def open_level(el: _El) -> None:
            if len(pile) > MAX_DEPTH:
                raise SourceTooLarge("lists are nested too deeply", path=self.path,
                                     line=el.line, hint="check the indentation of the list")
            o = _El("startblock", el.line, block=el.block, indent=el.indent)
            o.index = el.index
            out.append(o)
            opening(el)
            pile.append(closer(el.block, el))
            pile.append(closer("dd" if el.type == "dd" else "li", el))

        def close_until(el: _El) -> None:
            while pile and cmp(el.indent, pile[-1].indent) < 0:
                out.append(pile.pop())

        def flush() -> None:
            while pile:
                out.append(pile.pop())

        for el in els:
            t = el.type
            if t in ("li", "dd"):
                if pile:
                    if cmp(el.indent, pile[-1].indent) > 0:
                        open_level(el)
                    else:
                        close_until(el)
                        if pile:
                            same = False
                            for c in reversed(pile):
                                if c.block in ("li", "dd"):
                                    continue
                                same = c.block == el.block
                                break
                            lastidx, curidx = pile[-1].index, el.index
                            progression = True
                            if lastidx and curidx and lastidx > 0 and curidx > 1:
                                progression = curidx - lastidx == 1
                            if same and progression:
                                counter = pile[-1].index + 1
                                out.append(pile.pop())
                                opening(el)
                                c = closer("dd" if t == "dd" else "li", el)
                                c.index = counter if el.index else 0
                                pile.append(c)
                            else:
                                top = pile[-1]
                                while pile and cmp(top.indent, pile[-1].indent) == 0:
                                    out.append(pile.pop())
                                open_level(el)
                        else:
                            open_level(el)
                elif t == "dd" or (el.indent <= 8 and el.index):
                    open_level(el)
                else:
                    out.append(self._reparse_nolist(el))
                    continue
                el.type, el.block = "regular", ""
            elif t == "regular":
                close_until(el)
                if pile:
                    el.block = ""
            elif t != "null":
                flush()
            out.append(el)
        flush()
        return out

    def _reparse_nolist(self, el: _El) -> _El:
        first = el.raw
        m = _ANCHOR.match(first)
        if m and "#" in first:
            first = m.group(1) + m.group(3)
        new = _classify_line(first, el.line, nolist=True)
        if new.type != "regular":  # cannot happen, but never lose the text
            new = _El("regular", el.line, string=first.strip(), block="quote", indent=2)
        new.raw = el.raw
        new.anchors = el.anchors
        new.lines = [new.string] + el.lines[1:]
        return new

    # -- step 5: footnotes
    def footnotes(self, els: list[_El]) -> tuple[list[_El], list[_El]]:
        main: list[_El] = []
        notes: list[_El] = []
        cur: _El | None = None
        for el in els:
            t = el.type
            if t in ("footnote", "secondary_footnote"):
                notes.append(el)
                cur = el
                continue
            if cur is not None:
                if t == "null":
                    main.append(el)
                    continue
                if (t == "regular" and el.block in ("quote", "center", "right") and el.indent
                        and abs(el.indent - cur.indent) <= 1):
                    cur.paras.append(el)
                    continue
                cur = None
            main.append(el)
        return main, notes

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
                if len(stack) > MAX_DEPTH:
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

    def metadata(self, d: dict[str, str]) -> Metadata:
        low = {k.lower(): k for k in d}
        used: set[str] = set()

        def get(*names: str) -> str:
            for name in names:
                k = low.get(name)
                if k is not None and d[k]:
                    used.add(k)
                    return d[k]
            for name in names:
                k = low.get(name)
                if k is not None:
                    used.add(k)
            return ""

        def plain(value: str) -> str:
            if not value:
                return ""
            if not re.search(r"[<\[*=~{]", value):
                return value
            span = etree.Element("span")
            self.note_keys = set()
            self.referenced = set()
            self.inline(span, value, 0, pri=False, sec=False)
            return re.sub(r"[ \t\n]+", " ", _plain(span)).strip()

        def split_list(value: str) -> list[str]:
            items = []
            for part in re.split(r"[,;]", value):
                part = part.strip()
                if part and part not in items:
                    items.append(part)
            return items

        m = Metadata()
        m.title = plain(get("title"))
        m.subtitle = plain(get("subtitle"))
        author = plain(get("author"))
        many = plain(get("authors")) or plain(get("sortauthors"))
        if author:
            m.authors = [author]
        elif many:
            m.authors = split_list(many)
        # #authors/#SORTauthors stay available in extra for indexing
        for k in ("authors", "sortauthors"):
            if k in low:
                used.discard(low[k])
        m.date = plain(get("date"))
        lang = get("lang", "language")
        m.lang = lang.split()[0] if lang else ""
        m.source = plain(get("source"))
        m.notes = plain(get("notes"))
        topics: list[str] = []
        for k in ("sorttopics", "topics"):
            v = plain(get(k))
            for item in split_list(v):
                if item not in topics:
                    topics.append(item)
        m.topics = topics
        m.publisher = plain(get("publisher"))
        m.rights = plain(get("rights"))
        m.cover = get("cover").strip()
        m.notoc = get("notoc").strip() not in ("", "0")
        m.nofinalpage = get("nofinalpage").strip() not in ("", "0")
        m.extra = {k: v for k, v in d.items() if k not in used}
        return m


# ------------------------------------------------------------- tree helpers


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


# --------------------------------------------------------------- interface


def parse(text: str, path: Path | str | None = None) -> Document:
    """Parse a .muse source into a ``Document``."""
    if not isinstance(text, str):
        raise SourceSyntaxError("the source is not decoded text", path=path,
                                hint="decode the file before parsing it")
    path = Path(path) if path is not None else None
    return _Parser(text, path).run()
