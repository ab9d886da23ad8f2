"""Markdown writer: reading its output back gives the same text and metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from pipeline.document import Document, Metadata, Note
from pipeline.normalize import normalize
from pipeline.readers import markdown, read
from pipeline.writers.markdown import to_markdown

FIX = Path(__file__).parent / "fixtures"


def words(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def round_trip(doc: Document) -> Document:
    return markdown.parse(to_markdown(doc), Path("out.md"))


@pytest.mark.parametrize("path", [
    FIX / "plain" / "conquest-of-bread-gutenberg.txt",
    FIX / "plain" / "place-of-anarchism-gutenberg.txt",
    FIX / "plain" / "The_Last_War.txt",
    FIX / "plain" / "Speech_Ferrer_Execution.txt",
    FIX / "markdown" / "sample.md",
])
@pytest.mark.parametrize("typography", [False, True])
def test_round_trip_on_corpus_texts(path, typography):
    doc = normalize(read(path), typography=typography)
    back = round_trip(doc)
    assert back.metadata == doc.metadata
    assert words(back.body) == words(doc.body)
    assert [words(h) for h in back.headings()] == [words(h) for h in doc.headings()]
    assert len(back.notes) == len(doc.notes)
    for a, b in zip(doc.notes.values(), back.notes.values()):
        assert words(a.body) == words(b.body)


def test_markup_survives():
    body = etree.fromstring(
        '<body><h2>Chap *1*</h2><p>a <em>b</em> <strong>c</strong> <code>d`e</code> '
        '<sup>th</sup> <span class="sc">sc</span> <span lang="fr">fr</span> '
        '<a href="http://x.org/(a)">link</a>[x]<a class="noteref" href="#fn-n1">1</a></p>'
        '<div class="verse"><p>one<br/>two</p></div><ul><li>i1</li><li>i2</li></ul>'
        '<ol><li>first</li></ol><pre>  code\n  block</pre><hr/>'
        '<p># not a heading</p><p>1. not a list</p></body>')
    note = Note("fn-n1", "1", etree.fromstring("<div><p>note</p><p>two</p></div>"))
    doc = Document(Metadata(title="T: x", authors=["A"], topics=["a", "b"], notoc=True,
                            extra={"k": "v"}), body, {"fn-n1": note})
    text = to_markdown(doc)
    assert text.startswith("---\ntitle: 'T: x'\nauthor: A\n")
    back = round_trip(doc)
    out = etree.tostring(back.body, encoding="unicode")
    for piece in ("<h2>Chap *1*</h2>", "<em>b</em>", "<strong>c</strong>", "<code>d`e</code>",
                  "<sup>th</sup>", '<span class="sc">sc</span>', '<span lang="fr">fr</span>',
                  "[x]", '<a class="noteref" href="#fn-n1">1</a>', "one<br/>", "<li>i2</li>",
                  "<pre>  code\n  block</pre>", "<hr/>", "<p># not a heading</p>",
                  "<p>1. not a list</p>"):
        assert piece in out, piece
    assert back.metadata == doc.metadata
    assert words(back.notes["fn-n1"].body) == "notetwo"
