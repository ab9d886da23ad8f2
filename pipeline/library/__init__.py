"""A built folder as a library: what its books are (``books``), their cover
thumbnails (``covers``), the pages for people (``index``), the OPDS catalog for
e-reader apps (``opds``), all written by ``catalog.write_catalog``; and a small
read-only web server for the folder (``serve``).

Everything the catalog writes besides ``OUT/index.html`` and ``OUT/opds.xml``
goes under ``OUT/.catalog/`` — a hidden folder, so that it never meets a text's
outputs (a build leaves hidden sources out, so no text is ever built there).
"""

CATALOG_DIR = ".catalog"
INDEX_NAME = "index.html"
OPDS_NAME = "opds.xml"


def link_to(path: str, from_dir: str) -> str:
    """The relative, percent-encoded address of ``path`` from the folder
    ``from_dir`` (both posix paths in OUT, normalised; "" is OUT itself).
    posixpath.relpath would do, at ten times the cost: it asks for the
    working folder each time, and a large library has a hundred thousand links."""
    from urllib.parse import quote

    if not from_dir:
        return quote(path)
    here, there = from_dir.split("/"), path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return quote("../" * (len(here) - common) + "/".join(there[common:]))
