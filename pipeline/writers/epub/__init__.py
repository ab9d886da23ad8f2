"""EPUB 3 with ebooklib: cover, title page, text (one file per chapter when
long), colophon; a nav document with nested contents and landmarks, the EPUB 2
NCX and guide for old readers; Dublin Core and accessibility metadata.

When the build made the pamphlet too, the EPUB marks where its pages begin
(markers in the text, a page list in the nav document and the NCX).

ebooklib writes the container, the package document and the NCX (``BookWriter``
adds what it leaves out). The XHTML
documents (our templates, including the nav document) go in as they are:
ebooklib's own HTML re-serialisation would drop what they declare.

ebooklib stamps zip entries and ``dcterms:modified`` with the current time; the
archive is rewritten with fixed times (``SOURCE_DATE_EPOCH`` when the build has
one: ``source_date_epoch``) so the same source always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ebooklib import epub

from pipeline.labels import labels_for
from pipeline.render import Prepared, style_path, templates
from pipeline.render.epub import EpubPart, epub_parts
from pipeline.scripts import direction


def build_time(source_date_epoch: int | None) -> dt.datetime:
    """``source_date_epoch`` (reproducible builds) when given, else now."""
    if source_date_epoch is not None:
        return dt.datetime.fromtimestamp(source_date_epoch, tz=dt.timezone.utc)
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


class XhtmlDocument(epub.EpubHtml):
    """An XHTML document written as we made it (ebooklib's ``EpubHtml`` re-parses
    the content as HTML and rebuilds its head)."""

    def get_content(self, default=None):
        return self.content


@dataclass
class NavEntry:
    title: str
    href: str
    children: list["NavEntry"] = field(default_factory=list)


def nav_tree(parts: list[EpubPart], fallback_title: str) -> list[NavEntry]:
    """Every heading of the text, nested by level, pointing at its file and id."""
    flat = [(h, part.file_name) for part in parts if part.kind == "chapter" for h in part.headings]
    roots: list[NavEntry] = []
    stack: list[tuple[int, NavEntry]] = []
    for heading, file_name in flat:
        entry = NavEntry(heading.title or "\u2042", f"{file_name}#{heading.id}")
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(entry)
        stack.append((heading.level, entry))
    first = next((p for p in parts if p.kind == "chapter"), None)
    if first is not None and (not flat or flat[0][1] != first.file_name or _starts_late(first)):
        # Text before the first heading (or no heading at all): an entry for it.
        roots.insert(0, NavEntry(fallback_title, first.file_name))
    return roots


def _starts_late(part: EpubPart) -> bool:
    """Whether the file has text before its first heading."""
    if part.body is None:
        return False
    for child in part.body:
        if child.tag in ("h1", "h2", "h3", "h4", "h5"):
            return False
        if "".join(child.itertext()).strip():
            return True
    return bool((part.body.text or "").strip())


def ncx_toc(entries: list[NavEntry]) -> list:
    """The same tree in ebooklib's terms, for the NCX."""
    toc = []
    for n, entry in enumerate(entries):
        if entry.children:
            toc.append((epub.Section(entry.title, href=entry.href), ncx_toc(entry.children)))
        else:
            toc.append(epub.Link(entry.href, entry.title, _nav_uid(entry.href, n)))
    return toc


def nav_depth(entries: list[NavEntry]) -> int:
    """How many levels the contents nest (1: a flat list)."""
    return max((1 + nav_depth(e.children) for e in entries), default=0)


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NO_RIGHTS_STATED = "The source states no rights or licence."
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"


class BookWriter(epub.EpubWriter):
    """ebooklib's writer, with what it leaves out of the package document and
    the NCX: the book's language on ``<package>`` (``xml:lang``), the NCX's
    ``dtb:depth`` (ebooklib writes 0) and its page list, the pamphlet's pages."""

    def __init__(self, name, book, options, lang: str, depth: int, pages: list[tuple[int, str]],
                 pages_label: str):
        super().__init__(name, book, options)
        self.lang, self.depth, self.pages, self.pages_label = lang, depth, pages, pages_label

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.lang)
        super()._write_opf_file(root)

    def _get_ncx(self):
        from lxml import etree

        root = etree.fromstring(super()._get_ncx())
        ns = {"n": NCX_NS}
        root.set(XML_LANG, self.lang)
        values = {"dtb:depth": self.depth, "dtb:totalPageCount": len(self.pages),
                  "dtb:maxPageNumber": max((n for n, _ in self.pages), default=0)}
        for meta in root.xpath("n:head/n:meta", namespaces=ns):
            if meta.get("name") in values:
                meta.set("content", str(values[meta.get("name")]))
        if self.pages:
            page_list = etree.SubElement(root, f"{{{NCX_NS}}}pageList")
            label = etree.SubElement(etree.SubElement(page_list, f"{{{NCX_NS}}}navLabel"), f"{{{NCX_NS}}}text")
            label.text = self.pages_label
            order = len(root.xpath("//n:navPoint", namespaces=ns))
            for number, href in self.pages:
                order += 1
                target = etree.SubElement(page_list, f"{{{NCX_NS}}}pageTarget",
                                          {"id": f"pagetarget-{number}", "type": "normal",
                                           "value": str(number), "playOrder": str(order)})
                text = etree.SubElement(etree.SubElement(target, f"{{{NCX_NS}}}navLabel"), f"{{{NCX_NS}}}text")
                text.text = str(number)
                etree.SubElement(target, f"{{{NCX_NS}}}content", {"src": href})
        return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)


def _nav_uid(href: str, n: int) -> str:
    return "nav-" + re.sub(r"[^A-Za-z0-9_-]", "-", href) + f"-{n}"


def file_as(name: str, sort_names: list[str] | None = None) -> str:
    """The sort form of a name: "Kropotkin, Pëtr". A sort name the source gives
    in that form wins; names of one word, of an organisation or in a script
    without surname-last order are kept as they are."""
    for candidate in sort_names or []:
        if "," in candidate and _same_person(candidate, name):
            return candidate.strip()
    words = name.split()
    if "," in name or len(words) < 2 or any(ord(ch) > 0x2E7F for ch in name):
        return name
    if words[-1].rstrip(".").lower() in {"jr", "sr", "ii", "iii"} and len(words) > 2:
        return f"{words[-2]}, {' '.join(words[:-2])}, {words[-1]}"
    if any(w.lower() in {"collective", "committee", "group", "crimethinc.", "library"} for w in words):
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _same_person(sort_name: str, name: str) -> bool:
    last, _, first = sort_name.partition(",")
    return set(f"{first} {last}".split()) == set(name.split())


class ImageCollector:
    """Puts the source's images into the book, each once, under ``images/``."""

    def __init__(self, base_dir: Path | None):
        self.base = base_dir.resolve() if base_dir else None
        # path, or the digest of a data: address → (href, data, media type)
        self.items: dict[Path | str, tuple[str, bytes, str]] = {}
        self.missing: list[str] = []

    def __call__(self, src: str) -> str | None:
        from urllib.parse import unquote, urlparse

        from pipeline.images import ImageRefused, load_image

        if src.startswith("data:image/"):      # an image from inside the source's own package
            return self._data_uri(src)
        parsed = urlparse(src)
        if not src or parsed.scheme not in ("", "file") or self.base is None:
            self._miss(src)
            return None
        path = (self.base / unquote(parsed.path)).resolve()
        if path in self.items:
            return self.items[path][0]
        if not path.is_relative_to(self.base) or not path.is_file():
            self._miss(src)
            return None
        try:        # the size and pixel limits; an SVG rebuilt from the allow-list
            picture = load_image(path)
        except ImageRefused:
            self._miss(src)
            return None
        href = f"images/image{len(self.items) + 1:03d}.{picture.extension}"
        self.items[path] = (href, picture.data, picture.media_type)
        return href

    def _data_uri(self, src: str) -> str | None:
        import hashlib

        from pipeline.images import ImageRefused, data_uri_image

        key = "data:" + hashlib.sha256(src.encode()).hexdigest()
        if key in self.items:
            return self.items[key][0]
        try:
            picture = data_uri_image(src)
        except ImageRefused:
            self._miss(src[:40] + "...")
            return None
        href = f"images/image{len(self.items) + 1:03d}.{picture.extension}"
        self.items[key] = (href, picture.data, picture.media_type)
        return href

    def _miss(self, src: str) -> None:
        if src not in self.missing:
            self.missing.append(src)

    def warning(self) -> str:
        if not self.missing:
            return ""
        shown = ", ".join(self.missing[:3]) + (f" and {len(self.missing) - 3} more" if len(self.missing) > 3 else "")
        return (f"{len(self.missing)} image(s) left out of the EPUB (not found in the source's folder, "
                f"or not an image): {shown}")


def book_images_alt(parts: list[EpubPart]) -> tuple[int, int]:
    """(images in the text, of which with a text alternative)."""
    total = with_alt = 0
    for part in parts:
        for img in re.findall(r"<img\b[^>]*>", part.xhtml):
            total += 1
            if re.search(r'\balt="[^"]*\S[^"]*"', img):
                with_alt += 1
    return total, with_alt


@dataclass
class BookFacts:
    """What the accessibility metadata may claim, as found in the book made."""

    has_headings: bool
    notes: int                  # footnotes, each linked to its call and back
    toc_depth: int              # levels of the contents
    print_pages: int            # pamphlet pages marked, with a page list
    print_edition: str          # the pamphlet they come from


def accessibility_metadata(book, parts: list[EpubPart], facts: BookFacts) -> None:
    """schema.org accessibility metadata, saying only what is true of this book."""
    images, with_alt = book_images_alt([p for p in parts if p.kind != "cover"])
    modes = ["textual"] + (["visual"] if images else [])
    sufficient = ["textual"] if images == with_alt else []
    if images:
        sufficient.insert(0, "textual,visual")
    features = (["structuralNavigation"] if facts.has_headings else []) + ["tableOfContents", "readingOrder",
                                                                          "displayTransformability"]
    if images and images == with_alt:
        features.append("alternativeText")
    if facts.print_pages:
        features += ["pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    for mode in modes:
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    for mode in sufficient:
        book.add_metadata(None, "meta", mode, {"property": "schema:accessModeSufficient"})
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    if facts.print_pages:
        book.add_metadata(None, "meta", facts.print_edition, {"property": "pageBreakSource"})
    contents = "nested table of contents" if facts.toc_depth > 1 else "table of contents"
    summary = ("Reflowable text with no fixed layout; the reader's fonts, sizes and colours apply. "
               + (f"Headings give the structure and a {contents}" if facts.has_headings else f"A {contents}")
               + " and landmarks lead to each part; the reading order is the text's order. ")
    if facts.notes:
        summary += "Footnotes are linked both ways: from each call to its note and back. "
    if facts.print_pages:
        summary += (f"The page numbers of {facts.print_edition} are marked in the text, "
                    "with a page list to go to them. ")
    if images:
        summary += (f"All {images} images have a text alternative. " if images == with_alt else
                    f"{images - with_alt} of {images} images have no text alternative (the source gives none). ")
    else:
        summary += "The text has no images (the cover repeats the title and author). "
    summary += "No conformance to an accessibility standard is claimed: it has not been checked by a person."
    book.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})


def write_epub(prep: Prepared, embed_fonts: bool = False, source_date_epoch: int | None = None) -> bytes:
    """The EPUB of a prepared document, stamped with ``source_date_epoch``
    (seconds; None: now). Warnings (a missing image or cover) are added to
    ``prep.doc.warnings``."""
    from pipeline.writers.epub.cover import cover_for

    doc = prep.doc
    meta = doc.metadata
    labels = labels_for(prep.lang)
    book = epub.EpubBook()
    book.set_identifier(doc.identifier())
    book.title = meta.title
    book.add_metadata("DC", "title", meta.title, {"id": "title"})
    book.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    book.set_language(prep.lang)
    for n, author in enumerate(meta.authors):
        uid = f"creator{n}"
        book.add_metadata("DC", "creator", author, {"id": uid})
        book.add_metadata(None, "meta", file_as(author, meta.sort_authors), {"refines": f"#{uid}", "property": "file-as"})
        book.add_metadata(None, "meta", "aut", {"refines": f"#{uid}", "property": "role",
                                                "scheme": "marc:relators"})
    w3c_date = w3c_date_of(meta.date)
    if w3c_date:
        book.add_metadata("DC", "date", w3c_date)
    if meta.source:
        book.add_metadata("DC", "source", " ".join(meta.source.split()))
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    else:
        # Said, not guessed: the source gives no licence or rights statement.
        book.add_metadata("DC", "rights", NO_RIGHTS_STATED, {XML_LANG: "en"})
    if meta.notes:
        book.add_metadata("DC", "description", " ".join(meta.notes.split()))
    for topic in meta.topics:
        book.add_metadata("DC", "subject", topic)

    env = templates()
    images = ImageCollector(doc.base_dir)
    parts = epub_parts(prep, image_href=images)

    fonts_css = ""
    font_items = []
    if embed_fonts:
        from pipeline.writers.epub.fonts import embedded_fonts, font_face_css
        used = "".join(re.sub(r"<[^>]+>", "", p.xhtml) for p in parts) + "".join(vars(labels).values())
        fonts = embedded_fonts(html_unescape(used))
        if fonts:
            fonts_css = font_face_css(fonts)
            font_items = [epub.EpubItem(uid=f"font{n}", file_name=f.file_name, media_type="font/otf", content=f.data)
                          for n, f in enumerate(fonts)]
    css_bytes = style_path("epub.css").read_bytes() + fonts_css.encode("utf-8")
    book.add_item(epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css", content=css_bytes))
    for item in font_items:
        book.add_item(item)

    cover, warnings = cover_for(doc, prep.lang)
    doc.warnings.extend(warnings)
    cover_name = f"images/cover.{cover.extension}"
    cover_item = epub.EpubCover(file_name=cover_name)
    cover_item.media_type = cover.media_type
    cover_item.content = cover.data
    book.add_item(cover_item)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    alt = f"{meta.title} — {meta.author_line}" if meta.author_line else meta.title
    cover_page = EpubPart("cover.xhtml", labels.cover, "cover",
                          xhtml=env.get_template("epub_cover.xhtml").render(
                              lang=prep.lang, label=labels.cover, src=cover_name, alt=alt))
    parts.insert(0, cover_page)
    if images.warning():
        doc.warnings.append(images.warning())
    for n, (href, data, media_type) in enumerate(images.items.values(), start=1):
        book.add_item(epub.EpubItem(uid=f"image{n:03d}", file_name=href, media_type=media_type, content=data))

    items: dict[str, epub.EpubHtml] = {}
    for part in parts:
        uid = part.file_name.rsplit(".", 1)[0]
        item = XhtmlDocument(uid=uid, title=part.title, file_name=part.file_name, lang=prep.lang)
        item.content = part.xhtml.encode("utf-8")
        book.add_item(item)
        items[part.file_name] = item

    chapters = [p for p in parts if p.kind == "chapter"]
    tree = nav_tree(parts, meta.title)
    nav_toc = tree + ([NavEntry(labels.colophon, "colophon.xhtml")] if "colophon.xhtml" in items else [])
    landmarks = [("cover", "cover.xhtml", labels.cover), ("titlepage", "titlepage.xhtml", labels.titlepage)]
    if prep.show_toc:
        landmarks.append(("toc", "nav.xhtml", labels.contents))
    if chapters:
        landmarks.append(("bodymatter", chapters[0].file_name, labels.start))
    if "colophon.xhtml" in items:
        landmarks.append(("colophon", "colophon.xhtml", labels.colophon))
    nav = XhtmlDocument(uid="nav", title=labels.contents, file_name="nav.xhtml", lang=prep.lang)
    nav.properties = ["nav"]
    pages = sorted((number, f"{part.file_name}#{marker}") for part in parts for number, marker in part.pages)
    nav.content = env.get_template("epub_nav.xhtml").render(
        lang=prep.lang, labels=labels, toc=nav_toc, landmarks=landmarks, pages=pages).encode("utf-8")
    book.add_item(nav)
    book.toc = ncx_toc(nav_toc)
    book.add_item(epub.EpubNcx())
    # The EPUB 2 guide, for readers that predate the nav document's landmarks.
    guide_types = {"cover": "cover", "titlepage": "title-page", "toc": "toc", "bodymatter": "text",
                   "colophon": "colophon"}
    book.guide = [{"type": guide_types[t], "href": href, "title": title} for t, href, title in landmarks]

    spine = [items["cover.xhtml"], items["titlepage.xhtml"]]
    if prep.show_toc:
        spine.append(nav)
    spine += [items[p.file_name] for p in parts if p.kind in ("chapter", "colophon")]
    book.spine = spine
    if direction(prep.lang) == "rtl":
        book.set_direction("rtl")       # page-progression-direction on the spine
    facts = BookFacts(has_headings=any(p.headings for p in chapters), notes=len(doc.notes),
                      toc_depth=nav_depth(nav_toc), print_pages=len(pages), print_edition=prep.print_edition)
    accessibility_metadata(book, parts, facts)

    when = build_time(source_date_epoch)
    raw = io.BytesIO()
    writer = BookWriter(raw, book, {"mtime": when, "epub3_landmark": False, "epub3_pages": False,
                                    "epub2_guide": True, "raise_exceptions": True,
                                    "play_order": {"enabled": True, "start_from": 1}},
                        lang=prep.lang, depth=nav_depth(nav_toc), pages=pages, pages_label=labels.pages)
    writer.process()
    writer.write()
    return normalize_zip(raw.getvalue(), when)


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


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
