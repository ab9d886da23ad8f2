"""What a source may ask of us, checked once after reading, before any writer runs.

Every source is untrusted. Readers sanitize raw HTML with nh3; this pass is the
second wall, applied to every ``Document`` whatever its reader:

* images: only files inside the source's own folder (after following links) and
  ``data:`` URIs; anything else — ``http(s)://`` (nothing is downloaded),
  ``file://``, absolute paths, ``../`` out of the folder, a missing file — is
  dropped with a warning naming the line of the source that asked for it, and
  so is an image over the limits of ``pipeline/images.py`` (file size, pixels)
  or not a JPEG, PNG, GIF, WebP or SVG; what an SVG loses to the allow-list is
  said too;
* links: only ``#anchors`` (inside the book), ``http(s)`` and ``mailto`` stay
  (links are text, never fetched). Every other link — ``javascript:``,
  ``file:``, ``data:``, ``ftp:``…, and local paths (``other.html``,
  ``/etc/passwd``, ``../x``), which the PDF engine would turn into ``file://``
  addresses naming the folders of the machine that built the book — is
  unwrapped to its text with a warning;
* elements outside the body vocabulary that can run or embed something
  (``script``, ``iframe``, ``object``, ``link``, ``style``…) are removed with
  their content; attributes other than the vocabulary's (event handlers,
  ``style``, ``rel``…) are dropped;
* the cover named in the metadata obeys the image rule;
* nesting deeper than ``MAX_TREE_DEPTH`` elements stops the build with
  ``SourceTooLarge``: the PDF engine lays out nested blocks recursively and
  fails somewhere under a hundred levels, and no real text nests that deep.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path
from urllib.parse import unquote, urlparse

from lxml import etree

from pipeline.document import ATTRIBUTES, DIRECTIONS, Document, drop_image, is_noteref, remove_keeping_tail, unwrap
from pipeline.errors import SourceTooLarge
from pipeline.images import ImageRefused, Picture, data_uri_image, load_image

# The most element levels a Document's body or note may hold: the PDF engine
# lays them out recursively.
MAX_TREE_DEPTH = 50
# The only links kept, besides "#anchors": addresses that mean the same on any
# machine. A local path would become a file:// address of the builder's disk.
LINK_SCHEMES = {"http", "https", "mailto"}
DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "link",
    "meta", "base", "form", "input", "button", "select", "textarea", "svg", "math", "audio",
    "video", "source", "track", "canvas", "template", "noscript", "portal", "param",
}


def line_of(text: str, needle: str, start: int = 0, wrap: bool = True) -> tuple[int | None, int]:
    """(1-based line of ``needle`` in ``text`` at or after ``start`` — or, with
    ``wrap``, anywhere — and where to look next)."""
    if not needle or not text:
        return None, start
    index = text.find(needle, start)
    if index < 0 and wrap:
        index = text.find(needle)
    if index < 0:
        return None, start
    return line_at(text, index), index + len(needle)


_line_starts_cache: tuple[str, list[int]] | None = None


def line_at(text: str, index: int) -> int:
    """1-based line of ``text[index]``: a binary search in the line starts,
    which are found once per text (warnings ask many times of the same text)."""
    global _line_starts_cache
    if _line_starts_cache is None or _line_starts_cache[0] is not text:
        _line_starts_cache = (text, [m.end() for m in re.finditer("\n", text)])
    return bisect_right(_line_starts_cache[1], index) + 1


class Locator:
    """Finds the line of each reference in the source text, in order of appearance."""

    # References are looked for first in this many characters after the last one
    # found (they come in the order of the source), so that a source with many
    # refusals is not searched from its start for each.
    WINDOW = 8192
    # Searches beyond that window scan, all together, at most this many times the
    # text: a form that is not in the text costs a scan to its end, and a source
    # with a great many refused references (notes without calls, calls without
    # notes…) would cost that many scans. Past this, references are looked for
    # near the last one found only, and those not found there have no line.
    FAR_SCANS = 64

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor: dict[str, int] = {}
        self.last = 0
        self.exhausted: dict[str, int] = {}   # candidate → cursor from which it is absent
        self.first: dict[str, int] = {}       # candidate → first occurrence (-1: none)
        self.far_budget = self.FAR_SCANS * len(text) + self.WINDOW
        self.scanned = 0                      # characters scanned by all searches

    def _find(self, candidate: str, start: int, end: int | None = None) -> int | None:
        """``text.find`` within ``[start, end)`` — up to the text's end when ``end``
        is None, charged to ``far_budget`` (None once it is spent)."""
        if end is None:
            if self.far_budget <= 0:
                return None
            end = len(self.text)
        index = self.text.find(candidate, start, end)
        cost = (index + len(candidate) if index >= 0 else end) - start
        self.scanned += cost
        if end == len(self.text):
            self.far_budget -= cost
        return index

    def line(self, value: str, exact: bool = False) -> int | None:
        """The line of ``value`` — as a whole in brackets or quotes first, then
        anywhere; only as written if ``exact``."""
        bare = [value] if exact else list(dict.fromkeys((value, unquote(value))))
        wrapped = [] if exact else [
            f"{o}{v}{c}" for v in bare
            for o, c in (("(", ")"), ('"', '"'), ("'", "'"), ("[[", "]"), ("(", " "), ("=", ">"))]
        candidates = [c for c in wrapped + bare if c]
        # near the last reference found: whole forms only while far searches may run
        # (a bare form nearer than its next occurrence would name the wrong line)
        for candidate in (wrapped if self.far_budget > 0 else candidates):
            start = max(self.last, self.cursor.get(candidate, 0))
            index = self._find(candidate, start, min(len(self.text), start + self.WINDOW + len(candidate)))
            if index >= 0:
                return self._found(candidate, index)
        for candidate in candidates:        # the next occurrence
            start = self.cursor.get(candidate, 0)
            if self.exhausted.get(candidate) == start:
                continue
            index = self._find(candidate, start)
            if index is None:
                break
            if index >= 0:
                return self._found(candidate, index)
            self.exhausted[candidate] = start
        for candidate in candidates:        # any occurrence
            if candidate not in self.first:
                index = self._find(candidate, 0)
                if index is None:
                    break
                self.first[candidate] = index
            if self.first[candidate] >= 0:
                return self._found(candidate, self.first[candidate])
        return None

    def _found(self, candidate: str, index: int) -> int:
        self.cursor[candidate] = index + len(candidate)
        self.last = max(self.last, index)
        return line_at(self.text, index)

    def where(self, value: str, exact: bool = False) -> str:
        line = self.line(value, exact)
        return f"line {line}: " if line else ""


def local_image(src: str, base_dir: Path | None) -> tuple[Path | None, str]:
    """The file an image ``src`` names inside ``base_dir``, or (None, why not)."""
    try:
        parsed = urlparse(src)
    except ValueError:
        return None, "it is not a valid address"
    if parsed.scheme in ("http", "https", "ftp") or src.startswith("//"):
        return None, "images are not downloaded; put the file next to the source and name it by a relative path"
    if parsed.scheme:
        return None, f"{parsed.scheme}: addresses are not read; name a file next to the source by a relative path"
    if base_dir is None:
        return None, "the source has no folder to take images from"
    raw = unquote(parsed.path)
    if not raw or raw.startswith("/") or raw.startswith("\\") or re.match(r"^[A-Za-z]:", raw):
        return None, "an absolute path is not read; name a file next to the source by a relative path"
    base = base_dir.resolve()
    try:
        path = (base / raw).resolve()
    except (OSError, RuntimeError, ValueError):
        return None, "the path cannot be resolved"
    if not path.is_relative_to(base):
        return None, "it is outside the source's folder"
    if not path.is_file():
        return None, "no such file in the source's folder"
    return path, ""


def usable_image(src: str, base_dir: Path | None) -> tuple[Picture | None, str]:
    """The image ``src`` names, as the outputs may hold it (``pipeline/images.py``:
    size and pixel limits, SVG allow-list), or (None, why not)."""
    try:
        if src.startswith("data:image/"):
            return data_uri_image(src), ""
        found, why = local_image(src, base_dir)
        if found is None:
            return None, why
        return load_image(found), ""
    except ImageRefused as exc:
        return None, str(exc)


def depth(root: etree._Element) -> int:
    """How many element levels ``root`` holds below it (a level at a time: no
    recursion limit)."""
    return deepest([root])


def deepest(roots: list[etree._Element]) -> int:
    """How many element levels the deepest of ``roots`` holds below it."""
    levels, level = 0, roots
    while True:
        level = [child for el in level for child in el]
        if not level:
            return levels
        levels += 1


def vet(doc: Document, text: str = "") -> Document:
    """Apply the rules above to ``doc`` in place; ``text`` is the decoded source,
    used only to say on which line a refused reference stands."""
    where = Locator(text)
    path = doc.path
    roots = [doc.body] + [note.body for note in doc.notes.values()]
    # the deepest of all at once (the many small roots of notes in one walk);
    # only when some root is too deep, which one it is
    for root in (roots if deepest(roots) > MAX_TREE_DEPTH else ()):
        levels = depth(root)
        if levels > MAX_TREE_DEPTH:
            raise SourceTooLarge(
                f"the text is nested {levels} levels deep (quotes, lists or blocks inside each other; "
                f"the limit is {MAX_TREE_DEPTH})", path=path,
                hint="close the quotes or lists that were left open, or flatten the nesting")
    removed: dict[str, int] = {}
    for root in roots:
        tags: set[str] = set()
        for el in list(root.iter()):
            if not isinstance(el.tag, str):          # comments, processing instructions
                remove_keeping_tail(el)
                continue
            tag = el.tag.rsplit("}", 1)[-1].lower()
            tags.add(tag)
            if tag in DANGEROUS_TAGS:
                removed[tag] = removed.get(tag, 0) + 1
                remove_keeping_tail(el)
                continue
            for name in list(el.attrib):
                if name not in ATTRIBUTES:
                    del el.attrib[name]
            if el.get("dir") is not None and el.get("dir") not in DIRECTIONS:
                del el.attrib["dir"]
        # (each of the many small roots of notes is walked once when it holds neither)
        for img in list(root.iter("img")) if "img" in tags else ():
            src = (img.get("src") or "").strip()
            picture, why = usable_image(src, doc.base_dir)
            shown = src if len(src) <= 80 else src[:77] + "..."
            if picture is None:
                doc.warnings.append(f"{where.where(src)}image {shown!r} left out: {why}")
                drop_image(img)
            elif picture.removed:
                doc.warnings.append(f"{where.where(src)}image {shown!r}: removed {', '.join(picture.removed)} "
                                    "(an SVG keeps only what draws the picture)")
        for a in list(root.iter("a")) if "a" in tags else ():
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            m = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", href)
            scheme = m.group(1).lower() if m else ""
            try:
                urlparse(href)
            except ValueError:      # e.g. "http://[": the PDF engine would stop on it
                doc.warnings.append(f"{where.where(href)}link to {href[:80]!r} made plain text: "
                                    "it is not a valid address")
                unwrap(a)
                continue
            if scheme not in LINK_SCHEMES:
                why = (f"{scheme}: links are not kept" if len(scheme) > 1 else
                       "a link to a local file is not kept (it would name a folder of the machine "
                       "that builds the book); link to an http(s) address or a #heading")
                doc.warnings.append(f"{where.where(href)}link to {href[:80]!r} made plain text: {why}")
                unwrap(a)
    for tag, count in sorted(removed.items()):
        doc.warnings.append(f"{where.where('<' + tag)}removed {count} <{tag}> element(s): "
                            "raw HTML that runs or embeds something is not kept")
    _check_notes(doc, where)
    cover = doc.metadata.cover.strip()
    if cover:
        found, why = usable_image(cover, doc.base_dir)
        if found is None:
            doc.warnings.append(f"{where.where(cover)}cover {cover!r} not used: {why}")
            doc.metadata.cover = ""
    return doc


def _check_notes(doc: Document, where: Locator) -> None:
    """References without notes become their label as text; notes without
    references are kept at the end of the body: nothing is lost, all is said."""
    roots = [doc.body] + [note.body for note in doc.notes.values()]
    cited: set[str] = set()
    for root in roots:
        for a in list(root.iter("a")):
            if not is_noteref(a):
                continue
            note_id = (a.get("href") or "").lstrip("#")
            if note_id in doc.notes:
                cited.add(note_id)
                continue
            label = "".join(a.itertext()).strip() or note_id
            doc.warnings.append(f"{where.where('[' + label + ']', exact=True)}footnote reference {label} has no note; "
                                "kept as text")
            a.attrib.clear()
            a.tag = "sup"
    orphans = [note_id for note_id in doc.notes if note_id not in cited]
    for note_id in orphans:
        note = doc.notes.pop(note_id)
        label = note.label or note_id
        doc.warnings.append(f"{where.where('[^' + label + ']:', exact=True) or where.where('[' + label + ']', exact=True)}"
                            f"footnote {label} has no reference in the text; kept at the end of the body")
        kept = etree.SubElement(doc.body, "div")
        blocks = list(note.body)
        if blocks and blocks[0].tag == "p":
            first = blocks[0]
            first.text = f"[{label}] " + (first.text or "")
        else:
            etree.SubElement(kept, "p").text = f"[{label}]"
        if note.body.text and note.body.text.strip():
            etree.SubElement(kept, "p").text = note.body.text
        for block in blocks:
            kept.append(block)
