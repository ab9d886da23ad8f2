"""What the readers of zipped formats (EPUB, DOCX, ODT) share: opening the
archive, reading its members within limits, parsing their XML safely, telling
the formats apart by content, and handing their notes to the body converter.

Every member is untrusted: XML is parsed without DTDs, entities or network
(``XML_PARSER``); a member is read only up to ``MAX_MEMBER_BYTES`` uncompressed
and the archive up to ``MAX_ARCHIVE_BYTES`` in all (a zip bomb stops there);
a path inside the package is resolved against the member that names it and
refused when it leaves the package (``../``, absolute). Images inside the
package become ``data:`` addresses, which ``pipeline/safety.py`` and
``pipeline/images.py`` vet like any other image.
"""

from __future__ import annotations

import base64
import html as html_escape
import io
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from pipeline.errors import UnreadableSource
from pipeline.images import MAX_FILE_BYTES, looks_like_svg, sniff_image
from pipeline.readers.html import html_to_body

MAX_MEMBER_BYTES = 64 * 2**20
MAX_ARCHIVE_BYTES = 256 * 2**20

XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)

ZIP_MAGIC = b"PK\x03\x04"
# Compound File Binary (OLE2): old .doc files, and Office documents saved
# with a password (the zip then sits encrypted inside, as "EncryptedPackage").
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

MIMETYPES = {
    "application/epub+zip": "epub",
    "application/vnd.oasis.opendocument.text": "odt",
}


def package_kind(data: bytes) -> str:
    """"epub", "odt" or "docx" by the archive's content, "encrypted-office"
    for a password-protected Office file, "zip" for another or a broken zip,
    "" when the bytes are no archive at all."""
    if data.startswith(CFB_MAGIC):
        return "encrypted-office" if "EncryptedPackage".encode("utf-16-le") in data else "cfb"
    if not data.startswith(ZIP_MAGIC):
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = MIMETYPES.get(archive.read("mimetype")[:100].decode("ascii", "replace").strip())
                if kind:
                    return kind
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "META-INF/container.xml" in names:
                return "epub"
            if "content.xml" in names and "META-INF/manifest.xml" in names:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    return "zip"


def text_refused(what: str):
    """The ``parse`` of a zipped format's reader, which reads files as bytes
    (``parse_bytes``): a text given to it (``--from`` on a text) is refused."""
    def parse(text: str, path: Path | None = None):
        raise UnreadableSource(f"this is text, not {what} (a zip archive)", path=path,
                               hint="give the file itself, or leave --from out")
    return parse


class Package:
    """A zip archive read within limits; member names are the archive's own."""

    def __init__(self, data: bytes, path: Path | None, what: str) -> None:
        self.path = path
        self.what = what
        self.read_bytes = 0
        self.warnings: list[str] = []      # for the Document
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zip.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise self.broken(f"it is not a complete zip archive ({exc})") from exc
        if sum(info.file_size for info in self.zip.infolist()) > MAX_ARCHIVE_BYTES:
            raise self.broken(f"it holds more than {MAX_ARCHIVE_BYTES // 2**20} MB uncompressed")

    def broken(self, why: str) -> UnreadableSource:
        return UnreadableSource(f"cannot read this {self.what}: {why}", path=self.path,
                                hint=f"open it in the program that made it and save it again as {self.what}")

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise self.broken(f"it has no {name}") from None
        if info.flag_bits & 0x1:
            raise self.broken(f"{name} is encrypted")
        try:
            with self.zip.open(info) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise self.broken(f"{name} is damaged ({exc})") from exc
        if len(data) > limit:
            raise self.broken(f"{name} is larger than {limit // 2**20} MB uncompressed")
        self.read_bytes += len(data)
        if self.read_bytes > MAX_ARCHIVE_BYTES:
            raise self.broken(f"it holds more than {MAX_ARCHIVE_BYTES // 2**20} MB uncompressed")
        return data

    def xml(self, name: str) -> etree._Element:
        data = self.read(name)
        try:
            root = etree.fromstring(data, XML_PARSER)
        except etree.XMLSyntaxError as exc:
            raise self.broken(f"{name} is not well-formed XML ({exc})") from exc
        if root is None:
            raise self.broken(f"{name} is empty")
        return root

    def resolve(self, base: str, href: str) -> str | None:
        """The member ``href`` names from member ``base`` (fragment and query
        dropped), or None when it leaves the package or is an address."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        raw = unquote(parts.path)
        if raw.startswith("/"):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), raw))
        if joined.startswith("../") or joined == "..":
            return None
        return joined

    def image_uri(self, name: str | None) -> str:
        """The image member ``name`` as a ``data:`` address ("" when missing,
        over the image size limit, or not an image format)."""
        if not name or name not in self.names:
            return ""
        if self.zip.getinfo(name).file_size > MAX_FILE_BYTES:
            return ""
        data = self.read(name, MAX_FILE_BYTES)
        kind = sniff_image(data)
        media_type = kind[0] if kind else ("image/svg+xml" if looks_like_svg(data) else "")
        if not media_type:
            return ""
        return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def refuse_office_container(data: bytes, path: Path | None, what: str) -> None:
    """An Office file that is not a zip: saved with a password (encrypted), or
    in the binary format of old versions."""
    kind = package_kind(data)
    if kind == "encrypted-office":
        raise UnreadableSource(f"cannot read this {what}: it is protected by a password (encrypted)",
                               path=path, hint="open it, remove the password and save it again")
    if kind == "cfb":
        raise UnreadableSource(f"this is not a {what} but an older binary Office document",
                               path=path, hint=f"open it and save it as {what}")


def local(tag) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def note_call(note_id: str, label: str) -> str:
    """A note reference as Python-Markdown writes one: what
    ``pipeline.readers.html.html_to_body`` turns into ``a.noteref``."""
    return (f'<sup><a class="footnote-ref" href="#fn:{html_escape.escape(note_id)}">'
            f"{html_escape.escape(label)}</a></sup>")


def to_body(body_html: str, notes: list[tuple[str, str]]):
    """(body, notes, warnings) of the Document vocabulary from the body's HTML
    and its notes ((id, HTML of blocks) in order): put together in the shape of
    Python-Markdown's footnotes and given to ``html_to_body`` (the sanitizer
    and mapping every HTML-based reader uses). The sanitizer keeps no
    ``data:`` address, so the images taken from inside a file pass it as
    ``#`` placeholders and get their address back after."""
    images: list[str] = []

    def hold(match: re.Match) -> str:
        images.append(html_escape.unescape(match.group(2)))
        return f'{match.group(1)}"#zp-image-{len(images) - 1}"'

    page = _DATA_SRC.sub(hold, body_html)
    if notes:
        items = "".join(f'<li id="fn:{html_escape.escape(note_id)}">{_DATA_SRC.sub(hold, note)}</li>'
                        for note_id, note in notes)
        page += f'<div class="footnote"><ol>{items}</ol></div>'
    body, found, warnings = html_to_body(page)
    for root in [body] + [note.body for note in found.values()]:
        for img in root.iter("img"):
            m = re.fullmatch(r"#zp-image-(\d+)", img.get("src") or "")
            if m and int(m.group(1)) < len(images):
                img.set("src", images[int(m.group(1))])
    return body, found, warnings


_DATA_SRC = re.compile(r"""(\bsrc\s*=\s*)["'](data:image/[^"']*)["']""", re.IGNORECASE)


_SPACE = re.compile(r"\s+")


def plain(text: str | None) -> str:
    """Text on one line, spaces collapsed."""
    return _SPACE.sub(" ", text or "").strip()
