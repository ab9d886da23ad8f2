"""Opening an EPUB and checking what the EPUB issue asks of every book: the cover,
the nav with every heading, footnotes linked both ways, the whole text in order,
the colophon's attribution. Used by the sample tests and the corpus-wide test."""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from conftest import alnum, epub_body_text

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Book:
    path: Path
    opf: etree._Element
    base: str
    files: dict[str, bytes]
    manifest: dict[str, etree._Element] = field(default_factory=dict)   # id → item

    @classmethod
    def open(cls, path: Path) -> "Book":
        with zipfile.ZipFile(path) as z:
            files = {name: z.read(name) for name in z.namelist()}
        container = etree.fromstring(files["META-INF/container.xml"])
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        opf = etree.fromstring(files[opf_path])
        book = cls(path, opf, base, files)
        book.manifest = {i.get("id"): i for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
        return book

    def read(self, href: str) -> bytes:
        return self.files[self.base + href]

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))

    def spine(self) -> list[str]:
        return [self.manifest[i].get("href") for i in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]

    def item_with(self, prop: str) -> etree._Element:
        items = [i for i in self.manifest.values() if prop in (i.get("properties") or "").split()]
        assert len(items) == 1, f"{self.path.name}: {len(items)} manifest items with properties={prop}"
        return items[0]

    def meta(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]

    def dc(self, name: str) -> list[str]:
        return [" ".join((e.text or "").split()) for e in self.opf.iter(f"{{{NS['dc']}}}{name}")]


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG from its header."""
    if data.startswith(b"\x89PNG"):
        return struct.unpack(">II", data[16:24])
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("not a PNG or JPEG")


def check_cover(book: Book, generated: bool = True) -> None:
    name = book.path.name
    item = book.item_with("cover-image")
    assert item.get("media-type") in ("image/jpeg", "image/png", "image/gif", "image/webp"), name
    cover_id = item.get("id")
    legacy = book.opf.xpath("//opf:meta[@name='cover']/@content", namespaces=NS)
    assert legacy == [cover_id], f"{name}: EPUB 2 cover meta {legacy} ≠ {cover_id}"
    data = book.read(item.get("href"))
    if generated:
        assert image_size(data) == (1600, 2560), name
    first = book.spine()[0]
    page = book.xhtml(first)
    assert page.xpath("//*[contains(concat(' ', @epub:type, ' '), ' cover ')]", namespaces=NS), name
    srcs = page.xpath("//x:img/@src", namespaces=NS)
    alts = page.xpath("//x:img/@alt", namespaces=NS)
    assert srcs == [item.get("href")] and alts and alts[0].strip(), f"{name}: cover page {srcs} {alts}"
    assert landmarks(book).get("cover") == first, name


def nav_doc(book: Book) -> tuple[str, etree._Element]:
    href = book.item_with("nav").get("href")
    return href, book.xhtml(href)


def landmarks(book: Book) -> dict[str, str]:
    _, nav = nav_doc(book)
    return {a.get(EPUB_TYPE): a.get("href")
            for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)}


def check_nav(book: Book) -> None:
    """Every heading of the text is in the nav, under its own text, in order;
    landmarks name the title page, the start of the text and the colophon."""
    name = book.path.name
    _, nav = nav_doc(book)
    links = [(a.get("href"), alnum("".join(a.itertext())))
             for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)]
    hrefs = [h for h, _ in links]
    headings = []
    for href in book.spine():
        tree = book.xhtml(href)
        for h in tree.xpath("//x:section[contains(@epub:type,'chapter')]//*[self::x:h1 or self::x:h2 or self::x:h3"
                            " or self::x:h4 or self::x:h5]", namespaces=NS):
            headings.append((f"{href}#{h.get('id')}", alnum("".join(h.itertext()))))
    position = -1
    for target, text in headings:
        assert target in hrefs, f"{name}: heading {target} ({text[:40]}) not in the nav"
        index = hrefs.index(target)
        assert index > position, f"{name}: heading {target} out of order in the nav"
        position = index
        nav_text = links[index][1]
        assert nav_text and (nav_text in text or text in nav_text), f"{name}: nav says {nav_text!r} for {text!r}"
    # nested: a chapter's sections sit inside its list item
    marks = landmarks(book)
    for kind in ("titlepage", "bodymatter"):
        assert kind in marks, f"{name}: no {kind} landmark"
    for href in hrefs:
        file_name, _, fragment = href.partition("#")
        tree = book.xhtml(file_name)
        if fragment:
            assert tree.xpath(f"//*[@id='{fragment}']"), f"{name}: nav link {href} leads nowhere"
    # the NCX too, for old readers
    ncx = next(i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
    ncx_tree = etree.fromstring(book.read(ncx.get("href")))
    ncx_targets = ncx_tree.xpath("//*[local-name()='navMap']//*[local-name()='content']/@src")
    assert [t for t in ncx_targets if "#" in t] == [h for h in hrefs if "#" in h], f"{name}: NCX ≠ nav"


def check_footnotes(book: Book) -> int:
    """Each note reference leads to a footnote aside whose back link leads to the
    reference; each footnote aside is referenced. Returns the number of notes."""
    name = book.path.name
    refs: dict[str, str] = {}          # "file#id" of the reference → "file#id" of the note
    notes: dict[str, str] = {}         # "file#id" of the note → back link target
    for href in book.spine():
        tree = book.xhtml(href)
        for a in tree.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            target = a.get("href")
            target = target if not target.startswith("#") else f"{href}{target}"
            refs[f"{href}#{a.get('id')}"] = target
        for aside in tree.xpath("//x:aside[@epub:type='footnote']", namespaces=NS):
            back = aside.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
            assert back, f"{name}: note {aside.get('id')} has no back link"
            b = back[0] if not back[0].startswith("#") else f"{href}{back[0]}"
            notes[f"{href}#{aside.get('id')}"] = b
    for ref, target in refs.items():
        assert target in notes, f"{name}: reference {ref} → {target}, which is not a footnote"
    for note, back in notes.items():
        assert back in refs, f"{name}: note {note} links back to {back}, which is not a reference"
        assert refs[back] == note, f"{name}: note {note}'s back link leads to a reference to {refs[back]}"
    return len(notes)


def check_body_text(book: Book, expected: str) -> None:
    """The chapters hold exactly the text of the source's body, in order
    (compared on letters and digits: typography may differ, words may not)."""
    got, want = alnum(epub_body_text(book.path)), alnum(expected)
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise AssertionError(f"{book.path.name}: body text differs at {at}: "
                             f"EPUB …{got[max(0, at - 40):at + 40]}… source …{want[max(0, at - 40):at + 40]}…")


def check_colophon(book: Book, parts: list[str]) -> None:
    marks = landmarks(book)
    assert "colophon" in marks, f"{book.path.name}: no colophon landmark"
    href = marks["colophon"]
    assert book.spine()[-1] == href, f"{book.path.name}: the colophon is not the last document"
    tree = book.xhtml(href)
    section = tree.xpath("//x:section[contains(@epub:type,'colophon')]", namespaces=NS)
    assert section, f"{book.path.name}: no colophon section"
    text = alnum("".join(section[0].itertext()))
    for part in parts:
        if alnum(part):
            assert alnum(part) in text, f"{book.path.name}: colophon lacks {part!r}"


def check_metadata(book: Book, title: str, authors: list[str], lang: str) -> None:
    name = book.path.name
    assert book.dc("title")[0] == " ".join(title.split()), name
    assert book.dc("creator") == [" ".join(a.split()) for a in authors], name
    assert book.dc("language") == [lang], name
    ids = book.dc("identifier")
    assert len(ids) == 1 and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ids[0]), name
    creators = book.opf.xpath("//dc:creator/@id", namespaces=NS)
    for cid in creators:
        refs = book.opf.xpath(f"//opf:meta[@refines='#{cid}' and @property='file-as']", namespaces=NS)
        assert len(refs) == 1 and refs[0].text.strip(), f"{name}: creator {cid} has no file-as"
    assert book.meta("dcterms:modified"), name
    assert "textual" in book.meta("schema:accessMode"), name
    assert book.meta("schema:accessModeSufficient"), name
    assert {"tableOfContents", "readingOrder"} <= set(book.meta("schema:accessibilityFeature")), name
    assert book.meta("schema:accessibilityHazard") == ["none"], name
    assert book.meta("schema:accessibilitySummary"), name
    # no conformance claim: nothing checks WCAG here
    assert not book.meta("dcterms:conformsTo"), name


# ---------------------------------------------------------------- whole texts

def header_fields(source: Path) -> set[str] | None:
    """Which of title/author a source states, read from the file itself (not with
    our readers): a .muse header's directives; a Markdown front matter or
    heading with an "Author:" line. None when the file's own form does not say
    plainly (plain text, most exports: the reader decides)."""
    text = source.read_text(encoding="utf-8", errors="replace")
    found: set[str] = set()
    if source.suffix == ".muse":
        for line in text.splitlines():
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            key, _, value = line[1:].partition(" ")
            if value.strip() and key.lower() == "title":
                found.add("title")
            if value.strip() and key.lower() in ("author", "authors", "sortauthors"):
                found.add("author")
        return found
    if source.suffix == ".md":
        front = re.match(r"---\n(.*?)\n---\n", text, re.S)
        fields = dict(re.findall(r"^(\w+):\s*(.*)$", front.group(1), re.M)) if front else {}
        if fields.get("title", "").strip(" \"'") or re.search(r"^#{1,2} \S", text, re.M):
            found.add("title")
        if fields.get("author", "").strip(" \"'") or re.search(r"^\s*Author:\s*\S", text, re.M | re.I):
            found.add("author")
        if found == {"title", "author"}:
            return found    # stated plainly: must build
        # An export may name its author on the line under its title or in its
        # colophon, which only a reader can tell: either outcome, but a failure
        # must be the missing-field error.
    return None


def check_sources(sources: list[Path], out: Path, corpus_build=None) -> dict[str, list[str]]:
    """Build ``sources`` to EPUB through the CLI (reproducibly) — or take the
    EPUBs the session's ``corpus_build`` already made of them — validate every
    EPUB with EPUBCheck in one JVM and open each to check it. A source that does
    not state its title or author must end in the missing-field error instead.
    Returns the problems by source (empty when all is well)."""
    from conftest import CORPUS, epubcheck, run_cli
    from pipeline.build import BuildOptions, load

    if corpus_build is None:
        stems = [s.stem for s in sources]
        assert len(set(stems)) == len(stems), "two sources would give the same EPUB name"
        proc = run_cli("build", *sources, "-o", out, "--format", "epub", env={"SOURCE_DATE_EPOCH": "1700000000"})
        errors = dict(re.findall(r"^error: (.+?): (.*)$", proc.stderr, re.M))
        exit_note = f"(exit {proc.returncode}): {proc.stderr[-500:]}"

        def epubs_of(source: Path) -> list[Path]:
            return list(out.rglob(f"{source.stem}.epub"))
    else:
        errors = {entry["source"]: entry["error"].removeprefix(entry["source"] + ": ")
                  for entry in corpus_build.report["sources"] if entry["status"] == "failed"}
        exit_note = "in the corpus build"

        def epubs_of(source: Path) -> list[Path]:
            epub = corpus_build.output(str(source.relative_to(CORPUS)), ".epub")
            return [epub] if epub.exists() else []
    problems: dict[str, list[str]] = {}
    built: dict[Path, Path] = {}
    for source in sources:
        said = header_fields(source)
        epubs = epubs_of(source)
        error = errors.get(str(source))
        if error is not None:
            assert not epubs, f"{source}: failed but left {epubs}"
            missing = re.match(r"no (title|author)", error)
            if not missing:
                problems[str(source)] = [f"failed: {error}"]
            elif said is not None and missing.group(1) in said:
                problems[str(source)] = [f"says its {missing.group(1)} yet failed: {error}"]
            continue
        if said is not None and said != {"title", "author"}:
            problems[str(source)] = [f"states no {({'title', 'author'} - said).pop()}, yet an EPUB was made"]
        if len(epubs) != 1:
            problems.setdefault(str(source), []).append(f"no EPUB {exit_note}")
            continue
        built[source] = epubs[0]
    results = epubcheck(list(built.values())) if built else {}
    for source, path in built.items():
        result = results[path]
        if not result.clean:
            problems.setdefault(str(source), []).extend(result.messages[:5] or ["EPUBCheck not clean"])
        try:
            doc = load(source, BuildOptions())
            book = Book.open(path)
            meta = doc.metadata
            check_metadata(book, meta.title, meta.authors, book.dc("language")[0])
            check_cover(book, generated=not meta.cover or not (source.parent / meta.cover).is_file())
            check_nav(book)
            check_footnotes(book)
            check_body_text(book, "".join(doc.body.itertext()))
            if not meta.nofinalpage:
                check_colophon(book, [meta.title, meta.author_line, meta.publisher, meta.rights])
        except AssertionError as exc:
            problems.setdefault(str(source), []).append(str(exc))
    return problems


# ---------------------------------------------------------------- the pamphlet's pages

def text_after(tree: etree._Element, marker: etree._Element, chars: int = 30) -> str:
    """The text that follows ``marker`` in its document, at least ``chars`` letters
    and digits of it (the notes left out: print has them at the page's foot)."""
    got: list[str] = []
    started = False

    def visit(el) -> bool:
        nonlocal started
        if el is marker:
            started = True
        skipped = el.tag == f"{{{NS['x']}}}aside"
        if started and not skipped and el.text:
            got.append(el.text)
        if not skipped:
            for child in el:
                if visit(child):
                    return True
                if started and child.tail:
                    got.append(child.tail)
                if len(alnum("".join(got))) >= chars:
                    return True
        return len(alnum("".join(got))) >= chars

    visit(tree)
    return "".join(got)


def check_page_list(book: Book, pdf: Path) -> list[int]:
    """The page list has an entry per pamphlet page (give or take blank pages,
    the contents and pages of notes only: 4 pages, or 10 % of a long book), in
    order; each leads to a page-break marker whose following text poppler finds
    on that page of the PDF. Returns the page numbers listed."""
    from conftest import pdf_page_texts

    name = book.path.name
    _, nav = nav_doc(book)
    links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    numbers = [int("".join(a.itertext())) for a in links]
    pages = pdf_page_texts(pdf)
    total = len(pages)
    assert numbers == sorted(set(numbers)), f"{name}: page list out of order {numbers}"
    assert total - len(numbers) <= max(4, total // 10), f"{name}: {len(numbers)} entries for {total} pages"
    assert "printPageNumbers" in book.meta("schema:accessibilityFeature"), name
    assert book.meta("pageBreakSource"), name
    for a, number in zip(links, numbers):
        file_name, _, fragment = a.get("href").partition("#")
        tree = book.xhtml(file_name)
        marker = tree.xpath(f"//*[@id='{fragment}']")
        assert marker, f"{name}: page {number} leads nowhere ({a.get('href')})"
        marker = marker[0]
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak" \
            and marker.get("aria-label") == str(number), f"{name}: page {number}: {etree.tostring(marker)}"
        # The marker stands before the word the page starts in (its second half,
        # when hyphenated): what follows that word is on the page.
        following = text_after(tree, marker, 60)
        word = re.match(r"[^\s\u2e80-\U0010ffff]*", following.lstrip()).group()
        after = alnum(following)
        # A list's numbers are the reading system's to draw: not in the EPUB's text (a
        # nested list's, after the bullet of the item holding it, neither).
        raw = pages[number - 1]
        unnumbered = re.sub(r"(?m)^(\s*(?:[•◦▪‣]\s*)*)(\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]\s", r"\1", raw)
        page_text = alnum(raw) + "|" + alnum(unnumbered)
        assert after and any(after[k:k + 20] in page_text for k in range(len(alnum(word)) + 1)), \
            f"{name}: page {number} of the EPUB begins {following[:60]!r}, not on the PDF's page {number}"
    return numbers
