"""What Python-Markdown and the sanitizer drop without a word, said with its
line: for the three Markdown-based readers (``markdown.py``, ``export.py``,
``converted.py``), after their conversion.
"""

from __future__ import annotations

import re

from pipeline import safety

# A note reference Python-Markdown left as text (no such note).
_UNREAD_NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]{1,40})\]")
# Markdown images and links, reference definitions and raw HTML attributes that
# name an address: the sanitizer drops those with other schemes silently, so
# they are found in the source text to be reported. A link text holds no "[":
# from each "[" the search stops at the next one, so a run of them stays linear.
_ADDRESS_IN_MARKDOWN = re.compile(
    r"""(?P<image>!)?\[[^\][\n]*\]\(\s*<?(?P<md>[A-Za-z][A-Za-z0-9+.-]*:[^\s)>]*)"""
    r"""|^[ ]{0,3}\[[^\]\n]+\]:\s*<?(?P<ref>[A-Za-z][A-Za-z0-9+.-]*:\S*)"""
    r"""|\b(?P<attr>src|href|data)\s*=\s*["']?\s*(?P<raw>[A-Za-z][A-Za-z0-9+.-]*:[^\s"'>]*)""",
    re.MULTILINE)


def unsaid_losses(body, original: str) -> list[str]:
    """A warning, with its line in ``original``, for each thing Python-Markdown
    and the sanitizer drop without a word: an address whose scheme the
    sanitizer does not keep (the image, resource or link goes), and a note
    reference without a note (Python-Markdown leaves it as text in ``body``)."""
    warnings = []
    for m in _ADDRESS_IN_MARKDOWN.finditer(original):
        address = m.group("md") or m.group("ref") or m.group("raw")
        scheme = address.split(":", 1)[0].lower()
        if scheme in safety.LINK_SCHEMES or len(scheme) == 1:
            continue
        what = ("image" if m.group("image") else "resource" if m.group("attr") in ("src", "data")
                else "link")
        line = safety.line_at(original, m.start())
        shown = address if len(address) <= 80 else address[:77] + "..."
        warnings.append(f"line {line}: {what} {shown!r} removed: {scheme}: addresses are not used"
                        + (" (name a file next to the source by a relative path)" if what != "link" else ""))
    where = safety.Locator(original)
    for el in body.iter():
        if el.tag in ("pre", "code") or not isinstance(el.tag, str):
            continue
        for chunk in (el.text, *(child.tail for child in el)):
            for m in _UNREAD_NOTE_REFERENCE.finditer(chunk or ""):
                warnings.append(f"{where.where(m.group(0), exact=True)}footnote reference {m.group(0)} has no "
                                "note; kept as text")
    return warnings
