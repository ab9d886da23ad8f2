"""``zinepress catalog OUT``: the library's pages and feeds, from the built folder.

Reads the books (``books.read_books``), writes their covers (``covers``), then
``OUT/index.html``, ``OUT/opds.xml`` and everything under ``OUT/.catalog/``:
the stylesheet and script, a page per text, the grouped pages, the feeds, the
covers and thumbnails, and ``settings.json`` (the title and base address
given last, so that ``build --catalog`` keeps them). Files of books no longer
in the folder are removed. A file whose bytes are unchanged is not rewritten.

With ``SOURCE_DATE_EPOCH`` set every date in the feeds is that time, so two
runs on the same folder give the same bytes; otherwise a book's date is the
time its files were last written, and a feed's the latest of its books'.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import LibraryError, OptionError
from pipeline.library import CATALOG_DIR
from pipeline.library.books import MANIFEST_NAME, Book, read_books
from pipeline.library.covers import write_covers
from pipeline.library.index import html_pages, static_files
from pipeline.library.opds import Catalog, Urls

SETTINGS = f"{CATALOG_DIR}/settings.json"
DEFAULT_TITLE = "Library"
# The folders of .catalog whose files are all made by the catalog (removed when stale).
OWN_FOLDERS = ("texts", "covers", "thumbs", "opds")


@dataclass
class CatalogResult:
    books: int = 0
    written: int = 0                     # files whose bytes changed
    warnings: list[str] = field(default_factory=list)
    title: str = ""


def check_base_url(base_url: str) -> str:
    if not base_url:
        return ""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise OptionError(f"--base-url {base_url!r} is not an http(s) address",
                          hint="give the address the folder is served at, e.g. http://192.168.1.10:8000/")
    return base_url.rstrip("/") + "/"


def settings(out: Path) -> dict:
    try:
        data = json.loads((out / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def library_time(books: list[Book], out: Path) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    if books:
        return max(b.updated for b in books)
    return dt.datetime.fromtimestamp(int((out / MANIFEST_NAME).stat().st_mtime), tz=dt.timezone.utc)


def render(books: list[Book], title: str, base_url: str, updated: dt.datetime) -> dict[str, bytes]:
    """Every page and feed of the library, ``{path in OUT: bytes}`` (covers aside)."""
    catalog = Catalog(books, title, Urls(base_url), updated, base_url or title)
    files = dict(static_files())
    files.update(html_pages(books, catalog.groups, title))
    files.update(catalog.feeds())
    return files


def write_catalog(out: Path, title: str | None = None, base_url: str | None = None) -> CatalogResult:
    """Catalog ``out``; ``None`` keeps the title or base address given last."""
    remembered = settings(out) if out.is_dir() else {}
    title = (title if title is not None else remembered.get("title")) or DEFAULT_TITLE
    base_url = check_base_url(base_url if base_url is not None else str(remembered.get("base_url") or ""))
    books, warnings = read_books(out)
    made: set[str] = set()
    for book in books:
        warning = write_covers(out, book, made)
        if warning:
            warnings.append(warning)
        book.cover_image = None          # the bytes are not needed any more
    files = render(books, " ".join(title.split()), base_url, library_time(books, out))
    files[SETTINGS] = (json.dumps({"title": title, "base_url": base_url}, ensure_ascii=False, indent=1)
                       + "\n").encode("utf-8")
    result = CatalogResult(books=len(books), warnings=warnings, title=title)
    for name, data in files.items():
        result.written += write_if_changed(out / name, data)
    remove_stale(out, made | set(files))
    return result


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file renamed over it,
    unless the file already holds these bytes. No fsync: the catalog can
    always be made again, and a library of thousands of texts has thousands
    of pages."""
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise LibraryError(f"cannot write {path.name} ({exc.strerror or exc})", path=path.parent,
                           hint="check the free space and permissions of the folder") from None
    return True


def remove_stale(out: Path, keep: set[str]) -> None:
    """Remove the files of the catalog's own folders that this run did not make
    (pages and covers of books gone, temporary files of a run that was killed)."""
    base = out / CATALOG_DIR
    for folder in OWN_FOLDERS:
        top = base / folder
        if not top.is_dir() or top.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(top, topdown=False):
            here = Path(dirpath)
            for name in filenames:
                path = here / name
                if path.relative_to(out).as_posix() not in keep:
                    try:
                        path.unlink()
                    except OSError:
                        pass
            try:
                here.rmdir()          # only when empty
            except OSError:
                pass
