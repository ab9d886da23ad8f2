"""Texts in other scripts: the language found by its script, Korean kept in
words, Chinese/Japanese/Korean in one face without slanted fake italics.
Fixtures in tests/fixtures/scripts/ (written for these tests) and the corpus's zh/."""

from __future__ import annotations

import zipfile

import pytest

from conftest import FIXTURES, corpus_file, epubcheck, pdf_fonts, run_cli
from layout_measure import breaks_inside_words
from pipeline.language import guess_language

SCRIPTS = FIXTURES / "scripts"
KOREAN = SCRIPTS / "ko-kropotkin-appeal.muse"


@pytest.mark.parametrize("text,lang", [
    ("우리는 모두 자유롭게 태어났다. 그러나 어디서나 사슬에 묶여 있다.", "ko"),
    ("私たちは国家を必要としない。自由は与えられるものではない。", "ja"),
    ("国家是一种暴力的组织。自由不是恩赐。", "zh"),
    ("آزادی بدون برابری چیست؟ این پرسشی است که باید از خود بپرسیم.", "fa"),
    ("الحرية ليست هبة من الدولة، بل هي حق طبيعي للإنسان في كل مكان.", "ar"),
    ("آزادی کے بغیر انسان کی زندگی ادھوری ہے۔ ریاست ہمیں آزاد نہیں کرتی۔", "ur"),
    ("המדינה היא ארגון של אלימות, והחירות איננה מתנה.", "he"),
    ("Το κράτος είναι η οργάνωση της βίας και η ελευθερία δεν χαρίζεται.", "el"),
    ("Државата е организација на насилство; слободата не ѝ се подарува никому, ниту ќе ѝ се подари.", "mk"),
    ("Држава је организација насиља, а слобода се не поклања: ђаци и радници то знају већ.", "sr"),
    ("Держава є організацією насильства, і свободу не дарують: її здобувають.", "uk"),
    ("Государство есть организация насилия, и свобода не даётся в подарок.", "ru"),
])
def test_language_found_by_script_first(text, lang):
    assert guess_language(text * 3) == lang


def test_the_corpus_chinese_and_macedonian_are_recognised():
    for name in ("zh/anarchy247-li-shi-duo-yuan-de.muse", "mk/about.muse"):
        text = corpus_file(name).read_text("utf-8")
        body = text[text.index("\n\n"):]        # the body only, not the #lang header
        assert guess_language(body) == name[:2]


@pytest.fixture(scope="module")
def korean(tmp_path_factory):
    out = tmp_path_factory.mktemp("ko")
    proc = run_cli("build", KOREAN, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "typeset as 'ko'" in proc.stderr
    return out / KOREAN.stem


def test_korean_found_without_lang_in_both_outputs(korean):
    with zipfile.ZipFile(korean.with_suffix(".epub")) as z:
        opf = z.read("EPUB/content.opf").decode()
        chapter = z.read("EPUB/text001.xhtml").decode()
    assert "<dc:language>ko</dc:language>" in opf
    assert 'lang="ko"' in chapter


def test_korean_lines_break_at_spaces(korean):
    inside, breaks = breaks_inside_words(korean.with_suffix(".pdf").read_bytes(), KOREAN.read_text("utf-8"))
    assert breaks > 40
    assert inside / breaks < 0.03, f"{inside} of {breaks} line breaks fall inside a word"


def test_korean_fonts_one_cjk_variant_embedded(korean):
    fonts = pdf_fonts(korean.with_suffix(".pdf"))
    cjk = {f["name"].split("+")[-1] for f in fonts if "CJK" in f["name"]}
    assert cjk and all("CJK-KR" in name for name in cjk), cjk
    assert all(f["emb"] == "yes" for f in fonts)


def test_korean_epub_passes_epubcheck(korean):
    result = epubcheck([korean.with_suffix(".epub")])[korean.with_suffix(".epub")]
    assert result.clean, result.messages


def test_korean_cover_keeps_word_spaces():
    from PIL import ImageFont

    from pipeline.writers.epub.cover import pick_font, wrap

    title = "청년들에게 고함 그리고 다른 글들"
    font = ImageFont.truetype(pick_font(title, "ko", "regular"), 120)
    lines = wrap(title, font, 1200)
    assert " ".join(lines) == title
    assert len(lines) > 1


def test_chinese_running_heads_and_emphasis_in_the_body_face(tmp_path):
    src = corpus_file("zh/crimethinc-su-dan-wu-zheng-fu-zhu-yi-zhe-fan-dui-jun-shi-du-cai.muse")
    proc = run_cli("build", src, "-o", tmp_path, "--format", "pdf")
    assert proc.returncode == 0, proc.stderr
    fonts = pdf_fonts(tmp_path / (src.stem + ".pdf"))
    cjk = {f["name"].split("+")[-1] for f in fonts if "CJK" in f["name"]}
    # The running heads (the title on every left-hand page) and the body in the
    # Simplified Chinese variant; emphasis in its bold, never a slanted regular.
    assert cjk == {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"}, cjk
    assert all(f["emb"] == "yes" for f in fonts)


def test_cjk_emphasis_is_not_slanted():
    from pipeline.build import BuildOptions, load
    from pipeline.render import prepare
    from pipeline.writers.pdf import PdfOptions, write_pdf
    import fitz

    data = write_pdf(prepare(load(KOREAN, BuildOptions())), PdfOptions(jobs=1)).data
    doc = fitz.open(stream=data, filetype="pdf")
    spans = [s for page in doc for block in page.get_text("dict")["blocks"]
             for line in block.get("lines", []) for s in line["spans"] if s["text"].replace("\u2060", "") == "진실"]
    assert spans
    assert all("Bold" in s["font"] for s in spans)
