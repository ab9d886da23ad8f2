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
