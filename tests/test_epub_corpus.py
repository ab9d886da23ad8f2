"""Every text of the shared corpus to EPUB: EPUBCheck with no error and no
warning, and each book opened and checked (cover, nav, notes, text, colophon);
texts that state no title or author end in the missing-field error instead.
Slow (a few minutes): marked ``corpus``, run by CI, on the EPUBs of the
session's corpus build; the fast suite builds and checks a sample (test_epub.py)."""

from __future__ import annotations

import os

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


# Ace takes seconds a book (it opens every document in a browser): over the
# whole corpus it would cost several minutes, so it checks books that between
# them hold every construct the corpus has — chapter files with notes across
# them, Cyrillic, Chinese (figures whose images are missing, no spaces between
# words), the manual (lists, code, tables, images, links), converted exports
# (tables with empty header cells), a Library export, a plain text — plus the
# fixtures of test_epub_standards.py. The Nu checker, one JVM, reads them all.
# ``ZINEPRESS_ACE=all`` in the environment has Ace check every EPUB of the build
# instead (about eight minutes on two cores), for a release or a change of the
# EPUB writer.
ACE_EVERY_BOOK = os.environ.get("ZINEPRESS_ACE") == "all"
ACE_BOOKS = ["muse/The_Terror_In_Russia.muse", "muse/Action_of_Masses.muse",
             "mk/mustafa-kajati-situacionistichka-internacionala-bedata-na-studentskiot-jivot.muse",
             "zh/crimethinc-su-dan-wu-zheng-fu-zhu-yi-zhe-fan-dui-jun-shi-du-cai.muse",
             "zh/yin-xing-wei-yuan-hui-xian-zai.muse", "manual/amusewiki-manual.muse",
             "export/Petr_Kropotkin__Anarchist_Communism__Its_Basis_and_Principles_a4.md",
             "export/Bakunin_-_Marxism_Freedom_and_the_State.md", "seed/azat-miftakhov.txt",
             "plain/The_Last_War.txt"]


@pytest.mark.corpus
def test_ace_and_nu_over_the_corpus(tmp_path, corpus_build):
    """DAISY Ace (0 violations of any impact) on the books of ``ACE_BOOKS`` (every
    book with ``ZINEPRESS_ACE=all``) and the Nu HTML checker (0 errors but EPUB's ``epub:type``) on every EPUB of the
    corpus build: one Node process and one browser for Ace, one JVM for Nu."""
    from conftest import ace_check, nu_check

    epubs = sorted(corpus_build.out.rglob("*.epub"))
    assert len(epubs) >= 60, f"only {len(epubs)} EPUBs in the corpus build"
    sample = epubs if ACE_EVERY_BOOK else [corpus_build.output(relative, ".epub") for relative in ACE_BOOKS]
    ace = {p: [] for p in epubs} | ace_check(sample, tmp_path / "ace")
    nu = nu_check(epubs, tmp_path / "nu")
    problems = {p.relative_to(corpus_build.out): [*(f"Ace: {v}" for v in ace[p][:5]), *(f"Nu: {v}" for v in nu[p][:5])]
                for p in epubs if ace[p] or nu[p]}
    assert not problems, f"{len(problems)} of {len(epubs)} EPUBs:\n" + "\n".join(
        f"{p}:\n  " + "\n  ".join(v) for p, v in problems.items())


# Latin with notes (long, laid out in parallel; short), Cyrillic, Chinese (with
# figures; without), the manual (lists, code, tables), a converted export and a
# plain text.
PAGE_LIST_BOOKS = ["muse/Ethics_Origin_And_Development.muse", "muse/The_Terror_In_Russia.muse",
                   "muse/Action_of_Masses.muse", "zh/crimethinc-su-dan-wu-zheng-fu-zhu-yi-zhe-fan-dui-jun-shi-du-cai.muse",
                   "mk/mustafa-kajati-situacionistichka-internacionala-bedata-na-studentskiot-jivot.muse",
                   "zh/yin-xing-wei-yuan-hui-xian-zai.muse", "manual/amusewiki-manual.muse",
                   "export/Bakunin_-_Marxism_Freedom_and_the_State.md", "plain/The_Last_War.txt"]


@pytest.mark.corpus
@pytest.mark.parametrize("relative", PAGE_LIST_BOOKS)
def test_page_list_follows_the_pamphlet(relative, corpus_build):
    """One page-list entry per pamphlet page, give or take blank pages, the
    contents and pages of notes only; each leads to text poppler finds on that
    page of the PDF the same build made."""
    from epub_checks import Book, check_page_list

    book = Book.open(corpus_build.output(relative, ".epub"))
    numbers = check_page_list(book, corpus_build.output(relative, ".pdf"))
    assert numbers[0] == 1 and book.xhtml("titlepage.xhtml").xpath("//*[@id='page-1']")
    source = book.meta("pageBreakSource")[0]
    assert "pamphlet" in source and "A5" in source, source
