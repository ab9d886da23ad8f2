"""The EPUB's cover image: the source's own when it names one, else a generated
one — author, title and subtitle set in the book's typeface on a plain page.

The generated cover is drawn with Pillow straight from the font files (found
through fontconfig once per process): a WeasyPrint render rasterised to an
image costs several times more, and the cover is paid on every build.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.document import Document
from pipeline.images import ImageRefused, load_image
from pipeline.scripts import cjk_face

WIDTH, HEIGHT = 1600, 2560
MARGIN = 150
PAPER, INK = 244, 24               # grey levels: warm-white page, near-black text
JPEG_QUALITY = 82

# Font fallbacks, as in the pamphlet's stylesheet: the book face, then faces
# that cover what it lacks.
FACES = {
    "regular": ("Linux Libertine O:style=Regular", "DejaVu Serif:style=Book"),
    "italic": ("Linux Libertine O:style=Italic", "DejaVu Serif:style=Italic"),
}


@dataclass
class CoverImage:
    data: bytes
    media_type: str
    extension: str
    generated: bool


def source_cover(doc: Document) -> tuple[CoverImage | None, str]:
    """The image the source names as its cover, or (None, why not)."""
    name = doc.metadata.cover.strip()
    if not name:
        return None, ""
    if doc.base_dir is None:
        return None, f"the cover {name!r} cannot be found (the source has no folder)"
    base = doc.base_dir.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        return None, f"refused the cover {name!r}: it is outside the source's folder"
    if not path.is_file():
        return None, f"the cover image {name!r} is not in the source's folder; a cover was generated"
    try:
        picture = load_image(path)
    except ImageRefused as exc:
        return None, f"the cover {name!r} is not used: {exc}; a cover was generated"
    if picture.extension == "svg":
        return None, f"the cover {name!r} is not a JPEG, PNG, GIF or WebP image; a cover was generated"
    return CoverImage(picture.data, picture.media_type, picture.extension, generated=False), ""


@lru_cache(maxsize=None)
def _fc_match(pattern: str) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """The file fontconfig picks for ``pattern`` (None unless it is that family)
    and the character ranges it covers, from one ``fc-match`` call."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{family}\n%{charset}", pattern],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None, ()
    lines = out.split("\n")
    if len(lines) < 3 or not Path(lines[0]).is_file():
        return None, ()
    wanted = pattern.split(":")[0].casefold()
    if wanted not in [f.strip().casefold() for f in lines[1].split(",")]:
        return None, ()
    ranges = []
    for item in lines[2].split():
        first, _, last = item.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return lines[0], tuple(ranges)


def font_file(pattern: str) -> str | None:
    """The file fontconfig picks for ``pattern``, if it is that family."""
    return _fc_match(pattern)[0]


def _covers(ranges: tuple[tuple[int, int], ...], codes: set[int]) -> bool:
    import bisect
    starts = [r[0] for r in ranges]
    for code in codes:
        i = bisect.bisect_right(starts, code) - 1
        if i < 0 or ranges[i][1] < code:
            return False
    return True


@lru_cache(maxsize=None)
def _font(path: str, size: int):
    from PIL import ImageFont
    return ImageFont.truetype(path, size)


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF)


def pick_font(text: str, lang: str, style: str) -> str | None:
    """The first face of the fallback list that has every character of ``text``."""
    needed = {ord(ch) for ch in text if not ch.isspace()}
    candidates: list[str] = []
    if any(is_cjk(ch) for ch in text):
        family = cjk_face(lang) or cjk_face("zh")
        candidates.append(f"{family}:style=Regular")
    candidates += FACES[style]
    first = None
    for candidate in candidates:      # resolved one by one: most titles need only the first
        path, ranges = _fc_match(candidate)
        if path and _covers(ranges, needed):
            return path
        first = first or path
    return first


def is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def _breaks_anywhere(ch: str) -> bool:
    """Chinese and Japanese break between any two characters; Korean, written
    with spaces between words, breaks at its spaces (and keeps them)."""
    return is_cjk(ch) and not is_hangul(ch)


def wrap(text: str, font, width: int) -> list[str]:
    """Greedy line breaking at spaces (between any two characters for Chinese and Japanese)."""
    lines: list[str] = []
    tokens: list[str] = []
    for word in text.split():
        if any(_breaks_anywhere(ch) for ch in word):
            tokens.extend(word)
        else:
            tokens.append(word)
    line = ""
    for token in tokens:
        joiner = "" if (not line or _breaks_anywhere(token[0]) or _breaks_anywhere(line[-1])) else " "
        candidate = line + joiner + token
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _fit(text: str, path: str, size: int, width: int, max_lines: int):
    """The largest size ≤ ``size`` at which ``text`` fits in ``max_lines`` lines of ``width``."""
    while True:
        font = _font(path, size)
        lines = wrap(text, font, width)
        if size <= 40 or (len(lines) <= max_lines and all(font.getlength(l) <= width for l in lines)):
            return font, lines
        size = int(size * 0.9)


def generated_cover(title: str, authors: str, subtitle: str = "", lang: str = "") -> CoverImage:
    """A typographic cover: author above a rule, the title, the subtitle in italic."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN
    blocks = []   # (font, lines, line height, space after)
    if authors:
        path = pick_font(authors, lang, "regular")
        if path:
            font, lines = _fit(authors, path, 96, width, 3)
            blocks.append((font, lines, int(font.size * 1.3), 110))
    rule_after = len(blocks)
    path = pick_font(title, lang, "regular")
    if path:
        font, lines = _fit(title, path, 170, width, 6)
        blocks.append((font, lines, int(font.size * 1.2), 80))
    if subtitle:
        path = pick_font(subtitle, lang, "italic")
        if path:
            font, lines = _fit(subtitle, path, 90, width, 4)
            blocks.append((font, lines, int(font.size * 1.3), 0))
    y = int(HEIGHT * 0.22)
    for n, (font, lines, leading, after) in enumerate(blocks):
        if n == rule_after and n:
            rule = int(WIDTH * 0.12)
            draw.rectangle((WIDTH // 2 - rule, y - 60, WIDTH // 2 + rule, y - 56), fill=INK)
            y += 40
        for line in lines:
            draw.text((WIDTH // 2, y), line, font=font, fill=INK, anchor="ma")
            y += leading
        y += after
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return CoverImage(out.getvalue(), "image/jpeg", "jpg", generated=True)


def cover_for(doc: Document, lang: str) -> tuple[CoverImage, list[str]]:
    """The source's cover if it names a usable one, else a generated cover."""
    cover, why = source_cover(doc)
    warnings = [why] if why else []
    if cover is None:
        m = doc.metadata
        cover = generated_cover(m.title, m.author_line, m.subtitle, lang)
    return cover, warnings
