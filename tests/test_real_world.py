"""Texts as people have them: PDF extractions (lost ligatures, hard-wrapped
lines), web pages and converters (debris), e-book sites' title pages."""

from __future__ import annotations

from lxml import etree

from pipeline.document import Document, Metadata, new_body, sub, text_content
from pipeline.normalize import normalize
from pipeline.normalize.ligatures import repair_ligatures
from pipeline.readers import converted, plain
from pipeline.wordlist import line_end_hyphen, words_for, words_seen


def _doc(*paragraphs: str, lang: str = "en") -> Document:
    body = new_body()
    for text in paragraphs:
        sub(body, "p", text)
    return Document(metadata=Metadata(title="T", authors=["A"], lang=lang), body=body)


PDF_EXTRACT = ("The rst dierent eect of the oce was a conict in nitely satis ed, "
               "and the e ect on the elds was di\ue005cult to nd.")


def test_lost_ligatures_come_back_where_the_word_list_knows_the_word():
    doc = normalize(_doc(PDF_EXTRACT), typography=False)
    text = text_content(doc.body)
    assert text == ("The first different effect of the office was a conflict infinitely satisfied, "
                    "and the effect on the fields was difficult to find.")
    assert "ligature repaired: dierent → different (1×)" in doc.changes


def test_a_clean_text_with_a_few_odd_tokens_is_not_touched():
    # "du", "Ange", "ve" would make words with a ligature, but nothing shows a lost one
    text = "Monsieur du Bois met Ange; they've left. I'll go, said the ve."
    doc = normalize(_doc(text), typography=False)
    assert text_content(doc.body) == text
    assert not doc.changes


def test_other_languages_keep_their_words():
    french = "Le rst du dierent eect: la différence est efficace et ne change rien ici."
    body = new_body()
    sub(body, "p", french)
    assert not [c for c in repair_ligatures([body], "fr") if c.startswith("ligature")]
    assert "efficace" in text_content(body) and " du " in text_content(body)
    # a language without a word list is never repaired
    body = new_body()
    sub(body, "p", PDF_EXTRACT)
    repair_ligatures([body], "eu")
    assert "dierent" in text_content(body)


def test_private_use_characters_leave_the_text():
    body = new_body()
    sub(body, "p", "\uf1c1 PDF \uf02f A4 PDF \uf0f6 EPUB and nothing else")
    changes = repair_ligatures([body], "en")
    assert text_content(body).split() == ["PDF", "A4", "PDF", "EPUB", "and", "nothing", "else"]
    assert "private-use character removed: U+F1C1 (1×)" in changes


def test_line_end_hyphen_decided_by_the_text_then_the_word_list():
    words = words_for("en")
    seen = words_seen("a well-regarded man\n")
    assert line_end_hyphen("well", "regarded", words, seen) is True      # attested
    assert line_end_hyphen("less", "powerful", words, set()) is True     # two words, no joined word
    assert line_end_hyphen("capitalist", "industrial", words, set()) is True
    assert line_end_hyphen("govern", "ment", words, set()) is False      # a word broken
    assert line_end_hyphen("Kropot", "kinites", words, set()) is None


def test_converted_page_text_keeps_real_hyphens():
    page = "\n".join("        " + line for line in (
        "The state is a less-",
        "powerful machine than the govern-",
        "ment of the capitalist-",
        "industrial order, said the well-",
        "regarded author, and so on and so on.",
    ))
    assert converted.unwrap(page).strip() == ("The state is a less-powerful machine than the government of the "
                                      "capitalist-industrial order, said the well-regarded author, and "
                                      "so on and so on.")


def test_plain_text_joins_broken_words_and_keeps_compounds():
    text = ("It is a question that is wonder-\nful and of mutual co-\noperation, and of\n"
            "forty-\nfive men who were less-\npowerful than the others were then.\n")
    body = "".join(plain.parse(text * 3).body.itertext())
    assert "wonderful" in body and "co-operation" in body and "forty-five" in body
    assert "less-powerful" in body
