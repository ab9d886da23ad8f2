"""Constructs frequent in real sources, end to end through the command: private-use
characters (icon-font glyphs, ligature stand-ins), a note called more than once,
link addresses with spaces; and the book identifier, which must survive a
correction of the text."""

from __future__ import annotations

import re
import zipfile
from collections import Counter

import pytest
from lxml import etree

from conftest import alnum, epubcheck, pdf_text, run_cli
from epub_checks import NS, Book, check_footnotes

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
PRIVATE = ["\ue000", "\ue001", "\ue002", "\ue003", "\ue004", "\ue005", "\uf1c1", "\uf8ff",
           "\U000f0000", "\U0010fffd"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo"]

PUA_MUSE = ("#title Private Use\n#author Jane Doe\n#lang en\n\n* Heading " + PRIVATE[6] + " lima\n\n"
            + " ".join(f"{w} {c}" for w, c in zip(WORDS, PRIVATE)) + f" {WORDS[-1]}.\n\n"
            + "".join(f"Paragraph {w} *{c} emphasis* {c}{c} after{c}.\n\n" for w, c in zip(WORDS, PRIVATE))
            + f"Noted{PRIVATE[0]} here [1] and \"quoted {PRIVATE[3]} http://x.org/{PRIVATE[3]}\" end.\n\n"
            + f"[1] The note {PRIVATE[1]} mike {PRIVATE[2]} november.\n")

SPACED_URLS = ["http://en.wikipedia.org/wiki/Prime (symbol)", "https://example.org/a b?q=x y#frag ment"]
NOTES_MUSE = ("#title Notes And Links\n#author Jane Doe\n#lang en\n"
              "#source Retrieved from http://en.wikipedia.org/wiki/Prime (symbol)\n\n"
              "A first call [1] and a second one [1], then another note [2].\n\n"
              "A third call of the first [1], in another paragraph.\n\n"
              f"See [[{SPACED_URLS[0]}][the prime symbol]] and [[{SPACED_URLS[1]}]].\n\n"
              "[1] The note called three times.\n\n"
              f"[2] A note with [[{SPACED_URLS[1]}][a link]] in it.\n")
NOTES_MD = ("---\ntitle: Notes In Markdown\nauthor: Jane Doe\nlang: en\n---\n\n"
            "A call[^1] and the same note again[^1].\n\n"
            f"An address <{SPACED_URLS[1]}> and [a link](<{SPACED_URLS[0]}>).\n\n"
            "[^1]: The note.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("constructs")
    src = root / "src"
    src.mkdir()
    (src / "pua.muse").write_text(PUA_MUSE, encoding="utf-8")
    (src / "notes.muse").write_text(NOTES_MUSE, encoding="utf-8")
    (src / "notes-md.md").write_text(NOTES_MD, encoding="utf-8")
    out = root / "out"
    proc = run_cli("build", src, "-o", out, "--format", "pdf,epub", "--jobs", "1", env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    assert "normalisation skipped" not in proc.stderr, proc.stderr
    return out


def test_every_epub_passes_epubcheck(built):
    epubs = sorted(built.glob("*.epub"))
    assert len(epubs) == 3
    for path, result in epubcheck(epubs).items():
        assert (result.fatal, result.errors, result.warnings) == (0, 0, 0), (path.name, result.messages)


def _chapters_text(book: Book) -> str:
    return "".join("".join(body.itertext()) for href in book.spine() if href.startswith("text")
                   for body in book.xhtml(href).xpath("//x:body", namespaces=NS))


def test_private_use_characters_keep_every_word(built):
    words = WORDS + ["Heading", "lima", "emphasis", "after", "Noted", "quoted", "mike", "november", "end"]
    pdf = alnum(pdf_text(built / "pua.pdf"))
    epub = _chapters_text(Book.open(built / "pua.epub"))
    for word in words:
        assert alnum(word) in pdf, f"PDF lost {word!r}"
        assert word in epub, f"EPUB lost {word!r}"
    # in order, each paragraph whole
    assert "".join(WORDS) in alnum(epub) and "".join(WORDS) in pdf
    for w, _ in zip(WORDS, PRIVATE):
        assert f"paragraph{w}emphasisafter" in pdf and f"paragraph{w}emphasisafter" in alnum(epub)
    # the characters themselves stay in the EPUB, each as often as in the source
    count = Counter(c for c in epub if c in PRIVATE)
    for c in PRIVATE:
        expected = PUA_MUSE.split("\n\n", 1)[1].count(c)
        assert count[c] == expected, (hex(ord(c)), count[c], expected)


def test_a_note_called_again_gives_each_call_its_own_id(built):
    for name in ("notes.epub", "notes-md.epub"):
        book = Book.open(built / name)
        check_footnotes(book)          # the first call's back link
        for href in book.spine():
            ids = [el.get("id") for el in book.xhtml(href).iter() if el.get("id")]
            assert len(ids) == len(set(ids)), (name, href, sorted(i for i in ids if ids.count(i) > 1))
        calls = [a for href in book.spine()
                 for a in book.xhtml(href).xpath("//x:a[@epub:type='noteref']", namespaces=NS)]
        targets = Counter(a.get("href").rsplit("#", 1)[1] for a in calls)
        assert max(targets.values()) >= 2, targets
    # the PDF prints a note at the foot of each page that calls it, each with its own anchor
    import fitz
    names = fitz.open(built / "notes.pdf").resolve_names()
    assert {"fnref-fn1", "fnref2-fn1", "fnref3-fn1", "fn-fn1", "fn2-fn1", "fn3-fn1"} <= set(names)


def _link_targets(book: Book) -> list[str]:
    return [a.get("href") for href in book.spine()
            for a in book.xhtml(href).xpath("//x:a[@href]", namespaces=NS) if "://" in a.get("href")]


def test_addresses_with_spaces_are_percent_encoded_where_they_are_links(built):
    import fitz
    encoded = {"http://en.wikipedia.org/wiki/Prime%20(symbol)", "https://example.org/a%20b?q=x%20y#frag%20ment"}
    for stem in ("notes", "notes-md"):
        hrefs = set(_link_targets(Book.open(built / f"{stem}.epub")))
        uris = {link["uri"] for page in fitz.open(built / f"{stem}.pdf") for link in page.get_links()
                if link.get("uri")}
        assert hrefs == encoded and uris == encoded, (stem, hrefs, uris)
    # the text shown keeps the address as written, the colophon too
    book = Book.open(built / "notes.epub")
    assert SPACED_URLS[1] in _chapters_text(book)
    colophon = "".join(book.xhtml("colophon.xhtml").itertext())
    assert "http://en.wikipedia.org/wiki/Prime (symbol)" in colophon


# ---------------------------------------------------------------- the identifier

@pytest.mark.parametrize("source", ["#source Retrieved on 1 May 2020 from https://example.org/texts/mutual-aid\n", ""])
def test_a_correction_keeps_the_identifier_a_new_title_changes_it(tmp_path, source):
    header = "#title {title}\n#author Pëtr Kropotkin\n#lang en\n" + source
    text = "\nThe struggle for existence is a struggle agianst adverse circumstances.\n"
    variants = {"first": header.format(title="Mutual Aid") + text,
                "corrected": header.format(title="Mutual Aid") + text.replace("agianst", "against"),
                "other": header.format(title="The Conquest of Bread") + text}
    ids = {}
    for name, body in variants.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "book.muse").write_text(body, encoding="utf-8")
        proc = run_cli("build", folder / "book.muse", "-o", tmp_path / "out" / name, "--format", "epub",
                       env=EPOCH)
        assert proc.returncode == 0, proc.stderr
        with zipfile.ZipFile(tmp_path / "out" / name / "book.epub") as z:
            opf = etree.fromstring(z.read("EPUB/content.opf"))
        unique = opf.get("unique-identifier")
        ids[name] = opf.xpath(f"//*[@id='{unique}']/text()")[0]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ids["first"]), ids
    assert ids["corrected"] == ids["first"]
    if source:      # the address names the work, whatever its title says
        assert ids["other"] == ids["first"]
    else:
        assert ids["other"] != ids["first"]


def test_identifier_from_the_source_address_or_the_work():
    from pipeline.document import Document, Metadata, source_url

    def ident(**meta) -> str:
        return Document(Metadata(**meta), etree.Element("body")).identifier()

    assert source_url("Retrieved on 24th April 2021 from https://Anarchism.PageAbode.com/?p=645, thanks.") == \
        "https://anarchism.pageabode.com/?p=645"
    assert source_url("于2022-01-03从https://zhuanlan.zhihu.com/p/452877611拾获") == \
        "https://zhuanlan.zhihu.com/p/452877611"
    assert source_url("https://x.org/a#:~:text=quoted") == "https://x.org/a"
    assert source_url("A Bureau of Public Secrets book, 1981") == ""
    base = dict(title="Mutual Aid", authors=["Pëtr Kropotkin"], lang="en")
    assert ident(**base) == ident(**dict(base, title="  mutual   AID "))
    assert ident(**base) != ident(**dict(base, lang="fr"))
    assert ident(**base) != ident(**dict(base, authors=["Someone Else"]))
    by_url = ident(**base, source="Retrieved from https://example.org/mutual-aid")
    assert by_url == ident(title="Other", source="Retrieved on another day from https://example.org/mutual-aid.")
    assert by_url != ident(**base)
