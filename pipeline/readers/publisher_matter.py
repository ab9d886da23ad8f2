"""What an e-book site adds to a text about itself, its author and its licence:
named rules, one place, moved to the colophon's notes.

Feedbooks' books (and the Wikisource exports it publishes) carry, besides the
author's text, "A Propos Kropotkine:" / "About Kropotkin:" with a biography
ending "Source: Wikipedia"; "Disponible sur Feedbooks pour …:" / "Also
available on Feedbooks for …:" with a list of other books; a "Copyright: …"
statement; and "Ce livre vous est offert par Feedbooks … ne peut en aucun cas
être vendu." / "This book is brought to you by Feedbooks … Strictly for
personal use …". None of it is body text, but the licence and attribution are
the publisher's word on the text: each block goes to ``Metadata.notes`` (one
line), never silently away, and each move is said in ``--debug``
(``Document.changes``). ("Food for the mind", the site's motto, says nothing:
it is debris, ``pipeline.readers.debris``.)

The rules run only in a text that names Feedbooks (a text of its own may say
"About …:" or "Copyright:"); "A Propos"/"About" only in the site's end matter,
where it puts it: when nothing but what the rules take follows it. The gaps between the
blocks that stay are kept as they were (a converter's indentation means
something).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Metadata

_GAP = re.compile(r"(\n[ \t]*\n\s*)")
_MARKUP = re.compile(r"^[#>*_ \t]+|[*_]+$")
_NAMES_SITE = re.compile(r"\bfeedbooks\b", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\W*Source\s*:", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[•*-]\s+|\d+[.)]\s+)")


@dataclass(frozen=True)
class Rule:
    name: str
    start: re.Pattern                  # the first line of the block that opens it
    extent: str                        # "source" | "list" | "offer" | "block"


RULES = [
    # "A Propos Kropotkine:", "À propos de l'auteur", "About Kropotkin:": a biography
    # to its "Source: Wikipedia" line.
    Rule("feedbooks-about", re.compile(r"^(?:A|À) propos\b.{0,80}$|^About [^\n.]{1,60}:$", re.IGNORECASE), "source"),
    # "Disponible sur Feedbooks pour Kropotkine:", "Also available on Feedbooks for Kropotkin:",
    # with the books listed under it.
    Rule("feedbooks-also-available",
         re.compile(r"^(?:Disponible sur Feedbooks|Also available on Feedbooks)\b.*$", re.IGNORECASE),
         "list"),
    # "Copyright: This work is available for countries where copyright is Life+70 …".
    Rule("feedbooks-copyright", re.compile(r"^Copyright\s*:.*$", re.IGNORECASE), "block"),
    # "(Note:) Ce livre vous est offert par Feedbooks / http://www.feedbooks.com / Il est
    # destiné à une utilisation strictement personnelle et ne peut en aucun cas être vendu."
    # and "This book is brought to you by Feedbooks … Strictly for personal use, do not use
    # this file for commercial purposes."
    Rule("feedbooks-offer",
         re.compile(r"^(?:Note\s*:\s*)?(?:Ce livre vous est offert par|This book is brought to you by) Feedbooks\b.*$",
                    re.IGNORECASE),
         "offer"),
]
_OFFER_END = re.compile(r"\bvendu\b|\bcommercial purposes\b", re.IGNORECASE)
_MAX_BLOCKS = 6


def _first_line(block: str) -> str:
    return _MARKUP.sub("", block.strip().split("\n", 1)[0].strip()).strip()


def _extent(rule: Rule, blocks: list[str], at: int) -> int:
    """Index after the last block of what ``rule`` opens at ``blocks[at]``."""
    if rule.extent == "source":
        for end in range(at, min(at + _MAX_BLOCKS, len(blocks))):
            if _SOURCE_LINE.search(blocks[end]):
                return end + 1
        return min(at + 2, len(blocks))
    if rule.extent == "list":
        end = at + 1
        while end < len(blocks) and all(_LIST_ITEM.match(l) for l in blocks[end].strip().split("\n")):
            end += 1
        return end
    if rule.extent == "offer":
        for end in range(at, min(at + 3, len(blocks))):
            if _OFFER_END.search(blocks[end]):
                return end + 1
        return at + 1
    return at + 1


def move_to_notes(text: str, meta: Metadata, changes: list[str]) -> str:
    """``text`` without the blocks the rules match; each goes to ``meta.notes`` and
    is said in ``changes``."""
    if not _NAMES_SITE.search(text):
        return text
    parts = _GAP.split(text)
    blocks = parts[0::2]
    found: list[tuple[Rule, int, int]] = []
    at = 0
    while at < len(blocks):
        first = _first_line(blocks[at])
        rule = next((r for r in RULES if r.start.match(first)), None)
        if rule is None:
            at += 1
            continue
        end = _extent(rule, blocks, at)
        found.append((rule, at, end))
        at = end
    taken: set[int] = set()
    text_after = False          # a block after the rule's, not taken, holds text
    k = len(blocks)
    for rule, at, end in reversed(found):
        while k > end:          # each block looked at once, from the end
            k -= 1
            text_after = text_after or (k not in taken and bool(blocks[k].strip()))
        if rule.name == "feedbooks-about" and text_after:
            continue
        taken.update(range(at, end))
    for rule, at, end in found:
        if at not in taken:
            continue
        moved = " ".join(" ".join(_MARKUP.sub("", l.strip()) for l in b.split("\n")) for b in blocks[at:end])
        moved = " ".join(moved.split())
        meta.notes = f"{meta.notes}\n{moved}" if meta.notes else moved
        shown = moved if len(moved) <= 100 else moved[:99] + "…"
        changes.append(f"publisher matter moved to the colophon's notes ({rule.name}): {shown}")
    if not taken:
        return text
    out = []
    for k, block in enumerate(blocks):
        if k not in taken:
            out.append((parts[2 * k - 1] if k else "") + block)
    return "".join(out)
