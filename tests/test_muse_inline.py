"""Inline markup (manual: "Bold, italicized and monospace text", links, images, languages)."""

from conftest import muse_body as body


def test_emphasis_forms():
    assert body("*emphasis* **strong emphasis** ***very strong emphasis*** "
                "=verbatim and monospace=\n") == (
        "<body><p><em>emphasis</em> <strong>strong emphasis</strong> "
        "<strong><em>very strong emphasis</em></strong> <code>verbatim and monospace</code></p></body>")


def test_emphasis_tags_and_span_lines():
    assert body("<em>emphasis</em> <strong>strong\nemphasis</strong> "
                "<strong><em>very</em></strong> <code>verbatim</code>\n") == (
        "<body><p><em>emphasis</em> <strong>strong\nemphasis</strong> "
        "<strong><em>very</em></strong> <code>verbatim</code></p></body>")


def test_asterisks_inside_words_and_alone_are_text():
    assert body("2*3*4 and a * b and *unclosed\n") == "<body><p>2*3*4 and a * b and *unclosed</p></body>"


def test_code_is_verbatim():
    assert body("Use =<example>= and <code>=</code> and <code>*x*</code>\n") == (
        "<body><p>Use <code>&lt;example&gt;</code> and <code>=</code> and <code>*x*</code></p></body>")


def test_bold_code():
    assert body("**=Bold code=**\n") == "<body><p><strong><code>Bold code</code></strong></p></body>"


def test_sup_sub_del_sc_sf():
    assert body("This is the <sup>superscript</sup> and a <sub>subscript</sub>, "
                "<del>deleted</del> <sf>Sans</sf> <sc>Small Caps</sc>\n") == (
        "<body><p>This is the <sup>superscript</sup> and a <sub>subscript</sub>, <del>deleted</del> "
        '<span class="sf">Sans</span> <span class="sc">Small Caps</span></p></body>')


def test_verbatim_prevents_markup():
    assert body("like <verbatim>[1]</verbatim> or <verbatim>*this*</verbatim>\n") == (
        "<body><p>like [1] or *this*</p></body>")


def test_nbsp_and_br():
    assert body("non~~breaking~~space\n") == "<body><p>non\u00a0breaking\u00a0space</p></body>"
    assert body("This line will break <br> And continue\n") == (
        "<body><p>This line will break<br/> And continue</p></body>")


def test_unknown_tags_stay_text():
    assert body("<u>x</u> <ruby>x\n") == "<body><p>&lt;u&gt;x&lt;/u&gt; &lt;ruby&gt;x</p></body>"


def test_ruby_base_and_annotation():
    assert body("<ruby>先|ま</ruby>ず <ruby>漢字|かんじ</ruby>\n") == (
        "<body><p><ruby>先<rt>ま</rt></ruby>ず <ruby>漢字<rt>かんじ</rt></ruby></p></body>")


def test_direction_runs_are_isolated():
    assert body("متن >>>Mikhail *Bakunin*<<< و <<<کل>>> x\n") == (
        '<body><p>متن <span dir="ltr">Mikhail <em>Bakunin</em></span> و <span dir="rtl">کل</span> x</p></body>')
    # A paragraph that is one run takes the direction itself.
    assert body("<<<بند کامل\nدر دو سطر>>>\n") == '<body><p dir="rtl">بند کامل\nدر دو سطر</p></body>'
    # Markers without their closer stay text.
    assert body("a >>> b\n") == "<body><p>a &gt;&gt;&gt; b</p></body>"


def test_unclosed_tag_is_text_and_misnested_is_repaired():
    assert body("an <em>open tag\n") == "<body><p>an &lt;em&gt;open tag</p></body>"
    assert body("<em>a<strong>b</em>c</strong>\n") == (
        "<body><p><em>a<strong>b&lt;/em&gt;c</strong></em></p></body>")


def test_links():
    assert body("So, the home is\n[[http://amusewiki.org][AMuseWiki]],\nfound at "
                "[[http://amusewiki.org]] Bare http://thisisspam.org won’t.\n") == (
        '<body><p>So, the home is\n<a href="http://amusewiki.org">AMuseWiki</a>,\nfound at '
        '<a href="http://amusewiki.org">http://amusewiki.org</a> Bare http://thisisspam.org won’t.</p></body>')


def test_link_description_with_markup_and_anchor_link():
    assert body("See [[#anchor][the *previous* chapter]].\n") == (
        '<body><p>See <a href="#anchor">the <em>previous</em> chapter</a>.</p></body>')


def test_images():
    assert body("[[m-l-manual-logo.png]]\n") == (
        '<body><figure><img src="m-l-manual-logo.png" alt=""/></figure></body>')
    assert body("[[m-l-manual-logo.png][This is *our* logo]]\n") == (
        '<body><figure><img src="m-l-manual-logo.png" alt="This is our logo"/>'
        "<figcaption>This is <em>our</em> logo</figcaption></figure></body>")
    assert body("[[m-l-manual-logo.png 10r][right float]]\n") == (
        '<body><figure class="float-right"><img src="m-l-manual-logo.png" alt="right float"/>'
        "<figcaption>right float</figcaption></figure></body>")
    assert body("[[m-l-manual-logo.png 80 l]]\n") == (
        '<body><figure class="float-left"><img src="m-l-manual-logo.png" alt=""/></figure></body>')


def test_image_among_text_splits_the_paragraph():
    assert body("Before [[pic.jpg]] after\n") == (
        '<body><p>Before</p><figure><img src="pic.jpg" alt=""/></figure><p>after</p></body>')


def test_language_switch_inline_and_block():
    assert body("Dante says <[it]>Lasciate ogne speranza</[it]>.\n") == (
        '<body><p>Dante says <span lang="it">Lasciate ogne speranza</span>.</p></body>')
    assert body("<[ja]>\n先導者は確固たる自信である。\n</[ja]>\n") == (
        '<body><p><span lang="ja">先導者は確固たる自信である。</span></p></body>')
