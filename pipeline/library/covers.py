"""Covers for the catalog, made small from the EPUB's own cover image with Pillow.

For each book, ``OUT/.catalog/covers/NAME.jpg`` (at most 600×960, for a text's
page and the OPDS cover link) and ``OUT/.catalog/thumbs/NAME.jpg`` (at most
160×256, for the index and the OPDS thumbnail link), where NAME is the book's
path in OUT without ending. The same cover always gives the same bytes; a
file newer than its EPUB is kept as it is.
"""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.library import CATALOG_DIR
from pipeline.library.books import Book

COVER_SIZE = (600, 960)
THUMB_SIZE = (160, 256)


def cover_paths(book: Book) -> tuple[str, str]:
    """The cover's and the thumbnail's paths in OUT."""
    return f"{CATALOG_DIR}/covers/{book.name}.jpg", f"{CATALOG_DIR}/thumbs/{book.name}.jpg"


def small_jpeg(data: bytes, size: tuple[int, int]) -> bytes:
    """The image scaled to fit ``size`` (never enlarged), as a JPEG."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        # A cover of absurd size is refused (an error) rather than decoded with a warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return _small_jpeg(data, size)


def _small_jpeg(data: bytes, size: tuple[int, int]) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", size)          # JPEG: decode at a reduced scale, much faster
        image = image.convert("RGB")
        image.thumbnail(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True, progressive=False)
    return out.getvalue()


def write_covers(out: Path, book: Book, written: set[str]) -> str:
    """Write the book's cover and thumbnail (setting ``book.cover`` and
    ``book.thumbnail``); returns a warning, or "" when all went well."""
    from PIL import Image, UnidentifiedImageError

    from pipeline.writers.output import write_atomically

    if book.cover_image is None:
        return ""
    cover, thumb = cover_paths(book)
    epub = out / book.files["epub"]
    try:
        fresh = all((out / p).is_file() and (out / p).stat().st_mtime >= epub.stat().st_mtime for p in (cover, thumb))
        if not fresh:
            data = book.cover_image[0]
            write_atomically(out / cover, small_jpeg(data, COVER_SIZE))
            write_atomically(out / thumb, small_jpeg(data, THUMB_SIZE))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError) as exc:
        return f"{epub}: its cover image cannot be read ({type(exc).__name__}): no cover in the catalog"
    book.cover, book.thumbnail = cover, thumb
    written.update((cover, thumb))
    return ""
