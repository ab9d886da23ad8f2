"""Paper sizes by name or as WIDTHxHEIGHT, in millimetres (portrait: width ≤ height).

Used for the pamphlet's page (``--paper``) and the imposed sheet (``--sheet``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import OptionError

MM_PER = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
PT_PER_MM = 72 / 25.4

# Pages of a pamphlet.
PAPERS: dict[str, tuple[float, float]] = {
    "a4": (210, 297),
    "a5": (148, 210),
    "a6": (105, 148),
    "a7": (74, 105),
    "b5": (176, 250),
    "b6": (125, 176),
    "letter": (215.9, 279.4),
    "half-letter": (139.7, 215.9),         # 5.5 × 8.5 in: Letter folded once
    "quarter-letter": (107.95, 139.7),     # 4.25 × 5.5 in: Letter folded twice
    "pocket": (107.95, 174.625),           # 4.25 × 6.875 in: the mass-market paperback
}
# Sheets that go through a printer.
SHEETS: dict[str, tuple[float, float]] = {
    "a4": (210, 297),
    "a3": (297, 420),
    "sra4": (225, 320),
    "sra3": (320, 450),
    "letter": (215.9, 279.4),
    "legal": (215.9, 355.6),
    "tabloid": (279.4, 431.8),
}
LETTER_FAMILY = {"letter", "half-letter", "quarter-letter", "pocket", "legal", "tabloid"}

_LENGTH = r"(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?"
_SIZE = re.compile(rf"^{_LENGTH}\s*(?:x|×|\s)\s*{_LENGTH}$", re.I)


@dataclass(frozen=True)
class Size:
    width: float      # mm
    height: float     # mm
    name: str = ""    # the named size, or "" for a custom one

    @property
    def points(self) -> tuple[float, float]:
        return self.width * PT_PER_MM, self.height * PT_PER_MM

    def css(self) -> str:
        return f"{self.width:g}mm {self.height:g}mm"

    @property
    def letter_family(self) -> bool:
        return self.name in LETTER_FAMILY


def parse_size(value: str, table: dict[str, tuple[float, float]], option: str) -> Size:
    """A named size from ``table`` (any case) or ``WIDTHxHEIGHT`` with an optional
    unit on each number (mm when none): ``120x180``, ``5.5inx8.5in``, ``148mm 210mm``."""
    text = value.strip().lower()
    if text in table:
        width, height = table[text]
        return Size(width, height, text)
    match = _SIZE.match(text)
    if match:
        w, wu, h, hu = match.groups()
        width = float(w) * MM_PER[wu or hu or "mm"]
        height = float(h) * MM_PER[hu or wu or "mm"]
        if 20 <= width <= 2000 and 20 <= height <= 2000:
            return Size(round(width, 3), round(height, 3))
        raise OptionError(f"{option} {value!r} is out of range",
                          hint="each side must be between 20 mm and 2 m")
    raise OptionError(f"unknown {option} {value!r}",
                      hint=f"use one of {', '.join(table)} or WIDTHxHEIGHT in mm (e.g. 120x180, 5.5inx8.5in)")


def parse_paper(value: str) -> Size:
    return parse_size(value or "a5", PAPERS, "--paper")


def parse_sheet(value: str) -> Size:
    return parse_size(value, SHEETS, "--sheet")
