"""Pandoc's simple, multiline and grid tables, rewritten as pipe tables.

``pandoc -t markdown`` writes a table as a *simple* table (columns under
groups of dashes), a *multiline* one (the same, wrapped cells, rows apart by
blank lines, between two full-width dash lines) or a *grid* one (``+---+``
borders, ``+===+`` under the header). Python-Markdown reads only pipe tables
(its ``tables`` extension): each table of the three kinds is rewritten as a
pipe table before the conversion, its cells' lines joined by spaces (a cell's
Markdown stays as it is, a ``|`` in it escaped). Columns are cut where the
dash groups (or the ``+`` of a grid's border) put them.

The Python-Markdown grid-table extension tried (markdown-grid-tables 0.6) reads
the borders but not pandoc's alignment colons (``+:===+``, printed as text) and
leaves a line break in every padded cell; pandoc's own parser is not a Python
library, and the simple and multiline kinds have no Python-Markdown extension.
Hence this module.

Limits: column alignment is not kept (the pipeline's tables keep none); a
table without a header (pandoc allows it) gets its first row as the
header (a pipe table needs one); a grid cell's blocks (lists, paragraphs) run
together as one line of text, their words in order; a grid with merged cells
(a missing ``|``) is left as it was written; a caption (``Table: …`` or
``: …`` after the table) becomes a paragraph of its own under it, its mark
gone (pipe tables have no caption).
"""

from __future__ import annotations

import re

_GROUPS = re.compile(r"^ {0,3}-{2,}(?: +-{2,})+ *$")   # "---- ----- ---" (not an "- - -" rule)
_FULL = re.compile(r"^ {0,3}-{3,} *$")                    # "----------"
_CAPTION = re.compile(r"^ {0,3}(?:Table)?: +(\S.*)$")
_GRID_BORDER = re.compile(r"^ {0,3}\+(?:[-=:]+\+)+ *$")


def _spans(line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"-+", line)]


def _cut(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """The cells of ``line`` under the column ``spans``, cut in the gaps between them."""
    cuts = [0] + [spans[k][1] + (spans[k + 1][0] - spans[k][1]) // 2 for k in range(len(spans) - 1)] + [None]
    return [line[cuts[k]:cuts[k + 1]] for k in range(len(spans))]


def _fits(lines: list[str], spans: list[tuple[int, int]]) -> bool:
    """Whether every line leaves the gaps between the dash groups blank, as a table's
    lines do (prose over a dash line runs through them)."""
    gaps = [(spans[k][1], spans[k + 1][0]) for k in range(len(spans) - 1)]
    return all(not line[a:b].strip() for line in lines for a, b in gaps)


def _row(lines: list[str], spans: list[tuple[int, int]]) -> list[str]:
    columns: list[list[str]] = [[] for _ in spans]
    for line in lines:
        for k, cell in enumerate(_cut(line, spans)):
            if cell.strip():
                columns[k].append(cell.strip())
    return [" ".join(c) for c in columns]


def _pipe(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return ["", line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows), ""]


def _blank(line: str) -> bool:
    return not line.strip()


def _simple_or_multiline(lines: list[str], n: int) -> tuple[int, int, list[str]] | None:
    """A simple or multiline table whose first dash line is ``lines[n]``: (its first
    line, the line after it, the pipe table)."""
    before_blank = n == 0 or _blank(lines[n - 1])
    # multiline with a header: full dash line, header lines, dash groups, rows, full dash line
    if _FULL.match(lines[n]) and before_blank:
        k = n + 1
        while k < len(lines) and not _blank(lines[k]) and not _GROUPS.match(lines[k]) and k - n <= 6:
            k += 1
        if k < len(lines) and _GROUPS.match(lines[k]) and k > n + 1:
            spans = _spans(lines[k])
            end = k + 1
            while end < len(lines) and not _FULL.match(lines[end]):
                if end > k + 1 and _blank(lines[end]) and _blank(lines[end - 1]):
                    return None
                end += 1
            if end == len(lines):
                return None
            header_lines = lines[n + 1:k]
            if not _fits(lines[n + 1:end], spans):
                return None
            rows = _row_groups(lines[k + 1:end], spans)
            return n, end + 1, _pipe(_row(header_lines, spans), rows)
        return None
    if not _GROUPS.match(lines[n]):
        return None
    spans = _spans(lines[n])
    header_line = lines[n - 1] if n > 0 and not _blank(lines[n - 1]) else None
    if header_line is not None:
        if n > 1 and not _blank(lines[n - 2]):
            return None
        # simple table with a header: rows to a blank line (or a closing dash line)
        end = n + 1
        while end < len(lines) and not _blank(lines[end]) and not _GROUPS.match(lines[end]):
            end += 1
        if not _fits(lines[n - 1:end], spans):
            return None
        rows = [_row([l], spans) for l in lines[n + 1:end]]
        if not rows:
            return None
        end += 1 if end < len(lines) and _GROUPS.match(lines[end]) else 0
        return n - 1, end, _pipe(_row([header_line], spans), rows)
    # no header: dash groups, rows, the same dash groups (rows apart by blank lines: multiline)
    end = n + 1
    while end < len(lines) and not _GROUPS.match(lines[end]):
        if _blank(lines[end]) and (end == n + 1 or _blank(lines[end - 1])):
            return None
        end += 1
    if end == len(lines) or end == n + 1:
        return None
    body = lines[n + 1:end]
    if not _fits(body, spans):
        return None
    groups = _row_groups(body, spans) if any(_blank(l) for l in body) else [_row([l], spans) for l in body]
    return n, end + 1, _pipe(groups[0], groups[1:])


def _row_groups(lines: list[str], spans: list[tuple[int, int]]) -> list[list[str]]:
    rows, current = [], []
    for line in lines:
        if _blank(line):
            if current:
                rows.append(_row(current, spans))
                current = []
        else:
            current.append(line)
    if current:
        rows.append(_row(current, spans))
    return rows


def _grid(lines: list[str], n: int) -> tuple[tuple[int, int, list[str]] | None, int]:
    """A grid table starting at ``lines[n]``: ((its first line, the line after it, the
    pipe table) or None when it is not one or has merged cells, the last line that
    cannot start another grid). A grid read from a border after ``n`` up to that line
    would fail the same way: the caller does not try those again (or the search is
    quadratic)."""
    if not _GRID_BORDER.match(lines[n]):
        return None, n
    plus = [m.start() for m in re.finditer(r"\+", lines[n])]
    rows: list[list[str]] = []
    header_rows = 0
    current: list[str] = []
    k = n + 1
    while k < len(lines):
        line = lines[k]
        if _GRID_BORDER.match(line):
            if [m.start() for m in re.finditer(r"\+", line)] != plus:
                return None, k - 1       # a grid of other columns may start here
            rows.append(_grid_row(current, plus))
            current = []
            if "=" in line:
                header_rows = len(rows)
            k += 1
            if k == len(lines) or not lines[k].lstrip().startswith("|"):
                break
            continue
        if not line.lstrip().startswith("|") or len(line.rstrip()) < plus[-1] + 1 \
                or any(line[p] != "|" for p in plus):
            return None, k       # not a grid row, or a merged cell
        current.append(line)
        k += 1
    else:
        return None, k
    if current or not rows:
        return None, k
    head = rows[0] if header_rows == 0 else [" ".join(c).strip() for c in zip(*rows[:header_rows])]
    body = rows[1:] if header_rows == 0 else rows[header_rows:]
    return (n, k, _pipe(head, body)), k - 1      # another grid may start right after it


def _grid_row(lines: list[str], plus: list[int]) -> list[str]:
    cells: list[list[str]] = [[] for _ in plus[:-1]]
    for line in lines:
        for c in range(len(plus) - 1):
            text = line[plus[c] + 1:plus[c + 1]].strip()
            if text:
                cells[c].append(text)
    return [" ".join(c) for c in cells]


def rewrite(text: str) -> str:
    """``text`` (Markdown outside code) with its pandoc tables as pipe tables."""
    if "---" not in text and "+-" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    n = 0
    grid_tried_to = -1          # no grid starts at a border before this line (``_grid``)
    while n < len(lines):
        found = None
        if n > grid_tried_to:
            found, grid_tried_to = _grid(lines, n)
        found = found or _simple_or_multiline(lines, n)
        if found is None:
            out.append(lines[n])
            n += 1
            continue
        start, end, table = found
        del out[len(out) - (n - start):]          # a simple table's header line, already out
        out.extend(table)
        n = end
        # its caption, "Table: …" or ": …" after it: a paragraph of its own, unmarked
        at = n + 1 if n < len(lines) and _blank(lines[n]) else n
        caption = _CAPTION.match(lines[at]) if at < len(lines) else None
        if caption:
            out.append(caption.group(1))
            n = at + 1
    return "\n".join(out)
