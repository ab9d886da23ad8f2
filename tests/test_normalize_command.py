"""`zinepress normalize`: the normalized text as Markdown with front matter; building
that output gives the same document as building the original."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, corpus_file, epub_body_text, epub_texts, run_cli

SOURCES = [ROOT / "sources" / "azat-miftakhov.txt",
           corpus_file("muse/Letter_To_Lenin.muse"),
           corpus_file("muse/War.muse"),
           corpus_file("plain/The_Last_War.txt")]


def opf_metadata(epub) -> dict[str, list[str]]:
    opf = next(v for k, v in epub_texts(epub).items() if k.endswith(".opf"))
    found: dict[str, list[str]] = {}
    for tag, value in re.findall(r"<dc:(\w+)[^>]*>([^<]*)</dc:\1>", opf):
        found.setdefault(tag, []).append(value)
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_building_the_normalized_text_gives_the_same_book(tmp_path, source):
    normalized = tmp_path / "normalized" / (source.stem + ".md")
    normalized.parent.mkdir()
    proc = run_cli("normalize", source, "-o", normalized)
    assert proc.returncode == 0, proc.stderr
    text = normalized.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "\ntitle: " in text
    for src, out in ((source, tmp_path / "a"), (normalized, tmp_path / "b")):
        proc = run_cli("build", src, "-o", out, "--format", "epub", env={"SOURCE_DATE_EPOCH": "0"})
        assert proc.returncode == 0, proc.stderr
    original = tmp_path / "a" / (source.stem + ".epub")
    again = tmp_path / "b" / (source.stem + ".epub")
    assert epub_body_text(again) == epub_body_text(original)
    assert opf_metadata(again) == opf_metadata(original)
    colophon = lambda p: next(v for k, v in epub_texts(p).items() if k.endswith("colophon.xhtml"))  # noqa: E731
    assert colophon(again) == colophon(original)


def test_normalize_prints_to_stdout_and_reports_errors(tmp_path):
    proc = run_cli("normalize", ROOT / "sources" / "azat-miftakhov.txt")
    assert proc.returncode == 0 and proc.stdout.startswith("---\ntitle: Anarchist Azat Miftakhov")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run_cli("normalize", empty)
    assert proc.returncode == 1 and "empty" in proc.stderr and "Traceback" not in proc.stderr
