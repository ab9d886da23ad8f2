"""What web pages and converters add to a text: named rules, one place.

A text saved from a browser, printed to PDF or passed through a PDF-to-Markdown
tool carries lines that are not the author's: the converter's banners and page
markers, a browser's reader-view header, the Library page's download links and
footer, icon-font characters. Each rule below names one such kind, says where
it comes from, and matches only it (``tests/test_real_world.py``: realistic
pages of each kind in ``tests/fixtures/realworld``, and lines that look alike
but are text; the corpus exports in ``tests/test_converted_reader.py``). The
readers run ``remove`` before they look for metadata; every removal is
reported (``Document.changes``, shown by ``--debug``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern


def _rule(name: str, pattern: str) -> Rule:
    return Rule(name, re.compile(pattern, re.MULTILINE))


_LINK = r"\((?:https?://)?[^()]{0,400}\)"    # "(https://…)", perhaps broken over lines
# Private use where icon fonts put their glyphs (Font Awesome: U+F000 on); not
# U+F8D0–U+F8FF (the ConScript registry's scripts, e.g. Klingon) nor the start of
# the area (where PDF fonts put their ligatures).
_ICON = "\uf000-\uf8cf"
_LIBRARY_FILE = re.compile(
    r"theanarchistlibrary\.org/(?:library/[^)]*?(?:\.(?:a4\.pdf|lt\.pdf|pdf|epub|html|tex|muse|zip)|/edit|/bbselect\?[^)]*)"
    r"|bookbuilder/[^)]*)\)$")

RULES = [
    # pdf-to-Markdown converters open with their own lines: "*Converted from: `x.pdf`*",
    # "*Total pages: 22*", "*File size: …*", "*Converted: <date>*", and close with
    # "*Conversion completed: <date>*".
    _rule("converter-banner",
          r"^[ \t]*\*(?:Converted from|Total pages|File size|Converted|Conversion completed):[^\n]*\*[ \t]*(?:\n|\Z)"),
    # … and mark each printed page: "## Page 3", "### Complete Page View", "### Extracted Text".
    _rule("converter-page-marker",
          r"^[ \t]*#{1,6} (?:Page \d+|Complete Page View|Extracted Text)[ \t]*(?:\n|\Z)"),
    # … with a picture of the page: "![Page 3 Complete](images/page_003_full.png)",
    # "![](_page_2_Picture_1.jpeg)".
    _rule("converter-page-picture",
          r"^[ \t]*#{0,6}[ \t]*!\[(?:Page \d+[^\]\n]*)?\]\((?:[^)\n]*/)?_?page_\d+[^)\n]*\)[ \t]*(?:\n|\Z)"),
    # … and end with a "## Document Summary" about the conversion, to the end of the file.
    _rule("converter-summary", r"^#{1,6} Document Summary[ \t]*\n[\s\S]*\Z"),
    # Firefox's reader view prints the reading time under the title: "27–34 minutes".
    _rule("reading-time", r"^[ \t]*\d+[ \t]*[–-][ \t]*\d+ minutes[ \t]*(?:\n|\Z)"),
    # The Library's page offers the text as files, a row of icon links printed as
    # "(https://theanarchistlibrary.org/library/x.pdf) (….a4.pdf) (….epub) … (…/edit)
    # (https://theanarchistlibrary.org/bookbuilder/add/x)", the addresses broken over lines.
    _rule("library-download-links",
          rf"^[ \t{_ICON}]*{_LINK}(?:[ \t{_ICON}]*\n?[ \t{_ICON}]*{_LINK})*[ \t{_ICON}]*(?:\n|\Z)"),
    # … and ends with the site's footer: "Random | RSS feed | Titles | Authors | Topics |
    # Latest entries | Mobile | Add a new text" (each perhaps with its address), then
    # "theanarchistlibrary.org Ⓐ anarchistnews.org".
    _rule("library-footer",
          r"^[ \t]*Random\b(?:[ \t]*\([^()]*\))?[ \t]*\|[ \t]*RSS feed\b[\s\S]{0,1500}?"
          r"anarchistnews\.org(?:[ \t]*\(https?://anarchistnews\.org/?\))?[ \t]*(?:\n|\Z)"),
    # Feedbooks' e-books close with their motto "Food for the mind". (Their offer, licence
    # and "A Propos" go to the colophon's notes: ``pipeline.readers.publisher_matter``.)
    _rule("feedbooks-motto", r"^[ \t]*(?:www\.feedbooks\.com[ \t]*)?Food for the mind[ \t]*(?:\n|\Z)"),
    # marxists.org pages end with a link back to the author's archive: "Peter Kropotkin Archive".
    _rule("marxists-archive-link", r"^[ \t]*(?:[A-Z][\w.'’-]* ){1,4}Archive[ \t]*\s*\Z"),
    # An icon font's glyph standing alone (a download icon, a printer) prints as an
    # empty box. (One inside a word stands for a lost ligature: the normaliser's.)
    _rule("icon-characters", rf"(?<!\S)[{_ICON}](?!\S)"),
]


def _is_debris(rule: Rule, match: re.Match) -> bool:
    if rule.name == "library-download-links":
        links = [re.sub(r"\s+", "", link) for link in re.findall(_LINK, match.group(0))]
        return bool(links) and all(_LIBRARY_FILE.search(link) for link in links)
    return True


def remove(text: str, changes: list[str]) -> str:
    """``text`` without what the rules match; each removal is added to ``changes``
    as "debris removed (rule): the text"."""
    for rule in RULES:
        kept: list[str] = []
        pos = 0
        for m in rule.pattern.finditer(text):
            if not m.group(0) or not _is_debris(rule, m):
                continue
            kept.append(text[pos:m.start()])
            pos = m.end()
            shown = " ".join(m.group(0).split())
            shown = shown if len(shown) <= 120 else shown[:117] + "…"
            changes.append(f"debris removed ({rule.name}): {shown or repr(m.group(0))}")
        if pos:
            text = "".join(kept) + text[pos:]
    return text
