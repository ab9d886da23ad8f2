"""Reading-order PDF → imposed sheets for home duplex printers.

``saddle``: a 2-up booklet for saddle stitching (print both sides, fold the
stack in the middle, staple the fold), done by ``pdfimpose``.
"""

from __future__ import annotations

import io

IMPOSITIONS = ("saddle", "none")


def impose(pdf: bytes, layout: str = "saddle") -> bytes:
    """The pamphlet ``pdf`` (page count a multiple of 4) imposed as ``layout``."""
    if layout == "none":
        return pdf
    if layout == "saddle":
        from pdfimpose.schema import saddle
        out = io.BytesIO()
        saddle.impose([io.BytesIO(pdf)], out, signature=(2, 1))
        return out.getvalue()
    raise ValueError(f"unknown imposition {layout!r}")
