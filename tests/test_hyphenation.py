"""Hyphenation: a dictionary for every language the Library publishes in, chosen
by the language tag, at least 3 letters on each side of a break, and few loose
lines in the languages Pyphen itself has no patterns for (Macedonian)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CORPUS, corpus_file
from layout_measure import consecutive_hyphenated, hyphen_breaks, loose_lines
from pipeline import hyphenation


def build_pdf(source: Path, **options) -> bytes:
    from pipeline.build import BuildOptions, load
    from pipeline.render import prepare
    from pipeline.writers.pdf import PdfOptions, write_pdf

    prep = prepare(load(source, BuildOptions(**options)))
    return write_pdf(prep, PdfOptions(jobs=1)).data


@pytest.mark.parametrize("lang,dictionary", [
    ("en", "hyph_en_US.dic"), ("en-US", "hyph_en_US.dic"), ("en-GB", "hyph_en_GB.dic"),
    ("en-AU", "hyph_en_GB.dic"), ("mk", "hyph_mk.dic"), ("tr", "hyph_tr.dic"), ("fi", "hyph_fi.dic"),
    ("sh", "hyph_sr_Latn.dic"), ("bs", "hyph_hr_HR.dic"), ("sr", "hyph_sr.dic"), ("fr", "hyph_fr.dic"),
])
def test_dictionary_chosen_by_language_tag(lang, dictionary):
    assert hyphenation.dictionary_for(lang).name == dictionary


@pytest.mark.parametrize("lang", ["zh", "ja", "ko", "fa", "ar", "he"])
def test_no_hyphenation_where_scripts_break_otherwise(lang):
    assert hyphenation.dictionary_for(lang) is None


def test_macedonian_patterns_come_from_the_package_and_hyphenate():
    import pyphen

    hyphenation.register()
    path = hyphenation.dictionary_for("mk")
    assert path.parent == hyphenation.dictionary_dir()
    dic = pyphen.Pyphen(lang="mk", left=3, right=3)
    assert dic.inserted("анархистите") == "анар-хис-тите"


def test_tex_exceptions_become_whole_word_patterns(tmp_path):
    import pyphen

    (tmp_path / "hyph-xx.pat.txt").write_text("1b\n1d\n", "utf-8")
    (tmp_path / "hyph-xx.hyp.txt").write_text("abc-de\n", "utf-8")
    out = tmp_path / "out"
    assert hyphenation.install(tmp_path, out) == ["xx"]
    dic = pyphen.Pyphen(filename=str(out / "hyph_xx.dic"), left=1, right=1)
    assert dic.inserted("abcde") == "abc-de"      # the exception, not the patterns (a-bc-de)
    assert dic.inserted("abab") == "a-ba-b"     # other words: the patterns


def test_install_keeps_pyphens_own_dictionaries(tmp_path):
    (tmp_path / "hyph-fr.pat.txt").write_text("1b\n", "utf-8")
    (tmp_path / "hyph-fi-x-school.pat.txt").write_text("1b\n", "utf-8")
    assert hyphenation.install(tmp_path, tmp_path / "out") == []


def mk_sources() -> list[Path]:
    corpus_file("mk")
    return sorted((CORPUS / "mk").glob("*.muse"))


@pytest.fixture(scope="module")
def macedonian_pdfs():
    return {src: build_pdf(src, title="-", author="-") for src in mk_sources()}


def test_macedonian_loose_lines_under_3_percent(macedonian_pdfs):
    loose = justified = 0
    for data in macedonian_pdfs.values():
        a, b = loose_lines(data)
        loose += a
        justified += b
    assert justified > 2000
    assert loose / justified < 0.03, f"{loose} of {justified} justified lines are loose"


def source_words(path: Path) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+(?:-\w+)+", path.read_text("utf-8"))}


def check_breaks(data: bytes, source: Path) -> list[tuple[str, str]]:
    compounds = source_words(source)
    short = []
    for before, after in hyphen_breaks(data):
        head = re.sub(r"^\W+", "", before)
        tail = re.sub(r"\W+$", "", after)
        if f"{head}-{tail}".casefold() in compounds or not head or not tail:
            continue        # a hyphen of the source's own compound
        if len(head) < 3 or len(re.match(r"\w*", tail).group()) < 3:
            short.append((before, after))
    return short


def test_breaks_leave_three_letters_each_side_macedonian(macedonian_pdfs):
    total = 0
    for src, data in macedonian_pdfs.items():
        total += len(hyphen_breaks(data))
        assert check_breaks(data, src) == []
    assert total > 50       # the texts are hyphenated at all


def test_breaks_leave_three_letters_each_side_english():
    src = corpus_file("muse/Law_and_Authority.muse")
    data = build_pdf(src)
    assert len(hyphen_breaks(data)) > 20
    assert check_breaks(data, src) == []


def test_consecutive_hyphenated_lines_are_measured():
    # WeasyPrint has no hyphenate-limit-lines (see README): this only keeps the
    # measure honest on a real text, where runs stay short.
    src = corpus_file("mk/ema-goldman-jenskoto-pravo-na-glas.muse")
    assert 1 <= consecutive_hyphenated(build_pdf(src)) <= 6
