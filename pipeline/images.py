"""The rules every image, font and stylesheet file obeys before any output holds it.

One decision for both outputs: ``safety.vet`` applies it to each image a
source names (a refused image is left out with a warning naming the line, its
alternative text kept), and the PDF engine's fetcher and the EPUB's image
copying apply it again to the bytes they read, so what reaches a PDF and an
EPUB is the same.

* a file over ``MAX_FILE_BYTES`` is not read at all (its size is taken from
  the file system: a sparse file of gigabytes costs nothing);
* a raster image (JPEG, PNG, GIF, WebP) whose header announces more than
  ``MAX_IMAGE_PIXELS`` is refused before it is decoded: a few hundred bytes
  can announce a picture that takes gigabytes once decoded;
* an SVG picture is parsed (no DTD, no entities, no network) and rebuilt from
  an allow-list of static SVG elements and attributes: scripts, event
  handlers, ``foreignObject``, animations, links and every reference that is
  not to the picture itself (``#id``) or a raster ``data:`` image are dropped,
  and so are the DOCTYPE, entities, comments and processing instructions, and
  ``<use>`` copies of copies (``MAX_SVG_COPIED``);
* anything else is not an image.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

# Image, font and stylesheet files larger than this are refused unread: a
# 600 dpi scan of a full page as PNG is under 10 MB, and the largest system
# fonts (CJK collections) under 30 MB.
MAX_FILE_BYTES = 32 * 2**20
# Raster images with more pixels than this are refused: 40 million pixels is
# an A4 page scanned at 600 dpi (35 million) with room to spare, and takes
# 160 MB once decoded (four bytes a pixel) in each process that lays it out.
MAX_IMAGE_PIXELS = 40_000_000

MEDIA_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
               b"GIF87a": ("image/gif", "gif"), b"GIF89a": ("image/gif", "gif")}
SVG = ("image/svg+xml", "svg")


class ImageRefused(ValueError):
    """A file that no output may hold; the message says why."""


@dataclass
class Picture:
    """An image as the outputs may hold it."""

    data: bytes
    media_type: str
    extension: str
    removed: list[str] = field(default_factory=list)   # what an SVG lost (for a warning)


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """(media type, extension) of a JPEG, PNG, GIF or WebP, by its first bytes."""
    for magic, kind in MEDIA_TYPES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image/webp", "webp")
    return None


def looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head


def read_file(path: Path) -> bytes:
    """The bytes of ``path``, or ``ImageRefused`` if it is over the size limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageRefused(f"it cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ImageRefused(f"the file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageRefused(f"it cannot be read ({exc.strerror})") from None


def raster_problem(data: bytes) -> str:
    """Why the raster image ``data`` may not be used ('' if it may): only its header is read."""
    import importlib

    kind = sniff_image(data)
    if kind is None:
        return "it is not a JPEG, PNG, GIF or WebP image"
    # The format's own class reads the header and stops: no decoding, and
    # none of Pillow's own bomb checks, which would hide the size.
    module, name = _PILLOW_CLASSES[kind[1]]
    try:
        with getattr(importlib.import_module(f"PIL.{module}"), name)(BytesIO(data)) as image:
            width, height = image.size
    except Exception:       # Pillow raises many kinds on broken files
        return "it is not a readable image"
    if width * height > MAX_IMAGE_PIXELS:
        return (f"it is {width}×{height} pixels; the limit is {MAX_IMAGE_PIXELS // 1_000_000} million "
                "pixels (make it smaller)")
    return ""


_PILLOW_CLASSES = {"png": ("PngImagePlugin", "PngImageFile"), "jpg": ("JpegImagePlugin", "JpegImageFile"),
                   "gif": ("GifImagePlugin", "GifImageFile"), "webp": ("WebPImagePlugin", "WebPImageFile")}


def vet_image(data: bytes) -> Picture:
    """``data`` as an output may hold it (an SVG rebuilt from the allow-list), or ``ImageRefused``."""
    if len(data) > MAX_FILE_BYTES:
        raise ImageRefused(f"it is over {MAX_FILE_BYTES // 2**20} MB")
    kind = sniff_image(data)
    if kind is not None:
        problem = raster_problem(data)
        if problem:
            raise ImageRefused(problem)
        return Picture(data, *kind)
    if looks_like_svg(data):
        clean, removed = clean_svg(data)
        return Picture(clean, *SVG, removed=removed)
    raise ImageRefused("it is not a JPEG, PNG, GIF, WebP or SVG image")


def load_image(path: Path) -> Picture:
    """The image file ``path`` as an output may hold it, or ``ImageRefused``."""
    return vet_image(read_file(path))


def data_uri_image(uri: str) -> Picture:
    """The image a ``data:image/…`` address holds, or ``ImageRefused``."""
    head, _, payload = uri.partition(",")
    try:
        if head.endswith(";base64"):
            data = base64.b64decode(payload, validate=False)
        else:
            from urllib.parse import unquote_to_bytes
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise ImageRefused("its data: address is broken") from None
    return vet_image(data)


# ------------------------------------------------------------------ SVG

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Static SVG: shapes, text, paint servers, clipping, masking, filters.
SVG_ELEMENTS = set("""
svg g defs desc title symbol use image switch a view style
path rect circle ellipse line polyline polygon text tspan textPath
linearGradient radialGradient stop pattern clipPath mask marker filter
feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
feSpecularLighting feSpotLight feTile feTurbulence
""".split())
# Dropped without a word: what editors keep for themselves, never drawn.
SVG_QUIET = {"metadata"}
SVG_ATTRIBUTES = set("""
id class style lang transform viewBox preserveAspectRatio version baseProfile width height
x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength dx dy rotate textLength lengthAdjust
startOffset method spacing side offset
fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
stroke-dasharray stroke-dashoffset stroke-opacity opacity color display visibility overflow
clip clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits mask-type
filter filterUnits primitiveUnits marker-start marker-mid marker-end markerWidth markerHeight
markerUnits refX refY orient gradientUnits gradientTransform spreadMethod stop-color stop-opacity
patternUnits patternContentUnits patternTransform
font font-family font-size font-size-adjust font-style font-weight font-variant font-stretch
text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
text-decoration writing-mode direction unicode-bidi white-space
mix-blend-mode isolation paint-order vector-effect shape-rendering text-rendering image-rendering
color-interpolation color-interpolation-filters color-rendering flood-color flood-opacity
lighting-color enable-background
in in2 result stdDeviation mode operator k1 k2 k3 k4 type values tableValues slope intercept
amplitude exponent order kernelMatrix divisor bias targetX targetY edgeMode kernelUnitLength
preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent azimuth elevation
z pointsAtX pointsAtY pointsAtZ limitingConeAngle scale xChannelSelector yChannelSelector
radius baseFrequency numOctaves seed stitchTiles
systemLanguage role aria-label aria-labelledby aria-describedby aria-hidden focusable
""".split())
# Where a reference may stand, and what it may be: "#id" on these elements…
_FRAGMENT_REFS = {"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter",
                  "feImage", "a", "image"}
# …and a raster picture on these.
_RASTER_REFS = {"image", "feImage"}
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.I)
# CSS may only refer to the picture itself: url(#id).
_CSS_BAD = re.compile(r"""@import|url\(\s*(?!["']?\s*#)|\\|expression\s*\(|javascript:""", re.I)


def _local(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def clean_svg(data: bytes) -> tuple[bytes, list[str]]:
    """``data`` rebuilt from the allow-list, and what was removed (once per kind)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageRefused(f"it is not a well-formed SVG picture ({exc.msg})") from None
    if _local(root.tag) != (SVG_NS, "svg"):
        raise ImageRefused("it is not an SVG picture (its root is not an svg element)")
    removed: dict[str, None] = {}
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        removed["its DOCTYPE"] = None
    out = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS, "xlink": XLINK_NS})
    stack = [(root, out)]
    while stack:
        source, target = stack.pop()
        _copy_attributes(source, target, removed)
        target.text = source.text
        last = None
        for child in source:
            if not isinstance(child.tag, str):          # an entity reference
                removed["XML entities"] = None
                ns, local, keep = "", "", False
            else:
                ns, local = _local(child.tag)
                keep = ns == SVG_NS and local in SVG_ELEMENTS
                if keep and local == "style" and _CSS_BAD.search(child.text or ""):
                    removed["a <style> with references"] = None
                    keep = False
                elif not keep and ns in (SVG_NS, XHTML_NS) and local not in SVG_QUIET:
                    removed[f"<{local}>"] = None
            if not keep:
                if child.tail:
                    if last is not None:
                        last.tail = (last.tail or "") + child.tail
                    else:
                        target.text = (target.text or "") + child.tail
                continue
            copy = etree.SubElement(target, f"{{{SVG_NS}}}{local}")
            copy.tail = child.tail
            last = copy
            stack.append((child, copy))
    _bound_uses(out, removed)
    clean = etree.tostring(out, encoding="utf-8", xml_declaration=True)
    return clean, list(removed)


# A <use> draws a copy of another part: copies of copies multiply (ten uses of
# ten uses of… a picture of 1 KB asks billions of shapes). A <use> may copy no
# part that holds a <use> itself, and all copies together at most this many elements.
MAX_SVG_COPIED = 100_000


def _bound_uses(root, removed: dict[str, None]) -> None:
    use_tag = f"{{{SVG_NS}}}use"
    href = f"{{{XLINK_NS}}}href"
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    copied = 0
    measured: dict[str, tuple[int, bool]] = {}       # id → (elements, holds a <use>)
    for use in list(root.iter(use_tag)):
        target_id = (use.get(href) or "")[1:]
        target = by_id.get(target_id)
        if target is None:
            continue
        if target_id not in measured:
            measured[target_id] = (sum(1 for _ in target.iter()), any(True for _ in target.iter(use_tag)))
        size, nested = measured[target_id]
        copied += size
        if nested or copied > MAX_SVG_COPIED:
            removed["<use> copies of copies, or too many copies"] = None
            use.attrib.pop(href)


def _copy_attributes(source, target, removed: dict[str, None]) -> None:
    local_tag = _local(source.tag)[1]
    for name, value in source.attrib.items():
        ns, local = _local(name)
        if local.lower().startswith("on"):
            removed["event handlers"] = None
            continue
        if local == "href" and ns in ("", XLINK_NS):
            if value.startswith("#") and local_tag in _FRAGMENT_REFS:
                target.set(f"{{{XLINK_NS}}}href", value)
            elif local_tag in _RASTER_REFS and _RASTER_DATA.match(value):
                try:
                    data_uri_image(value)
                except ImageRefused:
                    removed["an embedded image over the limits"] = None
                    continue
                target.set(f"{{{XLINK_NS}}}href", value)
            else:
                removed["references to other files or addresses"] = None
            continue
        if ns == XML_NS and local in ("space", "lang"):
            target.set(name, value)
            continue
        if ns or local not in SVG_ATTRIBUTES:
            continue                                    # editors' data, unknown attributes
        if "url(" in value.lower() or local == "style":
            if _CSS_BAD.search(value):
                removed["references to other files or addresses"] = None
                continue
        target.set(local, value)
