"""The greedy blocks and the packing of lines (step 3 of the reader, second
half): ``<example>``, ``{{{ }}}``, ``<verse>`` and ``<comment>`` take every
line up to their closing tag, and continuation lines join the paragraph,
footnote, table or verse they continue."""

from __future__ import annotations

from pipeline.readers.muse.classify import _classify
from pipeline.readers.muse.element import _El


class _Blocks:
    """Step 3 of ``_Parser``: greedy blocks and packing."""

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
