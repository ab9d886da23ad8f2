"""Library PDFs converted to Markdown by other tools: the messy cousins of the export.

People collect texts by printing the Library's pages to PDF or downloading its
PDFs, then convert them with a PDF-to-Markdown tool. What arrives carries:

- YAML front matter written by the converter, often wrong (a file name as the
  title, another person as the author);
- the converter's own debris: ``## Page N`` blocks, page pictures, code fences
  around each page's text, a closing "Document Summary";
- a browser's print header and footer on every page (``Title | The Anarchist
  Library about:reader?url=…``, ``3 of 19 3/17/25, 5:05 PM``);
- the text hard-wrapped and indented as on the printed page;
- the Library's own metadata: a title block (author, title, date), ``Author:``
  and ``Title:`` lines, its colophon at the end (``Anti-Copyright.
  http://theanarchistlibrary.org Author: … Title: … Publication date: …``,
  ``Retrieved on … from …``).

The reader removes the debris, unwraps the lines into paragraphs and takes the
metadata from the text itself first; the front matter is used only for what the
text does not say. What cannot be found stays empty, and the colophon reports it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.document import Document, Metadata
from pipeline.language import guess_language
from pipeline.readers import debris, library_colophon, printed_contents, publisher_matter
from pipeline.readers.bounded_markdown import convert, refuse_placeholders
from pipeline.readers.markdown_losses import unsaid_losses
from pipeline.readers.html import html_to_body
from pipeline.readers.markdown import split_front_matter
from pipeline.wordlist import Words, line_end_hyphen, words_for, words_seen

FORMAT = "converted"
EXTENSIONS = (".md",)
# A converter's output has no one place for the title and author.
HOW_TO_STATE: dict[str, str] = {}

BROWSER_HEADER = re.compile(r"(about:reader\?url=\S*|https?://theanarchistlibrary\.org/library/\S*\.\.\.)\s*$")
BROWSER_FOOTER = re.compile(r"^\s*\d+ of \d+\s+\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d\d\s*(AM|PM)?\b\s*")
LIBRARY_COLOPHON = re.compile(
    r"Anti-Copyright\.?\s+https?://theanarchistlibrary\.org/?\s+Author:\s*(?P<author>.+?)\s+Title:\s*(?P<title>.+?)"
    r"(?:\s+Publication date:\s*(?P<date>.+?))?\s*$")
FIELD_LINE = re.compile(r"^(Title|Author|Date|Source|Topics):\s*(.+)$")
URL_IN_PARENS = re.compile(r"\s*\(https?://[^)]*\)?")
_RETRIEVED_ON = re.compile(r"(?<!\w)Retrieved on ")


def is_retrieved_line(line: str) -> bool:
    """Whether ``line`` (one line) says "… Retrieved on <date> from <address>" (what
    ``^(.*?\b)?Retrieved on .+ from .+$`` matches, in one scan: that pattern is
    quadratic on a long line of "Retrieved on" without "from")."""
    m = _RETRIEVED_ON.search(line)
    # the last " from " with a character after it, and one between it and "on "
    return m is not None and line.rfind(" from ", 0, len(line) - 1) > m.end()


YEAR = re.compile(r"^(\d{1,2}(st|nd|rd|th)? )?([A-Z][a-z]+ )?\d{1,2}?,? ?\d{4}([–-]\d{2,4})?$|^\d{4}$")


def sniff(text: str) -> int:
    score = 0
    head = text[:3000]
    if re.search(r"^reconversion_status:|^slug:", head, re.M):
        score += 50
    if re.search(r"^#{1,6} Page \d+$", text, re.M) or re.search(r"^\*Converted from:", head, re.M):
        score += 40
    if BROWSER_HEADER.search(head) or re.search(BROWSER_FOOTER.pattern, text, re.M):
        score += 60
    if re.search(r"^#{1,6} Document Summary", text, re.M):
        score += 30
    if LIBRARY_COLOPHON.search(text.replace("\n", " ")[-3000:]):
        score += 60
    return min(score, 95)


def _clean_title(title: str) -> str:
    """A converter's title made from a file name: "X _ The Anarchist Library.pdf" → "X"."""
    title = re.sub(r"\*\*|__", "", title)
    title = re.sub(r"\s*[_|]\s*The Anarchist Library(\.pdf)?\s*$", "", title, flags=re.I)
    title = re.sub(r"\.pdf$", "", title, flags=re.I)
    title = re.sub(r"(?<=\w)_ ", ": ", title)     # a file name cannot hold the colon
    return " ".join(title.split())


def _plain(line: str) -> str:
    return " ".join(re.sub(r"<[^>]+>|\*\*|__", "", line).split())


def strip_debris(text: str) -> list[str]:
    """The lines of ``text`` without the code fences around each page's text and the
    browser's print footers; its print headers marked (the page title may be needed)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if "```" in line:
            line = line.replace("```", "")
            stripped = line.strip()
            if not stripped:
                continue
        if re.fullmatch(r"-{3,}", stripped):      # the converter's rule between pages
            continue
        footer = BROWSER_FOOTER.match(line)
        if footer:
            # a footer may run into the next page's header on the same line
            line = line[footer.end():]
            stripped = line.strip()
            if not stripped or BROWSER_HEADER.search(stripped):
                continue
        if BROWSER_HEADER.search(stripped):
            out.append("\x00HEADER " + stripped)   # kept for the title, removed later
            continue
        out.append(line.rstrip())
    return out


def parse(text: str, path: Path | None = None) -> Document:
    front, body_text, _ = split_front_matter(text, path)
    changes: list[str] = []
    meta = Metadata()
    body_text = publisher_matter.move_to_notes(debris.remove(body_text, changes), meta, changes)
    lines = strip_debris(printed_contents.remove(body_text, changes))
    warnings: list[str] = []

    # 1. The Library's own statements, wherever they stand.
    headers = [l[len("\x00HEADER "):] for l in lines if l.startswith("\x00HEADER ")]
    lines = [l for l in lines if not l.startswith("\x00HEADER ")]
    changes += [f"debris removed (browser-print-header): {h}" for h in headers]
    lines = _join_field_lines(lines)
    lines = library_colophon.take("\n".join(lines), meta, changes).split("\n")
    flat = " ".join(l.strip() for l in lines[-40:])
    colophon = LIBRARY_COLOPHON.search(flat)
    if colophon:
        meta.authors = [colophon.group("author").strip()]
        meta.title = colophon.group("title").strip()
        meta.date = (colophon.group("date") or "").strip()
        meta.rights = "Anti-Copyright"
        meta.publisher = "The Anarchist Library"
        lines = _drop_library_colophon(lines)
    keep: list[str] = []
    for n, line in enumerate(lines):
        field = FIELD_LINE.match(line.strip()) if n < 60 else None
        if field:
            name, value = field.group(1), URL_IN_PARENS.sub("", field.group(2)).strip()
            if name == "Title" and not meta.title:
                meta.title = value
            elif name == "Author" and not meta.authors:
                meta.authors = [value]
            elif name == "Date" and not meta.date:
                meta.date = value
            elif name == "Source" and not meta.source:
                meta.source = value
            elif name == "Topics":
                meta.topics = [t.strip() for t in value.split(",") if t.strip()]
            continue
        keep.append(line)
    lines = keep
    for n in range(len(lines) - 1, max(len(lines) - 15, -1), -1):
        if is_retrieved_line(lines[n].strip()):
            meta.source = meta.source or _markdown_plain(lines[n])
            lines = lines[:n] + _colophon_notes(lines[n + 1:], meta, changes)
            break

    # 2. The title: the printed title block, the browser's page title, a "# heading",
    #    then the front matter.
    fm_title = _clean_title(str(front.get("title", "") or ""))
    lines = _heading_title_block(lines, meta, fm_title)
    heading_title = ""
    for n, line in enumerate(lines[:12]):
        m = re.match(r"^#\s+(.+)$", line.strip())
        if m:
            heading_title = _clean_title(m.group(1))
            if not meta.title or heading_title.casefold() == meta.title.casefold():
                del lines[n]
            break
    page_title = ""
    if headers:
        page_title = _clean_title(re.split(r"\s+(about:reader|https?://)", headers[0])[0].split(" | ")[0])
    if not meta.title:
        # A browser's header cuts a long title ("… and Anarchist …"): a complete
        # candidate wins, else the title block that the cut title begins.
        candidates = [t for t in (page_title, heading_title, fm_title) if t]
        complete = [t for t in candidates if not _truncated(t)]
        meta.title = complete[0] if complete else _completed(candidates[0], lines) if candidates else ""
    lines = _drop_title_block(lines, meta, warnings)
    lines = _repeated_front_lines(lines, meta)
    if not meta.authors:
        meta.authors = _front_matter_author(front, meta.title, body_text)
    # A converter's "date" is when it ran, not when the text was written: not used.

    # 3. The body: unwrap what was hard-wrapped on the page, keep Markdown as it is.
    body_md = unwrap("\n".join(lines))
    # "beasts![\[6\]](#page-89-5)": an exclamation mark before a note link is not an image.
    body_md = re.sub(r"!(?=\[\\\[)", r"\\!", body_md)
    html, refused = convert(body_md, ["footnotes", "tables", "sane_lists"], text)
    warnings.extend(refused)
    body, notes, more = html_to_body(refuse_placeholders(html, text, path), text)
    warnings.extend(more)
    warnings.extend(unsaid_losses(body, text))
    return Document(metadata=meta, body=body, notes=notes, path=path, format=FORMAT, warnings=warnings,
                    changes=changes)


def _front_matter_author(front: dict, title: str, text: str) -> list[str]:
    """The converter's ``author``, unless the text shows it is the publisher ("first
    published … by Freedom Press"); else the other half of a "Author - Title" (or
    "Title - Author") ``slug``, the name the file was given."""
    author = str(front.get("author", "") or "").strip()
    if author and re.search(rf"\bpublished\b[^.\n]{{0,80}}\bby\s+{re.escape(author)}\b", text, re.I):
        author = ""
    if not author:
        halves = str(front.get("slug", "") or "").split(" - ")
        letters = [re.sub(r"\W", "", h).casefold() for h in halves]
        if len(halves) == 2 and title and re.sub(r"\W", "", title).casefold() in letters:
            author = halves[1 - letters.index(re.sub(r"\W", "", title).casefold())].strip()
    return [author] if author else []


def _truncated(title: str) -> bool:
    return title.rstrip().endswith(("…", "..."))


def _completed(title: str, lines: list[str]) -> str:
    """The printed lines near the top that begin with the cut ``title`` and go on
    past it (up to four lines, to the first line that is a field): the whole title."""
    prefix = _plain(title).rstrip(" .…").casefold()
    texts = [_plain(l.lstrip("# ")) for l in lines[:40]]
    for start, first in enumerate(texts):
        if not first or not (prefix.startswith(first.casefold()) or first.casefold().startswith(prefix)):
            continue
        joined = first
        for end in range(start + 1, min(start + 4, len(texts)) + 1):
            if joined.casefold().startswith(prefix) and len(joined) > len(prefix):
                return joined
            if end == len(texts) or not texts[end] or FIELD_LINE.match(texts[end]):
                break
            joined = f"{joined} {texts[end]}"
    return title


def _join_field_lines(lines: list[str]) -> list[str]:
    """A ``Field: value`` line of the Library's page (``Topics:``, ``Source:``) wrapped
    on the printed page goes on while an address in it is open, or on a next line
    that holds an address: those lines are joined back (an address without spaces)."""
    out: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        n += 1
        if n <= 80 and FIELD_LINE.match(line.strip()):
            value = line.rstrip()
            while n < len(lines) and lines[n].strip() and not FIELD_LINE.match(lines[n].strip()) \
                    and (value.count("(") > value.count(")") or "(http" in lines[n]):
                nxt = lines[n].strip()
                value += nxt if value.count("(") > value.count(")") and re.search(r"\(https?://\S*$", value) \
                    else " " + nxt
                n += 1
            line = value
        out.append(line)
    return out


def _heading_title_block(lines: list[str], meta: Metadata, fm_title: str) -> list[str]:
    """The Library's title page turned into headings by a converter: either three
    headings in a row — author, title, year — or one heading "Author Title Year"
    (split where the front matter's title begins). Taken into ``meta`` and removed,
    with every later repetition of the same line (running headers)."""
    heads = [(n, _plain(l.lstrip("#"))) for n, l in enumerate(lines[:20]) if l.startswith("#")]
    found: list[int] = []
    for i in range(len(heads) - 2):
        (na, a), (nt, t), (nd, d) = heads[i:i + 3]
        if YEAR.match(d) and nd - na <= 6 and len(a) <= 60:
            meta.authors = meta.authors or [a]
            meta.title = meta.title or t
            meta.date = meta.date or d
            found = [na, nt, nd]
            break
    if not found and fm_title:
        for n, text in heads[:3]:
            m = re.match(r"^(.+?)\s+(\d{4})$", text)
            if not m:
                continue
            words = m.group(1).split()
            for k in range(1, len(words)):
                title = " ".join(words[k:])
                if fm_title.casefold().startswith(title.casefold()) and len(title) > 3:
                    meta.authors = meta.authors or [" ".join(words[:k])]
                    meta.title = meta.title or title
                    meta.date = meta.date or m.group(2)
                    found = [n]
                    break
            if found:
                break
    if not found:
        return lines
    repeated = {lines[n].strip() for n in found}
    return [l for l in lines if l.strip() not in repeated]


def _repeated_front_lines(lines: list[str], meta: Metadata) -> list[str]:
    """A "Retrieved on …" line printed twice near the top (a page header repeating
    the front page) is the source; a line that follows it both times is a note.
    Both are attribution, not text."""
    top = [l.strip() for l in lines[:30] if l.strip()]
    counts = Counter(top)
    retrieved = [l for l in counts if counts[l] > 1 and is_retrieved_line(_plain(l))]
    if not retrieved:
        return lines
    drop = set(retrieved)
    meta.source = meta.source or _markdown_plain(retrieved[0])
    for n, line in enumerate(top[:-1]):
        follower = top[n + 1]
        if line in drop and counts[follower] > 1 and follower not in drop and not follower.startswith("#"):
            drop.add(follower)
            meta.notes = f"{meta.notes}\n{_markdown_plain(follower)}".strip()
    return [l for n, l in enumerate(lines) if not (n < 30 and l.strip() in drop)]


# The Library's colophon puts its notes on the text under the "Retrieved on" line
# ("First appeared in French, 1880 …", "Text from the Dana Ward's copy of …", "This
# book also available in Turkish: …"): a few paragraphs to the end, no heading.
COLOPHON_NOTES_MAX = 6


def _colophon_notes(after: list[str], meta: Metadata, changes: list[str]) -> list[str]:
    """The lines after the colophon's "Retrieved on …" line: moved to ``meta.notes``
    (each once) when they are a few paragraphs without a heading, else kept; the
    Library's address among them is its site, no note."""
    site = [l for l in after if library_colophon.is_site_line(l)]
    paragraphs = [l for l in after if l.strip() and l not in site]
    if len(paragraphs) > COLOPHON_NOTES_MAX or any(l.lstrip().startswith("#") for l in paragraphs):
        return after
    if site:                       # the Library's address closing its colophon: no note
        meta.site = meta.site or library_colophon.bare(site[0])
    have = set(meta.notes.split("\n"))
    for line in paragraphs:
        note = _markdown_plain(line)
        changes.append(f"Library colophon line moved to the colophon's notes: {note[:70]}")
        if note not in have:
            meta.notes = f"{meta.notes}\n{note}".strip()
            have.add(note)
    return []


def _markdown_plain(line: str) -> str:
    """Plain text of a line of Markdown; a link shows its text and its URL."""
    line = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", lambda m: m.group(2) if m.group(1).strip() in m.group(2)
                  else f"{m.group(1)} ({m.group(2)})", line)
    return _plain(line)


def _drop_library_colophon(lines: list[str]) -> list[str]:
    """Remove the colophon page's lines from the end (site name, date, the statement)."""
    end = len(lines)
    cut = end
    for n in range(end - 1, max(end - 12, -1), -1):
        s = lines[n].strip()
        if not s or "theanarchistlibrary" in s.lower() or s.lower().lstrip("#* ").startswith("the anarchist library") \
                or YEAR.match(s.lstrip("# ")) or "Anti-Copyright" in s:
            cut = n
            continue
        break
    return lines[:cut]


def _drop_title_block(lines: list[str], meta: Metadata, warnings: list[str]) -> list[str]:
    """The printed title block near the top — [author] title-lines [date] — is
    metadata, not text: take the author and date from it and remove it."""
    if not meta.title:
        return lines
    target = _plain(meta.title).casefold()
    for start in range(min(len(lines), 25)):
        joined = ""
        for end in range(start, min(start + 4, len(lines))):
            joined = f"{joined} {_plain(lines[end])}".strip()
            if joined.casefold() == target:
                first, last = start, end
                before = _plain(lines[first - 1]) if first > 0 else ""
                if before and before.lower() != "theanarchistlibrary.org" and len(before) <= 60 \
                        and not before.startswith("#"):
                    if not meta.authors:
                        meta.authors = [before]
                    first -= 1
                elif before.lower() == "theanarchistlibrary.org":
                    first -= 1
                after = _plain(lines[last + 1]) if last + 1 < len(lines) else ""
                if after and YEAR.match(after):
                    meta.date = meta.date or after
                    last += 1
                return lines[:first] + lines[last + 1:]
            if len(joined) > len(target):
                break
    return lines


def unwrap(text: str) -> str:
    """Join the hard-wrapped, indented lines of printed pages into paragraphs.

    A page's text is indented by the converter; Markdown written by a converter
    is not. Within an indented run, a new paragraph starts where a line is
    indented deeper than the run's usual indent, or where the previous line
    ended short although the next word would have fitted (a ragged line break
    that was really a paragraph end). A run of ``## X`` lines before the text is
    the printed table of contents: those titles become headings where the same
    line stands alone in the text.
    """
    lines = text.split("\n")
    toc = _toc_entries(lines)
    if toc:
        lines = [l for l in lines if not (l.startswith("#") and _plain(l.lstrip("# ")) in toc and l.strip())]
    indented = [l for l in lines if l.startswith("        ") and l.strip()]
    if len(indented) < 0.5 * max(1, sum(1 for l in lines if l.strip())):
        return "\n".join(lines)
    width = sorted(len(l.strip()) for l in indented)[int(len(indented) * 0.95)]
    words, seen = words_for(guess_language(text)), words_seen(text)
    out: list[str] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append(_join_words(paragraph, words, seen))
            out.append("")
            paragraph.clear()

    previous, previous_indent = "", 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
            previous = ""
            continue
        if stripped.startswith("#"):
            flush()
            out.extend([stripped if any(ch.isalnum() for ch in stripped) else "***", ""])
            previous = ""
            continue
        if toc and stripped in toc:
            flush()
            out.extend(["## " + stripped, ""])
            previous = ""
            continue
        indent = len(line) - len(line.lstrip())
        new_paragraph = bool(previous) and indent > previous_indent + 1
        if previous and not new_paragraph:
            first_word = stripped.split()[0]
            if len(previous) + 1 + len(first_word) <= width * 0.92 and previous[-1:] in ".!?:”\"’)":
                new_paragraph = True
        if new_paragraph:
            flush()
        paragraph.append(stripped)
        previous, previous_indent = stripped, indent
    flush()
    return "\n".join(out)


def _toc_entries(lines: list[str]) -> set[str]:
    """Titles of the first run of three or more ``## X`` lines with at most one
    other line between neighbours (a printed table of contents)."""
    run: list[str] = []
    gap = 0
    for line in lines:
        if line.startswith("## "):
            run.append(_plain(line[3:]))
            gap = 0
        elif line.strip():
            gap += 1
            if gap > 1:
                if len(run) >= 3:
                    return set(run)
                run = []
    return set(run) if len(run) >= 3 else set()


def _join_words(lines: list[str], words: Words, seen: set[str]) -> str:
    """Join wrapped lines. A hyphen at a line end before a lower-case letter is the
    printer's (dropped: "govern-|ment") unless the text or the word list shows it
    is the word's own (kept: "less-|powerful", see ``wordlist.line_end_hyphen``)."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and not text.endswith("--") and line[:1].islower() and len(text) > 1 \
                and text[-2].isalpha():
            left = re.search(r"[^\W\d_]+-$", text[-100:]).group(0)[:-1]
            right = re.match(r"[^\W\d_]*", line).group(0)
            keep = line_end_hyphen(left, right, words, seen)
            text = text + line if keep else text[:-1] + line
        else:
            text = f"{text} {line}"
    return text
