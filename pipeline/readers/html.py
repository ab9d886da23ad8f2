"""HTML (as Python-Markdown makes it, raw HTML of sources included) → the Document
body vocabulary, shared by the Markdown, Library export and converted readers.

Raw HTML in a source is untrusted: it goes through ``nh3`` (a maintained
sanitizer: scripts, styles, frames, event handlers and ``javascript:`` links
go), then lxml parses what is left and it is mapped onto the vocabulary of
``pipeline.document``. Python-Markdown's footnotes become ``a class=noteref``
references and ``Document.notes``.
"""

from __future__ import annotations

import re

import lxml.html
import nh3
from lxml import etree

from pipeline.document import (BLOCK_CONTAINERS, BLOCKS, DIRECTIONS, DIV_CLASSES, LIST_TYPES, SPAN_CLASSES, Note,
                               append_text, is_noteref, new_body)
from pipeline.readers.decode import XML_FORBIDDEN
from pipeline.safety import LINK_SCHEMES, line_at

_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "div", "ul", "ol", "li", "dl", "dt",
         "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "figure",
         "figcaption", "img", "pre", "code", "hr", "br", "em", "i", "strong", "b", "sup", "sub",
         "del", "s", "strike", "a", "span", "small", "bdi", "ruby", "rt", "rp"}
_ATTRS = {
    "*": {"lang", "dir"},
    "a": {"href", "id", "class"},
    "span": {"class"},
    "div": {"class", "id"},
    "li": {"id"},
    "sup": {"id"},
    "ol": {"type", "start"},
    "img": {"src", "alt", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    **{h: {"id", "data-toc"} for h in ("h1", "h2", "h3", "h4", "h5", "h6")},
}

_RENAME = {"i": "em", "b": "strong", "s": "del", "strike": "del", "h6": "h5", "bdi": "span"}


# A numeric character reference, as HTML reads one (the ";" may be left out).
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _forbidden_references(html: str, source: str) -> tuple[str, list[str]]:
    """``html`` with the character references that name a character XML forbids
    (``&#2;``, ``&#xFFFF;``: control characters, non-characters) made U+FFFD,
    and a warning for each such character, with the first line of ``source``
    that names it. The sanitizer would decode them into characters no output
    can hold (those it makes U+FFFD itself, NUL and surrogates, are left to it)."""
    if "&#" not in html:
        return html, []
    found: dict[int, int] = {}

    def named(m: re.Match) -> int:
        return int(m.group(1), 16) if m.group(1) else int(m.group(2))

    def replace(m: re.Match) -> str:
        code = named(m)
        if 0 < code <= 0xFFFF and not 0xD800 <= code <= 0xDFFF and XML_FORBIDDEN.match(chr(code)):
            found[code] = found.get(code, 0) + 1
            return "&#xFFFD;"
        return m.group(0)

    html = _CHARACTER_REFERENCE.sub(replace, html)
    warnings = []
    for code, count in found.items():
        first = next((m for m in _CHARACTER_REFERENCE.finditer(source) if named(m) == code), None)
        where = f"line {line_at(source, first.start())}: " if first else ""
        times = f" ({count} times)" if count > 1 else ""
        warnings.append(f"{where}a character reference names U+{code:04X}, a character no output can hold: "
                        f"shown as U+FFFD{times} — write the character meant, or remove the reference")
    return html, warnings


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRS, link_rel=None,
                     clean_content_tags={"script", "style"},
                     url_schemes=set(LINK_SCHEMES))


_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]")
# lxml's HTML parser with its plain elements: ``lxml.html``'s own gives each
# element a Python class, looked up in Python each time an element is touched.
_PARSER = etree.HTMLParser()
# what ``lxml.html``'s ``text_content()`` computes
_text_content = etree.XPath("string()", smart_strings=False)


def _all_text(el) -> str:
    """The text of ``el`` and all it holds, on lxml or ElementTree elements."""
    return _text_content(el) if isinstance(el, etree._Element) else "".join(el.itertext())


def _note_id(raw: str) -> str:
    return "fn-" + _NOT_IN_ID.sub("-", raw)


def _parse(clean: str) -> etree._Element:
    """``clean`` HTML as the children of a ``div`` (``lxml.html.fragment_fromstring``
    with ``create_parent``, on plain elements)."""
    pieces = lxml.html.fragments_fromstring(clean, parser=_PARSER)
    root = etree.Element("div")
    if pieces and isinstance(pieces[0], str):
        root.text = pieces.pop(0)
    root.extend(pieces)
    return root


class _Converter:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def children(self, src, dst) -> None:
        """Convert the content of ``src`` (text and children) into ``dst``."""
        self._text(dst, src.text)
        for child in src:
            if isinstance(child.tag, str):
                self.element(child, dst)
            self._text(dst, child.tail)

    _text = staticmethod(append_text)

    def element(self, src, dst) -> None:
        tag = _RENAME.get(src.tag, src.tag)
        if tag == "sup" and len(src) == 1 and src[0].tag == "a" \
                and "footnote-ref" in (src[0].get("class") or ""):
            ref = src[0]
            note_id = _note_id((ref.get("href") or "").lstrip("#").removeprefix("fn:"))
            el = etree.SubElement(dst, "a", {"class": "noteref", "href": "#" + note_id})
            el.text = _all_text(ref)
            return
        cls = (src.get("class") or "").split()
        attrs: dict[str, str] = {}
        if src.get("lang") and tag in ("span", "div", "p", "blockquote"):
            attrs["lang"] = src.get("lang")
        if tag in ("span", "div", "p", "blockquote"):
            direction = (src.get("dir") or ("auto" if src.tag == "bdi" else "")).lower()
            if direction in DIRECTIONS:
                attrs["dir"] = direction
        if tag == "a" and "footnote-backref" in cls:
            return
        if tag == "img":
            src_attr = src.get("src") or ""
            if not src_attr:
                return
            el = etree.SubElement(dst, "img", {"src": src_attr, "alt": src.get("alt") or ""})
            return
        if tag == "pre":
            el = etree.SubElement(dst, "pre")
            el.text = _all_text(src).rstrip("\n")
            return
        if tag == "code":
            el = etree.SubElement(dst, "code")
            el.text = _all_text(src)
            return
        if tag == "div":
            keep = [c for c in cls if c in DIV_CLASSES]
            if not keep:
                self.children(src, dst)   # unwrap
                return
            attrs["class"] = keep[0]
        elif tag == "span":
            keep = [c for c in cls if c in SPAN_CLASSES]
            if keep:
                attrs["class"] = keep[0]
            elif not attrs:
                self.children(src, dst)
                return
        elif tag == "small":
            self.children(src, dst)
            return
        elif tag == "a":
            if src.get("href"):
                attrs["href"] = src.get("href")
            elif src.get("id"):
                attrs["id"] = src.get("id")
            else:
                self.children(src, dst)
                return
        elif tag == "ol":
            if src.get("type") in LIST_TYPES:
                attrs["type"] = src.get("type")
        elif tag in ("th", "td"):
            for key in ("colspan", "rowspan"):
                if src.get(key):
                    attrs[key] = src.get(key)
        elif tag in ("h1", "h2", "h3", "h4", "h5"):
            for key in ("id", "data-toc"):
                if src.get(key):
                    attrs[key] = src.get(key)
        el = etree.SubElement(dst, tag, attrs)
        self.children(src, el)


def _tidy(parent: etree._Element) -> None:
    """Blocks only where blocks belong; whitespace-only text between blocks removed."""
    for el in list(parent.iter()):
        if el.tag in ("ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"):
            if el.text is not None and not el.text.strip():
                el.text = None
            for child in el:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None
    for el in list(parent.iter()):
        if el.tag in BLOCK_CONTAINERS or el.tag == "li" and any(c.tag in BLOCKS for c in el):
            _wrap_loose(el)
    # a paragraph holding only an image becomes a figure
    for p in list(parent.iter("p")):
        if len(p) == 1 and p[0].tag == "img" and not (p.text or "").strip() \
                and not (p[0].tail or "").strip():
            p.tag = "figure"
            p.text = None
            p[0].tail = None


def _wrap_loose(container: etree._Element) -> None:
    """Put inline content sitting directly in a block container into ``p``s."""
    if not (container.text and container.text.strip()) and all(
            child.tag in BLOCKS and not (child.tail and child.tail.strip()) for child in container):
        # blocks only (a note's paragraphs, say): only the space between them goes
        container.text = None
        for child in container:
            child.tail = None
        return
    items: list = []
    if container.text and container.text.strip():
        items.append(container.text)
    container.text = None
    new_children: list = []
    run: list = []  # inline elements and strings

    def flush():
        if not run:
            return
        if all(isinstance(x, str) and not x.strip() for x in run):
            run.clear()
            return
        p = etree.Element("p")
        for x in run:
            if isinstance(x, str):
                append_text(p, x)
            else:
                p.append(x)
        new_children.append(p)
        run.clear()

    run.extend(items)
    for child in list(container):
        tail = child.tail
        child.tail = None
        container.remove(child)
        if child.tag in BLOCKS or child.tag == "img":
            flush()
            new_children.append(child)
        else:
            run.append(child)
        if tail and tail.strip():
            run.append(tail)
    flush()
    for child in new_children:
        if child.tag == "img":
            fig = etree.SubElement(container, "figure")
            fig.append(child)
        else:
            container.append(child)


def html_to_body(html: str, source: str = "") -> tuple[etree._Element, dict[str, Note], list[str]]:
    """Python-Markdown's HTML → (body, notes, warnings) in the Document vocabulary;
    ``source``, the text it was made from, names the lines in warnings."""
    html, refused = _forbidden_references(html, source)
    clean = sanitize(html)
    if not clean.strip():
        return new_body(), {}, refused
    root = _parse(clean)
    footnotes = [(div.getparent(), div)
                 for div in root.xpath('.//div[contains(concat(" ", @class, " "), " footnote ")]')]
    return _to_body(root, footnotes, refused)


# What Python-Markdown's serializer leaves as written after an "&" (it writes
# "&amp;" for any other): the sanitizer would read it as a character reference.
_REFERENCE_LIKE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_VOID = {"br", "hr", "img"}
# Upstream's postprocessors: raw HTML, "&" of e-mail addresses and the footnotes'
# no-break space, each put back where a placeholder (STX … ETX) stands.
_OWN_POSTPROCESSORS = {"RawHtmlPostprocessor", "AndSubstitutePostprocessor", "FootnotePostprocessor"}
_kept_addresses: dict[tuple[str, str], bool] = {}


def _address_kept(name: str, value: str) -> bool:
    """Whether the sanitizer keeps ``value`` as an ``href`` or ``src`` (its own
    rule: a scheme of ``LINK_SCHEMES``, or a relative address it can parse)."""
    key = (name, value)
    if key not in _kept_addresses:
        if len(_kept_addresses) > 100_000:      # a long batch's many addresses
            _kept_addresses.clear()
        if value.startswith("#") and value.isprintable() and not any(c in value for c in '"<>&'):
            _kept_addresses[key] = True      # an anchor (a note's, a heading's): always kept
        else:
            escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            probe = f'<a href="{escaped}">x</a>' if name == "href" else f'<img src="{escaped}">'
            _kept_addresses[key] = f" {name}=" in sanitize(probe)
    return _kept_addresses[key]


def own_tree_to_body(root, postprocessors=()) -> tuple[etree._Element, dict[str, Note], list[str]] | None:
    """Python-Markdown's tree (``ElementTree``) of a text without raw HTML →
    what ``html_to_body`` makes of its serialized HTML, without serializing it,
    sanitizing it and parsing it again: a good part of the reading of a long
    text. The tree is Python-Markdown's own, so the sanitizer's work on it is
    only to drop the attributes and addresses it does not allow, done here.
    None when the tree holds anything that round trip would change otherwise —
    an element outside the sanitizer's list, a placeholder, a character
    reference, a link in a link (the HTML parser splits them), text in a
    void element, a line end opening a ``pre`` — or when other postprocessors
    than upstream's would change the HTML: the caller then takes that way."""
    if root is None:
        return new_body(), {}, []
    if {type(p).__name__ for p in postprocessors} - _OWN_POSTPROCESSORS:
        return None
    dropped: list[tuple] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag not in _TAGS:
            return None
        for text in (el.text, el.tail):
            if text and ("\x02" in text or "\x03" in text or "&" in text and _REFERENCE_LIKE.search(text)):
                return None
        if tag in _VOID and (el.text or len(el)) or tag == "pre" and (el.text or "").startswith("\n"):
            return None
        if tag == "a" and len(el) and len(list(el.iter("a"))) > 1:
            return None
        allowed = _ATTRS.get(tag, set())
        for name, value in el.items():
            if value is None or not name.islower() or "\x02" in value or "\x03" in value \
                    or "&" in value and _REFERENCE_LIKE.search(value):
                return None
            if name not in allowed and name not in _ATTRS["*"] \
                    or name in ("href", "src") and not _address_kept(name, value):
                dropped.append((el, name))
    for el, name in dropped:
        del el.attrib[name]
    # what upstream strips of its serialized HTML: the space around the root's content
    if root.text:
        root.text = root.text.lstrip() or None
    if len(root) and root[-1].tail:
        root[-1].tail = root[-1].tail.rstrip() or None
    if not len(root) and not (root.text or "").strip():
        return new_body(), {}, []
    parents = {child: parent for parent in root.iter() for child in parent if child.tag == "div"}
    footnotes = [(parents[div], div) for div in root.iter("div")
                 if div is not root and " footnote " in f" {div.get('class') or ''} "]
    return _to_body(root, footnotes, [])


def _to_body(root, footnotes: list[tuple], warnings: list[str]) -> tuple[etree._Element, dict[str, Note], list[str]]:
    """(body, notes, warnings) of the HTML tree ``root`` (lxml or ElementTree)
    whose ``div class=footnote`` are ``footnotes`` (their parent, the div)."""
    body = new_body()
    notes: dict[str, Note] = {}
    conv = _Converter()
    conv.warnings.extend(warnings)
    for parent, fn_div in footnotes:
        for li in (li for ol in fn_div.findall("ol") for li in ol.findall("li")):
            raw = (li.get("id") or "").removeprefix("fn:")
            note_id = _note_id(raw)
            note_body = _one_paragraph_note(li)
            if note_body is None:
                note_body = etree.Element("div")
                conv.children(li, note_body)
                _tidy(note_body)        # its loose text put in paragraphs too (a div)
                _strip_trailing_space(note_body)
            notes[note_id] = Note(id=note_id, label=raw, body=note_body)
        parent.remove(fn_div)
    conv.children(root, body)
    for br in body.iter("br"):  # Python-Markdown puts a line end after each <br>
        if br.tail:
            br.tail = br.tail.lstrip("\n") or None
    _tidy(body)                 # the body's loose text put in paragraphs too
    # the label shown is the reference's text
    for ref in body.iter("a"):
        if is_noteref(ref):
            key = ref.get("href", "")[1:]
            if key in notes:
                notes[key].label = ref.text or notes[key].label
    for key, note in notes.items():
        for ref in note.body.iter("a"):
            if is_noteref(ref) and ref.get("href", "")[1:] in notes:
                notes[ref.get("href")[1:]].secondary = True
    return body, notes, conv.warnings


def _one_paragraph_note(li) -> etree._Element | None:
    """The body of the note ``li`` when it is one paragraph of plain text (and
    its back-link), as the general way makes it, without its steps (the many
    short notes of a long text); None for any other note."""
    if len(li) != 1 or (li.text and li.text.strip()):
        return None
    p = li[0]
    if p.tag != "p" or p.attrib or (p.tail and p.tail.strip()) or len(p) > 1:
        return None
    if len(p):
        backlink = p[0]
        if backlink.tag != "a" or "footnote-backref" not in (backlink.get("class") or "").split() \
                or backlink.tail:
            return None
    div = etree.Element("div")
    etree.SubElement(div, "p").text = p.text.rstrip("\u00a0 \n") if p.text else p.text
    return div


def _strip_trailing_space(div: etree._Element) -> None:
    """Python-Markdown leaves a no-break space where the back-link was."""
    for p in div.iter("p"):
        if len(p):
            if p[-1].tail:
                p[-1].tail = p[-1].tail.rstrip("\u00a0 \n") or None
        elif p.text:
            p.text = p.text.rstrip("\u00a0 \n")
