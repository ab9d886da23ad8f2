"""Footnotes (manual: "Footnotes", "Secondary footnotes")."""

from lxml import etree

from pipeline.readers import muse


def xml(el) -> str:
    return etree.tostring(el, encoding="unicode")


MANUAL_EXAMPLE = """This is the text, and we refer to a footnote [1]

Here the text continues.

[1] This footnote
    spans more lines in the source

    You can continue the footnote on another paragraph, as long as it
    has the same amount of indentation of the previous item.

 [2] But this is not, because of the initial
     whitespace.

[3] Footnotes which don’t have a referrer will
    disappear on the PDF output
"""


def test_footnote_with_continuation_paragraph():
    doc = muse.parse(MANUAL_EXAMPLE)
    assert xml(doc.body) == (
        '<body><p>This is the text, and we refer to a footnote<a class="noteref" href="#fn1">1</a></p>'
        "<p>Here the text continues.</p>"
        "<p>[2] But this is not, because of the initial\nwhitespace.</p>"
        "<p>[3] Footnotes which don’t have a referrer will\ndisappear on the PDF output</p></body>")
    assert list(doc.notes) == ["fn1"]
    note = doc.notes["fn1"]
    assert (note.id, note.label, note.secondary) == ("fn1", "1", False)
    assert xml(note.body) == (
        "<div><p>This footnote\nspans more lines in the source</p>"
        "<p>You can continue the footnote on another paragraph, as long as it\n"
        "has the same amount of indentation of the previous item.</p></div>")
    assert doc.warnings == [
        "line 11: footnote reference [2] has no note; kept as text",
        "line 14: footnote 3 has no reference in the text; kept at the end of the body"]


def test_secondary_footnotes():
    src = ("This is a regular [4] footnote, and this a secondary {1}\n\n"
           "[4] Regular footnote, and has a secondary one on it {2}\n\n"
           "{1} Secondary footnote body (1)\n\n{2} Secondary footnote body (2)\n")
    doc = muse.parse(src)
    assert xml(doc.body) == (
        '<body><p>This is a regular<a class="noteref" href="#fn4">4</a> footnote, and this a '
        'secondary<a class="noteref" href="#fnb1">{1}</a></p></body>')
    assert list(doc.notes) == ["fn4", "fnb1", "fnb2"]
    assert xml(doc.notes["fn4"].body) == (
        '<div><p>Regular footnote, and has a secondary one on it<a class="noteref" href="#fnb2">{2}</a></p></div>')
    assert doc.notes["fnb1"].secondary and doc.notes["fnb1"].label == "{1}"
    assert xml(doc.notes["fnb2"].body) == "<div><p>Secondary footnote body (2)</p></div>"
    assert doc.warnings == []


def test_reference_before_and_after_note_and_markup_in_notes():
    src = "See.[1] And again [1].\n\n[1] *Ibid.*, p. 3.\n"
    doc = muse.parse(src)
    assert xml(doc.body) == ('<body><p>See.<a class="noteref" href="#fn1">1</a> And again'
                             '<a class="noteref" href="#fn1">1</a>.</p></body>')
    assert xml(doc.notes["fn1"].body) == "<div><p><em>Ibid.</em>, p. 3.</p></div>"


def test_duplicate_note_is_kept_as_text():
    doc = muse.parse("A[1]\n\n[1] first\n\n[1] second\n")
    assert xml(doc.notes["fn1"].body) == "<div><p>first</p></div>"
    assert xml(doc.body).endswith("<p>[1] second</p></body>")
    assert any("defined twice" in w for w in doc.warnings)


def test_reference_in_heading():
    doc = muse.parse("** Title[1]\n\n[1] note\n")
    assert xml(doc.body) == '<body><h2>Title<a class="noteref" href="#fn1">1</a></h2></body>'
