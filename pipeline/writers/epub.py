"""EPUB 3 with ebooklib: title page, text (one file per chapter when long), colophon,
nav document and NCX, Dublin Core metadata with a content-derived identifier.

ebooklib stamps zip entries and ``dcterms:modified`` with the current time; the
archive is rewritten with fixed times (``SOURCE_DATE_EPOCH`` when set) so the
same source always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

from pipeline.render import EpubPart, Prepared, TocEntry, epub_parts, style_path


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


MONTHS = {name: n for n, name in enumerate(
    "january february march april may june july august september october november december".split(), 1)}


def w3c_date_of(text: str) -> str:
    """The date as ``dc:date`` wants it (W3C: YYYY, YYYY-MM or YYYY-MM-DD), from what
    the source says: "12th March 2019" → "2019-03-12", "Spring 1886" → "1886".
    Empty when the text holds no year."""
    text = text.strip()
    if re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", text):
        return text
    years = re.findall(r"\b(\d{4})\b", text)
    if not years:
        return ""
    year = years[0]
    words = re.findall(r"[a-z]+|\b\d{1,2}(?=st|nd|rd|th|\b)", text.lower())
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    if month is None or len(years) > 1:
        return year
    days = [int(w) for w in words if w.isdigit() and 1 <= int(w) <= 31]
    if len(days) == 1:
        return f"{year}-{month:02d}-{days[0]:02d}"
    return f"{year}-{month:02d}"


def _nested_toc(parts: list[EpubPart], epub_items: dict[str, object]):
    """ebooklib's nested toc: [(Section, [children…]) | Link] from the headings."""
    from ebooklib import epub

    entries: list[tuple[TocEntry, str]] = []
    for part in parts:
        if part.kind == "chapter":
            entries.extend((h, part.file_name) for h in part.headings)

    def build(index: int, level: int) -> tuple[list, int]:
        items: list = []
        while index < len(entries):
            entry, file_name = entries[index]
            if entry.level < level:
                break
            href = f"{file_name}#{entry.id}"
            index += 1
            if index < len(entries) and entries[index][0].level > entry.level:
                children, index = build(index, entries[index][0].level)
                items.append((epub.Section(entry.title, href=href), children))
            else:
                items.append(epub.Link(href, entry.title, entry.id))
        return items, index

    toc: list = []
    index = 0
    while index < len(entries):
        items, index = build(index, entries[index][0].level)
        toc.extend(items)
    return toc


def write_epub(prep: Prepared) -> bytes:
    from ebooklib import epub

    doc = prep.doc
    meta = doc.metadata
    book = epub.EpubBook()
    book.set_identifier(doc.identifier())
    book.set_title(meta.title)
    book.set_language(prep.lang)
    for n, author in enumerate(meta.authors):
        book.add_author(author, uid=f"creator{n}")
    w3c_date = w3c_date_of(meta.date)
    if w3c_date:
        book.add_metadata("DC", "date", w3c_date)
    if meta.source:
        book.add_metadata("DC", "source", meta.source)
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    if meta.notes:
        book.add_metadata("DC", "description", meta.notes)
    for topic in meta.topics:
        book.add_metadata("DC", "subject", topic)

    css = epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css",
                        content=style_path("epub.css").read_bytes())
    book.add_item(css)

    parts = epub_parts(prep)
    items: dict[str, object] = {}
    for part in parts:
        item = epub.EpubHtml(title=part.title, file_name=part.file_name, lang=prep.lang)
        item.content = part.xhtml.encode("utf-8")
        item.add_item(css)
        book.add_item(item)
        items[part.file_name] = item

    title_item = items["titlepage.xhtml"]
    toc = [epub.Link("titlepage.xhtml", "Title page", "titlepage")]
    toc += _nested_toc(parts, items)
    if "colophon.xhtml" in items:
        toc.append(epub.Link("colophon.xhtml", "Colophon", "colophon"))
    book.toc = toc
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [title_item, "nav"] + [items[p.file_name] for p in parts if p.kind != "titlepage"]

    when = build_time()
    raw = io.BytesIO()
    epub.write_epub(raw, book, {"mtime": when, "epub3_landmark": True, "epub3_pages": False,
                                "raise_exceptions": True})
    return normalize_zip(raw.getvalue(), when)


def normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite the archive with fixed entry times and attributes; ``mimetype``
    first and stored, as the OCF specification requires."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    names.sort(key=lambda n: (n != "mimetype", n != "META-INF/container.xml", 0))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()
