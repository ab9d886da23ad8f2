"""Every text of the shared corpus to EPUB: EPUBCheck with no error and no
warning, and each book opened and checked (cover, nav, notes, text, colophon);
texts that state no title or author end in the missing-field error instead.
Slow (a few minutes): marked ``corpus``, run by CI, on the EPUBs of the
session's corpus build; the fast suite builds and checks a sample (test_epub.py)."""

from __future__ import annotations

import pytest

from conftest import CORPUS
from epub_checks import check_sources

FOLDERS = ("seed", "muse", "zh", "mk", "plain", "export", "manual")


@pytest.mark.corpus
def test_every_corpus_text(tmp_path, corpus_build):
    sources = sorted(p for folder in FOLDERS for p in (CORPUS / folder).rglob("*")
                     if p.suffix in (".muse", ".txt", ".md"))
    assert len(sources) >= 75, f"the corpus has only {len(sources)} texts"
    problems = check_sources(sources, tmp_path, corpus_build)
    assert not problems, f"{len(problems)} of {len(sources)} texts:\n" + "\n".join(
        f"{s}:\n  " + "\n  ".join(p) for s, p in problems.items())
