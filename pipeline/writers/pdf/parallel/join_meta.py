"""What a PDF variant adds to a whole document, carried over to the pages the
parallel layout joins (``join.py``). Every part is written in the variant, and
their document-wide objects are the same (they come from the same HTML head):
those of one part — the front matter's — go into the joined document.

PDF/A-3b: the XMP metadata stream, the output intent with its ICC profile, a
file identifier (derived from the parts' bytes, so that the same input gives
the same bytes) and link annotations marked printable, as WeasyPrint writes
them. PDF/UA-1: the XMP metadata stream (its ``pdfuaid`` part), the marked-content
and viewer-preference entries of the catalog; its structure tree is joined by
``join_tags.py``. Works on PyMuPDF documents alone.
"""

from __future__ import annotations

import hashlib
import re

from pipeline.writers.pdf.parallel.join_tags import TAGGED

# The variants whose document-wide objects ``carry_variant`` knows.
JOINABLE = ("pdf/a-3b", *TAGGED)
# The catalog's dictionaries a variant may add (a tagged one: PDF/UA), copied as they are.
CATALOG_DICTIONARIES = ("MarkInfo", "ViewerPreferences")


def carry_variant(out, source, variant: str, parts: list[bytes]) -> None:
    """Give ``out`` (joined pages) the variant's document-wide objects of ``source``
    (one part); ``parts``: every part's PDF, for the file identifier."""
    if variant not in JOINABLE:
        raise ValueError(f"the PDF variant {variant!r} cannot be joined from parts")
    catalog, source_catalog = out.pdf_catalog(), source.pdf_catalog()
    kind, value = source.xref_get_key(source_catalog, "Metadata")
    if kind == "xref":
        out.xref_set_key(catalog, "Metadata", f"{copy_stream(out, source, _xref(value))} 0 R")
    for key in CATALOG_DICTIONARIES:
        kind, value = source.xref_get_key(source_catalog, key)
        if kind == "dict":
            out.xref_set_key(catalog, key, value)
    if not variant.startswith("pdf/a"):
        return
    kind, value = source.xref_get_key(source_catalog, "OutputIntents")
    if kind == "array":
        intents = re.sub(r"(/DestOutputProfile\s*)(\d+ 0 R)",
                         lambda m: f"{m.group(1)}{copy_stream(out, source, _xref(m.group(2)))} 0 R", value)
        out.xref_set_key(catalog, "OutputIntents", intents)
    # PDF/A: every annotation printed (flag 3, "Print"), as WeasyPrint sets it.
    for page in out:
        for link in page.get_links():
            out.xref_set_key(link["xref"], "F", "4")
    set_identifier(out, parts)


def set_identifier(out, parts: list[bytes]) -> None:
    """The trailer's file identifier, from what the document is made of."""
    digest = hashlib.sha256(b"".join(parts)).hexdigest()[:32].upper()
    out.xref_set_key(-1, "ID", f"[<{digest}><{digest}>]")


def copy_stream(out, source, xref: int) -> int:
    """A copy in ``out`` of the stream object ``xref`` of ``source``: its new xref."""
    new = out.get_new_xref()
    keys = [key for key in source.xref_get_keys(xref) if key not in ("Length", "Filter", "DecodeParms")]
    out.update_object(new, "<<" + "".join(f"/{key} {source.xref_get_key(xref, key)[1]}" for key in keys) + ">>")
    out.update_stream(new, source.xref_stream(xref))
    return new


def _xref(reference: str) -> int:
    return int(reference.split()[0])
