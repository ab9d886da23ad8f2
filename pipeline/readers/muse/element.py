"""The element every step of the ``.muse`` reader passes on to the next: what a
line (or a block of lines) of the body is on its way from the source to the
tree; and how many levels a step may hold open (``MAX_OPEN_LEVELS``)."""

from __future__ import annotations


# Blocks, list levels or inline tags open at once while a text is read (the
# parser's stacks); a text that opens more is refused. The Document's own
# limit, lower, is ``safety.MAX_TREE_DEPTH``.
MAX_OPEN_LEVELS = 200


class _El:
    """A body element on its way from lines to the tree."""

    __slots__ = ("type", "block", "string", "indent", "line", "anchors", "raw",
                 "style", "index", "term", "lang", "paras", "implicit",
                 "fnkey", "label", "lines")

    def __init__(self, type_: str, line: int = 0, string: str = "", block: str = "",
                 indent: int = 0, raw: str = "") -> None:
        self.type = type_
        self.block = block
        self.string = string
        self.indent = indent
        self.line = line
        self.anchors: list[str] = []
        self.raw = raw
        self.style = ""
        self.index = 0
        self.term = ""
        self.lang = ""
        self.paras: list[_El] = []
        self.lines: list[str] = []
        self.implicit = False
        self.fnkey = ""
        self.label = ""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<_El {self.type} {self.block!r} {self.string[:30]!r} @{self.line}>"
