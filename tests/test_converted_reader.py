"""Library PDFs converted to Markdown by other tools (``../shared/corpus/export``):
metadata from the text itself, converter and browser debris gone, no text lost."""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import alnum, corpus_file, run_cli
from pipeline.render.colophon import missing_fields
from pipeline.document import text_content
from pipeline.readers import read

EXPORTS = sorted(corpus_file("export").glob("*.md"))
DEBRIS = ["about:reader", "## Page", "Complete Page View", "Converted from", "Document Summary",
          "Conversion completed", "```", "reconversion_status"]
FOOTER = re.compile(r"^\s*\d+ of \d+\s+\d{1,2}/\d{1,2}/\d{2,4}")


def text_lines(raw: str) -> list[str]:
    """Long lines of running text in the source, found without the reader: not
    front matter, not the converter's or the browser's lines, not a URL line."""
    body = raw.split("\n---\n", 1)[1] if raw.startswith("---\n") else raw
    body = body.split("## Document Summary")[0]
    lines = []
    for line in body.split("\n"):
        s = line.strip().replace("```", "")
        if len(s) < 50 or FOOTER.match(s) or "http" in s or "theanarchistlibrary.org/" in s or s.startswith(("#", "|", "*", "-", "!")) \
                or "Retrieved on" in s or "Anti-Copyright" in s \
                or re.match(r"(Title|Author|Date|Source|Topics):", s):
            continue
        lines.append(s)
    return lines


def key(text: str) -> str:
    """Letters and digits of a line, without Markdown link targets and tags."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return alnum(unicodedata.normalize("NFKC", re.sub(r"<[^>]+>|\\", "", text)))


def test_all_exports_found():
    assert len(EXPORTS) >= 10


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name[:40])
def test_no_text_lost_and_no_debris(path):
    raw = path.read_text(encoding="utf-8")
    doc = read(path)
    body = text_content(doc.body) + "".join(text_content(n.body) for n in doc.notes.values())
    for residue in DEBRIS:
        assert residue not in body, residue
    assert not any(FOOTER.match(line) for line in body.split("\n"))
    # the Library colophon's notes under its "Retrieved on" line, the last lines of the
    # source, are the colophon's (Metadata.notes), which the outputs print last
    hay = key(body + doc.metadata.notes)
    position = 0
    lines = text_lines(raw)
    assert len(lines) > 10
    for line in lines:
        needle = key(line)
        found = hay.find(needle, position)
        assert found >= 0, f"lost or out of order: {line[:80]!r}"
        position = found + len(needle)


def _stated(raw: str, field: str) -> str:
    """A field the Library printed in the text: 'Author: X' / 'Title: X' lines, or
    its colophon's 'Author: … Title: … Publication date: …'."""
    flat = " ".join(raw.split())
    m = re.search(r"Anti-Copyright\.? https?://theanarchistlibrary\.org/? Author: (.+?) Title: (.+?)"
                  r"(?: Publication date: (.+?))?$", flat)
    if m:
        return {"author": m.group(1), "title": m.group(2)}[field]
    line = re.search(rf"^\s*{field.title()}: (.+?)(?: \(https?://\S+\))?\s*$", raw, re.M)
    return line.group(1).strip() if line else ""


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: p.name[:40])
def test_metadata_stated_in_the_text_wins_over_front_matter(path):
    raw = path.read_text(encoding="utf-8")
    meta = read(path).metadata
    for field in ("author", "title"):
        stated = _stated(raw, field)
        if stated:
            got = meta.authors[0] if field == "author" else meta.title
            assert got == stated
    # never a converter's file name as the title
    assert not meta.title.endswith(".pdf") and "_ The Anarchist Library" not in meta.title
    # a converter's date is the day it ran, never the text's date
    front_date = re.search(r"^date: \"?(\d{4})", raw, re.M)
    if front_date and meta.date and read(path).format == "converted":
        assert meta.date != front_date.group(1) or front_date.group(1) in " ".join(raw.split("\n---\n", 1)[-1].split()[:400])


def test_known_wrong_front_matter_is_overridden():
    facts = read(corpus_file("export/The_Facts_of_Anarchy___The_Anarchist_Library.md")).metadata
    assert (facts.title, facts.authors, facts.date) == ("The Facts of Anarchy", ["Itō Noe"], "1921")
    appeal = read(corpus_file("export/An_Appeal_to_the_Young_-_Petr_Kropotkin.md")).metadata
    assert (appeal.title, appeal.authors, appeal.date) == ("An Appeal to the Young", ["Pëtr Kropotkin"], "1880")
    assert appeal.source.startswith("Retrieved on February 16th, 2009 from dwardmac.pitzer.edu")
    berkman = read(corpus_file("export/Berkman_What_Is_Communist_Anarchism__pdf2md.md")).metadata
    assert (berkman.title, berkman.authors, berkman.date) == ("What Is Communist Anarchism?", ["Alexander Berkman"], "1929")


def test_toc_titles_become_headings():
    doc = read(corpus_file("export/Article_anarchist-morality.md"))
    heads = [text_content(h) for h in doc.body.iter("h2")]
    assert heads[:3] == ["Note For Anarchist Morality", "I", "II"]
    assert heads[-1] == "IX"


def test_libcom_page_states_its_author_in_a_by_line():
    path = corpus_file("export/Article_interview-with-the-organizing-team-of-utopia-libertaria.md")
    m = read(path).metadata
    assert (m.title, m.authors, m.date) == ('Interview with the organizing team of "Utopia Libertaria"',
                                           ["Iván Fernando Mérida Aguilar"], "")


def test_unrecoverable_author_is_the_clear_error(tmp_path):
    raw = corpus_file("export/Article_interview-with-the-organizing-team-of-utopia-libertaria.md").read_text()
    path = tmp_path / "no-author.md"
    path.write_text(raw.replace(", by Iván Fernando Mérida Aguilar.", "."))
    assert missing_fields(read(path)) == ["author"]
    proc = run_cli("build", path, "-o", tmp_path, "--format", "epub")
    assert proc.returncode == 1
    assert "no author" in proc.stderr and "Traceback" not in proc.stderr
    # the lines the user may pick from are named
    assert "lines near the top: 'Interview of Utopía Libertaria, of Argentina.'" in proc.stderr
    assert not list(tmp_path.rglob("*.epub"))


DAMAGED = ["Petr_Kropotkin__Anarchist_Communism__Its_Basis_and_Principles_a4.md",   # lost ligatures
           "The_Facts_of_Anarchy___The_Anarchist_Library.md",                      # icons, links, footer
           "Anarchism_as_Extreme_Democracy___The_Anarchist_Library.md"]            # compounds at line ends


@pytest.mark.parametrize("name", DAMAGED)
def test_pdf_damage_is_repaired(name):
    """No word the word list sees as ligature-broken, no private-use character, no
    compound's hyphen lost at a line end (a hyphenated pair of words in the source
    whose joined form is no word)."""
    from pipeline.build import BuildOptions, load
    from pipeline.normalize.ligatures import TOKEN, repaired_word
    from pipeline.wordlist import words_for

    path = corpus_file(f"export/{name}")
    doc = load(path, BuildOptions())
    text = text_content(doc.body) + " " + " ".join(text_content(n.body) for n in doc.notes.values())
    words = words_for("en")
    # ("'tis" is a word the list lacks; no ligature is missing there)
    assert not [w for w in TOKEN.findall(text) if len(w) > 2 and w != "tis" and repaired_word(w, words)]
    assert not re.search("[\ue000-\uf8ff]", text)
    raw = path.read_text(encoding="utf-8")
    for left, right in re.findall(r"([a-z]+)-\n\s*([a-z]+)\b", raw):
        if words.known(left) and words.known(right) and not words.known(left + right):
            assert f"{left}{right}" not in text.replace(f"{left}-{right}", ""), f"{left}-{right}"


def test_retrieved_lines_are_found_as_the_pattern_finds_them_in_one_scan():
    import random
    import re

    from pipeline.readers.converted import is_retrieved_line

    pattern = re.compile(r"^(.*?\b)?Retrieved on .+ from .+$")
    rng = random.Random(7)
    parts = ["Retrieved on ", "x", " from ", "from", " ", "é", "aRetrieved on ", "-", "Retrieved", " on ", "_", "1"]
    for _ in range(20000):
        line = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        assert is_retrieved_line(line) == bool(pattern.match(line)), line
    assert is_retrieved_line("Kropotkin, Retrieved on May 1, 2009 from dwardmac.pitzer.edu")
    # the pattern took minutes on a long line of "Retrieved on" without "from"
    assert not is_retrieved_line("Retrieved on x " * 100_000)
