"""The footnotes collected (step 5 of the reader): ``[1]`` and ``{1}`` notes
taken out of the body with the indented paragraphs that continue them."""

from __future__ import annotations

from pipeline.readers.muse.element import _El


class _Footnotes:
    """Step 5 of ``_Parser``: footnotes."""

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
