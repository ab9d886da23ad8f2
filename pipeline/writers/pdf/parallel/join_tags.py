"""The structure tree of a tagged PDF (PDF/UA-1) joined from its parts (``join.py``).

WeasyPrint writes each part tagged (``weasyprint/pdf/tags.py``): a
``StructTreeRoot`` whose one kid is a ``Document`` element, with the elements of
the part's pages under it in page order, each naming its page (``/Pg``); the
parent tree (``/ParentTree``), which maps each page's ``/StructParents`` number to
the elements of its marked contents, by MCID, and each link annotation's
``/StructParent`` number to its Link element, which holds the annotation as an
``OBJR`` kid. The parts' PDFs give an annotation to every link, those into
another part too (``finish.py``).

The joined document gets one tree, as the single pass writes it: one
``Document`` element with the parts' elements in the book's order. The elements
(the margin boxes' too, which WeasyPrint leaves outside the tree) are copied
with their references moved to the joined pages and to the link annotations
the join made in place of the parts' (an ``OBJR`` whose link the join leaves out
is dropped); the parent tree is numbered anew, a key per page in the book's
order (an empty entry for an added blank page), then a key per link
annotation; every page gets its ``/StructParents`` and tab order, every link
annotation its ``/StructParent`` and the part's description (``/Contents``). An
added blank page before the colophon gets the empty Div element the single pass
has there (its blank pages are empty ``div``s). Table header ids, made of their
table's object number in the part, take the table's number in the book, so that
they stay unique. Works on PyMuPDF documents, with the objects read and written
as PDF text; a part's elements are parsed in one go through PyMuPDF's MuPDF
bindings (``_write_objects``), for speed.
"""

from __future__ import annotations

import re

# The variants whose parts are tagged, their trees joined by ``join_trees``.
TAGGED = ("pdf/ua-1",)

_REF = re.compile(r"(\d+) 0 R")
_NUMS = re.compile(r"\[|\]|\d+ 0 R|\d+")
_HEADER_ID = re.compile(r"\((\d+)(-\d+-\d+)\)")


def join_trees(out, pages, links_made: list[list[bool]], filled: set[int]) -> None:
    """Give ``out`` (the joined pages) one structure tree made of its parts'.

    ``pages``: for each page of ``out``, (the part's document, the page's index in
    it), or None for an added blank page. ``links_made``: for each page of ``out``,
    for each annotation of the part's page, in order, whether the join made its link
    (then the next of the joined page's annotations). ``filled``: the added blank
    pages the single pass fills with an empty ``div`` (those before the colophon),
    which get its empty Div element."""
    root, document, parent_tree = (out.get_new_xref() for _ in range(3))
    kids: dict[int, str] = {}                    # the Document element's, by first page
    page_keys = [f"{number}[]" for number in range(len(pages))]
    link_keys: list[str] = []
    parts: dict[int, tuple] = {}                 # id(part) -> (part, {page index: joined page number})
    for number, slot in enumerate(pages):
        if slot is not None:
            parts.setdefault(id(slot[0]), (slot[0], {}))[1][slot[1]] = number
    for part, placed in parts.values():
        tree = _ref(part.xref_get_key(part.pdf_catalog(), "StructTreeRoot")[1])
        moved: dict[int, int | None] = {tree: root}
        part_documents = _refs(part.xref_get_key(tree, "K")[1])
        moved.update((xref, document) for xref in part_documents)
        moved.update((part.page_xref(index), out.page_xref(number)) for index, number in placed.items())
        annotations = _tie_annotations(out, part, placed, links_made)
        moved.update(annotations)
        references = _copy_elements(out, part, moved)
        kids[min(placed.values())] = " ".join(_move(part.xref_get_key(xref, "K")[1][1:-1], references)
                                              for xref in part_documents)
        entries = _parent_tree(part, _ref(part.xref_get_key(tree, "ParentTree")[1]))
        for index, number in placed.items():
            entry = entries[_number(part, part.page_xref(index), "StructParents")]
            page_keys[number] = f"{number}[{_move(entry, references)}]"
        # The annotations' keys in the part's order (its tree's), as WeasyPrint numbers them.
        for key, made in sorted((_number(part, annotation, "StructParent"), made)
                                for annotation, made in annotations.items() if made is not None):
            out.xref_set_key(made, "StructParent", str(len(pages) + len(link_keys)))
            link_keys.append(f"{len(pages) + len(link_keys)} {_move(entries[key], references)}")
    for number in sorted(filled):
        kids[number] = f"{out.get_new_xref()} 0 R"
        out.update_object(_ref(kids[number]),
                          f"<</Type/StructElem/S/Div/K[]/Pg {out.page_xref(number)} 0 R/P {document} 0 R>>")
    for number in range(len(pages)):
        out.xref_set_key(out.page_xref(number), "Tabs", "/S")
        out.xref_set_key(out.page_xref(number), "StructParents", str(number))
    out.update_object(parent_tree, f"<</Nums[{''.join(page_keys)}{' '.join(link_keys)}]>>")
    out.update_object(document, f"<</Type/StructElem/S/Document/K[{' '.join(kids[n] for n in sorted(kids))}]"
                                f"/P {root} 0 R>>")
    out.update_object(root, f"<</Type/StructTreeRoot/ParentTree {parent_tree} 0 R/K[{document} 0 R]>>")
    out.xref_set_key(out.pdf_catalog(), "StructTreeRoot", f"{root} 0 R")


def _tie_annotations(out, part, placed: dict[int, int], links_made: list[list[bool]]) -> dict[int, int | None]:
    """Each link annotation of ``part``'s pages: the annotation the join made in its
    place, given the part's ``/Contents`` (the link's description), or None."""
    import fitz

    tied: dict[int, int | None] = {}
    for index, number in placed.items():
        own = _refs(part.xref_get_key(part.page_xref(index), "Annots")[1])
        if len(own) != len(links_made[number]):
            raise ValueError(f"page {number + 1}: {len(own)} link annotations in the part, "
                             f"{len(links_made[number])} links in its report")
        made = iter(_refs(out.xref_get_key(out.page_xref(number), "Annots")[1]))
        for annotation, was_made in zip(own, links_made[number]):
            tied[annotation] = next(made) if was_made else None
            kind, contents = part.xref_get_key(annotation, "Contents")
            if was_made and kind == "string":
                out.xref_set_key(tied[annotation], "Contents", fitz.get_pdf_str(contents))
    return tied


def _copy_elements(out, part, moved: dict[int, int | None]) -> dict[str, str]:
    """Copy ``part``'s structure elements and object references into ``out``, their
    references moved by ``moved`` (from xrefs of ``part`` to xrefs of ``out``, None for
    what is left out), which gets theirs. An object reference to a link left out is
    left out. Returns the references' replacements, for ``_move``."""
    found = {}
    for xref in range(1, part.xref_length()):
        if xref not in moved:
            text = part.xref_object(xref, compressed=True)
            if text.startswith(("<</Type/StructElem", "<</Type/OBJR")):
                found[xref] = text
    kept = [xref for xref, text in found.items()
            if not text.startswith("<</Type/OBJR") or moved[_ref(text.split("/Obj ", 1)[1])] is not None]
    moved.update(dict.fromkeys(found))
    moved.update(zip(kept, _new_objects(out, len(kept))))
    references = {str(old): "" if new is None else f"{new} 0 R" for old, new in moved.items()}
    texts = []
    for xref in kept:
        text = found[xref]
        if "/ID(" in text or "/Headers[" in text:
            text = _HEADER_ID.sub(lambda m: f"({moved.get(int(m.group(1)), m.group(1))}{m.group(2)})", text)
        texts.append(_move(text, references))
    _write_objects(out, [moved[xref] for xref in kept], texts)
    return references


def _new_objects(out, count: int) -> list[int]:
    """``count`` new objects of ``out``: their xrefs."""
    from pymupdf import mupdf

    pdf = mupdf.pdf_document_from_fz_document(out.this)
    return [mupdf.pdf_create_object(pdf) for _ in range(count)]


def _write_objects(out, xrefs: list[int], texts: list[str]) -> None:
    """Objects ``xrefs`` of ``out`` made from their PDF ``texts``, parsed at once (as one
    array) through PyMuPDF's MuPDF bindings: ``update_object``, an object at a time,
    would take the best part of a second more for a long book's many thousand elements."""
    from pymupdf import mupdf

    pdf = mupdf.pdf_document_from_fz_document(out.this)
    source = mupdf.fz_open_buffer(mupdf.fz_new_buffer_from_copied_data(f"[{''.join(texts)}]".encode()))
    parsed = mupdf.pdf_parse_stm_obj(pdf, source, mupdf.PdfLexbuf(mupdf.PDF_LEXBUF_LARGE))
    for index, xref in enumerate(xrefs):
        mupdf.pdf_update_object(pdf, xref, mupdf.pdf_array_get(parsed, index))


def _parent_tree(part, xref: int) -> dict[int, str]:
    """The entries of ``part``'s parent tree (one ``/Nums`` array, as WeasyPrint writes
    it), by key: a page's references (the array's content) or an annotation's one."""
    tokens = _NUMS.findall(part.xref_get_key(xref, "Nums")[1][1:-1])
    entries: dict[int, str] = {}
    at = 0
    while at < len(tokens):
        key, at = int(tokens[at]), at + 1
        if tokens[at] == "[":
            end = tokens.index("]", at)
            entries[key], at = " ".join(tokens[at + 1:end]), end + 1
        else:
            entries[key], at = tokens[at], at + 1
    return entries


def _move(text: str, references: dict[str, str]) -> str:
    """``text`` with its references replaced by ``references`` (by object number)."""
    return _REF.sub(lambda match: references[match.group(1)], text)


def _number(part, xref: int, key: str) -> int:
    return int(part.xref_get_key(xref, key)[1])


def _ref(reference: str) -> int:
    return int(reference.split()[0])


def _refs(array: str) -> list[int]:
    return [int(number) for number in _REF.findall(array)]
