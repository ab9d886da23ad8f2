"""Recovery with warnings, and no raw exception on any input."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.errors import ZinepressError
from pipeline.readers import muse


def xml(el) -> str:
    return etree.tostring(el, encoding="unicode")


def test_unterminated_quote_closes_at_end_with_warning():
    doc = muse.parse("Intro\n\n<quote>\nQuoted\n\nStill quoted\n")
    assert xml(doc.body) == "<body><p>Intro</p><blockquote><p>Quoted</p><p>Still quoted</p></blockquote></body>"
    assert doc.warnings == ["line 3: <quote> opened on line 3 is not closed; it ends at the end of the file"]


def test_unterminated_example_and_verse():
    doc = muse.parse("<example>\nraw *text*\n")
    assert xml(doc.body) == "<body><pre>raw *text*</pre></body>"
    assert doc.warnings == ["line 1: <example> is not closed; it ends at the end of the file"]


def test_stray_closing_tag_is_ignored_with_warning():
    doc = muse.parse("Text\n\n</quote>\n\nMore\n")
    assert xml(doc.body) == "<body><p>Text</p><p>More</p></body>"
    assert doc.warnings == ["line 3: </quote> closes nothing that is open; ignored"]


def test_heading_closes_open_block_with_warning():
    doc = muse.parse("<quote>\nq\n\n** Title\n\nafter\n</quote>\n")
    assert xml(doc.body) == "<body><blockquote><p>q</p></blockquote><h2>Title</h2><p>after</p></body>"
    assert doc.warnings[0].startswith("line 1: <quote> opened on line 1 is closed by the heading")


def test_control_characters_are_replaced():
    doc = muse.parse("#title a\x00b\n\nText\x07 here\n")
    assert doc.metadata.title == "a\ufffdb"
    assert xml(doc.body) == "<body><p>Text\ufffd here</p></body>"
    assert doc.warnings


def test_empty_and_header_only():
    assert len(muse.parse("").body) == 0
    assert muse.parse("#title Only\n").metadata.title == "Only"


PIECES = ["*", "**", "***", "=", "<em>", "</em>", "<strong>", "</strong>", "<quote>", "</quote>",
          "<verse>", "</verse>", "<example>", "</example>", "{{{", "}}}", "<comment>", "[[", "]]",
          "][", "[1]", "{1}", "[1] ", "{2} ", "<br>", "~~", "#anchor", "#title ", "> ", "; ",
          " - ", "  1. ", "   a. ", "      ", "                      ", " :: ", " | ", " || ",
          "|+ c +|", "* ", "** ", "----", "       * * * * *", "<[ja]>", "</[ja]>", "<sup>",
          "</sup>", "<code>", "</code>", "<verbatim>", "</verbatim>", "x.png", "word", "two words",
          "\n", "\n", "\n\n", "\t", "\r", "\x00", "\ud800", "é", "中"]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(PIECES), max_size=60) | st.text(max_size=300))
def test_random_muse_never_raises_a_raw_exception(parts):
    text = "".join(parts) if isinstance(parts, list) else parts
    try:
        doc = muse.parse(text)
    except ZinepressError:
        return
    etree.tostring(doc.body)
    for note in doc.notes.values():
        etree.tostring(note.body)
