"""Texts as people have them: PDF extractions (lost ligatures, hard-wrapped
lines), web pages and converters (debris), e-book sites' title pages."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from pipeline.document import Document, Metadata, new_body, sub, text_content
from pipeline.normalize import normalize
from pipeline.normalize.ligatures import repair_ligatures
from pipeline.readers import converted, debris, plain
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


def test_icon_glyphs_standing_alone_are_debris_a_ligature_stand_in_is_not():
    changes: list[str] = []
    text = debris.remove("\uf1c1 PDF \uf02f A4 PDF \uf0f6 EPUB and a di\ue005erent word", changes)
    assert text.split() == ["PDF", "A4", "PDF", "EPUB", "and", "a", "di\ue005erent", "word"]
    assert changes == [f"debris removed (icon-characters): {c}" for c in "\uf1c1\uf02f\uf0f6"]


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


# --- realistic pages of each kind: metadata as printed, no debris -------------------

REAL = Path(__file__).parent / "fixtures" / "realworld"
DEBRIS_LEFT = ("about:reader", "minutes", ".pdf", ".epub", "bookbuilder", "RSS feed", "anarchistnews",
               "Document Summary", "Conversion completed", "Feedbooks", "vendu", "Archive", "Publication:",
               "First Published", "Transcription", "START OF", "theanarchistlibrary")


def _built(name: str):
    from pipeline.build import BuildOptions, load
    doc = load(REAL / name, BuildOptions())
    text = text_content(doc.body)
    assert not any(s in text for s in DEBRIS_LEFT), [s for s in DEBRIS_LEFT if s in text]
    assert not re.search("[\ue000-\uf8ff]", text)
    m = doc.metadata
    return doc, (m.title, m.subtitle, m.authors, m.date)


def test_library_page_printed_by_a_browser():
    doc, meta = _built("library-page-cut-title.md")
    assert meta == ("The End of Arrogance: Decentralization and Anarchist Organization", "", ["Wayne Price"], "")
    text = text_content(doc.body)
    assert text.startswith("The first question of any organization is whether it is a less-powerful body")
    for word in ("different", "effects", "fields", "infinitely", "office", "conflict", "capitalist-industrial",
                 "well-regarded"):
        assert word in text
    assert text.endswith("it will not be settled by a vote.")
    rules = {c.split("(")[1].split(")")[0] for c in doc.changes if c.startswith("debris removed")}
    assert {"library-download-links", "library-footer", "reading-time", "converter-summary",
            "browser-print-header"} <= rules


def test_marxists_org_headers():
    doc, meta = _built("marxists-revolution-in-russia.txt")
    assert meta == ("The Revolution in Russia", "", ["Peter Kropotkin"], "July 1906")
    assert doc.metadata.source == "Anarchy Archives"
    doc, meta = _built("marxists-first-international.txt")
    assert meta == ("The First International", "", ["Peter Kropotkin"], "1905")


def test_feedbooks_title_page_with_an_inverted_name():
    doc, meta = _built("feedbooks-morale-anarchiste.txt")
    assert meta == ("La Morale anarchiste", "", ["Pierre Kropotkine"], "1889")
    assert "pensée humaine" in text_content(doc.body)


def test_gutenberg_text_whose_licence_header_was_cut_off():
    doc, meta = _built("gutenberg-cut-memoirs.txt")
    assert meta == ("Memoirs of a Revolutionist", "", ["P.\u00a0Kropotkin"], "1899")   # typography: no-break after an initial
    assert doc.body[0].tag == "h2" and "".join(doc.body[0].itertext()) == "PART FIRSTCHILDHOOD"


def test_debris_rules_touch_only_their_kind():
    text = ("(see the note below)\n(https://example.org/a.pdf)\nRandom thoughts | RSS feeds are useful.\n"
            "It took 40–51 minutes to walk.\n")
    changes: list[str] = []
    assert debris.remove(text, changes) == text and not changes


def test_a_converters_author_who_is_the_publisher_loses_to_the_file_name():
    text = "[First published in 1950 by Freedom Press. Scanned in and put in HTML format.]\n"
    front = {"author": "Freedom Press", "slug": "Bakunin - Marxism Freedom and the State"}
    assert converted._front_matter_author(front, "Marxism Freedom and the State", text) == ["Bakunin"]
    assert converted._front_matter_author({"author": "Emma Goldman"}, "Anarchism", text) == ["Emma Goldman"]
    assert converted._front_matter_author({"slug": "Some - Thing"}, "Else", text) == []


def test_debug_lists_each_rules_removals_and_each_repair(tmp_path):
    from conftest import run_cli
    proc = run_cli("build", REAL / "library-page-cut-title.md", "-o", tmp_path, "--format", "epub", "--debug")
    assert proc.returncode == 0, proc.stderr
    debug = [line for line in proc.stderr.splitlines() if line.startswith("debug: ")]
    assert any("debris removed (library-footer): Random (https://theanarchistlibrary.org/random) | RSS feed"
               in line for line in debug)
    assert any("debris removed (reading-time): 40–51 minutes" in line for line in debug)
    assert any("ligature repaired: dierent → different (1×)" in line for line in debug)
    # without --debug, none of it
    from pipeline.batch.job import JobResult
    from pipeline.batch.report import Progress
    said: list[str] = []
    result = JobResult("x.md", "built", changes=["debris removed (reading-time): 40–51 minutes"])
    Progress(1, lambda text, err=False: said.append(text), quiet=False, debug=False, terminal=False).done(result)
    assert said and not [s for s in said if s.startswith("debug: ")]


def test_scripts_in_private_use_are_not_icons():
    # Klingon in the ConScript registry's range: words of one or more characters
    klingon = "\uf8e3\uf8d0 \uf8d9 \uf8e8\uf8dd\uf8d0"
    changes: list[str] = []
    assert debris.remove(klingon, changes) == klingon and not changes


def test_garbled_front_matter_loses_to_the_texts_own_title_page():
    doc, meta = _built("feedbooks-garbled-front-matter.md")
    assert meta == ("La Morale anarchiste", "", ["Pierre Kropotkine"], "1889")
    assert doc.metadata.source == "Wikisource"
    # front matter that the text bears out stays (a title page repeated below it changes nothing)
    from pipeline.readers import markdown
    good = "---\ntitle: Memoirs of a Revolutionist\nauthor: P. Kropotkin\n---\n\nMEMOIRS\n\nOF\n\n" \
           "A REVOLUTIONIST\n\nBY\n\nP. KROPOTKIN\n\nText.\n"
    assert markdown.parse(good).metadata.authors == ["P. Kropotkin"]


def test_a_clean_book_with_odd_tokens_keeps_them():
    # as in a corpus book: many words with their "fi"/"ff"/"fl", and a few tokens a
    # ligature would turn into words ("Bain" → "Baffin", "les" → "files", "eld" → "field")
    clean = "The first effect of the fluid office was different and sufficient. " * 20
    odd = "Bain wrote of les moeurs and of the eld; nder and mus were his words."
    doc = normalize(_doc(clean, odd), typography=False)
    assert text_content(doc.body).endswith(odd)
    assert not doc.changes


def test_gutenberg_superscripts_are_read_and_the_transcribers_notes_go_to_the_colophon():
    from pipeline.render.colophon import build_colophon

    doc, meta = _built("gutenberg-transcribers-note.txt")
    assert meta[:2] == ("Fields, Factories and Workshops", "")
    body = etree.tostring(doc.body, encoding=str)
    assert [s.text for s in doc.body.iter("sup")] == ["st", "e", "r"]
    assert "<em>not</em>" in body and "^" not in text_content(doc.body)
    text = text_content(doc.body)
    assert "Transcriber" not in text and "have been corrected" not in text and "two pages" not in text
    assert text.endswith("The figures are given in the Appendix.")
    # moved, not lost: each note once in the colophon's notes, in order
    notes = doc.metadata.notes
    assert notes.count("Note: Italic text is shown between _underscores_.") == 1
    assert notes.index("have been corrected") < notes.index("the tables of the original")
    assert "those of the first edition" in notes
    assert sum(c.startswith("transcriber's note moved") for c in doc.changes) == 2
    assert [n[:22] for n in build_colophon(doc).notes] == ["Transcriber\u2019s Note: It", "Transcriber\u2019s note: th"]


def test_a_ligature_glued_to_its_neighbour_word_is_split_off():
    # A PDF export's line (corpus: "The Facts of Anarchy"): the glyph took the space before it.
    page = (REAL / "library-pdf-glued-ligature.txt").read_text(encoding="utf-8")
    doc = normalize(_doc(" ".join(page.split())), typography=False)
    text = text_content(doc.body)
    assert "a leading figure in the japanese" in text
    assert "leading \ufb01gure" in [c.split(": ", 1)[1].rsplit(" → ", 1)[1].split(" (")[0]
                                    for c in doc.changes if c.startswith("ligature repaired")]
    # the same with the space after the ligature, and with a private-use stand-in in a damaged text
    doc = normalize(_doc("They set o\ufb00the alarm.", PDF_EXTRACT + " Then the\ue005rst came."), typography=False)
    assert "set off the alarm" in text_content(doc.body) and "Then the first came" in text_content(doc.body)


def test_glued_ligature_split_never_cuts_a_word():
    # compounds the word list lacks, after words that make many ("over", "un"), a name,
    # a word the text writes whole elsewhere, a whole known word: all stay whole.
    text = ("The over\ufb02ooding river, his un\ufb01tness, Lord Beacons\ufb01eld, "
            "a di\ufb00erent sel\ufb01sh man; the pathfinders and the path\ufb01nders.")
    doc = normalize(_doc(text), typography=False)
    assert text_content(doc.body) == ("The overflooding river, his unfitness, Lord Beaconsfield, "
                                      "a different selfish man; the pathfinders and the pathfinders.")
    assert not [c for c in doc.changes if c.startswith("ligature")]


def _moved(doc: Document) -> list[str]:
    return [c.split(" (", 1)[1].split(")", 1)[0] for c in doc.changes if c.startswith("publisher matter moved")]


def test_feedbooks_about_list_licence_and_offer_go_to_the_colophons_notes():
    for name, kept, notes in [
        ("feedbooks-about-and-licence.txt", "soigneusement entortillée.",
         ["Copyright: Ce livre est dans le domaine public. Veuillez vérifier le statut du droit d’auteur dans votre pays.",
          "A Propos Kropotkine: Pierre Alexeïevitch Kropotkine, né le 9 décembre 1842",
          "Disponible sur Feedbooks pour Kropotkine: • La Conquête du pain (1892) • L’Entraide",
          "Note: Ce livre vous est offert par Feedbooks http://www.feedbooks.com Il est destiné"]),
        ("feedbooks-about-english.txt", "implements of flint.",
         ["Copyright: Please read the legal notice", "About Kropotkin: Peter Kropotkin (1842–1921)",
          "Also available on Feedbooks for Kropotkin: • Fields, Factories", "Note: This book is brought to you"])]:
        doc, _ = _built(name)
        text = text_content(doc.body)
        assert text.rstrip().endswith(kept), text[-200:]
        lines = doc.metadata.notes.split("\n")
        assert len(lines) == len(notes) and all(line.startswith(n) for line, n in zip(lines, notes)), lines
        assert _moved(doc) == ["feedbooks-copyright", "feedbooks-about", "feedbooks-also-available",
                               "feedbooks-offer"]


def test_about_and_copyright_lines_of_a_text_not_from_feedbooks_stay():
    text = ("Title\nA. Author\n\n" + "Body text goes on here.\n\n" * 5
            + "About Kropotkin:\n\nHe lived.\n\nSource: his memoirs\n\nCopyright: none claimed.\n")
    changes: list[str] = []
    from pipeline.readers import publisher_matter
    meta = Metadata()
    assert publisher_matter.move_to_notes(text, meta, changes) == text and not changes and not meta.notes


def test_the_library_colophons_notes_under_its_retrieved_line_leave_the_body():
    # The end of a converted Library PDF (corpus: Goldman's "Anarchism and Other Essays").
    doc, _ = _built("library-pdf2md-colophon-notes.md")
    text = text_content(doc.body)
    assert text.rstrip().endswith("The Awakening of Spring.") and "Dana Ward" not in text
    assert doc.metadata.source == ("Retrieved on February 15th, 2009 from "
                                   "http://dwardmac.pitzer.edu/Anarchist_Archives/goldman/GoldmanCW.html")
    assert doc.metadata.notes == ("Text from the Dana Ward’s copy of Emma Goldman’s Anarchism and Other Essays. "
                                  "Second Revised Edition. New York-London: Mother Earth Publishing Association, 1911")
    assert any(c.startswith("Library colophon line moved to the colophon's notes: Text from the Dana")
               for c in doc.changes)


def test_the_library_colophon_page_of_a_pdfs_text_is_metadata():
    # pdftotext of a Library PDF: title page, body, the Library's colophon page.
    doc, meta = _built("library-pdf-text-colophon.txt")
    assert meta == ("An Appeal to the Young", "", ["Pëtr Kropotkin"], "1880")
    m = doc.metadata
    assert (m.publisher, m.rights, m.source) == ("The Anarchist Library", "Anti-Copyright",
                                                 "Retrieved on February 16th, 2009 from dwardmac.pitzer.edu")
    assert m.notes == "First appeared in French, 1880. “Aux Jeunes Gens”. Le Révolté, June 25; July 10; August 7, 21"
    text = text_content(doc.body)
    assert text.startswith("It is to the young that I wish to address myself today.")
    for line in ("Anarchist Library", "Anti-Copyright", "Retrieved", "Révolté", "Pëtr Kropotkin", "1880"):
        assert line not in text
    assert [c.split(":")[0] for c in doc.changes if c.startswith("Library")] == [
        "Library colophon moved to the metadata", "Library title page moved to the metadata"]


def test_a_printed_contents_with_another_editions_pages_leaves_the_body():
    # Gutenberg's "The Conquest of Bread" (corpus), its chapters cut to their openings.
    doc, _ = _built("gutenberg-printed-contents.txt")
    text = text_content(doc.body)
    assert "PAGE" not in text and "CONTENTS" not in text and "DECENTRALIZATION OF INDUSTRY      180" not in text
    assert not [pre for pre in doc.body.iter("pre")]
    assert "OUR RICHES" in text and "The human race has travelled a long way" in text
    assert [c for c in doc.changes if c.startswith("printed contents removed")] == [
        "printed contents removed (another edition's page numbers, 20 lines): CONTENTS … NOTES 213"]


def test_numbered_lines_that_name_no_heading_of_the_text_stay():
    from pipeline.readers import printed_contents
    prices = ("PRICES\n\nBread, the four-pound loaf      8\nMeat, the pound                10\n"
              "Coal, the hundredweight        14\n\nThe prices rose all winter, and bread went first.\n")
    dots = ("Contents\n\nOne . . . . 3\nTwo . . . . 9\nThree . . . 12\n\n" + "A line of the body.\n" * 10)
    for text in (prices, dots, prices.replace("8\n", "18\n").replace("14\n", "4\n") + "Bread, the four-pound loaf\n"):
        changes: list[str] = []
        assert printed_contents.remove(text, changes) == text and not changes


def test_a_pdfs_contents_with_dot_leaders_leaves_the_body():
    from pipeline.readers import printed_contents
    text = ("Contents\n\nIntroduction . . . . . . . . 3\nChapter One: The State . . . . . 7\n"
            "Chapter Two: The Commune . . . . 15\n\nIntroduction\n\nThe first words.\n\n"
            "Chapter One: The State\n\nMore words.\n\nChapter Two: The Commune\n\nLast words.\n")
    changes: list[str] = []
    assert printed_contents.remove(text, changes).split() == (
        "Introduction The first words. Chapter One: The State More words. "
        "Chapter Two: The Commune Last words.").split()
    assert changes == ["printed contents removed (another edition's page numbers, 4 lines): "
                       "Contents … Chapter Two: The Commune . . . . 15"]


def test_a_library_pdfs_contents_of_numbered_sections_leaves_the_body():
    from pipeline.readers import printed_contents
    text = ("Contents\n\nI . . . . . . . . . . . . 3\nII . . . . . . . . . . . 5\nIII . . . . . . . . . . 9\n\n"
            "I\n\nAnarchism, the no-government system.\n\nII\n\nAs regards socialism.\n\nIII\n\nAs to the method.\n")
    changes: list[str] = []
    assert printed_contents.remove(text, changes).split() == (
        "I Anarchism, the no-government system. II As regards socialism. III As to the method.").split()
    assert len(changes) == 1


def test_the_library_colophon_page_of_a_converted_pdf_is_metadata():
    # a PDF-to-Markdown converter's pages (corpus: "An Appeal to the Young"), its last the colophon page
    doc, meta = _built("library-pdf2md-colophon-page.md")
    assert meta == ("An Appeal to the Young", "", ["Pëtr Kropotkin"], "1880")
    m = doc.metadata
    assert (m.publisher, m.rights, m.source, m.site) == (
        "The Anarchist Library", "Anti-Copyright", "Retrieved on February 16th, 2009 from dwardmac.pitzer.edu",
        "theanarchistlibrary.org")
    assert m.notes == "First appeared in French, 1880. “Aux Jeunes Gens”. Le Révolté, June 25; July 10; August 7, 21"
    text = text_content(doc.body)
    assert text.startswith("It is to the young") and text.rstrip().endswith("that you don’t")
    for line in ("Anarchist Library", "Anti-Copyright", "Retrieved", "Révolté", "Kropotkin", "1880"):
        assert line not in text


def test_feedbooks_end_matter_is_found_with_blank_lines_after_it():
    from pipeline.readers import publisher_matter
    text = (REAL / "feedbooks-about-english.txt").read_text(encoding="utf-8") + "\n\n\n"
    changes: list[str] = []
    publisher_matter.move_to_notes(text, Metadata(), changes)
    assert "feedbooks-about" in " ".join(changes)
