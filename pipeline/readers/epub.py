"""EPUB 2 and 3 → ``Document``.

The package document (OPF) gives the metadata: title and subtitle (EPUB 3
``title-type`` refinements; else the first title), creators by role (authors:
``aut`` or no role; translators, editors, illustrators… become colophon notes),
language, date, publisher, rights, source, description, subjects. The spine
gives the text, in order, without the source's own cover, title page, table of
contents, imprint, colophon and copyright page (known by ``epub:type`` or
``role`` on the document, by the EPUB 2 guide or the EPUB 3 landmarks, or as
the navigation document; Project Gutenberg's header and licence too): what
those say of the edition is kept as colophon notes. Notes are found as
``pipeline.readers.xhtml`` says, across the book's documents; images are taken
from inside the package.

A book whose content is encrypted (``META-INF/encryption.xml`` naming anything
but the font obfuscation of the IDPF or Adobe; Adobe ADEPT's ``rights.xml``,
Readium LCP's ``license.lcpl``, Apple FairPlay's ``sinf.xml``) is refused: it
can be read only by the reading system it was sold for.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from pipeline.document import Document, Metadata, drop_image, remove_keeping_tail
from pipeline.errors import UnreadableSource
from pipeline.readers.package import Package, local, plain, text_refused, to_body
from pipeline.readers.xhtml import collect_notes, inner_html, semantics, strip_namespaces

FORMAT = "epub"
EXTENSIONS = (".epub",)
HOW_TO_STATE = {"title": "give the book a dc:title in its package document",
                "author": "give the book a dc:creator in its package document"}
BINARY = True

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"opf": OPF, "dc": DC, "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
# Encryption that only hides fonts from copying, not the text.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
DRM_FILES = {
    "META-INF/rights.xml": "Adobe ADEPT",
    "META-INF/license.lcpl": "Readium LCP",
    "META-INF/sinf.xml": "Apple FairPlay",
}
# Documents of the source's own front and back matter, which our title page,
# contents and colophon replace (epub:type, EPUB 2 guide types, ARIA roles).
SKIPPED = {"cover", "titlepage", "title-page", "halftitlepage", "toc", "imprint", "colophon",
           "copyright-page", "copyright", "loi", "lot", "landmarks", "page-list"}
# What of a skipped document is kept as notes of our colophon.
ATTRIBUTION = {"imprint", "colophon", "copyright-page", "copyright"}
MAX_ATTRIBUTION_CHARS = 600
ROLES = {"trl": "Translated by", "edt": "Edited by", "ill": "Illustrated by", "aui": "Introduction by",
         "aft": "Afterword by", "ann": "Annotated by", "com": "Compiled by", "pbl": "Published by",
         "ctb": "With contributions by", "bkp": "Produced by", "tyd": "Typeset by"}


parse = text_refused("an EPUB")   # only files are read (``parse_bytes``)


def parse_bytes(data: bytes, path: Path | None = None) -> Document:
    book = Package(data, path, "EPUB")
    refuse_drm(book)
    if not book.has("META-INF/container.xml"):
        raise book.broken("it has no META-INF/container.xml")
    container = book.xml("META-INF/container.xml")
    rootfiles = container.xpath("//c:rootfile/@full-path", namespaces=NS) or \
        container.xpath("//*[local-name()='rootfile']/@full-path")
    if not rootfiles:
        raise book.broken("its container.xml names no package document")
    opf_name = rootfiles[0]
    opf = book.xml(opf_name)
    metadata = read_metadata(opf)
    manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
    spine = [ref.get("idref") for ref in opf.iter(f"{{{OPF}}}itemref")]
    if not spine:
        raise book.broken("its spine lists no documents")
    skipped_names = matter_to_skip(book, opf, opf_name, manifest)
    docs: list[tuple[str, etree._Element]] = []
    attribution: list[str] = []
    for idref in spine:
        item = manifest.get(idref)
        if item is None:
            raise book.broken(f"its spine names {idref!r}, which the manifest does not list")
        name = book.resolve(opf_name, item.get("href") or "")
        if not name or not book.has(name):
            raise book.broken(f"its spine names {item.get('href')!r}, which the package does not hold")
        if "html" not in (item.get("media-type") or ""):     # an image or SVG in the spine
            continue
        body = document_body(book, name)
        kinds = skip_kinds(body) | skipped_names.get(name, set())
        if "nav" in (item.get("properties") or "").split() or kinds & SKIPPED:
            if kinds & ATTRIBUTION:
                attribution.append(plain("".join(body.itertext())))
            continue
        for section in body.xpath(".//*[@id='pg-header' or @id='pg-footer']"):
            remove_keeping_tail(section)
        docs.append((name, body))
    if not docs:
        raise UnreadableSource("the EPUB holds no text besides its cover, title page and contents",
                               path=path, hint="check that it is the book you meant")
    others: dict[str, etree._Element] = {}

    def resolve(base: str, href: str):
        if href.startswith("#"):
            return base, href[1:]
        target = book.resolve(base, href)
        if target is None or "#" not in href:
            return None
        if target not in others and target not in dict(docs):
            if not book.has(target):
                return None
            others[target] = document_body(book, target)
        return target, href.split("#", 1)[1]

    notes = collect_notes(docs, others, resolve)
    drop_repeated_title(docs[0][1], metadata.title)
    parts = []
    for name, body in docs:
        local_links(book, name, body)
        parts.append(inner_html(body))
    body, found, warnings = to_body("".join(parts), notes)
    for text in attribution:
        if text:
            cut = text if len(text) <= MAX_ATTRIBUTION_CHARS else text[:MAX_ATTRIBUTION_CHARS].rsplit(" ", 1)[0] + " …"
            metadata.notes = "\n".join(filter(None, [metadata.notes, cut]))
    return Document(metadata=metadata, body=body, notes=found, path=path, format=FORMAT,
                    warnings=book.warnings + warnings)


def drop_repeated_title(body: etree._Element, title: str) -> None:
    """The heading that opens the text when it only repeats the title (our
    title page shows it)."""
    for el in body.iter():
        if not isinstance(el.tag, str) or el is body or el.tag in ("section", "div", "header", "hgroup"):
            continue
        if re.fullmatch(r"h[1-6]", el.tag) and title and plain("".join(el.itertext())).casefold() == plain(title).casefold():
            remove_keeping_tail(el)
        return


def refuse_drm(book: Package) -> None:
    for name, scheme in DRM_FILES.items():
        if book.has(name):
            raise _drm(book, scheme)
    if book.has("META-INF/encryption.xml"):
        encryption = book.xml("META-INF/encryption.xml")
        for method in encryption.iter("{*}EncryptionMethod"):
            if method.get("Algorithm") not in FONT_OBFUSCATION:
                raise _drm(book, "its content is encrypted")


def _drm(book: Package, scheme: str) -> UnreadableSource:
    what = scheme if scheme.startswith("its") else f"it is locked by {scheme} DRM"
    return UnreadableSource(f"cannot read this EPUB: {what}", path=book.path,
                            hint="only the reading system it was sold for can open it; use a DRM-free copy")


def read_metadata(opf: etree._Element) -> Metadata:
    meta = Metadata()
    metadata = opf.find(f"{{{OPF}}}metadata")
    if metadata is None:
        return meta
    refines: dict[str, dict[str, str]] = {}
    for el in metadata.iter(f"{{{OPF}}}meta"):
        if el.get("refines") and el.get("property"):
            refines.setdefault(el.get("refines").lstrip("#"), {})[el.get("property")] = plain(el.text)

    def dc(name: str) -> list[etree._Element]:
        return [el for el in metadata.iter(f"{{{DC}}}{name}") if plain(el.text)]

    titles = dc("title")
    for el in titles:
        kind = refines.get(el.get("id") or "", {}).get("title-type", "")
        if kind == "main" and not meta.title:
            meta.title = plain(el.text)
        elif kind == "subtitle" and not meta.subtitle:
            meta.subtitle = plain(el.text)
    if not meta.title and titles:
        meta.title = plain(titles[0].text)
    credits = []
    for el in dc("creator") + dc("contributor"):
        role = (el.get(f"{{{OPF}}}role") or refines.get(el.get("id") or "", {}).get("role", "")).lower()
        name = plain(el.text)
        if role in ("", "aut") and local(el.tag) == "creator":
            meta.authors.append(name)
        elif role in ROLES:
            credits.append(f"{ROLES[role]} {name}")
    languages = dc("language")
    meta.lang = plain(languages[0].text) if languages else ""
    dates = dc("date")
    published = [d for d in dates if (d.get(f"{{{OPF}}}event") or "publication") == "publication"]
    if published:
        meta.date = plain(published[0].text)
    for field, name in (("publisher", "publisher"), ("rights", "rights"), ("source", "source")):
        values = dc(name)
        if values:
            setattr(meta, field, plain(values[0].text))
    meta.topics = [plain(el.text) for el in dc("subject")]
    descriptions = dc("description")
    if descriptions:      # EPUB 3 allows markup in it, escaped
        description = descriptions[0].text
        if "<" in description:
            try:
                description = lxml.html.fromstring(description).text_content()
            except (etree.ParserError, ValueError):
                pass
        meta.extra["description"] = plain(description)
    meta.notes = "\n".join(credits)
    return meta


def matter_to_skip(book: Package, opf: etree._Element, opf_name: str, manifest: dict) -> dict[str, set[str]]:
    """Documents the EPUB 2 guide or the EPUB 3 landmarks call cover, title
    page, contents, colophon…: member name → those types."""
    kinds: dict[str, set[str]] = {}
    for ref in opf.iter(f"{{{OPF}}}reference"):
        name = book.resolve(opf_name, ref.get("href") or "")
        if name:
            kinds.setdefault(name, set()).add((ref.get("type") or "").lower())
    for item in manifest.values():
        if "nav" not in (item.get("properties") or "").split():
            continue
        nav_name = book.resolve(opf_name, item.get("href") or "")
        if not nav_name or not book.has(nav_name):
            continue
        nav = document_body(book, nav_name)
        for landmarks in nav.iter("nav"):
            if "landmarks" not in semantics(landmarks):
                continue
            for a in landmarks.iter("a"):
                name = book.resolve(nav_name, a.get("href") or "")
                if name and "#" not in (a.get("href") or ""):
                    kinds.setdefault(name, set()).update(semantics(a))
    return kinds


def skip_kinds(body: etree._Element) -> set[str]:
    """The types the document states for itself: on its body, or on the one
    section that holds all of it."""
    kinds = set(semantics(body))
    children = [c for c in body if isinstance(c.tag, str)]
    while len(children) == 1 and children[0].tag in ("section", "div", "nav", "header"):
        kinds |= semantics(children[0])
        children = [c for c in children[0] if isinstance(c.tag, str)]
    return kinds


def document_body(book: Package, name: str) -> etree._Element:
    """The ``body`` of an XHTML member, namespaces dropped (an HTML parse when
    it is not well-formed XML)."""
    data = book.read(name)
    try:
        root = etree.fromstring(data, _XHTML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        try:
            root = lxml.html.document_fromstring(data)
        except (etree.ParserError, ValueError) as exc:
            raise book.broken(f"{name} is not an XHTML document ({exc})") from exc
    strip_namespaces(root)
    body = root.find("body")
    if body is None:
        raise book.broken(f"{name} has no body")
    images(book, name, body)
    return body


_XHTML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                huge_tree=False, remove_comments=True, remove_pis=True, recover=False)


def local_links(book: Package, name: str, body: etree._Element) -> None:
    """Links between the book's documents point at their anchor in ours; a
    link to a whole document keeps its text only."""
    for a in body.iter("a"):
        href = a.get("href") or ""
        if not href or href.startswith("#") or re.match(r"(?i)(https?|mailto):", href):
            continue
        target = book.resolve(name, href)
        if target is not None and "#" in href:
            a.set("href", "#" + href.split("#", 1)[1])
        else:
            del a.attrib["href"]


def images(book: Package, name: str, root: etree._Element) -> None:
    """Images of the package as ``data:`` addresses; an image the package does
    not hold is left out here (a file beside the book is not its image), one
    with an address is left to the safety pass (which refuses it)."""
    for img in list(root.iter("img")):
        src = img.get("src") or ""
        if src.startswith("data:") or re.match(r"(?i)[a-z][a-z0-9+.-]*:", src):
            continue
        uri = book.image_uri(book.resolve(name, src))
        if uri:
            img.set("src", uri)
        else:   # never a file beside the book: its images are inside it
            book.warnings.append(f"{name}: image {src[:80]!r} left out: the EPUB does not hold it "
                                 "(or it is not a JPEG, PNG, GIF, WebP or SVG image within the size limit)")
            drop_image(img)
