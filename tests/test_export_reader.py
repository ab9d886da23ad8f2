"""The Library export reader, on the sample article and on realistic variations
(attribution block at the start, middle or end; subtitle; several authors;
no library header; no site line)."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, alnum, corpus_file
from pipeline.document import text_content
from pipeline.readers import detect_format, read
from pipeline.readers.decode import decode
from source_facts import SAMPLE, body_paragraphs

EXPORTS = FIXTURES / "export"


def test_sample_is_the_corpus_seed():
    assert SAMPLE.read_bytes() == corpus_file("seed/azat-miftakhov.txt").read_bytes()


def test_sample_metadata_exact():
    m = read(SAMPLE).metadata
    assert m.title == "Anarchist Azat Miftakhov – an example of resistance"
    assert m.subtitle == ""
    assert m.authors == ["Anonymous"]
    assert m.date == "12th March 2019"
    assert m.source == ("Retrieved on 15th August 2020 from https://bo-ak.org/index.php/en/theory-en/"
                        "146-anarchist-azat-miftakhov-an-example-of-resistance")
    assert m.publisher == "The Anarchist Library"
    assert m.rights == "Anti-Copyright"
    assert m.site == "theanarchistlibrary.org"
    assert m.lang == ""  # the export does not say; nothing is invented


def test_sample_detected_as_export():
    text = decode(SAMPLE.read_bytes())
    assert detect_format(text, SAMPLE) == "export"


def test_sample_body_is_the_twelve_paragraphs_in_order():
    doc = read(SAMPLE)
    expected = body_paragraphs(SAMPLE, ("Anonymous", "12<sup>th</sup> March 2019"))
    assert len(expected) == 12
    got = [text_content(p) for p in doc.body]
    assert [el.tag for el in doc.body] == ["p"] * 12
    assert [alnum(g) for g in got] == [alnum(re.sub(r"</?sup>", "", e)) for e in expected]


def test_sample_body_has_no_header_or_attribution_residue():
    body = text_content(read(SAMPLE).body)
    for residue in ("The Anarchist Library", "Anti-Copyright", "Retrieved on", "theanarchistlibrary.org",
                    "bo-ak.org", "12th March 2019", "Anonymous"):
        assert residue not in body


def test_sup_is_kept_as_superscript():
    doc = read(EXPORTS / "process-under-socialism.txt")
    # the date/source's <sup> go to metadata as text; in a body a <sup> stays an element
    text = "The Anarchist Library  \nAnti-Copyright\n\n## T\n\nA\n\nOn the 1<sup>st</sup> of May we met.\n"
    path = EXPORTS / "process-under-socialism.txt"
    from pipeline.readers.export import parse
    doc = parse(text, path)
    sups = doc.body.findall(".//sup")
    assert [s.text for s in sups] == ["st"]
    assert doc.metadata.authors == ["A"]


@pytest.mark.parametrize("name, title, subtitle, authors, date, source_has, notes_has, header", [
    ("letter-to-lenin.txt", "Letter To Lenin", "21 December 1920", ["Pëtr Kropotkin"], "December 21, 1920",
     "http://dwardmac.pitzer.edu/anarchist_archives/kropotkin/kropotlenindec20.html",
     "Selected Writings on Anarchism and Revolution", True),
    ("process-under-socialism.txt", "Process Under Socialism", "", ["Pëtr Kropotkin"], "1887",
     "http://dwardmac.pitzer.edu/anarchist_archives/kropotkin/process.html", "", True),
    ("two-authors.txt", "Christmas In Prison", "", ["Pëtr Kropotkin", "Alexander Berkman"], "1910",
     "Retrieved on 1st May 2011", "", True),
    ("no-header.txt", "The Use Of The Strike", "", ["Pëtr Kropotkin"], "",
     "Retrieved on March 1st, 2009", "", False),
])
def test_variations(name, title, subtitle, authors, date, source_has, notes_has, header):
    path = EXPORTS / name
    doc = read(path)
    m = doc.metadata
    assert doc.format == "export"
    assert (m.title, m.subtitle, m.authors, m.date) == (title, subtitle, authors, date)
    assert source_has in m.source
    assert (notes_has in m.notes) if notes_has else m.notes == ""
    assert (m.publisher, m.rights) == (("The Anarchist Library", "Anti-Copyright") if header else ("", ""))
    # every running paragraph of the source is in the body, once, in order; nothing else is
    front = (m.date, m.authors[0] if len(authors) == 1 else "", notes_has)
    expected = [alnum(re.sub(r"</?sup>|\*", "", p)) for p in body_paragraphs(path, front)]
    got = [alnum(text_content(p)) for p in doc.body]
    assert got == expected
    body = text_content(doc.body)
    assert "Retrieved on" not in body and "theanarchistlibrary.org" not in body


def test_no_title_is_reported_by_the_colophon():
    from pipeline.render.colophon import require_attribution
    from pipeline.errors import MissingMetadata
    from pipeline.readers.export import parse
    doc = parse("The Anarchist Library  \nAnti-Copyright\n\nJust a paragraph of text with no title.\n", SAMPLE)
    doc.format = "export"
    with pytest.raises(MissingMetadata, match="no title"):
        require_attribution(doc)
