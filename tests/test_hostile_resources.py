"""Hostile and huge resources, built for real: local links, SVG pictures with
scripts and references, image bombs, fonts beside a stylesheet.

Each output is searched whole: every PDF uncompressed by ``qpdf --qdf`` (so
that no compressed stream hides anything), every entry of every EPUB. Neither
the folders of the machine that built them nor a byte of a file outside the
source's folder may appear."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, pdf_fonts, pdf_text, run_cli

SECRET = "QZV-OUTSIDE-5b81d2"


def uncompressed_pdf(path: Path) -> bytes:
    """Every byte of a PDF with its streams uncompressed (qpdf's QDF form)."""
    proc = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), "-"],
                          capture_output=True)
    assert proc.returncode in (0, 3), proc.stderr       # 3: warnings only
    return proc.stdout


def output_bytes(out: Path) -> dict[str, bytes]:
    """Each PDF (uncompressed) and each EPUB entry under ``out``, by name."""
    found = {}
    for pdf in sorted(out.rglob("*.pdf")):
        found[pdf.name] = uncompressed_pdf(pdf)
    for epub in sorted(out.rglob("*.epub")):
        with zipfile.ZipFile(epub) as z:
            for name in z.namelist():
                found[f"{epub.name}:{name}"] = z.read(name)
    assert found
    return found


def assert_nowhere(out: Path, *needles: str) -> None:
    for where, data in output_bytes(out).items():
        for needle in needles:
            assert needle.encode() not in data, f"{where} holds {needle!r}"
        assert b"file:" not in data, f"{where} holds a file: address"


def png_header(width: int, height: int) -> bytes:
    """A PNG that announces ``width``×``height`` pixels in a few dozen bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def gif_header(width: int, height: int) -> bytes:
    return (b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x2c"
            + struct.pack("<HHHH", 0, 0, width, height) + b"\x00\x02\x02\x44\x01\x00\x3b")


def small_png() -> bytes:
    from io import BytesIO

    from PIL import Image
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------------ local links

LINKS_MD = """---
title: Local links
author: Mallory
lang: en
---

A [relative](other.html) link, an [absolute](/etc/passwd) one,
an [upward](../outside.txt) one and a [scheme-less](//host/share) one.

A [web link](https://example.org/page), a [mail link](mailto:someone@example.org),
a [link to a heading](#further) and an [ftp link](ftp://example.org/file).

## Further

The end.
"""

LINKS_MUSE = """#title Local links in muse
#author Mallory
#lang en

Here [[other.html][a relative one]] and [[/etc/passwd]]
and [[../outside.txt][an upward one]] and [[https://example.org/muse][a web one]].
"""


@pytest.fixture(scope="module")
def links_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("links")
    (root / "outside.txt").write_text(SECRET + "\n")
    src = root / "src"
    src.mkdir()
    (src / "other.html").write_text(f"<p>{SECRET}</p>")
    (src / "links.md").write_text(LINKS_MD)
    (src / "muselinks.muse").write_text(LINKS_MUSE)
    out = root / "out"
    # the two sources by name: other.html is the file their links name, not a source
    proc = run_cli("build", src / "links.md", src / "muselinks.muse", "-o", out, "--jobs", "1")
    return proc, src, out


def test_local_links_keep_their_text_lose_the_link_and_are_said(links_build):
    proc, src, out = links_build
    assert proc.returncode == 0, proc.stderr
    md, muse = str(src / "links.md"), str(src / "muselinks.muse")
    for name, text, href in ((md, LINKS_MD, "other.html"), (md, LINKS_MD, "/etc/passwd"),
                             (md, LINKS_MD, "../outside.txt"), (md, LINKS_MD, "//host/share"),
                             (muse, LINKS_MUSE, "other.html"), (muse, LINKS_MUSE, "/etc/passwd"),
                             (muse, LINKS_MUSE, "../outside.txt")):
        line = line_of(text, href)
        assert re.search(rf"{re.escape(name)}: line {line}: link to {re.escape(repr(href))} made plain text",
                         proc.stderr), (href, proc.stderr)
    assert re.search(rf"{re.escape(md)}: line {line_of(LINKS_MD, 'ftp:')}: link 'ftp://example.org/file'",
                     proc.stderr), proc.stderr
    text = " ".join(pdf_text(out / "links.pdf").split())
    for words in ("A relative link, an absolute one, an upward one and a scheme-less one",
                  "an ftp link"):
        assert words in text


def test_only_web_mail_and_anchor_links_stay(links_build):
    import fitz

    _, _, out = links_build
    for name, expected in (("links", ["https://example.org/page", "mailto:someone@example.org"]),
                           ("muselinks", ["https://example.org/muse"])):
        with fitz.open(out / f"{name}.pdf") as doc:
            links = [link for page in doc for link in page.get_links()]
        assert sorted(link["uri"] for link in links if link.get("uri")) == expected
        with zipfile.ZipFile(out / f"{name}.epub") as z:
            hrefs = {h for entry in z.namelist() if entry.endswith(".xhtml")
                     for h in re.findall(r'<a [^>]*href="([^"]*)"', z.read(entry).decode())}
        assert sorted(h for h in hrefs if re.match(r"[a-z]+:", h)) == expected


def test_the_link_rule_keeps_web_mail_and_anchors_only(tmp_path):
    from lxml import etree

    from pipeline.readers import read

    hrefs = ["#here", "https://a.example/x", "http://b.example/", "mailto:c@example.org",
             "other.html", "/abs/path", "../up", "//host/x", "?q=1", "C:\\x", "ftp://f.example/",
             "file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "news:comp", "tel:123"]
    body = "\n\n".join(f"[[{h}][text {n}]]" for n, h in enumerate(hrefs))
    source = tmp_path / "t.muse"
    source.write_text(f"#title T\n#author A\n\n{body}\n", encoding="utf-8")
    doc = read(source, "muse")
    kept = [a.get("href") for a in doc.body.iter("a")]
    assert kept == hrefs[:4], etree.tostring(doc.body)
    text = "".join(doc.body.itertext())
    assert all(f"text {n}" in text for n in range(len(hrefs)))
    assert len([w for w in doc.warnings if "made plain text" in w]) == len(hrefs) - 4, doc.warnings


def test_no_output_names_the_builders_folders(links_build):
    _, src, out = links_build
    assert_nowhere(out, str(src.parent), SECRET)


# ------------------------------------------------------------ SVG pictures

HOSTILE_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg [
  <!ENTITY leak SYSTEM "file://{secrets}/secret.txt">
  <!ENTITY word "entity-text">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="240" height="120" viewBox="0 0 240 120" onload="alert('SVG-MARKER-onload')">
  <script>alert('SVG-MARKER-script')</script>
  <style>@import url("{url}/x.css"); rect {{ fill: url("file://{secrets}/secret.png") }}</style>
  <defs><linearGradient id="sky"><stop offset="0" stop-color="#fc0"/><stop offset="1" stop-color="#06c"/>
  </linearGradient></defs>
  <rect id="box" width="240" height="120" fill="url(#sky)" onclick="alert('SVG-MARKER-click')"/>
  <a xlink:href="javascript:alert('SVG-MARKER-link')"><text x="12" y="60">Drawn words &leak; &word;</text></a>
  <foreignObject width="100" height="50"><iframe xmlns="http://www.w3.org/1999/xhtml"
     src="file://{secrets}/secret.txt">SVG-MARKER-iframe</iframe></foreignObject>
  <image xlink:href="file://{secrets}/secret.png" width="10" height="10"/>
  <image href="../secrets/secret.png" width="10" height="10"/>
  <image href="{url}/remote.png" width="10" height="10"/>
  <use xlink:href="../secrets/secret.svg#x"/>
  <use href="#box" x="4"/>
  <animate attributeName="href" to="javascript:alert('SVG-MARKER-animate')"/>
  <circle cx="200" cy="30" r="12" style="fill: url('{url}/p.png')"/>
</svg>
"""

SVG_SOURCE = """---
title: A hostile picture
author: Mallory
lang: en
---

Before the picture.

![a picture that tries everything](hostile.svg)

After the picture.
"""


@pytest.fixture(scope="module")
def svg_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("svg")
    secrets = root / "secrets"
    secrets.mkdir()
    (secrets / "secret.txt").write_text(SECRET)
    (secrets / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text id="x">{SECRET}</text></svg>')
    src = root / "src"
    src.mkdir()
    (src / "hostile.svg").write_text(HOSTILE_SVG.format(secrets=secrets, url="http://127.0.0.1:9"))
    (src / "picture.md").write_text(SVG_SOURCE)
    out = root / "out"
    proc = run_cli("build", src / "picture.md", "-o", out, "--jobs", "1")
    return proc, src, out


def test_svg_is_rebuilt_without_what_runs_or_fetches(svg_build):
    proc, src, out = svg_build
    assert proc.returncode == 0, proc.stderr
    line = line_of(SVG_SOURCE, "hostile.svg")
    said = re.search(rf"{re.escape(str(src / 'picture.md'))}: line {line}: image 'hostile\.svg': removed (.*)",
                     proc.stderr)
    assert said, proc.stderr
    for what in ("DOCTYPE", "<script>", "event handlers", "<foreignObject>", "<animate>",
                 "references to other files"):
        assert what in said.group(1), what
    with zipfile.ZipFile(out / "picture.epub") as z:
        svgs = [name for name in z.namelist() if name.endswith(".svg")]
        assert len(svgs) == 1
        svg = z.read(svgs[0]).decode()
    for bad in ("<script", "onload", "onclick", "foreignObject", "iframe", "javascript:", "file:",
                "127.0.0.1", "<!DOCTYPE", "<!ENTITY", "@import", "secret", "<animate", "SVG-MARKER"):
        assert bad not in svg, bad
    # The picture itself is still there: its shapes, paint and words.
    for good in ('fill="url(#sky)"', "<linearGradient", 'xlink:href="#box"', "Drawn words"):
        assert good in svg, good


def test_svg_in_the_pdf_is_the_same_picture(svg_build):
    _, src, out = svg_build
    text = pdf_text(out / "picture.pdf")
    assert "Drawn words" in text and "Before the picture" in text
    for data in (uncompressed_pdf(out / "picture.pdf"), uncompressed_pdf(out / "picture.booklet.pdf")):
        assert b"SVG-MARKER" not in data and b"/JavaScript" not in data and b"javascript" not in data
    assert_nowhere(out, SECRET, str(src.parent))


def test_svg_allow_list_keeps_a_real_picture_whole():
    """An ordinary drawing (paths, gradients, clip paths, text, xml:space) loses nothing."""
    from lxml import etree

    from pipeline.images import clean_svg

    drawing = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               b'viewBox="0 0 10 10" width="10mm" height="10mm"><title>A drawing</title>'
               b'<defs><clipPath id="c"><rect width="5" height="5"/></clipPath>'
               b'<radialGradient id="r" cx="0.5" fx="0.3"><stop offset="0" stop-color="red"/></radialGradient>'
               b'</defs><g clip-path="url(#c)" transform="rotate(10)" style="opacity:.5">'
               b'<path d="M0 0L10 10" stroke="url(#r)" stroke-width="0.5"/></g>'
               b'<text xml:space="preserve" x="1" y="9" font-family="serif">a <tspan dy="1">b</tspan> c</text>'
               b'<use xlink:href="#c"/></svg>')
    clean, removed = clean_svg(drawing)
    assert removed == []
    canonical = [etree.tostring(etree.fromstring(x), method="c14n") for x in (drawing, clean)]
    assert canonical[0] == canonical[1]


def test_svg_entity_bomb_and_non_svg_are_refused_cheaply():
    from pipeline.images import ImageRefused, clean_svg, vet_image

    bomb = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "' + "a" * 100 + '">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 20}">' for i in range(8))
            + ']><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text><rect id="&i;"/></svg>')
    for svg in (bomb, bomb.replace('<rect id="&i;"/>', "")):
        with pytest.raises(ImageRefused, match="entity amplification"):
            clean_svg(svg.encode())
    small = ('<!DOCTYPE svg [<!ENTITY w "word">]><svg xmlns="http://www.w3.org/2000/svg">'
             '<text id="&w;">a &w; b</text></svg>')
    clean, removed = clean_svg(small.encode())      # entities are never kept as such
    assert removed == ["its DOCTYPE", "XML entities"]
    assert b"&" not in clean and b'id="word"' in clean and b">a  b<" in clean
    with pytest.raises(ImageRefused, match="not an SVG"):
        vet_image(b'<?xml version="1.0"?><html><svg/></html>')
    with pytest.raises(ImageRefused, match="not a JPEG, PNG, GIF, WebP or SVG"):
        vet_image(b"BM" + b"\0" * 100)


# ------------------------------------------------------------ images over the limits

BIG_SOURCE = """---
title: Huge pictures
author: Mallory
lang: en
---

![sparse file alt text](sparse.png)

![pixel bomb alt text](bomb.png)

![gif bomb alt text](bomb.gif)

<figure><img src="bomb.png" alt="figure alt text"><figcaption>The caption stays</figcaption></figure>

![a fine picture](fine.png)

The end.
"""

PEAK_RSS = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(proc.stderr)
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.fixture(scope="module")
def bombs_build(tmp_path_factory):
    src = tmp_path_factory.mktemp("bombs") / "src"
    src.mkdir()
    with open(src / "sparse.png", "wb") as f:       # 2.5 GB that take no disk
        f.write(png_header(100, 100))
        f.truncate(2500 * 2**20)
    (src / "bomb.png").write_bytes(png_header(30000, 30000))
    (src / "bomb.gif").write_bytes(gif_header(65535, 65535))
    (src / "fine.png").write_bytes(small_png())
    (src / "big.md").write_text(BIG_SOURCE)
    out = src.parent / "out"
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "pipeline", "build",
                           str(src / "big.md"), "-o", str(out), "--jobs", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    code, peak_kb = map(int, proc.stdout.split())
    return code, proc.stderr, peak_kb, src, out


def test_image_bombs_are_left_out_with_their_line_in_bounded_memory(bombs_build):
    code, err, peak_kb, src, out = bombs_build
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err
    assert peak_kb < 500 * 1024, f"peak {peak_kb // 1024} MB"
    name = re.escape(str(src / "big.md"))
    assert re.search(rf"{name}: line {line_of(BIG_SOURCE, 'sparse.png')}: image 'sparse\.png' left out: "
                     r"the file is 2500 MB; the limit is \d+ MB", err), err
    assert re.search(rf"{name}: line {line_of(BIG_SOURCE, '(bomb.png)')}: image 'bomb\.png' left out: "
                     r"it is 30000×30000 pixels; the limit is \d+ million pixels", err), err
    assert re.search(rf"{name}: line {line_of(BIG_SOURCE, 'bomb.gif')}: image 'bomb\.gif' left out: "
                     r"it is 65535×65535 pixels", err), err


def test_image_bombs_keep_their_alt_text_and_caption_in_both_outputs(bombs_build):
    import fitz

    _, _, _, _, out = bombs_build
    kept = ("sparse file alt text", "pixel bomb alt text", "gif bomb alt text", "figure alt text",
            "The caption stays")
    text = " ".join(pdf_text(out / "big.pdf").split())
    with zipfile.ZipFile(out / "big.epub") as z:
        xhtml = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/text"))
        images = sorted(n for n in z.namelist() if "/images/" in n and "cover" not in n)
    for words in kept:
        assert words in text and words in xhtml, words
    # The fine picture is the only one in either output.
    assert len(images) == 1 and images[0].endswith(".png")
    with fitz.open(out / "big.pdf") as doc:
        sizes = {(info[2], info[3]) for page in doc for info in page.get_images(full=True)}
    assert sizes == {(40, 30)}


def test_every_reader_of_images_applies_the_same_limits(tmp_path):
    """The PDF engine's fetcher (a --css background, a stylesheet's own folder) and the
    EPUB's image copying refuse what ``vet`` refuses, even when asked directly."""
    from pipeline.writers.pdf.fetch import Refused, SafeFetcher
    from pipeline.writers.epub import ImageCollector

    (tmp_path / "bomb.png").write_bytes(png_header(30000, 30000))
    with open(tmp_path / "sparse.css", "wb") as f:
        f.truncate(100 * 2**20)
    (tmp_path / "fine.png").write_bytes(small_png())
    fetcher = SafeFetcher(tmp_path)
    for name in ("bomb.png", "sparse.css"):
        with pytest.raises(Refused):
            fetcher.fetch((tmp_path / name).as_uri())
    assert fetcher.fetch((tmp_path / "fine.png").as_uri()).read() == small_png()
    refused = "\n".join(fetcher.refused_messages())
    assert "30000×30000 pixels" in refused and "the limit is 32 MB" in refused
    collect = ImageCollector(tmp_path)
    assert collect("bomb.png") is None and collect("fine.png") == "images/image001.png"


def test_a_data_address_obeys_the_same_limits():
    import base64

    from pipeline.safety import usable_image

    bomb = "data:image/png;base64," + base64.b64encode(png_header(20000, 20000)).decode()
    picture, why = usable_image(bomb, None)
    assert picture is None and why.startswith("it is 20000×20000 pixels")
    fine = "data:image/png;base64," + base64.b64encode(small_png()).decode()
    picture, why = usable_image(fine, None)
    assert picture is not None and picture.data == small_png() and why == ""


# ------------------------------------------------------------ fonts beside a stylesheet

FONT_CSS = """@font-face { font-family: "Beside"; src: url(Beside.ttf); }
@font-face { font-family: "Linked"; src: url(linked.ttf); }
@font-face { font-family: "Huge"; src: url(huge.ttf); }
* { font-family: "Beside", "Linked", "Huge", serif !important; }
"""


def test_a_font_beside_the_stylesheet_is_embedded_and_refusals_are_said(tmp_path):
    system_font = Path(subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans:style=Book"],
                                      capture_output=True, text=True, check=True).stdout)
    other_font = Path(subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Serif:style=Book"],
                                     capture_output=True, text=True, check=True).stdout)
    assert system_font.is_file() and other_font.is_file() and system_font != other_font
    styles = tmp_path / "styles"
    styles.mkdir()
    shutil.copy(system_font, styles / "Beside.ttf")
    (styles / "linked.ttf").symlink_to(other_font)          # a link out of the folder
    with open(styles / "huge.ttf", "wb") as f:
        f.truncate(100 * 2**20)
    css = styles / "fonts.css"
    css.write_text(FONT_CSS)
    source = tmp_path / "text.md"
    source.write_text("---\ntitle: Typeface\nauthor: A\nlang: en\n---\n\nSet in the face beside it.\n")
    out = tmp_path / "out"
    proc = run_cli("build", source, "-o", out, "--format", "pdf", "--css", css)
    assert proc.returncode == 0, proc.stderr
    names = [font["name"].split("+", 1)[-1] for font in pdf_fonts(out / "text.pdf")]
    assert "Beside" in names, names
    assert all(font["emb"] == "yes" for font in pdf_fonts(out / "text.pdf"))
    assert not any("Serif" in name for name in names), names     # the linked face was not read
    assert re.search(rf"{re.escape(str(css))}:2: refused '[^']*linked\.ttf': it is outside", proc.stderr), \
        proc.stderr
    assert re.search(rf"{re.escape(str(css))}:3: refused '[^']*huge\.ttf': the file is 100 MB; the limit is 32 MB",
                     proc.stderr), proc.stderr


def test_svg_copies_of_copies_are_cut():
    """Ten <use> of ten <use> of… would ask the PDF engine for billions of shapes."""
    from pipeline.images import MAX_SVG_COPIED, clean_svg

    levels = ['<rect id="l0" width="1" height="1"/>']
    for n in range(1, 10):
        uses = "".join(f'<use xlink:href="#l{n - 1}"/>' for _ in range(10))
        levels.append(f'<g id="l{n}">{uses}</g>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           + "".join(levels) + "</svg>").encode()
    clean, removed = clean_svg(svg)
    assert "<use> copies of copies, or too many copies" in removed
    # Only the uses of the plain rectangle keep their target.
    assert clean.count(b'xlink:href="#l0"') == 10 and b'xlink:href="#l1"' not in clean
    wide = ('<svg xmlns="http://www.w3.org/2000/svg"><g id="big">' + "<rect/>" * 1000 + "</g>"
            + '<use href="#big"/>' * (MAX_SVG_COPIED // 1000 + 5) + "</svg>").encode()
    clean, removed = clean_svg(wide)
    assert clean.count(b'href="#big"') == MAX_SVG_COPIED // 1001
