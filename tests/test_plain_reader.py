"""Plain-text reader: Gutenberg books, letters, unwrapping, headings, notes."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from pipeline.readers import plain, read

PLAIN = Path(__file__).parent / "fixtures" / "plain"


def test_conquest_of_bread_against_its_own_contents():
    path = PLAIN / "conquest-of-bread-gutenberg.txt"
    raw = path.read_text(encoding="utf-8-sig")
    toc = re.findall(r"^ +([IVXL]+)\. +(.+?) {2,}\d+$", raw, re.MULTILINE)
    assert len(toc) > 10
    doc = read(path)
    assert doc.format == "plain"
    chapters = [h for h in doc.body.iter("h2") if "".join(h.itertext()).startswith("CHAPTER")]
    assert [(h.text.split()[1], h.get("data-toc")) for h in chapters] == \
        [(num, title) for num, title in toc]
    # every chapter has paragraphs, and paragraphs are unwrapped
    paras = doc.body.findall("p")
    assert len(paras) > 20 * len(toc)
    assert not any("\n" in (p.text or "") for p in paras)
    text = "".join(doc.body.itertext())
    assert "PROJECT GUTENBERG" not in text.upper().replace("SINCE GUTENBERG", "")
    m = doc.metadata
    assert (m.title, m.authors, m.lang) == ("The Conquest of Bread", ["Peter Kropotkin"], "en")
    assert m.source == "The Conquest of Bread, Project Gutenberg eBook #23428"
    # footnotes [1]..[13], referenced from the text
    assert len(doc.notes) == 13
    refs = [a.get("href") for a in doc.body.iter("a") if a.get("class") == "noteref"]
    assert sorted(refs) == sorted(f"#{k}" for k in doc.notes)
    # italics and a known line-end hyphenation
    assert any(e.text == "The Conquest of Bread" for e in doc.body.iter("em"))


def test_dehyphenation_only_for_known_words():
    text = "Some words here and a co-\noperation and also wonder-\nful wonderful things.\n"
    doc = plain.parse(text * 3)
    body = "".join(doc.body.itertext())
    assert "co-operation" in body and "wonderful wonderful" in body


def test_gutenberg_header_with_subtitle_and_translator():
    doc = read(PLAIN / "place-of-anarchism-gutenberg.txt")
    m = doc.metadata
    assert m.title == "The Place of Anarchism in Socialistic Evolution"
    assert m.subtitle == "An Address Delivered in Paris"
    assert m.authors == ["Pierre Kropotkin"] and m.extra["translator"] == "Henry Glasse"
    assert "#31104" in m.source
    assert [h.text for h in doc.headings()] == ["PART I.", "PART II.", "PART III."]


def test_letter_with_source_title_and_author():
    doc = read(PLAIN / "The_Last_War.txt")
    m = doc.metadata
    assert (m.title, m.authors) == ("The Last War", ["Peter Kropotkin"])
    assert m.source.startswith("https://anarchistfaq.org/")
    assert len(doc.body.findall("hr")) >= 3


def test_letter_title_line_and_signature():
    doc = read(PLAIN / "Correction_Letter.txt")
    assert doc.metadata.title == "Correction" and doc.metadata.authors == ["P. Kropotkin"]
    assert doc.metadata.source.startswith("https://www.marxists.org/")
    # the title line went to the title page; the signature stays: it is part of the letter
    assert "CORRECTION" not in [h.text for h in doc.headings()]
    assert "".join(doc.body[-1].itertext()) == "P. KROPOTKIN"


def test_text_that_names_no_title_leaves_it_empty():
    doc = read(PLAIN / "Speech_Ferrer_Execution.txt")
    assert doc.metadata.title == "" and doc.metadata.authors == []


def test_unwrapped_text_keeps_one_paragraph_per_line():
    doc = read(PLAIN / "Speech_Ferrer_Execution.txt")
    paras = ["".join(p.itertext()) for p in doc.body.iter("p")]
    assert "The Conservative papers are afraid of that indignation movement, and they do " \
           "not conceal their fears." in paras


def test_verse_and_italics():
    text = ("A long line of prose that wraps at about seventy characters like books do\n"
            "in the plain text format and goes on and on for a while, as _prose_ does.\n\n"
            "Short line one\nShort line two\nShort line three\n\n"
            + "Another paragraph of prose that wraps at about seventy characters too, ok.\n" * 12)
    doc = plain.parse(text)
    ps = doc.body.findall("p")
    assert ps[0].find("em").text == "prose"
    assert len(ps[1].findall("br")) == 2


def test_sniff():
    assert plain.sniff((PLAIN / "conquest-of-bread-gutenberg.txt").read_text()) >= 60
    assert plain.sniff("Source: http://x.org\n\ntext") == 50
    assert plain.sniff("anything") == 10
    assert etree.iselement(plain.parse("x").body)
