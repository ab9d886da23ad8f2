"""Spaces around inline markup: they stay outside the elements, and the
typography after an element (spaced dashes, French spacing) is applied as
anywhere else — on real texts of the corpus and on the cases behind them."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import corpus_file
from pipeline.document import Document, Metadata
from pipeline.normalize import normalize

INLINE = ("em", "strong", "a", "span", "del", "sup", "sub")


def normalized(html: str, lang: str = "en") -> str:
    body = etree.fromstring("<body>" + html + "</body>")
    return etree.tostring(normalize(Document(Metadata(lang=lang), body)).body, encoding="unicode")


@pytest.mark.parametrize("source,expected", [
    ("<p>The <em>cult</em> -- of power</p>", "<p>The <em>cult</em>\u00a0– of power</p>"),
    ("<p>The <em>cult </em>-- of power</p>", "<p>The <em>cult</em>\u00a0– of power</p>"),
    ("<p>a<em> b</em> c</p>", "<p>a <em>b</em> c</p>"),
    ('<p>see <a href="#x">this </a>and <strong><em>that </em></strong>too</p>',
     '<p>see <a href="#x">this</a> and <strong><em>that</em></strong> too</p>'),
    ("<p><em>one</em> <em>two</em></p>", "<p><em>one</em> <em>two</em></p>"),
    # a line end inside the edge is a space too (a hard-wrapped source)
    ("<p><em>a\n</em>b and <em>\nc</em></p>", "<p><em>a</em> b and <em>c</em></p>"),
])
def test_spaces_stay_outside_elements(source, expected):
    assert normalized(source) == "<body>" + expected + "</body>"


@pytest.mark.parametrize("source,expected", [
    ("<p>Il dit <em>non</em>; puis «<em>oui</em>» !</p>",
     "<p>Il dit <em>non</em>\u202f; puis «\u202f<em>oui</em>\u202f»\u202f!</p>"),
    ('<p><a href="#x">Vraiment</a> ? <code>x</code>: <span class="sc">abc</span>!</p>',
     '<p><a href="#x">Vraiment</a>\u202f? <code>x</code>\u202f: <span class="sc">abc</span>\u202f!</p>'),
    ("<p>« <strong>Bon</strong> »: <sup>2</sup>!</p>",
     "<p>«\u202f<strong>Bon</strong>\u202f»\u202f: <sup>2</sup>\u202f!</p>"),
])
def test_french_spacing_after_any_inline_markup(source, expected):
    assert normalized(source, "fr") == "<body>" + expected + "</body>"


@pytest.mark.parametrize("name", ["muse/Letter_Berkman.muse", "muse/To_Max_Nettlau.muse",
                                  "muse/Process_Under_Socialism.muse"])
def test_real_texts_no_space_inside_and_no_double_hyphen_after_markup(name):
    from pipeline.build import BuildOptions, load

    src = corpus_file(name)
    doc = load(src, BuildOptions())
    after_markup = 0
    for el in doc.body.iter(*INLINE):
        if "noteref" in (el.get("class") or ""):
            continue
        text = "".join(el.itertext())
        assert text == text.strip(" "), (name, etree.tostring(el, encoding="unicode"))
        tail = el.tail or ""
        assert not tail.lstrip().startswith("--"), (name, tail[:30])
        if tail[1:2] in ("–", "—"):
            after_markup += 1
    assert after_markup >= 1        # the source's "</em> --" became a dash
