"""The Anarchist Library's Markdown-like export (the text view of an article).

Shape of such an export (see ``sources/azat-miftakhov.txt``)::

    The Anarchist Library          <- library header: publisher and rights
    Anti-Copyright

    ## Title
    ### Subtitle                   <- optional
    Author                         <- one paragraph of author lines (optional)
    12<sup>th</sup> March 2019     <- the date (optional)

    body paragraphs …

    Author                         <- the attribution block, which the export
    Title                             may put anywhere: start, middle or end
    Date
    Retrieved on … from [url](url) <- where it was retrieved from
    Notes …                        <- further paragraphs before the site line
    **[theanarchistlibrary.org](http://theanarchistlibrary.org)**

The reader takes header and attribution into ``Metadata`` and removes them
from the body wherever they stand; the rest of the text is Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lxml import etree

from pipeline.document import Document, Metadata, text_content
from pipeline.readers.bounded_markdown import converter, refuse_placeholders, warnings_for
from pipeline.readers.markdown_losses import unsaid_losses
from pipeline.readers.html import html_to_body

FORMAT = "export"
EXTENSIONS = (".txt", ".md")
HOW_TO_STATE = {"title": "add the title as a '## …' heading at the top",
                "author": "add the author's name on the line under the title"}

HEADER_LINES = {"the anarchist library", "anti-copyright"}
SITE_RE = re.compile(r"^\W*\[?\s*theanarchistlibrary\.org\s*\]?(\(https?://theanarchistlibrary\.org/?\))?\W*$", re.I)
RETRIEVED_RE = re.compile(r"(?i)(retrieved\b|source:|from\b)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass
class Block:
    """A paragraph of the source: its lines (hard breaks removed) and first line number."""

    lines: list[str]
    lineno: int

    @property
    def markdown(self) -> str:
        return "  \n".join(self.lines)

    @cached_property
    def plain_lines(self) -> list[str]:
        return [inline_plain(line) for line in self.lines]


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if line.strip():
            if not current:
                start = number
            current.append(line.strip() if not line.startswith("    ") else line)
        elif current:
            blocks.append(Block(current, start))
            current = []
    if current:
        blocks.append(Block(current, start))
    return blocks


_md, _refused = converter(["footnotes", "tables", "sane_lists"])


def markdown_html(source: str) -> str:
    _md.reset()
    _refused.clear()
    return _md.convert(source)


def inline_plain(line: str) -> str:
    """The visible text of one line of inline Markdown/HTML, links as their text."""
    body, _, _ = html_to_body(markdown_html(line))
    return " ".join(text_content(body).split())


def plain_with_urls(block_text: str) -> str:
    """Plain text of a paragraph where a link whose text is its URL (perhaps broken
    across lines by the export) is shown as the whole URL once."""
    def join_link(m: re.Match) -> str:
        text, url = m.group(1), m.group(2)
        squeezed = re.sub(r"\s+", "", text)
        if squeezed.rstrip("/") == url.rstrip("/") or squeezed == url:
            return url
        return f"{text} ({url})" if url not in text else text
    joined = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", join_link, block_text, flags=re.S)
    return " ".join(inline_plain(part) for part in joined.split("\n") if part.strip()).strip()


def sniff(text: str) -> int:
    head = [line.strip().lower() for line in text.lstrip().split("\n")[:6] if line.strip()]
    score = 0
    if head[:2] == ["the anarchist library", "anti-copyright"]:
        score += 70
    if re.search(r"^\**\[?theanarchistlibrary\.org", text, re.M | re.I):
        score += 20
    if re.search(r"^Retrieved on .* from", text, re.M):
        score += 10
    return min(score, 100)


def _is_site_line(block: Block) -> bool:
    return len(block.lines) == 1 and bool(SITE_RE.match(block.lines[0].replace("**", "")))


def _find_attribution(blocks: list[Block], title: str, start: int) -> tuple[int, int, int] | None:
    """(first block, block after the last, index of the title line in the first)
    of the attribution block, searched from ``start`` on."""
    norm_title = _norm(title)
    # Rendering a line's Markdown is the costly part: only blocks with one of the
    # title's words in their raw text can hold it.
    word = max(re.findall(r"\w+", norm_title) or [""], key=len)
    for i in range(start, len(blocks)):
        if word not in " ".join(blocks[i].lines).casefold():
            continue
        plain = [_norm(line) for line in blocks[i].plain_lines]
        if norm_title not in plain:
            continue
        title_at = plain.index(norm_title)
        # The attribution ends at the site line, or (when the export lost it) at the
        # first paragraph after a "Retrieved …"/notes paragraph that is body text.
        end = i + 1
        for j in range(i + 1, min(i + 8, len(blocks))):
            if _is_site_line(blocks[j]):
                return i, j + 1, title_at
        # No site line: the block is the attribution if it has more than the title,
        # together with a "Retrieved …" paragraph right after it.
        if len(blocks[i].lines) > 1:
            if end < len(blocks) and RETRIEVED_RE.match(blocks[end].plain_lines[0]):
                end += 1
            return i, end, title_at
    return None


def _norm(text: str) -> str:
    return " ".join(text.replace("**", "").split()).casefold()


def parse(text: str, path: Path | None = None) -> Document:
    meta = Metadata()
    blocks = split_blocks(text)
    warnings: list[str] = []

    # 1. Library header: publisher and rights.
    i = 0
    while i < len(blocks) and all(_norm(l) in HEADER_LINES for l in blocks[i].plain_lines):
        for line in blocks[i].plain_lines:
            if _norm(line) == "the anarchist library":
                meta.publisher = line.strip()
            else:
                meta.rights = line.strip()
        i += 1

    # 2. Title (the first heading) and subtitle (a heading right after it).
    title_at = None
    for j in range(i, min(i + 3, len(blocks))):
        m = HEADING_RE.match(blocks[j].lines[0])
        if m and len(blocks[j].lines) == 1:
            meta.title = inline_plain(m.group(2))
            title_at = j
            break
    front_end = i
    if title_at is not None:
        front_end = title_at + 1
        if front_end < len(blocks):
            m = HEADING_RE.match(blocks[front_end].lines[0])
            if m and len(blocks[front_end].lines) == 1 and len(m.group(1)) >= 3:
                meta.subtitle = inline_plain(m.group(2))
                front_end += 1

    # 3. The attribution block, wherever it stands.
    attribution = _find_attribution(blocks, meta.title, front_end) if meta.title else None
    removed: set[int] = set(range(0, front_end))
    if attribution:
        first, end, t_index = attribution
        lines = blocks[first].plain_lines
        meta.authors = [a for a in lines[:t_index] if a]
        after = lines[t_index + 1:]
        if after and _norm(after[0]) == _norm(meta.subtitle):
            after = after[1:]
        if after:
            meta.date = after[0]
        extra = [b for b in blocks[first + 1:end] if not _is_site_line(b)]
        for block in extra:
            plain = plain_with_urls("\n".join(block.lines))
            if not meta.source and RETRIEVED_RE.match(plain):
                meta.source = plain
            else:
                meta.notes = f"{meta.notes}\n{plain}".strip()
        if not meta.source and extra:
            meta.source, meta.notes = plain_with_urls("\n".join(extra[0].lines)), ""
            for block in extra[1:]:
                meta.notes = f"{meta.notes}\n{plain_with_urls(chr(10).join(block.lines))}".strip()
        removed.update(range(first, end))
    site_lines = [k for k, b in enumerate(blocks) if _is_site_line(b)]
    if site_lines:
        meta.site = "theanarchistlibrary.org"
        removed.update(site_lines)

    # 4. Author and date lines under the title: the same as the attribution's, or,
    #    when the export lost the attribution, the short lines before the body.
    k = front_end
    if meta.authors:
        if k < len(blocks) and [_norm(l) for l in blocks[k].plain_lines] == [_norm(a) for a in meta.authors]:
            removed.add(k)
            k += 1
        if meta.date and k < len(blocks) and _norm(" ".join(blocks[k].plain_lines)) == _norm(meta.date):
            removed.add(k)
            k += 1
    elif title_at is not None:
        if k < len(blocks) and _looks_like_byline(blocks[k]):
            meta.authors = [l for l in blocks[k].plain_lines if l]
            removed.add(k)
            k += 1
        if k < len(blocks) and _looks_like_date(blocks[k]):
            meta.date = blocks[k].plain_lines[0]
            removed.add(k)
            k += 1

    body_md = "\n\n".join(b.markdown for n, b in enumerate(blocks) if n not in removed)
    html = markdown_html(body_md)
    warnings += warnings_for(_refused, text)
    body, notes, more = html_to_body(refuse_placeholders(html, text, path), text)
    _demote_headings(body)
    return Document(metadata=meta, body=body, notes=notes, path=path, format=FORMAT,
                    warnings=warnings + more + unsaid_losses(body, text))


DATE_RE = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _looks_like_date(block: Block) -> bool:
    text = " ".join(block.plain_lines)
    return len(block.lines) == 1 and len(text) <= 40 and bool(DATE_RE.search(text))


def _looks_like_byline(block: Block) -> bool:
    lines = block.plain_lines
    return (len(lines) <= 4 and all(0 < len(l) <= 60 for l in lines)
            and not any(l.rstrip().endswith((".", "?", "!", ":", ";")) for l in lines)
            and not HEADING_RE.match(block.lines[0]))


def _demote_headings(body: etree._Element) -> None:
    """The export's article title is ``##``; headings inside the body start at ``###``.
    Map the shallowest body heading level to a chapter (``h2``)."""
    headings = [el for el in body.iter() if el.tag in ("h1", "h2", "h3", "h4", "h5")]
    if not headings:
        return
    top = min(int(el.tag[1]) for el in headings)
    shift = top - 2 if top > 2 else 0
    for el in headings:
        el.tag = f"h{max(1, min(5, int(el.tag[1]) - shift))}"
