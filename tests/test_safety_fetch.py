"""Nothing leaks, nothing is fetched: hostile sources that point at a secret file
outside their folder and at a local HTTP server, built for real.

A server on 127.0.0.1 counts every request it gets (it must get none); a secret
file (text, an SVG with the secret as text, a PNG carrying it in a chunk, a
stylesheet printing it) sits in a folder beside the source's; the tests read
the PDF's text, its attachments and annotations, and every entry of the EPUB,
looking for the secret."""

from __future__ import annotations

import http.server
import re
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import assert_inactive, pdf_text, run_cli

SECRET = "ZQX-SECRET-7e3c91"
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a1e1a2aa0000000049454e44ae426082")


def png_with_text(text: str) -> bytes:
    """A valid 1×1 PNG carrying ``text`` in a tEXt chunk (so its bytes hold it)."""
    data = b"Comment\x00" + text.encode()
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return TINY_PNG[:33] + chunk + TINY_PNG[33:]


class CountingServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(self.path)
                body = f"body::after {{ content: '{SECRET}' }}".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    with CountingServer() as srv:
        yield srv


def make_secrets(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text(SECRET + "\n")
    (folder / "secret.png").write_bytes(png_with_text(SECRET))
    (folder / "secret.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
        f'<text x="0" y="20">{SECRET}</text></svg>')
    (folder / "secret.css").write_text(f"body::after {{ content: '{SECRET}' }}\n")
    return folder


def hostile_markdown(secrets: Path, url: str) -> str:
    return f"""---
title: A hostile text
author: Mallory
lang: en
---

First paragraph, harmless.

![rel](../secrets/secret.png)

![deep](../../../../../../{secrets.as_posix().lstrip('/')}/secret.svg)

![abs]({secrets}/secret.svg)

![fileurl](file://{secrets}/secret.svg)

![remote]({url}/remote.png)

![private](http://10.255.255.1/x.png)

![link](inside-link.svg)

<img src="../secrets/secret.svg" onerror="alert(1)" style="position:fixed">

<img src="{url}/raw.png">

<img src="../secrets/secret.png" alt="again">

<script>document.write('{SECRET}')</script>

<iframe src="file://{secrets}/secret.txt"></iframe>

<object data="../secrets/secret.svg"></object>

<embed src="../secrets/secret.svg">

<link rel="stylesheet" href="../secrets/secret.css">

<link rel="attachment" href="../secrets/secret.txt">

<a rel="attachment" href="../secrets/secret.txt">an attachment</a>

<style>@import url("../secrets/secret.css");</style>

<p style="position: fixed; top: 0; background: url({url}/bg.png)" onclick="x()">styled</p>

[a script link](javascript:alert(1)) and [a file link](file://{secrets}/secret.txt)
and [a data link](data:text/html,<script>alert(1)</script>).

Last paragraph, harmless.
"""


def hostile_muse(secrets: Path, url: str) -> str:
    return f"""#title A hostile muse text
#author Mallory
#lang en
#cover ../secrets/secret.png

First paragraph.

[[../../secret.png]]

[[a/../../secrets/secret.png]]

[[sub/../../secrets/secret.svg]]

[[file://{secrets}/secret.txt][a file link]] and [[javascript:alert(1)][a script link]].

[[{url}/remote.png]]

<script>alert(1)</script> <iframe src="../secrets/secret.txt"></iframe>

Last paragraph.
"""


HOSTILE_CSS = """/* a stylesheet that tries to read and fetch */
@import url("../secrets/secret.css");
@import url("{url}/imported.css");
body {{ background: url(file://{secrets}/secret.png); }}
h1 {{ background-image: url("{url}/bg.png"); }}
p::before {{ content: url(../secrets/secret.svg); }}
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, server):
    root = tmp_path_factory.mktemp("hostile")
    secrets = make_secrets(root / "secrets")
    src = root / "src"
    src.mkdir()
    (src / "fine.png").write_bytes(TINY_PNG)
    # A link inside the folder that points outside it.
    (src / "inside-link.svg").symlink_to(secrets / "secret.svg")
    (src / "hostile.md").write_text(hostile_markdown(secrets, server.url))
    (src / "hostmuse.muse").write_text(hostile_muse(secrets, server.url))
    css = src / "hostile.css"
    css.write_text(HOSTILE_CSS.format(url=server.url, secrets=secrets))
    out = root / "out"
    proc = run_cli("build", src / "hostile.md", src / "hostmuse.muse", "-o", out, "--css", css, "--jobs", "1")
    return proc, out, src, secrets


def test_builds_and_warns(hostile_build):
    proc, out, src, _ = hostile_build
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for name in ("hostile", "hostmuse"):
        for suffix in (".pdf", ".booklet.pdf", ".epub"):
            assert (out / (name + suffix)).is_file(), name + suffix


def test_no_request_reached_the_server(hostile_build, server):
    assert server.requests == []


def test_the_pdfs_hold_no_secret(hostile_build):
    import fitz

    _, out, _, _ = hostile_build
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        text = pdf_text(pdf)
        assert "First paragraph" in text            # the text itself was built
        assert SECRET not in text, pdf
        assert SECRET.encode() not in pdf.read_bytes()
        with fitz.open(pdf) as doc:
            assert doc.embfile_count() == 0 and doc.embfile_names() == []
            images = {xref for page in doc for xref, *_ in page.get_images(full=True)}
            for page in doc:
                for annot in page.annots() or []:
                    assert annot.type[1] != "FileAttachment", pdf
                for link in page.get_links():
                    uri = link.get("uri") or ""
                    assert not uri.lower().startswith(("javascript:", "file:", "data:")), uri
        raw = pdf.read_bytes()
        assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/EmbeddedFile" not in raw
        if pdf.name == "hostile.pdf":
            # fine.png is the only image the source may use (the secret PNG would be a second).
            assert len(images) <= 1


def test_the_epubs_hold_no_secret_and_no_active_markup(hostile_build):
    _, out, _, _ = hostile_build
    for epub in sorted(out.glob("*.epub")):
        with zipfile.ZipFile(epub) as z:
            for name in z.namelist():
                data = z.read(name)
                assert SECRET.encode() not in data, f"{epub.name}:{name}"
                if name.endswith((".xhtml", ".html", ".opf", ".ncx", ".css")):
                    text = data.decode("utf-8").lower()
                    for bad in ("<script", "<iframe", "<object", "<embed", "<link rel=\"attachment",
                                "javascript:", "onerror", "onclick", "position: fixed", "position:fixed",
                                "file:/"):  # (a link to the server is text: never fetched)
                        assert bad not in text, f"{epub.name}:{name} holds {bad!r}"
                    assert not re.search(r"""<img[^>]+src="(?!images/)""", text), f"{epub.name}:{name}"


def test_warnings_name_the_source_and_line(hostile_build):
    proc, _, src, _ = hostile_build
    err = proc.stderr
    md = str(src / "hostile.md")
    lines = hostile_markdown(Path("/x"), "http://h").splitlines()
    rel_line = next(n for n, line in enumerate(lines, 1) if "](../secrets/secret.png)" in line)
    assert re.search(rf"{re.escape(md)}: line {rel_line}: image '\.\./secrets/secret\.png' left out: "
                     "it is outside the source's folder", err), err
    for what in ("/secret.svg' left out: an absolute path", "remote.png' left out: images are not downloaded",
                 "inside-link.svg' left out: it is outside the source's folder"):
        assert re.search(rf"{re.escape(md)}: line \d+: image '[^']*{re.escape(what)}", err), (what, err)
    # What the sanitizer drops silently is found in the source and said too.
    file_line = next(n for n, line in enumerate(lines, 1) if line.startswith("![fileurl](file://"))
    assert re.search(rf"{re.escape(md)}: line {file_line}: image 'file://[^']*' removed: file: addresses", err), err
    js_line = next(n for n, line in enumerate(lines, 1) if "(javascript:" in line)
    assert re.search(rf"{re.escape(md)}: line {js_line}: link 'javascript:[^']*' removed", err), err
    # A second reference to the same file is located on its own line, not the first one's.
    again = next(n for n, line in enumerate(lines, 1) if line.startswith('<img src="../secrets/secret.png"'))
    assert again != rel_line
    assert re.search(rf"{re.escape(md)}: line {again}: image '\.\./secrets/secret\.png' left out", err), err
    muse = str(src / "hostmuse.muse")
    muse_lines = hostile_muse(Path("/x"), "http://h").splitlines()
    img_line = next(n for n, line in enumerate(muse_lines, 1) if line.startswith("[[a/../../"))
    link_line = next(n for n, line in enumerate(muse_lines, 1) if line.startswith("[[file:"))
    assert re.search(rf"{re.escape(muse)}: line {img_line}: image 'a/\.\./\.\./secrets/secret\.png' left out",
                     err), err
    assert re.search(rf"{re.escape(muse)}: line {link_line}: link to 'file://[^']*' made plain text", err), err
    assert re.search(rf"{re.escape(muse)}: line {link_line}: link to 'javascript:alert\(1\)' made plain text",
                     err), err
    assert re.search(rf"{re.escape(muse)}: line \d+: cover '\.\./secrets/secret\.png' not used", err), err
    css = str(src / "hostile.css")
    assert re.search(rf"{re.escape(css)}:2: refused 'file://[^']*/secrets/secret\.css': it is outside", err), err
    assert re.search(rf"{re.escape(css)}:3: refused 'http://127\.0\.0\.1:\d+/imported\.css': nothing is downloaded",
                     err), err


# ------------------------------------------------------------ the fetcher alone

def test_fetcher_refuses_everything_outside(tmp_path, server):
    """The PDF engine's own requests, for markup no reader produces, stay home too."""
    from weasyprint import HTML

    from pipeline.writers.pdf.fetch import SafeFetcher

    secrets = make_secrets(tmp_path / "secrets")
    base = tmp_path / "src"
    base.mkdir()
    (base / "fine.png").write_bytes(TINY_PNG)
    html = f"""<html><head>
      <link rel="stylesheet" href="{server.url}/a.css">
      <link rel="stylesheet" href="../secrets/secret.css">
      <link rel="attachment" href="../secrets/secret.txt">
      <style>@import url("{server.url}/b.css"); @import url("file://{secrets}/secret.css");</style>
      </head><body>
      <p>Hello</p>
      <img src="../secrets/secret.svg"><img src="{secrets}/secret.svg"><img src="{server.url}/c.png">
      <img src="http://localhost:{server.url.rsplit(':', 1)[1]}/d.png"><img src="file://localhost{secrets}/secret.svg">
      <a rel="attachment" href="../secrets/secret.txt">att</a>
      <object data="../secrets/secret.svg"></object><embed src="../secrets/secret.svg">
      <img src="fine.png">
      </body></html>"""
    fetcher = SafeFetcher(base)
    pdf = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert server.requests == []
    assert SECRET.encode() not in pdf
    out = tmp_path / "t.pdf"
    out.write_bytes(pdf)
    assert SECRET not in pdf_text(out) and "Hello" in pdf_text(out)
    import fitz
    with fitz.open(out) as doc:
        assert doc.embfile_count() == 0
    refused = "\n".join(fetcher.refused_messages())
    for piece in ("a.css", "b.css", "c.png", "d.png", "secret.css", "secret.svg", "secret.txt"):
        assert piece in refused, piece
    assert "fine.png" not in refused


def test_raw_html_is_sanitized_in_every_reader(tmp_path):
    """Whatever reader takes a text, what comes out holds no active markup."""
    from pipeline.readers import READERS, read
    from pipeline.render import prepare
    from pipeline.render.epub import epub_parts
    from pipeline.render.pdf import pdf_html

    payload = ('<script>alert(1)</script><iframe src="x"></iframe><object data="x"></object>'
               '<img src="x.png" onerror="alert(1)"><a href="javascript:alert(1)">j</a>'
               '<p style="position:fixed" onmouseover="x()">p</p><svg onload="x()"></svg>')
    from pipeline.readers import reader_module
    for fmt in READERS:
        if getattr(reader_module(fmt), "BINARY", False):
            continue    # zipped formats: test_other_formats.py puts the payload inside them
        source = tmp_path / f"t-{fmt}.md"
        source.write_text(f"---\ntitle: T\nauthor: A\nlang: en\n---\n\n# T\n\nText.\n\n{payload}\n\nEnd.\n")
        doc = read(source, fmt)
        doc.metadata.title = doc.metadata.title or "T"      # readers without front matter
        doc.metadata.authors = doc.metadata.authors or ["A"]
        text = "".join(doc.body.itertext())
        assert "Text." in text and "End." in text, fmt
        prep = prepare(doc)
        outputs = [pdf_html(prep)] + [part.xhtml for part in epub_parts(prep)]
        for html in outputs:
            assert_inactive(html, fmt)
