"""Notes and markup of (X)HTML documents written by others — EPUB chapters and
saved web pages — made ready for ``pipeline.readers.html.html_to_body``.

A note reference is a link marked as one: ``epub:type="noteref"``,
``role="doc-noteref"``, or the classes pandoc, Python-Markdown, WordPress and
Wikipedia-like sites give them (``footnote-ref``, ``footnote-reference``,
``noteref``); or a link whose target is marked as a note (``epub:type``
``footnote``/``endnote``/``rearnote``/``note``, ``role="doc-footnote"`` /
``doc-endnote``, or an item of a notes list). The target's content becomes the
note (its back links dropped) and the target leaves the text, wherever it
stood; a notes section left empty goes too.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from pipeline.document import remove_keeping_tail
from pipeline.readers.package import local, plain

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
NOTE_TYPES = {"footnote", "endnote", "rearnote", "note"}
NOTES_SECTION_TYPES = {"footnotes", "endnotes", "rearnotes"}
REF_CLASSES = {"footnote-ref", "footnote-reference", "noteref", "fnref", "fnanchor"}
BACK_CLASSES = {"footnote-back", "footnote-backref", "fn-back", "backlink"}
# (``references``: MediaWiki's list of notes.)
NOTE_CLASSES = {"footnote", "footnotes", "endnote", "endnotes", "footnote-item", "references"}


def semantics(el: etree._Element) -> set[str]:
    """The element's ``epub:type`` tokens and ARIA roles (``doc-`` dropped)."""
    tokens = (el.get(EPUB_TYPE) or el.get("epub:type") or "").split()
    tokens += [r.removeprefix("doc-") for r in (el.get("role") or "").split()]
    return {t.lower() for t in tokens}


def classes(el: etree._Element) -> set[str]:
    return {c.lower() for c in (el.get("class") or "").split()}


def is_backlink(a: etree._Element) -> bool:
    return "backlink" in semantics(a) or bool(classes(a) & BACK_CLASSES)


def marked_as_note(el: etree._Element) -> bool:
    return bool(semantics(el) & NOTE_TYPES) or bool(classes(el) & NOTE_CLASSES)


def in_notes_list(el: etree._Element) -> bool:
    """An item of a list inside a section of notes (pandoc, Python-Markdown)."""
    for ancestor in el.iterancestors():
        if semantics(ancestor) & NOTES_SECTION_TYPES or classes(ancestor) & NOTE_CLASSES:
            return True
    return False


def refers_to_note(a: etree._Element, target: etree._Element | None) -> bool:
    if "noteref" in semantics(a) or classes(a) & REF_CLASSES:
        return True
    if target is None:
        return False
    holder = note_element(target)
    # the target, or the block holding it (Project Gutenberg: an anchor in a
    # paragraph of a div.footnote), marked as a note or an item of a notes list
    return any(marked_as_note(el) or el.tag in ("li", "aside") and in_notes_list(el)
               for el in (target, holder, holder.getparent()) if el is not None)


def note_element(target: etree._Element) -> etree._Element:
    """The element that holds a note, from the element its reference points at:
    an anchor or a label inside a paragraph stands for that paragraph."""
    el = target
    while local(el.tag) in ("a", "span", "sup", "b", "strong", "em", "i") and el.getparent() is not None:
        el = el.getparent()
    return el


def strip_backlinks(el: etree._Element, reference_ids: set[str] = frozenset(),
                    calls: set = frozenset()) -> None:
    """A note's links back to its reference (marked as such, or pointing at
    one of ``reference_ids``), and the label that opens it; never one of
    ``calls`` (a note's own reference to another note)."""
    first = _first_link(el)
    for a in list(el.iter("a")):
        if a in calls:
            continue
        href = a.get("href") or ""
        back = "#" in href and href.split("#", 1)[1] in reference_ids
        if is_backlink(a) or back or a is first and href.startswith("#") \
                and _LABEL.fullmatch(plain("".join(a.itertext())).casefold()):
            remove_keeping_tail(a)


def note_html(el: etree._Element) -> str:
    """The note's content as HTML, loose text in a paragraph."""
    inner = inner_html(el).strip()
    if local(el.tag) in ("p", "dd") or not re.match(r"<(p|div|blockquote|ul|ol|table|pre|h\d|dl)\b", inner):
        inner = f"<p>{inner}</p>"
    return inner


# What a note's own label looks like: 1, [1], 1., (a), iv, *, †.
_LABEL = re.compile(r"[\[(]?(\d{1,4}|[ivxlc]{1,6}|[a-z]|[*†‡§¶]{1,3})[\])]?\.?")


def _first_link(el: etree._Element) -> etree._Element | None:
    text = plain(el.text)
    if text and not re.fullmatch(r"\W*", text):
        return None
    for a in el.iter("a"):
        return a
    return None


def drop_empty_note_sections(root: etree._Element) -> None:
    """Sections of notes (and their lists) that hold no text once the notes
    have left them: their heading and rule go with them."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if semantics(el) & NOTES_SECTION_TYPES or classes(el) & NOTE_CLASSES:
            copy = deepcopy(el)
            copy.tail = None
            for heading in list(copy.iter()):
                if isinstance(heading.tag, str) and re.fullmatch(r"h\d", local(heading.tag)):
                    remove_keeping_tail(heading)
            text = "".join(copy.itertext())
            if not plain(text):
                remove_keeping_tail(el)


def replace_with_call(ref: etree._Element, call: etree._Element) -> None:
    """Put ``call`` where the reference stood (in place of a ``sup`` that holds
    only the reference)."""
    target = ref
    parent = ref.getparent()
    if parent is not None and local(parent.tag) == "sup" and len(parent) == 1 \
            and not plain(parent.text) and not plain(ref.tail):
        target = parent
    if target.getparent() is None:
        return
    call.tail = target.tail
    target.getparent().replace(target, call)


_KEPT_ATTRIBUTES = {"href", "src", "alt", "title", "lang", "colspan", "rowspan", "start", "type"}


def clean_attributes(root: etree._Element) -> None:
    """Keep only the attributes the body vocabulary can use: a source's own
    classes must not pass for ours (a ``div class=footnote`` is our note list)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        lang = el.get("{http://www.w3.org/XML/1998/namespace}lang")
        for name in list(el.attrib):
            if name not in _KEPT_ATTRIBUTES:
                del el.attrib[name]
        if lang and not el.get("lang"):
            el.set("lang", lang)


def strip_namespaces(root: etree._Element) -> etree._Element:
    """XHTML elements under their plain HTML names (attributes keep theirs)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = local(el.tag)
    return root


def inner_html(el: etree._Element) -> str:
    return (el.text or "") + "".join(etree.tostring(c, encoding="unicode", method="html", with_tail=True)
                                     for c in el)


def call_element(note_id: str, label: str) -> etree._Element:
    sup = etree.Element("sup")
    a = etree.SubElement(sup, "a", {"class": "footnote-ref", "href": f"#fn:{note_id}"})
    a.text = label
    return sup


def _label(ref: etree._Element, number: int) -> str:
    label = re.sub(r"^[\W_]+|[\W_]+$", "", plain("".join(ref.itertext())))
    return label if 0 < len(label) <= 12 else str(number)


def collect_notes(docs: list[tuple[str, etree._Element]], others: dict[str, etree._Element],
                  resolve) -> list[tuple[str, str]]:
    """Find the note references of ``docs`` ((name, body) in reading order),
    take their notes out of wherever they stand (those documents, or
    ``others`` by name), put a call (``call_element``) in each reference's
    place and clean every element's attributes. ``resolve(name, href)`` gives
    (document name, id) for a link inside the book, else None. Returns the
    notes as (id, HTML) in the order of their first reference."""
    ids: dict[str, dict[str, etree._Element]] = {}
    roots = dict(others)
    roots.update(docs)

    def by_id(name: str, target_id: str) -> etree._Element | None:
        if name not in ids:
            root = roots.get(name)
            ids[name] = {} if root is None else {
                el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        return ids[name].get(target_id)

    calls: list[tuple[etree._Element, str, str]] = []      # (reference, note id, label)
    notes: dict[int, tuple[str, etree._Element]] = {}        # id(note element) → (note id, element)
    order: list[int] = []
    queue = [(name, root) for name, root in docs]
    while queue:
        name, root = queue.pop(0)
        for a in list(root.iter("a", "{http://www.w3.org/1999/xhtml}a")):
            href = a.get("href") or ""
            if not href or is_backlink(a):
                continue
            where = resolve(name, href)
            target = by_id(*where) if where else None
            if target is None or not refers_to_note(a, target):
                continue
            holder = note_element(target)
            if holder is root or a in holder.iterancestors() or holder in a.iterancestors():
                continue
            key = id(holder)
            if key not in notes:
                notes[key] = (f"n{len(notes) + 1}", holder)
                order.append(key)
                queue.append((where[0], holder))
            note_id = notes[key][0]
            calls.append((a, note_id, _label(a, len(notes))))
    reference_ids = {el.get("id") for a, _, _ in calls for el in (a, a.getparent())
                     if el is not None and el.get("id")}
    for key in order:
        holder = notes[key][1]
        strip_backlinks(holder, reference_ids, {a for a, _, _ in calls})
        remove_keeping_tail(holder)
    for root in roots.values():
        drop_empty_note_sections(root)
        clean_attributes(root)
    for key in order:
        clean_attributes(notes[key][1])
    for a, note_id, label in calls:
        replace_with_call(a, call_element(note_id, label))
    return [(notes[key][0], note_html(notes[key][1])) for key in order]
