"""Render chosen pages of a PDF to PNG, to look at a layout without a viewer.

    .venv/bin/python scripts/render_pages.py dist/text.pdf 1,5-7 -o shots/ [--dpi 72] [--gray]

Writes OUT/STEM-pPAGE.png for each page (1-based; ranges allowed).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def parse_pages(spec: str, count: int) -> list[int]:
    pages: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-", 1)
            pages.extend(range(int(first or 1), int(last or count) + 1))
        else:
            pages.append(int(part) if int(part) > 0 else count + 1 + int(part))
    bad = [p for p in pages if not 1 <= p <= count]
    if bad:
        raise SystemExit(f"pages {bad} are outside 1-{count}")
    return pages


def render(pdf: Path, pages: str, out: Path, dpi: int = 72, gray: bool = False) -> list[Path]:
    import fitz

    out.mkdir(parents=True, exist_ok=True)
    doc = fitz.open(pdf)
    written = []
    for number in parse_pages(pages, doc.page_count):
        pix = doc[number - 1].get_pixmap(dpi=dpi, colorspace=fitz.csGRAY if gray else fitz.csRGB)
        target = out / f"{pdf.stem}-p{number}.png"
        pix.save(target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("pages", help="e.g. 1,5-7 or -1 for the last page")
    parser.add_argument("-o", "--out", type=Path, default=Path("."))
    parser.add_argument("--dpi", type=int, default=72)
    parser.add_argument("--gray", action="store_true", help="grayscale (smaller files)")
    args = parser.parse_args()
    for path in render(args.pdf, args.pages, args.out, args.dpi, args.gray):
        print(path)


if __name__ == "__main__":
    main()
