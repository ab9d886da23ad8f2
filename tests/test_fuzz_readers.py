"""Fuzzing every reader: random text, markup-heavy text and mutations of real
corpus texts, as ``str`` through each reader and as bytes through ``read()``.

Nothing may escape but our own error classes, and no example may hang: each
runs under an alarm (a guard far above the milliseconds an example takes, so
it fails only on a real hang, never on a slow machine). Bounded: a fixed
number of examples per test, no deadline."""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.errors import ZinepressError
from pipeline.readers import READERS, read
from conftest import CORPUS

HANG_SECONDS = 20
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "250")), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


class Hang(Exception):
    pass


@contextmanager
def no_hang(what: str):
    def alarm(signum, frame):
        raise Hang(f"{what} ran for more than {HANG_SECONDS} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@lru_cache(maxsize=1)
def corpus_texts() -> tuple[str, ...]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".muse", ".md", ".txt"))
    if not files:
        pytest.fail(f"the shared corpus is missing at {CORPUS}")
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        texts.append(text[:20000])      # the start holds headers, notes, markup of every kind
    return tuple(texts)


MARKUP = [
    "#title ", "#author ", "#lang fr\n", "---\n", "title: x\n", "> ", "- ", " - ", "  1. ", " a. ",
    "<quote>\n", "</quote>\n", "<example>\n", "</example>\n", "<verse>\n", "</verse>\n", "{{{\n", "}}}\n",
    "<center>\n", "<right>\n", "<comment>\n", "<biblio>\n", "<play>\n", "<em>", "</em>", "<strong>",
    "[[", "]]", "][", "[1]", "[2]", "{1}", "[^1]", "[^1]: ", "*", "**", "***", "=", "~~", "|", " || ",
    " | ", "* * * * *", "\n\n", "\n", "\t", "  ", "<br>", "<script>", "<img src=\"../x.png\">", "&amp;",
    "<", ">", "&", "\\", "`", "```\n", "#", "## ", "** ", "*** ", ";; ", "; ", "CHAPTER I\n",
    "FOOTNOTES:\n", "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n", "\u00ad", "\u200b", "\ufeff",
    "\x00", "\x0c", "\r\n", "\r", "\u2028", "e\u0301", "\U0001F600", "ﬁ", "‐", "—", "«", "»",
]

markup_text = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=12)), max_size=120).map("".join)


@st.composite
def mutated_corpus(draw) -> str:
    text = draw(st.sampled_from(corpus_texts()))
    start = draw(st.integers(0, max(0, len(text) - 1)))
    text = text[start:start + draw(st.integers(50, 6000))]
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate", "case"]))
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 400)))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 5)) + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(MARKUP)) + text[i:]
        elif kind == "swap":
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif kind == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i:j].upper() + text[j:]
    return text


any_text = st.one_of(st.text(max_size=3000), markup_text, mutated_corpus())


def read_all_ways(path: Path) -> None:
    """``read()`` with each reader and with detection; our errors are fine."""
    for fmt in [None, *READERS]:
        with no_hang(f"read({path.name}, {fmt})"):
            try:
                doc = read(path, fmt)
            except ZinepressError as exc:
                assert str(exc)                 # a message the CLI can print
                continue
        assert doc.body is not None and doc.body.tag == "body"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(text=any_text, suffix=st.sampled_from([".muse", ".md", ".txt"]))
def test_text_through_every_reader(folder, text, suffix):
    path = folder / f"source{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    read_all_ways(path)


@SETTINGS
@given(text=any_text)
def test_every_reader_parse_directly(folder, text):
    """The readers' own ``parse`` on decoded text (as ``decode`` leaves it: no control
    characters, one kind of line end): only our errors, or a Document."""
    from pipeline.readers import reader_module
    from pipeline.readers.decode import repair

    text = repair(text)
    for fmt in READERS:
        with no_hang(f"{fmt}.parse"):
            try:
                doc = reader_module(fmt).parse(text, folder / "direct.txt")
            except ZinepressError:
                continue
            except RecursionError:
                # read() turns this into SourceTooLarge; random text must not nest that deep
                pytest.fail(f"{fmt} recursed too deep on {len(text)} characters")
        assert doc.body is not None


@st.composite
def mutated_bytes(draw) -> bytes:
    data = draw(st.sampled_from(corpus_texts())).encode(
        draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1251", "koi8-r"])), errors="replace")
    data = data[:draw(st.integers(0, 8000))]
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 20))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    return bytes(data)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=4000), mutated_bytes()))
def test_bytes_through_read(folder, data):
    path = folder / "bytes.txt"
    path.write_bytes(data)
    read_all_ways(path)


@settings(max_examples=int(os.environ.get("FUZZ_BUILD_EXAMPLES", "40")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(text=st.one_of(markup_text, mutated_corpus()), suffix=st.sampled_from([".muse", ".md", ".txt"]))
def test_whole_build_of_fuzzed_text(folder, text, suffix):
    """Fewer examples, all the way to a PDF and an EPUB: whatever a reader accepts,
    the writers must make something of (or refuse with our error)."""
    import zipfile

    from pipeline.build import BuildOptions, build_one
    from pipeline.writers.pdf import PdfOptions

    path = folder / f"whole{suffix}"
    path.write_text(text, encoding="utf-8")
    out = folder / "whole-out"
    options = BuildOptions(formats=("pdf", "epub"), title="T", author="A", lang="en",
                           pdf=PdfOptions(jobs=1))
    with no_hang(f"build of {path.name}"):
        try:
            result = build_one(path, out, options)
        except ZinepressError as exc:
            assert str(exc)
            return
    assert (out / "whole.pdf").read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(out / "whole.epub") as z:
        assert z.testzip() is None
    assert result.outputs


# Inputs the fuzzing above found, reduced to their core. Python-Markdown left its
# own placeholders (STX "klzzwxh:N" ETX) in the text, which lxml refuses, or
# paired emphasis with the wrong delimiters; and a character reference named a
# character XML forbids. Each must read, whole, with its marks where they belong.
def _read_markdown(text: str):
    from pipeline.readers import markdown

    doc = markdown.parse(text, Path("found.md"))
    every = [doc.body, *(note.body for note in doc.notes.values())]
    shown = "".join("".join(root.itertext()) for root in every)
    assert "\x02" not in shown and "\x03" not in shown and "klzzwxh" not in shown, shown
    return doc, shown


@pytest.mark.parametrize("text, body", [
    # a line break between an unpaired "*" and the pair after it: the pair was
    # found one character off, cutting the break's placeholder in two
    ("**e* *\n*  \n*", "<p>*<em>e</em> *\n<em><br/></em></p>"),
    ("**e* *\n*x*", "<p>*<em>e</em> *\n<em>x</em></p>"),
    # the text after "**a *b*" inside the pair took the pairs kept for later: " c" was lost
    ("*x **a *b* * c** d *e*", "<p>*x <strong>a <em>b</em> * c</strong> d <em>e</em></p>"),
    ("_x __a _b_ _ c__ d _e_", "<p>_x <strong>a <em>b</em> _ c</strong> d <em>e</em></p>"),
])
def test_emphasis_pairs_the_delimiters_it_found_and_loses_nothing(text, body):
    doc, _ = _read_markdown(text)
    assert etree.tostring(doc.body, encoding="unicode") == f"<body>{body}</body>"


def test_a_link_left_open_at_the_end_of_a_note_reads_as_in_the_text():
    # the note's back-link placeholder, put after its text, was taken into the address
    doc, _ = _read_markdown("x[^1]\n\n[^1]: see [a]('(\n")
    in_text, _ = _read_markdown("see [a]('(\n")
    assert [etree.tostring(p, encoding="unicode") for p in doc.notes["fn-1"].body] == \
        [etree.tostring(p, encoding="unicode") for p in in_text.body]


def test_notes_defined_inside_a_note_are_kept():
    # the dictionary of notes grew while the notes were rendered
    doc, shown = _read_markdown("a[^1] b[^2]\n\n[^1]: one [^2]: two\n\n[^2]:\n    [^3]: three\n")
    assert "one" in shown and "three" in shown, shown


def test_character_references_to_forbidden_characters_are_replaced_and_said():
    doc, shown = _read_markdown("title\n\nA &#2; B &#x2 C &#xFFFF; D &#xe; E `&#2;` <a href='&#x1;'>F</a>\n")
    assert "A \ufffd B \ufffd C \ufffd D \ufffd E &#2; F" in shown, shown
    assert any(w.startswith("line 3: a character reference names U+0002") and "(2 times)" in w
               for w in doc.warnings), doc.warnings
    assert sum("a character reference names" in w for w in doc.warnings) == 4, doc.warnings


def test_a_placeholder_python_markdown_still_leaves_is_one_clear_error_with_its_line():
    # "**e*" closed by one "*" takes the character after it: here the code span's
    # placeholder, cut in two. Not mended (upstream's pairing): refused, with the line.
    from pipeline.errors import SourceSyntaxError
    from pipeline.readers import markdown

    with pytest.raises(SourceSyntaxError) as caught:
        markdown.parse("one\n\nand *r**e*`x` end\n", Path("found.md"))
    assert str(caught.value).startswith("found.md:3: the Markdown reader misread the emphasis"), str(caught.value)
