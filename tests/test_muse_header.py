"""Header directives of .muse sources → Metadata (examples from the manual and the corpus)."""

from pathlib import Path

from pipeline.readers import muse

MANUAL = Path(__file__).parent / "fixtures" / "muse" / "amusewiki-manual.muse"


def test_manual_header():
    doc = muse.parse(MANUAL.read_text(encoding="utf-8"), MANUAL)
    m = doc.metadata
    assert m.title == "The Text::Amuse markup manual"
    assert m.subtitle == "The writer’s guide"
    assert m.lang == "en"
    assert m.date == "2022"
    assert m.topics == ["doc", "howto"]
    # no #author: #authors is split on commas
    assert m.authors == ["Marco Pessotto", "Michael Olson", "John Wiegley"]
    # continuation line of #teaser joins its directive; unknown ones go to extra
    assert m.extra["teaser"] == ("Everything you have to know about the Text::Amuse markup. "
                                 "Last updated for version 1.81 (1.81 March 29, 2022).")
    assert m.extra["pubdate"] == "2022-11-12"
    # the header ends at the first body line
    assert doc.body[0].tag == "p" and doc.body[0].text.startswith("Copyright (C) 2004")


def test_author_is_display_and_sort_authors_are_the_sort_names():
    doc = muse.parse("#title T\n#author Pëtr Kropotkin, and friends\n#SORTauthors A; B\n\nText\n")
    assert doc.metadata.authors == ["Pëtr Kropotkin, and friends"]
    assert doc.metadata.sort_authors == ["A", "B"]
    assert "SORTauthors" not in doc.metadata.extra


def test_sortauthors_split_on_commas_and_semicolons():
    doc = muse.parse("#title T\n#SORTauthors A; B, C,,\n\nText\n")
    assert doc.metadata.authors == ["A", "B", "C"]


def test_topics_split_and_empty_dropped():
    doc = muse.parse("#title T\n#SORTtopics anti-egoist, classical, , ethics,\n"
                     "#topics ethics; war\n\nText\n")
    assert doc.metadata.topics == ["anti-egoist", "classical", "ethics", "war"]


def test_source_keeps_full_url_and_drops_inline_markup():
    src = ("#title Ethics\n#source Retrieved on February 25<sup>th</sup>, 2009 from "
           "[[http://dwardmac.pitzer.edu/anarchist_archives/kropotkin/ethics/toc.html]"
           "[dwardmac.pitzer.edu]]\n\nText\n")
    assert muse.parse(src).metadata.source == (
        "Retrieved on February 25th, 2009 from "
        "http://dwardmac.pitzer.edu/anarchist_archives/kropotkin/ethics/toc.html")


def test_source_link_with_other_text_keeps_both():
    src = "#title T\n#source From [[https://example.org/a][the archive]] and [[http://www.revoltlib.com/?id=442][RevoltLib.com]].\n\nx\n"
    assert muse.parse(src).metadata.source == (
        "From the archive <https://example.org/a> and http://www.revoltlib.com/?id=442.")


def test_flags_cover_lang_and_other_fields():
    src = ("#title <em>Now</em>\n#lang zh\n#cover c-now.jpg\n#notoc 1\n#nofinalpage 0\n"
           "#notes Original: <em>Nichilismo</em>, 1920\n#rights Anti-Copyright\n"
           "#publisher Someone\n#disable-tables 1\n\nText\n")
    m = muse.parse(src).metadata
    assert (m.title, m.lang, m.cover, m.notoc, m.nofinalpage) == ("Now", "zh", "c-now.jpg", True, False)
    assert m.notes == "Original: Nichilismo, 1920"
    assert (m.rights, m.publisher) == ("Anti-Copyright", "Someone")
    assert m.extra == {"disabletables": "1"}


def test_directive_without_blank_line_swallows_next_line_as_text_amuse_does():
    doc = muse.parse("#title A\ncontinued\n\nBody\n")
    assert doc.metadata.title == "A continued"
    assert doc.body[0].text == "Body"


def test_anchor_right_after_header_is_a_directive():
    # the manual: "#badanchor ... is part of the header with a dummy name"
    doc = muse.parse("#title My text\n\n#badanchor\nThis is not an anchor.\n")
    assert doc.metadata.extra["badanchor"] == "This is not an anchor."


def test_sniff():
    assert muse.sniff(MANUAL.read_text(encoding="utf-8")) >= 90
    assert muse.sniff("# A markdown title\n\nSome *text*.\n") < 20
    assert muse.sniff("Just some plain text.\n") == 0
