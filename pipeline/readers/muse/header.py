"""The header of a ``.muse`` source (steps 1 and 2 of the reader): the lines
cleaned, the ``#directive value`` lines split from the body as Text::Amuse
does, and the directives made ``Metadata``."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.document import Metadata, sort_names
from pipeline.readers.decode import replace_forbidden
from pipeline.readers.muse.inline import _plain


_DIRECTIVE = re.compile(r"^#([A-Za-z0-9_-]+)(?:\s+(.+))?$", re.S)


class _Header:
    """Steps 1 and 2 of ``_Parser``, and the metadata."""

    # -- step 1 and 2
    def split(self) -> tuple[dict[str, str], list[tuple[int, str]]]:
        text = self.text
        if text.startswith("\ufeff"):
            text = text[1:]
        text, replaced = replace_forbidden(text)
        self.warnings += replaced
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        lines = text.split("\n")
        directives: dict[str, str] = {}
        order: list[str] = []
        last = None
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i].rstrip(" ")
            if not line.strip():
                last = None
            else:
                m = _DIRECTIVE.match(line) if line[0] == "#" else None
                if m:
                    name = re.sub(r"[_-]", "", m.group(1))
                    if name in directives:
                        self.warn(i + 1, f"directive #{name} given twice, the last one wins")
                    directives[name] = m.group(2) or ""
                    if name not in order:
                        order.append(name)
                    last = name
                elif last is not None:
                    directives[last] += "\n" + line
                else:
                    break
            i += 1
        body = [(j + 1, lines[j].rstrip(" ")) for j in range(i, n)]
        clean = {}
        for k in order:
            if not k:
                continue
            clean[k] = re.sub(r"\s+", " ", directives[k]).strip()
        return clean, body

    def metadata(self, d: dict[str, str]) -> Metadata:
        low = {k.lower(): k for k in d}
        used: set[str] = set()

        def get(*names: str) -> str:
            for name in names:
                k = low.get(name)
                if k is not None and d[k]:
                    used.add(k)
                    return d[k]
            for name in names:
                k = low.get(name)
                if k is not None:
                    used.add(k)
            return ""

        def plain(value: str) -> str:
            if not value:
                return ""
            if not re.search(r"[<\[*=~{]", value):
                return value
            span = etree.Element("span")
            self.note_keys = set()
            self.referenced = set()
            self.inline(span, value, 0, pri=False, sec=False)
            return re.sub(r"[ \t\n]+", " ", _plain(span)).strip()

        def split_list(value: str) -> list[str]:
            items = []
            for part in re.split(r"[,;]", value):
                part = part.strip()
                if part and part not in items:
                    items.append(part)
            return items

        m = Metadata()
        m.title = plain(get("title"))
        m.subtitle = plain(get("subtitle"))
        author = plain(get("author"))
        many = plain(get("authors")) or plain(get("sortauthors"))
        if author:
            m.authors = [author]
        elif many:
            m.authors = split_list(many)
        # #authors stays available in extra for indexing
        if "authors" in low:
            used.discard(low["authors"])
        m.sort_authors = sort_names(next((v for k, v in d.items() if k.lower() == "sortauthors"), ""))
        used.update(k for k in d if k.lower() == "sortauthors")
        m.date = plain(get("date"))
        lang = get("lang", "language")
        m.lang = lang.split()[0] if lang else ""
        m.source = plain(get("source"))
        m.notes = plain(get("notes"))
        topics: list[str] = []
        for k in ("sorttopics", "topics"):
            v = plain(get(k))
            for item in split_list(v):
                if item not in topics:
                    topics.append(item)
        m.topics = topics
        m.publisher = plain(get("publisher"))
        m.rights = plain(get("rights"))
        m.cover = get("cover").strip()
        m.notoc = get("notoc").strip() not in ("", "0")
        m.nofinalpage = get("nofinalpage").strip() not in ("", "0")
        m.site = get("site")
        m.extra = {k: v for k, v in d.items() if k not in used}
        return m
