"""``--embed-fonts``: the book's typeface (Linux Libertine O, SIL Open Font
Licence, which allows embedding) subset to the characters the book uses, with
the ``@font-face`` rules that name it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pipeline.writers.epub.cover import font_file

FAMILY = "Linux Libertine O"
# (pattern for fontconfig, CSS weight, CSS style, file name in the book)
FACES = (
    (f"{FAMILY}:style=Regular", "normal", "normal", "LinLibertine_R.otf"),
    (f"{FAMILY}:style=Italic", "normal", "italic", "LinLibertine_RI.otf"),
    (f"{FAMILY}:style=Bold", "bold", "normal", "LinLibertine_RB.otf"),
    (f"{FAMILY}:style=Bold Italic", "bold", "italic", "LinLibertine_RBI.otf"),
)


@dataclass
class EmbeddedFont:
    file_name: str          # relative to the book's folder, e.g. "fonts/LinLibertine_R.otf"
    data: bytes
    weight: str
    style: str


def subset(path: str, text: str) -> bytes | None:
    """The font at ``path`` cut down to the glyphs ``text`` needs (with its
    ligatures and kerning); None when the font has none of its characters."""
    import logging

    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)   # tables it drops, e.g. FFTM
    font = TTFont(path, lazy=False)
    cmap = font.getBestCmap() or {}
    codes = sorted({ord(ch) for ch in text} & set(cmap))
    if not codes:
        return None
    options = ft_subset.Options()
    options.layout_features = ["kern", "liga", "clig", "calt", "ccmp", "locl", "mark", "mkmk", "onum", "lnum", "smcp"]
    options.name_IDs = ["*"]            # keep the licence and copyright notices
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False    # reproducible builds
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def embedded_fonts(text: str) -> list[EmbeddedFont]:
    """The faces of the book's typeface present on this system, subset to ``text``.
    Characters the typeface lacks (e.g. Chinese) are left to the reader's fonts."""
    fonts = []
    seen: set[str] = set()
    for pattern, weight, style, name in FACES:
        path = font_file(pattern)
        if not path or path in seen or Path(path).name != name:
            continue        # fontconfig gave another face: this style is not installed
        seen.add(path)
        data = subset(path, text + " ")
        if data:
            fonts.append(EmbeddedFont(f"fonts/{name}", data, weight, style))
    return fonts


def font_face_css(fonts: list[EmbeddedFont]) -> str:
    """``@font-face`` rules for the embedded faces and a rule that uses them."""
    rules = []
    for font in fonts:
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {font.weight}; '
                     f'font-style: {font.style}; src: url("../{font.file_name}"); }}')
    rules.append(f'body {{ font-family: "{FAMILY}", serif; }}')
    return "\n".join(rules) + "\n"
