"""The lists nested by indentation (step 4 of the reader): a tolerance of one
column, list continuation and ``start`` numbers as in Text::Amuse; an item
that cannot open a list is read again as an indented paragraph."""

from __future__ import annotations

from pipeline.errors import SourceTooLarge
from pipeline.readers.muse.classify import _ANCHOR, _classify_line
from pipeline.readers.muse.element import MAX_OPEN_LEVELS, _El


class _Lists:
    """Step 4 of ``_Parser``: lists."""

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
            if len(pile) > MAX_OPEN_LEVELS:
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
