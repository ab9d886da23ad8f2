"""Spaces at the edges of inline elements belong outside them.

``<em>cult </em>-- of`` underlines (or links) the space and hides the spaced
dash from the typography rules; ``<em> cult</em>`` likewise. Run on the tree
before the stream repairs (``repair.py`` keeps each space where it stands).
"""

from __future__ import annotations

from lxml import etree

from pipeline.document import is_noteref

SPACES = " \t\r\n"
INLINE = {"em", "strong", "a", "span", "del", "sup", "sub", "ruby"}


def _before(el: etree._Element, text: str) -> None:
    previous = el.getprevious()
    parent = el.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def spaces_outside(root: etree._Element) -> None:
    """Move the spaces (line ends too: the repairs make them spaces) at the start
    and the end of every inline element out of it, innermost first (in place)."""
    for el in reversed(list(root.iter(*INLINE))):
        if is_noteref(el) or el.getparent() is None:
            continue
        text = el.text or ""
        kept = text.lstrip(SPACES)
        if kept != text and (len(el) or kept):
            el.text = kept or None
            _before(el, text[:len(text) - len(kept)])
        last = el[-1] if len(el) else None
        tail_text = (last.tail if last is not None else el.text) or ""
        kept = tail_text.rstrip(SPACES)
        if kept != tail_text and (last is not None or kept):
            if last is not None:
                last.tail = kept or None
            else:
                el.text = kept or None
            el.tail = tail_text[len(kept):] + (el.tail or "")
