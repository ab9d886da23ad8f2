"""The EPUB: a representative sample of the corpus through the whole check
(EPUBCheck clean, cover, nav, footnotes both ways, whole text, colophon), the
reproducibility of builds, the cover, embedded fonts, metadata."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, epubcheck, run_cli
from epub_checks import Book, check_cover, check_footnotes, check_nav, check_sources, image_size

# One of each kind: a Library export (the sample), .muse with notes, a long .muse
# split into chapter files with notes across files, Cyrillic, Chinese with a
# cover and images that are not there, the manual (links to its web site,
# images), plain text, a converted export, and two that state no author.
SAMPLE = [
    "seed/azat-miftakhov.txt",
    "muse/Action_of_Masses.muse",
    "muse/The_Terror_In_Russia.muse",
    "mk/emil-anri-odbranata-na-emil-anri.muse",
    "mk/about.muse",
    "zh/crimethinc-su-dan-wu-zheng-fu-zhu-yi-zhe-fan-dui-jun-shi-du-cai.muse",
    "manual/amusewiki-manual.muse",
    "plain/The_Last_War.txt",
    "export/Bakunin_-_Marxism_Freedom_and_the_State.md",
    "export/Article_interview-with-the-organizing-team-of-utopia-libertaria.md",
]


def test_sample_of_the_corpus(tmp_path):
    sources = [CORPUS / s for s in SAMPLE]
    assert all(s.exists() for s in sources), "the shared corpus is missing files"
    problems = check_sources(sources, tmp_path)
    assert not problems, "\n".join(f"{s}:\n  " + "\n  ".join(p) for s, p in problems.items())


def test_reproducible_byte_for_byte(tmp_path):
    source = CORPUS / "muse/The_Terror_In_Russia.muse"
    outputs = []
    for n in (1, 2):
        out = tmp_path / str(n)
        proc = run_cli("build", source, "-o", out, "--format", "epub", env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert proc.returncode == 0, proc.stderr
        outputs.append((out / "The_Terror_In_Russia.epub").read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(io.BytesIO(outputs[0])) as z:
        assert z.namelist()[0] == "mimetype" and z.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        opf = z.read("EPUB/content.opf").decode()
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf


def _muse(folder: Path, header: str, body: str = "A paragraph.[1]\n\n[1] A note.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{folder.name}.muse"
    source.write_text(header + "\n" + body, encoding="utf-8")
    return source


def _png(size, colour) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Small books, each showing one feature, built and validated together."""
    root = tmp_path_factory.mktemp("books")
    (root / "cover").mkdir()
    (root / "cover" / "front.png").write_bytes(_png((300, 480), (200, 30, 30)))
    _muse(root / "cover", "#title A Title\n#author Jane Doe\n#lang en\n#cover front.png\n")
    _muse(root / "nocover", "#title A Title\n#author Jane Doe\n#lang en\n#cover nowhere.jpg\n")
    (root / "pictures").mkdir()
    (root / "pictures" / "pic.png").write_bytes(_png((40, 40), (0, 0, 0)))
    _muse(root / "pictures", "#title Pictures\n#author Jane Doe\n#lang en\n",
          "* One\n\nText.\n\n[[pic.png][A black square]]\n\n* Two\n\nMore text.[1]\n\n[1] A note.\n")
    _muse(root / "words", "#title Words\n#author Jane Doe\n#lang en\n")
    _muse(root / "mutual", "#title Mutual Aid\n#subtitle A Factor of Evolution\n#author Pëtr Kropotkin\n"
                           "#lang en\n#date 1902\n#SORTtopics evolution, mutual aid\n#notes First published 1902.\n")
    _muse(root / "fonts", "#title Fonts\n#author Jane Doe\n#lang en\n", "Some *italic* and **bold** text.\n")
    names = ("cover", "nocover", "pictures", "words", "mutual")
    proc = run_cli("build", *(root / n / f"{n}.muse" for n in names), "-o", root / "out", "--format", "epub")
    assert proc.returncode == 0, proc.stderr
    fonts = run_cli("build", root / "fonts" / "fonts.muse", "-o", root / "out", "--format", "epub", "--embed-fonts")
    assert fonts.returncode == 0, fonts.stderr
    stderr = proc.stderr
    built = {n: root / "out" / f"{n}.epub" for n in (*names, "fonts")}
    results = epubcheck(list(built.values()))
    for name, path in built.items():
        assert results[path].clean, (name, results[path].messages)
    return {name: Book.open(path) for name, path in built.items()}, stderr, root


def test_source_cover_is_used_and_marked(books):
    book = books[0]["cover"]
    check_cover(book, generated=False)
    assert book.read(book.item_with("cover-image").get("href")) == (books[2] / "cover" / "front.png").read_bytes()


def test_missing_cover_is_generated_with_a_warning(books):
    assert "nowhere.jpg" in books[1]
    check_cover(books[0]["nocover"], generated=True)


def test_generated_cover_size_and_cost():
    import time
    from pipeline.writers.epub.cover import generated_cover
    generated_cover("Warm up", "Someone")
    started = time.perf_counter()
    cover = generated_cover("The Conquest of Bread", "Pëtr Kropotkin", "with a preface", "en")
    assert time.perf_counter() - started < 0.5
    assert cover.media_type == "image/jpeg" and image_size(cover.data) == (1600, 2560)
    assert len(cover.data) < 300_000


def test_images_embedded_with_alt_and_accessibility_metadata(books):
    book = books[0]["pictures"]
    images = [i for i in book.manifest.values() if i.get("media-type") == "image/png"]
    assert len(images) == 1 and book.read(images[0].get("href")) == (books[2] / "pictures" / "pic.png").read_bytes()
    assert set(book.meta("schema:accessMode")) == {"textual", "visual"}
    assert "alternativeText" in book.meta("schema:accessibilityFeature")
    assert "structuralNavigation" in book.meta("schema:accessibilityFeature")
    check_nav(book)
    assert check_footnotes(book) == 1


def test_text_only_book_says_textual_only(books):
    book = books[0]["words"]
    assert book.meta("schema:accessMode") == ["textual"]
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" not in book.meta("schema:accessibilityFeature")


def test_metadata_subtitle_file_as_subjects_description(books):
    book = books[0]["mutual"]
    assert book.dc("title") == ["Mutual Aid", "A Factor of Evolution"]
    assert book.meta("title-type") == ["main", "subtitle"]
    assert book.meta("file-as") == ["Kropotkin, Pëtr"]
    assert book.dc("date") == ["1902"]
    assert book.dc("subject") == ["evolution", "mutual aid"]
    assert book.dc("description") == ["First published 1902."]


def test_embed_fonts_subset(books):
    book = books[0]["fonts"]
    fonts = [i for i in book.manifest.values() if i.get("media-type") == "font/otf"]
    assert fonts, "no font embedded"
    css = book.read("style/epub.css").decode()
    assert css.count("@font-face") == len(fonts)
    from fontTools.ttLib import TTFont
    regular = next(i for i in fonts if i.get("href").endswith("_R.otf"))
    data = book.read(regular.get("href"))
    assert len(data) < 60_000          # the whole face is ~600 KB
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "Some italic and bold text Fonts Jane Doe")
    assert not any(i.get("media-type") == "font/otf" for i in books[0]["words"].manifest.values())


@pytest.mark.parametrize("name, sort_names, expected", [
    ("Pëtr Kropotkin", [], "Kropotkin, Pëtr"),
    ("Anonymous", [], "Anonymous"),
    ("Emma Goldman", ["Goldman, Emma"], "Goldman, Emma"),
    ("Ursula K. Le Guin", ["Le Guin, Ursula K."], "Le Guin, Ursula K."),
    ("隐形委员会", [], "隐形委员会"),
    ("CrimethInc.", [], "CrimethInc."),
    ("Martin Luther King Jr.", [], "King, Martin Luther, Jr."),
])
def test_file_as(name, sort_names, expected):
    from pipeline.writers.epub import file_as
    assert file_as(name, sort_names) == expected


def test_nav_tree_nests_and_skips_levels():
    from pipeline.render import TocEntry
    from pipeline.render.epub import EpubPart
    from pipeline.writers.epub import nav_tree
    part = EpubPart("text001.xhtml", "t", "chapter",
                    headings=[TocEntry(2, "A", "a"), TocEntry(4, "A.1", "a1"), TocEntry(3, "A.2", "a2"),
                              TocEntry(2, "B", "b")])
    tree = nav_tree([part], "Book")
    assert [e.title for e in tree] == ["A", "B"]
    assert [c.title for c in tree[0].children] == ["A.1", "A.2"]
