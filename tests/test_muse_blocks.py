"""Block structure (manual: paragraphs, headings, quotes, verse, examples, comments, biblio, play…)."""

from conftest import muse_body as body


def test_headings_levels_and_toc_title():
    src = ("* First level, aka part\n\n** Second level, aka chapter\n\n*** Third level\n\n"
           "**** Fourth level\n\n***** Fifth level\n\n"
           "*** Alternate headings | How to indicate alternate headings\n")
    assert body(src) == (
        "<body><h1>First level, aka part</h1><h2>Second level, aka chapter</h2>"
        "<h3>Third level</h3><h4>Fourth level</h4><h5>Fifth level</h5>"
        '<h3 data-toc="Alternate headings">How to indicate alternate headings</h3></body>')


def test_six_asterisks_or_no_space_is_not_a_heading():
    assert body("****** six\n\n*bold*\n") == (
        "<body><p>****** six</p><p><em>bold</em></p></body>")


def test_paragraphs_are_separated_by_blank_lines():
    assert body("one\ntwo\n\nthree\n") == "<body><p>one\ntwo</p><p>three</p></body>"


def test_indentation_quote_center_right():
    src = ("  But if a line begins with whitespace (at least 2 spaces), it is quoted.\n\n"
           "           Like this\n\n"
           "                                     Like this right-aligned one.\n")
    assert body(src) == (
        "<body><blockquote><p>But if a line begins with whitespace (at least 2 spaces), "
        "it is quoted.</p></blockquote>"
        '<div class="center"><p>Like this</p></div>'
        '<div class="right"><p>Like this right-aligned one.</p></div></body>')


def test_consecutive_indented_paragraphs_share_one_quote():
    assert body("  one\n  more\n\n  two\n") == (
        "<body><blockquote><p>one\nmore</p><p>two</p></blockquote></body>")


def test_tag_blocks():
    src = ("<center>\nLike this centered one\n</center>\n\n<right>\nAnd this is right\n</right>\n\n"
           "<quote>\nCopyright (c)  YEAR  YOUR NAME.\n\nPermission is granted\n</quote>\n")
    assert body(src) == (
        '<body><div class="center"><p>Like this centered one</p></div>'
        '<div class="right"><p>And this is right</p></div>'
        "<blockquote><p>Copyright (c)  YEAR  YOUR NAME.</p><p>Permission is granted</p></blockquote></body>")


def test_example_and_braces_are_pre():
    src = ("<example>\nThe =<example>= tag\n  keeps  spaces *and* [1]\n</example>\n\n"
           "{{{\n if ($perl) {...}\n}}}\n\n<example>\n{{{\nThis is verbatim as well\n}}}\n</example>\n")
    assert body(src) == (
        "<body><pre>The =&lt;example&gt;= tag\n  keeps  spaces *and* [1]</pre>"
        "<pre> if ($perl) {...}</pre><pre>{{{\nThis is verbatim as well\n}}}</pre></body>")


def test_verse_tag_and_quote_lines():
    src = ("> A line of Emacs verse;\n>   forgive its being so terse.\n>\n> In terms of terse verse,\n"
           ">   you could do worse.\n\n<verse>\nA line of Emacs verse;\n  forgive its being so terse.\n"
           "; a comment line is dropped\n\nIn terms of *terse* verse,\n</verse>\n")
    stanza1 = "<p>A line of Emacs verse;<br/>\u00a0\u00a0forgive its being so terse.</p>"
    assert body(src) == (
        f'<body><div class="verse">{stanza1}<p>In terms of terse verse,<br/>\u00a0\u00a0you could do worse.</p></div>'
        f'<div class="verse">{stanza1}<p>In terms of <em>terse</em> verse,</p></div></body>')


def test_comments_are_dropped():
    src = ("; this will disappear completely\n\n<comment>\nThis won’t be published\n</comment>\n\n"
           "Visible\n")
    assert body(src) == "<body><p>Visible</p></body>"


def test_biblio_and_play():
    src = ("<biblio>\nThe author, *Title*, published on\n[[http://amusewiki.org][AMuseWiki]]\n\n"
           "Another author\n</biblio>\n\n<play>\n**Pol.** Ophelia, walke you heere. <br>\nWe will\n</play>\n")
    assert body(src) == (
        '<body><div class="biblio"><p>The author, <em>Title</em>, published on\n'
        '<a href="http://amusewiki.org">AMuseWiki</a></p><p>Another author</p></div>'
        '<div class="play"><p><strong>Pol.</strong> Ophelia, walke you heere.<br/>\nWe will</p></div></body>')


def test_page_break_and_rule():
    src = "       * * * * *\n\n       * * *\n\n----\n"
    assert body(src) == (
        '<body><div class="pagebreak"/><div class="center"><p>* * *</p></div><hr/></body>')


def test_br_alone_is_no_empty_paragraph():
    # A spacer line: in Text::Amuse a blank line, here no paragraph of nothing
    # (an EPUB's reading system would voice or draw an empty block).
    assert body("Here we add a blank line\n\n<br>\n\nHere we go.\n") == (
        "<body><p>Here we add a blank line</p><p>Here we go.</p></body>")
    assert body("A line<br>\n\n<br>\n<br>\n\nB.\n") == "<body><p>A line<br/></p><p>B.</p></body>"


def test_anchors():
    src = ("#title My text\n\n<br>\n\n#begin\nThis will work.\n\n#an-anchor At the beginning of the line.\n\n"
           "#anchor-to-section\n*** Section\n\n*** Next section with an anchor\n#nextsection\n\n"
           "And link to [[#begin][begin]].\n")
    assert body(src) == (
        '<body><p><a id="begin"/>This will work.</p><p><a id="an-anchor"/>At the beginning of the line.</p>'
        '<h3 id="anchor-to-section">Section</h3><h3 id="nextsection">Next section with an anchor</h3>'
        '<p>And link to <a href="#begin">begin</a>.</p></body>')


def test_verbatim_hash_is_not_an_anchor():
    assert body("x\n\n<verbatim>#hashtag</verbatim> verbatim.\n=#hashtag= code.\n") == (
        "<body><p>x</p><p>#hashtag verbatim.\n<code>#hashtag</code> code.</p></body>")
