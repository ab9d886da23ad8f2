"""Decoding: BOMs, UTF-16, legacy code pages, binary refusal, repairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import corpus_file
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


def test_characters_xml_forbids_are_replaced_with_their_lines():
    from pipeline.readers.decode import decode_with_warnings

    data = "first line\nsecond \uffff here\nthird\nfourth \uffff and \uffff\n".encode("utf-8")
    text, warnings = decode_with_warnings(data)
    assert text == "first line\nsecond \ufffd here\nthird\nfourth \ufffd and \ufffd\n"
    assert warnings == ["lines 2, 4: 3 control or invalid character(s) (U+FFFF) replaced by U+FFFD"]


def test_a_few_invalid_utf8_sequences_are_replaced_and_said():
    from pipeline.readers.decode import MAX_INVALID_UTF8, decode_with_warnings

    good = "Un café, là-bas — déjà vu, naïve.\n" * 20
    data = good.encode() + b"a broken \xff byte and a cut \xc3 one\n" + good.encode()
    text, warnings = decode_with_warnings(data)
    assert text == good + "a broken \ufffd byte and a cut \ufffd one\n" + good
    assert warnings == ["line 21: 2 byte sequence(s) that are not UTF-8 replaced by U+FFFD "
                        "(check the text there, and save the file again as UTF-8)"]
    # A legacy text has no valid UTF-8 at all: it stays a legacy text, without a warning.
    text, warnings = decode_with_warnings(good.encode("cp1252"))
    assert text == good and warnings == []
    # So many invalid sequences mean another encoding, not a few accidents.
    many = (good.encode() + b"\xff\n") * (MAX_INVALID_UTF8 + 1)
    assert decode_with_warnings(many)[0] != (good + "\ufffd\n") * (MAX_INVALID_UTF8 + 1)


@pytest.mark.parametrize("suffix,body", [(".md", "---\ntitle: T\nauthor: A\n---\n\nText \uffff here.\n"),
                                         (".txt", "T\n\nby A\n\nText \uffff here.\n"),
                                         (".muse", "#title T\n#author A\n\nText \uffff here.\n")])
def test_every_reader_builds_a_text_with_forbidden_characters(tmp_path, suffix, body):
    from conftest import run_cli

    source = tmp_path / f"t{suffix}"
    source.write_text(body, encoding="utf-8")
    proc = run_cli("build", source, "-o", tmp_path / "out", "--format", "epub", "--title", "T",
                   "--author", "A", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    line = body.splitlines().index("Text \uffff here.") + 1
    assert f"{source}: line {line}: 1 control or invalid character(s) (U+FFFF) replaced by U+FFFD" \
        in proc.stderr, proc.stderr


def test_ftfys_mojibake_pattern_matches_only_near_characters_beyond_ascii():
    """What ``looks_bad`` relies on, checked on the installed ftfy: each alternative of
    its pattern needs a character beyond ASCII, and no match is longer than
    ``MOJIBAKE_WIDTH``."""
    import re._parser as parser

    from ftfy.badness import BADNESS_RE

    from pipeline.readers.decode import MOJIBAKE_WIDTH

    def beyond_ascii_only(item) -> bool:
        op, arg = item
        if op is parser.LITERAL:
            return arg > 127
        if op is parser.IN:
            chars = []
            for kind, value in arg:
                if kind is parser.LITERAL:
                    chars.append(value)
                elif kind is parser.RANGE:
                    chars.append(value[0])
                else:                           # a negated set, a category (\w…)
                    return False
            return min(chars) > 127
        return False

    tree = parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert tree.getwidth()[1] <= MOJIBAKE_WIDTH
    [(op, (_, branches))] = tree.data
    assert op is parser.BRANCH and len(branches) > 20
    for branch in branches:
        assert any(beyond_ascii_only(item) for item in branch.data), branch.dump()


def test_looks_bad_says_what_ftfy_says_on_texts_and_their_mojibake():
    """``looks_bad`` (ftfy's test tried near characters beyond ASCII) gives ftfy's answer
    on every line of texts in several scripts, on the same lines garbled through the code
    pages mojibake comes from, and on random strings of the characters ftfy looks for."""
    import random

    from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad

    from pipeline.readers.decode import looks_bad

    lines = []
    for name in ["muse/Ethics_Origin_And_Development.muse", "mk/ema-goldman-jenskoto-pravo-na-glas.muse",
                 "zh/yin-xing-wei-yuan-hui-xian-zai.muse", "plain/conquest-of-bread-gutenberg.txt"]:
        lines += [line for line in corpus_file(name).read_text(encoding="utf-8").split("\n") if line][:400]
    garbled = [line.encode("utf-8").decode(page, errors="replace")
               for page in ("cp1252", "latin-1", "mac_roman", "cp1251", "cp1253") for line in lines[::7]]
    rng = random.Random(7)
    looked_for = "".join(MOJIBAKE_CATEGORIES.values()).replace("-", "") + "ÂÃÎÐØÙàВГРСΒΓΞΟβāÄ‚√≈"
    ascii_around = "abcxyzXYZ .,?!\n"

    def some(chars: str, most: int) -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(0, most)))

    # A few of the characters looked for among ASCII (matches that need the letters or
    # spaces around them), and strings of them alone.
    noise = ["".join(some(ascii_around, 12) + some(looked_for, 3) for _ in range(3)) + some(ascii_around, 6)
             for _ in range(3000)]
    noise += [some(looked_for + ascii_around, 30) for _ in range(1000)]
    # The alternatives that need the most ASCII around: two characters before, two after.
    edges = ["a text of words a Ã  more", "a text of words ГўВЂВ.x more"]
    samples = lines + garbled + noise + edges + ["\n".join(lines[:200]), "\n".join(garbled[:50])]
    answers = [is_bad(text) for text in samples]
    assert sum(answers) > 500 and len(answers) - sum(answers) > 500   # both answers are tried
    assert [looks_bad(text) for text in samples] == answers
