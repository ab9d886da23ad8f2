"""Decoding: BOMs, UTF-16, legacy code pages, binary refusal, repairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UnreadableSource
from pipeline.readers.decode import decode

FIX = Path(__file__).parent / "fixtures"
PLAIN = FIX / "plain"
ENC = FIX / "encodings"


def utf8(path: Path) -> str:
    return decode(path.read_bytes(), path)


@pytest.mark.parametrize("name", ["The_Last_War.txt", "Correction_Letter.txt",
                                  "conquest-of-bread-gutenberg.txt"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "cp1252", "latin-1"])
def test_reencoded_corpus_text_decodes_to_the_same_text(name, encoding):
    original = utf8(PLAIN / name)
    try:
        data = original.encode(encoding)
    except UnicodeEncodeError:
        if encoding != "latin-1":
            raise
        # latin-1 has no curly quotes or dashes: compare on what it can hold.
        original = original.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"',
                                       0x2013: "-", 0x2014: "-", 0x2026: "...", 0x0153: "oe"})
        data = original.encode(encoding)
    assert decode(data) == original


@pytest.mark.parametrize("utf8_name,other_name", [
    ("ru.utf8.txt", "ru.koi8r.txt"),
    ("mk-about.utf8.muse", "mk-about.cp1251.muse"),
    ("fr.utf8.txt", "fr.latin1.txt"),
])
def test_legacy_code_pages(utf8_name, other_name):
    assert decode((ENC / other_name).read_bytes()) == utf8(ENC / utf8_name)


def test_mojibake_is_repaired_and_good_lines_kept():
    text = decode((ENC / "mojibake.txt").read_bytes())
    assert text.splitlines() == ["The “Commune” of Paris, café and naïve.",
                                 "A clean line with “quotes”."]


def test_typography_and_width_are_not_touched():
    src = "Ｆｕｌｌ　ｗｉｄｔｈ，“q” ‘s’ ﬁ &amp; « a »"
    assert decode(src.encode()) == src


def test_line_ends_tabs_controls_nfc():
    assert decode(b"a\r\nb\rc\n\td\x07e\x1b\x0cf") == "a\nb\nc\n        def"
    assert decode("e\u0301te\u0301".encode()) == "été"
    assert decode("\ufeffbom".encode()) == "bom"


@pytest.mark.parametrize("data,what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
    (b"text\x00\x01\x02\x03\xff\xfe\x00\x00binary" * 10, "NUL"),
])
def test_binary_is_refused_with_a_hint(data, what):
    with pytest.raises(UnreadableSource) as info:
        decode(data, Path("book.txt"))
    message = str(info.value)
    assert what in message and "book.txt" in message and "—" in message


def test_one_megabyte_decodes_whole():
    # Speed is measured by the benchmarks, not asserted here.
    text = utf8(PLAIN / "conquest-of-bread-gutenberg.txt")
    big = text * (1_000_000 // len(text) + 1)
    assert decode(big.encode("utf-8")) == decode(text.encode("utf-8")) * (1_000_000 // len(text) + 1)
    cp = (text * 2).encode("cp1252", errors="replace")
    assert len(decode(cp)) == len(text) * 2
