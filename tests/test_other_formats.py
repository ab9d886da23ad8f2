"""The EPUB, DOCX, ODT and web page readers, on files other programs make.

Fixtures are made at run time: pandoc turns two corpus texts with notes
(copies in tests/fixtures/formats/) into each format, with the title and
author given as pandoc metadata (different from the .muse header, so they can
only come from the file's metadata); a few files are written here with the
structure LibreOffice and Word give them (text:note, footnotes.xml, an
embedded picture), and EPUBs shaped as Standard Ebooks and Project Gutenberg
make theirs. Made at run time rather than committed: no binary fixture to
keep in step with the texts or with pandoc, the command that made each is
the code that makes it, and it costs a few seconds (pandoc is installed for
the tests by scripts/setup.sh).

One batch build (PDF + EPUB, --jobs 2) of a folder holding one text in every
format, a web page in site chrome and every kind of bad input shows the batch
picks the formats up, builds the good ones and fails each bad one alone; the
other checks read the files without building.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import assert_inactive, epubcheck, run_cli
from output_words import block_text, check_words, epub_chapters_and_notes, pdf_streams, words
from source_facts import source_facts
from pipeline.readers import read

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
TEXTS = {"Action_of_Masses": 7, "War": 1}           # text → notes in its source
FORMATS = ("epub", "docx", "odt", "html")
TITLE, AUTHOR = "The Action of Masses, as pandoc wrote it", "P. A. Kropotkin (pandoc)"
CHROME_WORDS = ["sourdough", "newsletter", "cookies", "gardening", "hiking", "donate", "subscribe"]


def pandoc(source: Path, out: Path, title: str = TITLE, author: str = AUTHOR) -> Path:
    subprocess.run(["pandoc", "-f", "muse", "-s", "-M", f"title={title}", "-M", f"author={author}",
                    str(source), "-o", str(out)], check=True, capture_output=True)
    return out


def site_page(article_html: str) -> str:
    """An article in the chrome of a real site: menu, cookie notice, sidebar, newsletter footer."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE} | Example Site</title><meta name="author" content="{AUTHOR}">
<meta property="og:title" content="{TITLE}"><meta property="og:site_name" content="Example Site">
<link rel="canonical" href="https://example.org/2019/action-of-masses">
<script type="application/ld+json">{{"@type": "Article", "headline": "{TITLE}",
 "author": {{"@type": "Person", "name": "{AUTHOR}"}}, "datePublished": "1890-05-24"}}</script></head>
<body><header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop</a></li>
<li><a href="/about">About us</a></li><li><a href="/donate">Donate</a></li></ul></nav></header>
<div class="cookie-notice" id="cookie-banner">We use cookies to improve your experience on our site.
<button>Accept all cookies</button></div>
<main><article>{article_html}</article></main>
<aside class="sidebar widget-area"><h3>Popular posts</h3><ul><li><a href="/a">Ten recipes for sourdough bread</a></li>
<li><a href="/b">Gardening in the winter months</a></li><li><a href="/c">Our favourite hiking trails</a></li></ul></aside>
<footer class="site-footer"><form class="newsletter"><p>Subscribe to our newsletter for weekly updates</p>
<input type="email" placeholder="Your email"><button>Subscribe</button></form>
<p>Copyright 2024 Example Site Ltd. All rights reserved.</p></footer></body></html>"""


def png(path: Path, colour: str) -> bytes:
    from PIL import Image
    Image.new("RGB", (12, 8), colour).save(path)
    return path.read_bytes()


def body_of(html: str) -> str:
    return html.split("<body>", 1)[1].rsplit("</body>", 1)[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """Every text in every format, in ``made/TEXT/``."""
    root = tmp_path_factory.mktemp("formats")
    for text in TEXTS:
        folder = root / text
        folder.mkdir()
        for fmt in FORMATS:
            pandoc(FIXTURES / f"{text}.muse", folder / f"{text}-{fmt}.{fmt}")
        page = folder / f"{text}-html.html"
        page.write_text(site_page(body_of(page.read_text(encoding="utf-8"))), encoding="utf-8")
    return root


def document_words(doc) -> tuple[list[str], list[str]]:
    notes = " ".join(block_text(note.body) for note in doc.notes.values())
    return words(block_text(doc.body)), words(notes)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text", TEXTS)
def test_every_word_and_note_and_the_file_metadata(made, text, fmt):
    doc = read(made / text / f"{text}-{fmt}.{fmt}")
    assert doc.format == fmt
    source = FIXTURES / f"{text}.muse"
    body, notes = document_words(doc)
    check_words(source, body, notes, f"{fmt} document")
    _, headings, source_notes = source_facts(source.read_text(encoding="utf-8"))
    assert len(doc.notes) == TEXTS[text] == source_notes
    assert len(doc.headings()) == headings
    assert doc.metadata.title == TITLE
    assert doc.metadata.authors == [AUTHOR]
    for word in CHROME_WORDS:
        assert word.casefold() not in set(body + notes), word


def test_detected_by_content_and_overridden_by_from(made, tmp_path):
    for fmt in FORMATS:
        disguised = tmp_path / f"War-{fmt}.txt"
        shutil.copy(made / "War" / f"War-{fmt}.{fmt}", disguised)
        assert read(disguised).format == fmt
    # --from html reads a page that opens without <html> (a fragment saved as .txt)
    fragment = tmp_path / "fragment.txt"
    fragment.write_text("<p>Only <em>a</em> paragraph.</p>\n" * 30, encoding="utf-8")
    assert read(fragment).format != "html"
    assert read(fragment, "html").format == "html"


# ---------------------------------------------------------------- real files, written by hand

def odt_with_notes(path: Path) -> Path:
    """An ODT as LibreOffice writes it: meta.xml, automatic styles, text:note."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="{office}" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3">
<office:automatic-styles>
 <style:style style:name="T1" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
 <style:style style:name="T2" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:text>
 <text:sequence-decls/>
 <text:h text:style-name="Heading_20_1" text:outline-level="2">First chapter heading</text:h>
 <text:p text:style-name="Standard">Alpha words <text:span text:style-name="T1">emphasised here</text:span> and<text:s/>
  <text:span text:style-name="T2">strong ones</text:span>.<text:note text:id="ftn1" text:note-class="footnote">
  <text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name="Footnote">Footnote one body.</text:p>
  </text:note-body></text:note> Beta continues.<text:note text:id="edn1" text:note-class="endnote">
  <text:note-citation>i</text:note-citation><text:note-body><text:p text:style-name="Endnote">Endnote body gamma.</text:p>
  </text:note-body></text:note></text:p>
 <text:list text:style-name="L1"><text:list-item><text:p>List item delta</text:p></text:list-item>
  <text:list-item><text:p>List item epsilon</text:p></text:list-item></text:list>
 <table:table table:name="T"><table:table-column table:number-columns-repeated="2"/>
  <table:table-row><table:table-cell><text:p>Cell zeta</text:p></table:table-cell>
  <table:table-cell><text:p>Cell eta</text:p></table:table-cell></table:table-row></table:table>
 <text:p text:style-name="Standard"><draw:frame draw:name="Image1" text:anchor-type="as-char" svg:width="1cm" svg:height="1cm">
  <draw:image xlink:href="Pictures/red.png" xlink:type="simple"/><svg:desc>a red square</svg:desc></draw:frame></text:p>
 <text:p text:style-name="Standard">Closing theta.</text:p>
</office:text></office:body></office:document-content>"""
    meta = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="{office}" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>
 <meta:generator>LibreOffice/7.4</meta:generator><dc:title>Handwritten ODT</dc:title>
 <meta:initial-creator>Ada Writer</meta:initial-creator><dc:creator>Someone Who Edited</dc:creator>
 <dc:language>en-GB</dc:language></office:meta></office:document-meta>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("Pictures/red.png", png(path.with_name("red.png"), "red"))
    return path


def docx_with_footnotes(path: Path) -> Path:
    """A DOCX as Word writes one: python-docx for the document and core
    properties, then word/footnotes.xml and the references added to the XML."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Handwritten DOCX"
    document.core_properties.author = "Bea Author"
    document.add_heading("Opening heading", level=1)
    paragraph = document.add_paragraph("Alpha words ")
    paragraph.add_run("emphasised here").italic = True
    paragraph.add_run(" and ")
    paragraph.add_run("strong ones").bold = True
    paragraph.add_run(".FOOTNOTE_ONE Beta continues.FOOTNOTE_TWO")
    document.add_paragraph("List item delta", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Cell zeta", "Cell eta"
    png(path.with_name("red.png"), "red")
    document.add_picture(str(path.with_name("red.png")))
    document.add_paragraph("Closing theta.")
    document.save(path)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    ref = ('</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
           '<w:footnoteReference w:id="{}"/></w:r><w:r><w:t xml:space="preserve">')
    footnotes = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{w}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Footnote one body.</w:t></w:r></w:p></w:footnote>
<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Footnote two iota.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    body = parts["word/document.xml"].decode()
    body = body.replace("FOOTNOTE_ONE", ref.format(1)).replace("FOOTNOTE_TWO", ref.format(2))
    parts["word/document.xml"] = body.encode()
    parts["word/footnotes.xml"] = footnotes.encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/footnotes" Target="footnotes.xml"/></Relationships>')).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/word/footnotes.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


HAND_WORDS = ["Alpha", "words", "emphasised", "here", "and", "strong", "ones", "Beta", "continues",
              "List", "item", "delta"]


@pytest.mark.parametrize("maker,title,author,notes", [
    (odt_with_notes, "Handwritten ODT", "Ada Writer", ["Footnote one body.", "Endnote body gamma."]),
    (docx_with_footnotes, "Handwritten DOCX", "Bea Author", ["Footnote one body.", "Footnote two iota."]),
], ids=["odt", "docx"])
def test_office_files_as_their_programs_write_them(tmp_path, maker, title, author, notes):
    doc = read(maker(tmp_path / ("hand." + maker.__name__.split("_")[0])))
    body = etree.tostring(doc.body, encoding="unicode")
    text = " ".join(block_text(doc.body).split())
    position = 0
    for word in HAND_WORDS + ["Cell", "zeta", "Cell", "eta", "Closing", "theta"]:
        found = text.find(word, position)
        assert found >= 0, f"{word!r} lost or out of order in {text!r}"
        position = found + len(word)
    assert "<em>emphasised here</em>" in body and "<strong>strong ones</strong>" in body
    assert len(doc.headings()) == 1 and doc.body.find(".//li") is not None and doc.body.find(".//td") is not None
    assert [" ".join(block_text(n.body).split()) for n in doc.notes.values()] == notes
    assert len(doc.body.findall(".//a[@class='noteref']")) == len(notes)
    assert doc.metadata.title == title and doc.metadata.authors == [author]
    images = [img.get("src") for img in doc.body.iter("img")]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,"), images
    assert base64.b64decode(images[0].split(",", 1)[1]) == (tmp_path / "red.png").read_bytes()


# ---------------------------------------------------------------- bad input, and a batch of everything

def bad_inputs(folder: Path, made: Path) -> dict[str, str]:
    """Each kind of bad input, by file name → what its error must say."""
    good = made / "War"
    epub = (good / "War-epub.epub").read_bytes()
    (folder / "truncated.epub").write_bytes(epub[: len(epub) // 2])
    (folder / "empty.docx").write_bytes(b"")
    corrupt = bytearray((good / "War-odt.odt").read_bytes())
    corrupt[-60:] = b"\0" * 60      # the central directory's end record
    (folder / "corrupt.odt").write_bytes(bytes(corrupt))
    from msoffcrypto.format.ooxml import OOXMLFile
    with open(good / "War-docx.docx", "rb") as plain_file, open(folder / "password.docx", "wb") as out:
        OOXMLFile(plain_file).encrypt("secret", out)
    with zipfile.ZipFile(good / "War-odt.odt") as source, zipfile.ZipFile(folder / "locked.odt", "w") as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "META-INF/manifest.xml":     # as LibreOffice marks an encrypted member
                manifest = etree.fromstring(data)
                m = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
                entry = next(e for e in manifest.iter(f"{{{m}}}file-entry")
                             if e.get(f"{{{m}}}full-path") == "content.xml")
                etree.SubElement(entry, f"{{{m}}}encryption-data", {f"{{{m}}}checksum-type": "SHA1/1K",
                                                                     f"{{{m}}}checksum": "x"})
                data = etree.tostring(manifest)
            z.writestr(info, data)
    with zipfile.ZipFile(good / "War-epub.epub") as source, zipfile.ZipFile(folder / "missing.epub", "w") as z:
        for info in source.infolist():
            if not info.filename.endswith("ch001.xhtml"):
                z.writestr(info, source.read(info))
    encryption = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                  'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
                  '<enc:EncryptionMethod Algorithm="{}"/><enc:CipherData>'
                  '<enc:CipherReference URI="EPUB/text/ch001.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>')
    for name, algorithm in (("drm.epub", "http://www.w3.org/2001/04/xmlenc#aes128-cbc"),
                            ("fonts-obfuscated.epub", "http://www.idpf.org/2008/embedding")):
        with zipfile.ZipFile(good / "War-epub.epub") as source, zipfile.ZipFile(folder / name, "w") as z:
            for info in source.infolist():
                z.writestr(info, source.read(info))
            z.writestr("META-INF/encryption.xml", encryption.format(algorithm))
    (folder / "no-article.html").write_text(
        site_page("")[: site_page("").index("<main>")] + "</body></html>", encoding="utf-8")
    return {
        "truncated.epub": "not a complete zip archive",
        "empty.docx": "the file is empty",
        "corrupt.odt": "not a complete zip archive",
        "password.docx": "protected by a password",
        "locked.odt": "protected by a password",
        "missing.epub": "which the package does not hold",
        "drm.epub": "content is encrypted",
        "no-article.html": "no article text",
    }


def test_batch_builds_every_format_and_fails_each_bad_input_alone(made, tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(made / "Action_of_Masses", folder)
    expected_errors = bad_inputs(folder, made)
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    result = run_cli("build", str(folder), "-o", str(out), "--format", "pdf,epub", "--jobs", "2",
                     "--report", str(report))
    assert result.returncode == 1, result.stderr[-2000:]
    entries = {Path(e["source"]).name: e for e in json.loads(report.read_text())["sources"]}
    for name, message in expected_errors.items():
        assert entries[name]["status"] == "failed", name
        assert message in entries[name]["error"] and "\n" not in entries[name]["error"], entries[name]["error"]
        assert not list(out.glob(Path(name).stem + ".*")), f"{name} left an output"
    assert entries["fonts-obfuscated.epub"]["status"] == "built", entries["fonts-obfuscated.epub"].get("error")
    source = FIXTURES / "Action_of_Masses.muse"
    for fmt in FORMATS:
        name = f"Action_of_Masses-{fmt}"
        assert entries[f"{name}.{fmt}"]["status"] == "built", entries[f"{name}.{fmt}"].get("error")
        body_text, notes_text = pdf_streams(out / f"{name}.pdf")
        check_words(source, words(body_text), words(notes_text), f"{fmt} → PDF")
        body, notes = epub_streams(out / f"{name}.epub")
        check_words(source, words(" ".join(body)), words(" ".join(notes)), f"{fmt} → EPUB")
        assert len(notes) == TEXTS["Action_of_Masses"]
        everything = set(words(body_text + notes_text + " ".join(body + notes)))
        for word in CHROME_WORDS:
            assert word.casefold() not in everything, f"{fmt}: site chrome {word!r} in the outputs"
    built = [out / f"Action_of_Masses-{fmt}.epub" for fmt in FORMATS] + [out / "fonts-obfuscated.epub"]
    checked = epubcheck(built)
    assert all(checked[p].clean for p in built), {p.name: checked[p].messages for p in built}
    html_epub = zipfile.ZipFile(out / "Action_of_Masses-html.epub")
    colophon = " ".join(html_epub.read(n).decode() for n in html_epub.namelist() if n.endswith(".xhtml"))
    assert "https://example.org/2019/action-of-masses" in colophon


def epub_streams(path: Path) -> tuple[list[str], list[str]]:
    """(chapter texts, note texts) of one of our EPUBs, in spine order."""
    chapters, notes = epub_chapters_and_notes(path)
    return [block_text(c) for c in chapters], [block_text(n) for n in notes]


@pytest.mark.parametrize("name", ["truncated.epub", "password.docx", "missing.epub", "no-article.html"])
def test_bad_input_is_one_line_and_exit_1(made, tmp_path, name):
    folder = tmp_path / "bad"
    folder.mkdir()
    expected = bad_inputs(folder, made)[name]
    result = run_cli("build", str(folder / name), "-o", str(tmp_path / "out"), "--format", "epub")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if name in line]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out").glob("*.epub")) if (tmp_path / "out").exists() else True


# ---------------------------------------------------------------- safety

PAYLOAD = ('<script>alert(1)</script><iframe src="x.html"></iframe><a href="javascript:alert(1)">jlink</a>'
           '<p onmouseover="x()" style="position:fixed">hovered paragraph</p>')


def test_images_only_from_inside_the_package_and_markup_sanitized(made, tmp_path):
    from pipeline.render import prepare
    from pipeline.render.epub import epub_parts
    from pipeline.render.pdf import pdf_html

    folder = tmp_path / "books"
    folder.mkdir()
    inside = png(tmp_path / "inside.png", "red")
    png(folder / "beside.png", "blue")
    png(tmp_path / "secret.png", "green")
    chapter = ('<p>Picture inside <img src="../media/inside.png" alt="inside picture"/></p>'
               '<p><img src="beside.png" alt="beside"/><img src="../../../secret.png" alt="up"/>'
               '<img src="http://127.0.0.1:9/remote.png" alt="remote"/></p>' + PAYLOAD)
    book = folder / "hostile.epub"
    with zipfile.ZipFile(made / "War" / "War-epub.epub") as source, zipfile.ZipFile(book, "w") as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("ch001.xhtml"):
                data = re.sub(rb"<body[^>]*>", lambda m: m.group(0) + chapter.encode(), data, count=1)
            z.writestr(info, data)
        z.writestr("EPUB/media/inside.png", inside)
    page = folder / "hostile.html"
    article = body_of(pandoc(FIXTURES / "War.muse", tmp_path / "raw.html").read_text(encoding="utf-8"))
    page.write_text(site_page('<p>Beside <img src="beside.png" alt="beside"/>'
                              '<img src="../secret.png" alt="up"/></p>' + PAYLOAD + article), encoding="utf-8")
    for source, kept in ((book, "data:image/png;base64,"), (page, "beside.png")):
        doc = read(source)
        srcs = [img.get("src") for img in doc.body.iter("img")]
        assert len(srcs) == 1 and srcs[0].startswith(kept), (source.name, srcs)
        assert "hovered paragraph" in block_text(doc.body) and "jlink" in block_text(doc.body)
        refused = " ".join(doc.warnings)
        assert "secret.png" in refused, doc.warnings
        prep = prepare(doc)
        for html in [pdf_html(prep)] + [part.xhtml for part in epub_parts(prep)]:
            assert_inactive(html, source.name)
    result = run_cli("build", str(book), "-o", str(tmp_path / "out"), "--format", "epub")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "hostile.epub") as z:
        pictures = [z.read(n) for n in z.namelist() if "/images/image" in n]
    assert pictures == [inside]


# ---------------------------------------------------------------- EPUBs as Standard Ebooks and Project Gutenberg make them

def xhtml(body: str, kind: str = "") -> str:
    attribute = f' epub:type="{kind}"' if kind else ""
    return ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head>'
            f"<body{attribute}>{body}</body></html>")


def epub_file(path: Path, opf: str, documents: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
                   'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("OEBPS/content.opf", opf)
        for name, text in documents.items():
            z.writestr(f"OEBPS/{name}", text)
    return path


def manifest_and_spine(names: list[str], nav: str = "") -> str:
    items = "".join(f'<item id="d{n}" href="{name}" media-type="application/xhtml+xml"'
                    f'{" properties=" + chr(34) + "nav" + chr(34) if name == nav else ""}/>'
                    for n, name in enumerate(names))
    spine = "".join(f'<itemref idref="d{n}"/>' for n in range(len(names)))
    return f"<manifest>{items}</manifest><spine>{spine}</spine>"


def test_epub3_as_standard_ebooks_makes_it(tmp_path):
    names = ["titlepage.xhtml", "imprint.xhtml", "chapter-1.xhtml", "endnotes.xhtml", "colophon.xhtml",
             "uncopyright.xhtml", "toc.xhtml"]
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en-GB">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
 <dc:identifier id="uid">url:https://standardebooks.org/ebooks/x</dc:identifier>
 <dc:title id="title">Mutual Aid</dc:title><meta property="title-type" refines="#title">main</meta>
 <dc:title id="subtitle">A Factor of Evolution</dc:title><meta property="title-type" refines="#subtitle">subtitle</meta>
 <dc:creator id="author">Peter Kropotkin</dc:creator><meta property="role" refines="#author" scheme="marc:relators">aut</meta>
 <dc:contributor id="translator">Some Translator</dc:contributor><meta property="role" refines="#translator" scheme="marc:relators">trl</meta>
 <dc:language>en-GB</dc:language><dc:date>1902-01-01</dc:date><dc:publisher>Standard Ebooks</dc:publisher>
 <dc:subject>Cooperation</dc:subject><dc:source>https://www.gutenberg.org/ebooks/4341</dc:source>
 <dc:rights>CC0</dc:rights></metadata>{manifest_and_spine(names, nav="toc.xhtml")}</package>"""
    documents = {
        "titlepage.xhtml": xhtml('<section epub:type="titlepage"><h1>Mutual Aid</h1><p>By Peter Kropotkin.</p></section>'),
        "imprint.xhtml": xhtml('<section epub:type="imprint"><p>This ebook is the product of many hours of work by '
                               'volunteers for Standard Ebooks.</p></section>', "frontmatter"),
        "chapter-1.xhtml": xhtml('<section epub:type="chapter"><h2>Mutual Aid Among Animals</h2><p>Opening words '
                                 'of the chapter<a href="endnotes.xhtml#note-1" id="noteref-1" epub:type="noteref">1</a> '
                                 'and its closing words.</p></section>', "bodymatter z3998:fiction"),
        "endnotes.xhtml": xhtml('<section epub:type="endnotes"><h2>Endnotes</h2><ol><li id="note-1" epub:type="endnote">'
                                '<p>The endnote itself. <a href="chapter-1.xhtml#noteref-1" epub:type="backlink">↩</a>'
                                '</p></li></ol></section>', "backmatter"),
        "colophon.xhtml": xhtml('<section epub:type="colophon"><p>Mutual Aid was produced by volunteers.</p></section>',
                                "backmatter"),
        "uncopyright.xhtml": xhtml('<section epub:type="copyright-page"><p>May you do good.</p></section>', "backmatter"),
        "toc.xhtml": xhtml('<nav epub:type="toc"><ol><li><a href="chapter-1.xhtml">One</a></li></ol></nav>'
                           '<nav epub:type="landmarks"><ol><li><a href="chapter-1.xhtml" epub:type="bodymatter">Text</a>'
                           '</li></ol></nav>'),
    }
    doc = read(epub_file(tmp_path / "se.epub", opf, documents))
    assert " ".join(block_text(doc.body).split()) == "Mutual Aid Among Animals Opening words of the chapter1 and its closing words."
    assert [" ".join(block_text(n.body).split()) for n in doc.notes.values()] == ["The endnote itself."]
    m = doc.metadata
    assert (m.title, m.subtitle, m.authors, m.lang, m.date) == ("Mutual Aid", "A Factor of Evolution",
                                                                ["Peter Kropotkin"], "en-GB", "1902-01-01")
    assert (m.publisher, m.rights, m.topics) == ("Standard Ebooks", "CC0", ["Cooperation"])
    assert "gutenberg.org/ebooks/4341" in m.source
    assert "Translated by Some Translator" in m.notes
    assert "volunteers for Standard Ebooks" in m.notes and "produced by volunteers" in m.notes


def test_epub2_as_project_gutenberg_makes_it(tmp_path):
    names = ["cover.xhtml", "text.xhtml"]
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
 <dc:title>The Conquest of Bread</dc:title><dc:creator opf:role="aut">Peter Kropotkin</dc:creator>
 <dc:contributor opf:role="trl">A Translator</dc:contributor><dc:language>en</dc:language>
 <dc:date opf:event="conversion">2020-01-01</dc:date><dc:date opf:event="publication">1892</dc:date>
 <dc:identifier id="id">http://www.gutenberg.org/23428</dc:identifier></metadata>
{manifest_and_spine(names)}<guide><reference type="cover" title="Cover" href="cover.xhtml"/></guide></package>"""
    documents = {
        "cover.xhtml": xhtml('<div><img src="cover.jpg" alt="Cover"/></div>'),
        "text.xhtml": xhtml('<section id="pg-header"><p>The Project Gutenberg eBook of The Conquest of Bread</p></section>'
                            '<h2>CHAPTER I</h2><p>Our riches are great<a id="FNanchor_1" href="#Footnote_1" '
                            'class="fnanchor">[1]</a> indeed.</p><div class="footnote"><p><a id="Footnote_1" '
                            'href="#FNanchor_1"><span class="label">[1]</span></a> A Gutenberg note.</p></div>'
                            '<section id="pg-footer"><p>End of the Project Gutenberg eBook</p></section>'),
    }
    doc = read(epub_file(tmp_path / "pg.epub", opf, documents))
    assert " ".join(block_text(doc.body).split()) == "CHAPTER I Our riches are great1 indeed."
    assert [" ".join(block_text(n.body).split()) for n in doc.notes.values()] == ["A Gutenberg note."]
    assert (doc.metadata.title, doc.metadata.authors, doc.metadata.date) == ("The Conquest of Bread",
                                                                             ["Peter Kropotkin"], "1892")
    assert "Translated by A Translator" in doc.metadata.notes


def test_web_page_notes_as_gutenberg_and_mediawiki_mark_them(tmp_path):
    filler = " and goes on for a while with ordinary words about the matter at hand, as articles do"
    page = tmp_path / "notes.html"
    page.write_text(site_page(
        f'<p>Saved Gutenberg page note<a id="FNanchor_1" href="#Footnote_1" class="fnanchor">[1]</a>{filler}.</p>'
        f'<p>A wiki citation<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">[2]</a></sup>{filler}.</p>'
        '<div class="footnote"><p><a id="Footnote_1" href="#FNanchor_1"><span class="label">[1]</span></a> '
        'Gutenberg note body.</p></div><ol class="references"><li id="cite_note-2"><span class="mw-cite-backlink">'
        '<a href="#cite_ref-2">^</a></span> <span class="reference-text">Wiki note body.</span></li></ol>'),
        encoding="utf-8")
    doc = read(page)
    assert [" ".join(block_text(n.body).split()) for n in doc.notes.values()] == ["Gutenberg note body.",
                                                                                   "Wiki note body."]
    text = " ".join(block_text(doc.body).split())
    assert text.startswith("Saved Gutenberg page note1 and goes on") and "note body" not in text
    assert doc.metadata.source == "Retrieved from Example Site, https://example.org/2019/action-of-masses"
    assert doc.metadata.date == "1890-05-24"


def test_a_page_wrapped_whole_in_a_form_and_a_consent_class_keeps_its_article(made):
    """ASP.NET pages sit in one <form>; some sites name the visitor's cookie
    choice on a wrapper: neither is chrome to drop with the article in it."""
    page = (made / "War" / "War-html.html").read_text(encoding="utf-8")
    wrapped = page.replace("<body>", '<body class="cookies-accepted"><form id="aspnetForm">'
                           '<div class="consent-given">', 1).replace("</body>", "</div></form></body>")
    path = made / "War" / "wrapped.htm"
    path.write_text(wrapped, encoding="utf-8")
    doc = read(path)
    body, notes = document_words(doc)
    check_words(FIXTURES / "War.muse", body, notes, "wrapped page")
    assert len(doc.notes) == TEXTS["War"]
    assert not set(CHROME_WORDS) & set(body + notes)


def test_an_unpacked_epub_is_not_a_folder_of_web_pages(made, tmp_path):
    from pipeline.batch.planning import collect_sources
    from pipeline.errors import UnsupportedFormat

    with zipfile.ZipFile(made / "War" / "War-epub.epub") as z:
        z.extractall(tmp_path / "unpacked")
    shutil.copy(made / "War" / "War-html.html", tmp_path / "page.html")
    chapter = tmp_path / "unpacked" / "EPUB" / "text" / "ch001.xhtml"
    assert [source.name for source, _ in collect_sources([tmp_path])] == ["page.html"]
    with pytest.raises(UnsupportedFormat, match="chapter of the unpacked EPUB"):
        read(chapter)
    assert read(chapter, "html").format == "html"


@pytest.mark.parametrize("fmt", ["epub", "docx", "odt"])
def test_damaged_members_give_our_errors_only(made, tmp_path, fmt):
    """Seeded damage inside the archive (cut, inserted and repeated bytes in
    its XML, a member gone): a Document or one of our errors, never a crash."""
    import random

    from pipeline.errors import ZinepressError

    rng = random.Random(20)
    with zipfile.ZipFile(made / "War" / f"War-{fmt}.{fmt}") as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    for n in range(12):
        damaged = dict(members)
        name = rng.choice([k for k in damaged if k.endswith((".xml", ".xhtml", ".opf"))])
        data = bytearray(damaged[name])
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data) or 1)
            roll = rng.random()
            if roll < 0.4:
                del data[at:at + rng.randint(1, 50)]
            elif roll < 0.7:
                data.insert(at, rng.choice(b"<>/&\"' a"))
            else:
                data[at:at] = data[rng.randrange(len(data) or 1):][:rng.randint(1, 80)]
        damaged[name] = bytes(data)
        if rng.random() < 0.2:
            damaged.pop(rng.choice(list(damaged)))
        path = tmp_path / f"damaged{n}.{fmt}"
        with zipfile.ZipFile(path, "w") as z:
            for member, content in damaged.items():
                z.writestr(member, content)
        try:
            read(path)
        except ZinepressError as exc:
            assert "\n" not in str(exc)
