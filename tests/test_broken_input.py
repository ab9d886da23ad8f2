"""Broken input gets a clear error: one line naming the file (and the line where
known), what is wrong and what to do, exit 1 — or a build with a warning where a
sensible result exists. Never a traceback, a hang or unbounded memory.

Every case is a real file built through the command line. The subprocess
timeout is only a guard against a hang (it fails the test), not a measure."""

from __future__ import annotations

import os
import random
import re
import zipfile
from pathlib import Path

import pytest

from conftest import pdf_text, run_cli

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a1e1a2aa0000000049454e44ae426082")
PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
FRONT = "---\ntitle: A title\nauthor: An Author\nlang: en\n---\n\n"
MUSE_HEAD = "#title A title\n#author An Author\n#lang en\n\n"


def build(source: Path, *extra: str, formats: str = "epub") -> tuple[int, str, str, Path]:
    out = source.parent / "out"
    proc = run_cli("build", source, "-o", out, "--format", formats, "--jobs", "1", *extra)
    return proc.returncode, proc.stdout, proc.stderr, out


def assert_clean_failure(source: Path, stderr: str, *, says: str, line: int | None = None) -> None:
    """Exactly one error line, naming the file (and line), saying what and what to do."""
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    errors = [l for l in stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, stderr
    error = errors[0]
    where = f"{source}:{line}: " if line else f"{source}"
    assert where in error, error
    assert re.search(says, error, re.I), error
    assert " — " in error, f"no advice in {error!r}"


def assert_clean_build(rc: int, stderr: str, out: Path, name: str) -> str:
    assert rc == 0, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    epub = out / f"{name}.epub"
    with zipfile.ZipFile(epub) as z:
        assert z.testzip() is None
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))


# ---------------------------------------------------------------- no text at all

@pytest.mark.parametrize("name,content", [
    ("empty.txt", b""),
    ("blank.md", b"  \n\t\n   \r\n"),
    ("blank.muse", "\u00a0\n\u3000\n".encode()),
])
def test_empty_or_blank(tmp_path, name, content):
    source = tmp_path / name
    source.write_bytes(content)
    rc, _, err, out = build(source)
    assert rc == 1
    assert_clean_failure(source, err, says="empty")
    assert not out.exists() or not any(out.glob("*.epub"))


@pytest.mark.parametrize("name,content,says", [
    ("report.txt", PDF, "PDF"),
    ("picture.txt", PNG, "PNG"),
    ("picture.md", PNG + bytes(range(256)) * 40, "PNG|binary"),
    ("noise.txt", bytes(random.Random(1).randrange(256) for _ in range(5000)), "binary|encoding"),
    # High bytes only: either refused as undecodable, or read as a legacy code page
    # (then it has no title): a clear error either way.
    ("high.txt", bytes(random.Random(2).randrange(128, 256) for _ in range(5000)), "encoding|UTF-8|no title"),
])
def test_binary_or_undecodable(tmp_path, name, content, says):
    source = tmp_path / name
    source.write_bytes(content)
    rc, _, err, _ = build(source)
    assert rc == 1
    assert_clean_failure(source, err, says=says)


def test_no_title_or_author(tmp_path):
    source = tmp_path / "anon.muse"
    source.write_text("Just a paragraph of text, with no header at all.\n\nAnother one.\n")
    rc, _, err, _ = build(source)
    assert rc == 1
    assert_clean_failure(source, err, says=r"no title.*colophon.*--title")
    source = tmp_path / "noauthor.md"
    source.write_text("---\ntitle: Only a title\n---\n\nText.\n")
    rc, _, err, _ = build(source)
    assert rc == 1
    assert_clean_failure(source, err, says=r"no author.*--author")


# ---------------------------------------------------------------- too much

def test_fifty_megabytes_is_refused_before_reading(tmp_path):
    source = tmp_path / "huge.txt"
    with source.open("wb") as f:
        block = (b"A line of a very long text, repeated. " * 25 + b"\n\n") * 1000
        while f.tell() < 50 * 2**20:
            f.write(block)
    rc, _, err, _ = build(source)
    assert rc == 1
    assert_clean_failure(source, err, says=r"50\.\d MB.*limit is 10 MB.*split")


def test_one_megabyte_paragraph_builds(tmp_path):
    """A single 1 MB paragraph is text like any other: it builds (EPUB here; the
    PDF of it takes minutes of layout, linear in its length)."""
    rng = random.Random(7)
    words = "mutual aid commune federation freedom workers the of and to in".split()
    para = " ".join(rng.choice(words) for _ in range(200_000))[: 2**20]
    source = tmp_path / "paragraph.md"
    source.write_text(FRONT + para + "\n")
    rc, _, err, out = build(source)
    text = assert_clean_build(rc, err, out, "paragraph")
    assert para[-200:].rsplit(" ", 1)[0] in text


NESTED = {
    "quotes.md": FRONT + "> " * 10_000 + "deep\n",
    "quotes-html.md": FRONT + "<blockquote>" * 10_000 + "deep" + "</blockquote>" * 10_000 + "\n",
    "lists.md": FRONT + "- " * 10_000 + "deep\n",
    "numbered.md": FRONT + "1. " * 10_000 + "deep\n",
    "quotes.muse": MUSE_HEAD + "<quote>\n" * 10_000 + "deep\n" + "</quote>\n" * 10_000,
    "lists.muse": MUSE_HEAD + "".join(" " * (2 * i + 1) + "- level\n" for i in range(2000)),
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_ten_thousand_levels_of_nesting(tmp_path, name):
    source = tmp_path / name
    source.write_text(NESTED[name])
    rc, _, err, _ = build(source)
    assert rc == 1, err
    assert_clean_failure(source, err, says=r"nested")


def test_nesting_under_the_limit_builds_a_pdf(tmp_path):
    """The depth limit leaves room: 20 levels of lists inside quotes lay out."""
    source = tmp_path / "nested.md"
    source.write_text(FRONT + "Before.\n\n" + "> " * 10 + "- " * 10 + "Deep\n\nAfter.\n")
    rc, _, err, out = build(source, formats="pdf")
    assert rc == 0, err
    text = pdf_text(out / "nested.pdf")
    assert "Deep" in text.replace("\n", "") and "After." in text   # a narrow box breaks the word


def test_plain_text_with_quote_marks_is_just_text(tmp_path):
    source = tmp_path / "marks.txt"
    source.write_text("A title\nAn Author\n\n" + "> " * 10_000 + "deep\n")
    rc, _, err, out = build(source)
    assert_clean_build(rc, err, out, "marks")


# ---------------------------------------------------------------- broken structure

@pytest.mark.parametrize("name,body,warns", [
    ("example.muse", "Before.\n\n<example>\nnever closed\n\nmore\n", r"line 7: <example> is not closed"),
    ("quote.muse", "Before.\n\n<quote>\nnever closed\n", r"line 7: <quote> .*not closed"),
    ("verse.muse", "Before.\n\n<verse>\nnever closed\n", r"line 7: <verse> .*not closed"),
    ("braces.muse", "Before.\n\n{{{\nnever closed\n", r"line 7: .*not closed"),
    ("comment.muse", "Before.\n\n<comment>\nhidden\n", r"line 7: <comment> is not closed"),
])
def test_unterminated_muse_blocks_build_with_a_warning(tmp_path, name, body, warns):
    source = tmp_path / name
    source.write_text(MUSE_HEAD + body)
    rc, _, err, out = build(source)
    text = assert_clean_build(rc, err, out, source.stem)
    assert re.search(rf"warning: {re.escape(str(source))}: {warns}", err), err
    assert "Before." in text


@pytest.mark.parametrize("name,content,missing_ref,orphan", [
    ("notes.muse", MUSE_HEAD + "A reference [1] and one [2].\n\n[2] Cited.\n\n[3] A note nobody cites.\n",
     r"line 5: footnote reference \[1\] has no note", r"line 9: footnote 3 has no reference"),
    ("notes.md", FRONT + "A reference[^1] and one[^2].\n\n[^2]: Cited.\n\n[^3]: A note nobody cites.\n",
     r"line 7: footnote reference \[\^1\] has no note", r"line 11: footnote 3 has no reference"),
    ("notes.txt", "A title\nAn Author\n\nA reference [1] and one [2].\n\nFOOTNOTES:\n\n[2] Cited.\n\n"
                  "[3] A note nobody cites.\n", None, r"line 10: footnote 3 has no reference"),
])
def test_footnotes_without_notes_or_references(tmp_path, name, content, missing_ref, orphan):
    """A reference without a note stays as text, a note without a reference is kept
    at the end: both said, nothing lost, in the EPUB and the PDF."""
    source = tmp_path / name
    source.write_text(content)
    rc, _, err, out = build(source, formats="pdf,epub")
    text = assert_clean_build(rc, err, out, source.stem)
    for pattern in (missing_ref, orphan):
        if pattern:
            assert re.search(rf"warning: {re.escape(str(source))}: {pattern}", err), err
    assert "nobody cites" in text
    pdf = pdf_text(out / f"{source.stem}.pdf")
    assert "nobody cites" in pdf and "Cited" in pdf


# ---------------------------------------------------------------- where the outputs go

def test_output_folder_is_a_file(tmp_path):
    source = tmp_path / "fine.md"
    source.write_text(FRONT + "A fine text.\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        proc = run_cli("build", source, "-o", out, "--format", "epub", "--jobs", "1")
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        errors = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
        assert len(errors) == 1 and "cannot write" in errors[0] and " — " in errors[0], proc.stderr
    assert blocker.read_text() == "not a folder"


def test_output_folder_not_writable(tmp_path):
    """A folder the build may not write: read-only permissions (which do not bind
    root, who runs CI) and, for everyone, a place no one can create a folder in."""
    source = tmp_path / "fine.md"
    source.write_text(FRONT + "A fine text.\n")
    unwritable = [Path("/proc/zinepress-cannot-write-here")]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        unwritable.append(locked)
    try:
        for out in unwritable:
            proc = run_cli("build", source, "-o", out, "--format", "epub", "--jobs", "1")
            assert proc.returncode == 1, out
            assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
            assert re.search(r"^error: .*cannot write.* — ", proc.stderr, re.M), proc.stderr
    finally:
        for out in unwritable[1:]:
            out.chmod(0o755)


def test_missing_stylesheet_is_an_option_error(tmp_path):
    source = tmp_path / "fine.md"
    source.write_text(FRONT + "A fine text.\n")
    rc, _, err, _ = build(source, "--css", str(tmp_path / "nope.css"), formats="pdf")
    assert rc == 1
    assert "Traceback" not in err and "internal error" not in err, err
    assert re.search(rf"^error: .*{re.escape(str(tmp_path / 'nope.css'))}: no such stylesheet — ", err, re.M), err
