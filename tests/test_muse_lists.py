"""Lists (manual: "Lists", "Nested lists", "Breaking list items", "List continuation")."""

from conftest import muse_body as body


def test_list_kinds():
    src = ("Normal text.\n\n      - bullet item one\n      - bullet item two\n\n"
           "      1. Enum item one\n      2. Enum item two\n\n i.   First\n ii.  Second\n\n"
           " I.   First\n II.  Second\n\n A. first\n B. second\n\n a. first\n b. second\n\n"
           " First term :: definition and description\n Second term :: definition\n")
    assert body(src) == (
        "<body><p>Normal text.</p>"
        "<ul><li><p>bullet item one</p></li><li><p>bullet item two</p></li></ul>"
        '<ol type="1"><li><p>Enum item one</p></li><li><p>Enum item two</p></li></ol>'
        '<ol type="i"><li><p>First</p></li><li><p>Second</p></li></ol>'
        '<ol type="I"><li><p>First</p></li><li><p>Second</p></li></ol>'
        '<ol type="A"><li><p>first</p></li><li><p>second</p></li></ol>'
        '<ol type="a"><li><p>first</p></li><li><p>second</p></li></ol>'
        "<dl><dt>First term</dt><dd><p>definition and description</p></dd>"
        "<dt>Second term</dt><dd><p>definition</p></dd></dl></body>")


def test_nested_lists():
    src = (" - Level 1, bullet item one\n   1. Level 2, enum item one\n   2. Level 2, enum item two\n"
           "      i.  Level 3, enum item i\n - Back to Level 1\n   a. Level 2 a\n"
           "      I. Level 3 I\n         One term :: description\n - Back to the bullets\n")
    assert body(src) == (
        "<body><ul><li><p>Level 1, bullet item one</p>"
        '<ol type="1"><li><p>Level 2, enum item one</p></li><li><p>Level 2, enum item two</p>'
        '<ol type="i"><li><p>Level 3, enum item i</p></li></ol></li></ol></li>'
        '<li><p>Back to Level 1</p><ol type="a"><li><p>Level 2 a</p>'
        '<ol type="I"><li><p>Level 3 I</p><dl><dt>One term</dt><dd><p>description</p></dd></dl>'
        "</li></ol></li></ol></li><li><p>Back to the bullets</p></li></ul></body>")


def test_item_continuation_lines_and_paragraphs():
    src = (" - Level 1, bullet item one, this is the first\n   paragraph.\n\n"
           "   Here I have the same amount of indentation.\n\n"
           "   1. Level 2\n      which continues\n\nNormal text.\n")
    assert body(src) == (
        "<body><ul><li><p>Level 1, bullet item one, this is the first\nparagraph.</p>"
        "<p>Here I have the same amount of indentation.</p>"
        '<ol type="1"><li><p>Level 2\nwhich continues</p></li></ol></li></ul>'
        "<p>Normal text.</p></body>")


def test_breaking_lists_with_comment_or_br():
    src = ("   a. one\n   a. two\n\n; a comment\n\n   a. three\n\n<br>\n\n   a. four\n")
    assert body(src) == (
        '<body><ol type="a"><li><p>one</p></li><li><p>two</p></li></ol>'
        '<ol type="a"><li><p>three</p></li></ol>'      # the <br> line breaks the list, and
        '<ol type="a"><li><p>four</p></li></ol></body>')   # makes no empty paragraph


def test_list_continuation_and_start_numbers():
    src = (" b. starts with b\n d. is d\n     3. starts at 3\n     2. is 2 as well.\n"
           " a. will be e\n a. will be f\n")
    assert body(src) == (
        '<body><ol type="a" start="2"><li><p>starts with b</p></li></ol>'
        '<ol type="a" start="4"><li><p>is d</p><ol type="1" start="3"><li><p>starts at 3</p></li></ol>'
        '<ol type="1" start="2"><li><p>is 2 as well.</p></li></ol></li>'
        "<li><p>will be e</p></li><li><p>will be f</p></li></ol></body>")


def test_marker_without_space_is_not_a_list():
    assert body(" -This is not a list item.\n\n 1.This is not an ordered list item.\n") == (
        "<body><p>-This is not a list item.</p><p>1.This is not an ordered list item.</p></body>")


def test_deeply_indented_first_item_is_centered_text():
    assert body("          - not a list\n") == '<body><div class="center"><p>- not a list</p></div></body>'
