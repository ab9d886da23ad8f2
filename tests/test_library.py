"""The library of a built folder: ``catalog`` (index.html, the OPDS feeds, the
covers), ``build --catalog`` and ``serve``, on five corpus texts in three
languages and subfolders, built once for the module."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import posixpath
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from lxml import etree, html

from conftest import ZINEPRESS, run_cli
from library_support import EPOCH, TITLE, Server, build_library

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
DCTERMS = "{http://purl.org/dc/terms/}"
ACQUISITION = "http://opds-spec.org/acquisition/open-access"
FEED_TYPE = "application/atom+xml;profile=opds-catalog;kind="


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return build_library(tmp_path_factory.mktemp("library"))


@pytest.fixture(scope="module")
def schemas():
    """RFC 4287's Atom schema and OPDS 1.2's (see schemas/README.md)."""
    return {name: etree.RelaxNG(etree.parse(str(SCHEMAS / f"{name}.rng"))) for name in ("atom", "opds")}


def catalog_files(out: Path) -> dict[str, str]:
    """Every file the catalog writes, by path in OUT, with a digest of its bytes."""
    files = [out / "index.html", out / "opds.xml", *(p for p in (out / ".catalog").rglob("*") if p.is_file())]
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def feed_paths(out: Path) -> list[Path]:
    return [out / "opds.xml", *sorted((out / ".catalog" / "opds").glob("*.xml"))]


def links(doc, rel: str | None = None):
    return [link for link in doc.iter(f"{ATOM}link") if rel is None or link.get("rel") == rel]


def resolve(out: Path, feed: Path, href: str) -> Path:
    """The file in OUT a relative link of ``feed`` leads to."""
    base = feed.relative_to(out).as_posix()
    target = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(href)))
    assert not target.startswith(".."), f"{href} in {base} leads out of the folder"
    return out / target


def all_entries(out: Path, first: Path) -> list:
    """The entries of a paged feed, following its ``next`` links."""
    entries, feed, seen = [], first, set()
    while feed is not None:
        assert feed not in seen, f"the pages of {first.name} loop"
        seen.add(feed)
        doc = etree.parse(str(feed))
        entries += doc.getroot().findall(f"{ATOM}entry")
        nxt = links(doc, "next")
        feed = resolve(out, feed, nxt[0].get("href")) if nxt else None
    return entries


def by_class(el, name: str) -> list:
    return el.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def epub_title(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(z.read(opf_name))
    return opf.find(".//{http://purl.org/dc/elements/1.1/}title").text


# ---------------------------------------------------------------- catalog

def test_catalog_writes_the_index_and_the_feeds(library):
    assert (library.out / "index.html").is_file() and (library.out / "opds.xml").is_file()
    assert f"catalogued {len(library.texts)} texts" in library.catalog_output
    root = etree.parse(str(library.out / "opds.xml")).getroot()
    assert root.findtext(f"{ATOM}title") == TITLE
    kinds = {link.get("href"): link.get("type") for link in links(root, None) if link.getparent().tag == f"{ATOM}entry"}
    assert kinds[".catalog/opds/all.xml"] == FEED_TYPE + "acquisition"
    assert kinds[".catalog/opds/new.xml"] == FEED_TYPE + "acquisition"
    for nav in ("authors", "languages", "topics"):
        assert kinds[f".catalog/opds/nav-{nav}.xml"] == FEED_TYPE + "navigation"


def test_every_text_is_in_the_index_with_working_links(library):
    page = html.parse(str(library.out / "index.html")).getroot()
    rows = page.xpath("//ol[@id='texts']/li")
    titles = [by_class(row, "title")[0].text_content() for row in rows]
    assert sorted(titles) == sorted(t.title for t in library.texts)
    for row in rows:
        for a in row.xpath(".//a[@href]"):
            assert (library.out / unquote(a.get("href"))).is_file(), a.get("href")
        formats = {a.text_content() for a in by_class(row, "files")[0].xpath(".//a")}
        assert formats == {"PDF", "EPUB"}
    for text in library.texts:
        row = next(r for r in rows if by_class(r, "title")[0].text_content() == text.title)
        assert by_class(row, "authors")[0].text_content() == ", ".join(text.authors)
        topics = by_class(row, "topics")
        assert [t.strip() for t in topics[0].text_content().split("·")] == text.topics
        assert "pages" in by_class(row, "meta")[0].text_content()
    # Usable without a script: the list is all there, the form only shown by the script.
    assert page.xpath("//*[@id='filters']")[0].get("hidden") is not None
    assert not page.xpath("//script[not(@src)]") and not page.xpath("//*[starts-with(@src, 'http') or starts-with(@href, 'http')]")


def test_every_text_has_a_page_with_its_colophon(library):
    for text in library.texts:
        page = html.parse(str(library.out / ".catalog" / "texts" / f"{text.name}.html")).getroot()
        assert page.xpath("//h1")[0].text_content() == text.title
        colophon = by_class(page, "colophon")[0].text_content()
        assert text.title in colophon and all(a in colophon for a in text.authors)
        for a in page.xpath("//a[@href] | //img[@src] | //link[@href]"):
            target = unquote((a.get("href") or a.get("src")).split("#")[0])
            if target.startswith("data:"):       # the empty icon, so that no browser asks for one
                continue
            assert (library.out / ".catalog" / "texts" / text.folder / target).resolve().is_file(), target


def test_every_text_is_in_the_all_texts_feed_with_working_acquisition_links(library):
    out = library.out
    entries = all_entries(out, out / ".catalog" / "opds" / "all.xml")
    by_title = {e.findtext(f"{ATOM}title"): e for e in entries}
    assert sorted(by_title) == sorted(t.title for t in library.texts)
    for text in library.texts:
        entry = by_title[text.title]
        feed = out / ".catalog" / "opds" / "all.xml"
        assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == text.authors
        assert entry.findtext(f"{DCTERMS}language") == text.folder
        assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
        assert entry.findtext(f"{ATOM}updated") == "2023-11-14T22:13:20Z"        # SOURCE_DATE_EPOCH
        assert entry.findtext(f"{ATOM}summary")
        assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == text.topics
        acquisitions = {link.get("type"): link for link in links(entry, ACQUISITION)}
        assert set(acquisitions) == {"application/epub+zip", "application/pdf"}
        epub = resolve(out, feed, acquisitions["application/epub+zip"].get("href"))
        pdf = resolve(out, feed, acquisitions["application/pdf"].get("href"))
        assert epub == out / f"{text.name}.epub" and pdf == out / f"{text.name}.pdf"
        assert int(acquisitions["application/epub+zip"].get("length")) == epub.stat().st_size
        assert epub_title(epub) == text.title
        assert pdf.read_bytes().startswith(b"%PDF")
        for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
            (image,) = links(entry, rel)
            data = resolve(out, feed, image.get("href")).read_bytes()
            assert data.startswith(b"\xff\xd8") and image.get("type") == "image/jpeg"


def test_the_feeds_are_valid_atom_and_opds(library, schemas):
    for feed in feed_paths(library.out):
        doc = etree.parse(str(feed), etree.XMLParser(resolve_entities=False))
        for name, schema in schemas.items():
            assert schema.validate(doc), f"{feed.name} against {name}: {schema.error_log}"
        root = doc.getroot()
        # The two rules RFC 4287's schema states as Schematron, which RELAX NG leaves aside.
        for entry in root.iter(f"{ATOM}entry"):
            assert links(entry, "alternate") or entry.find(f"{ATOM}content") is not None
            assert entry.find(f"{ATOM}author") is not None or root.find(f"{ATOM}author") is not None


def test_every_feed_link_leads_to_a_file_and_every_feed_is_reachable(library):
    out = library.out
    reached, todo = set(), [out / "opds.xml"]
    while todo:
        feed = todo.pop()
        if feed in reached:
            continue
        reached.add(feed)
        for link in links(etree.parse(str(feed))):
            target = resolve(out, feed, link.get("href"))
            assert target.is_file(), f"{link.get('href')} in {feed.name}"
            if (link.get("type") or "").startswith("application/atom+xml"):
                todo.append(target)
    assert reached == set(feed_paths(out))
    languages = {e.findtext(f"{ATOM}title") for e in etree.parse(str(out / ".catalog/opds/nav-languages.xml"))
                 .getroot().iter(f"{ATOM}entry")}
    assert languages == {"English", "Македонски", "中文"}


def test_large_feeds_come_in_pages(library):
    from pipeline.library import opds
    from pipeline.library.books import read_books
    from pipeline.library.catalog import render

    books, _ = read_books(library.out)
    many = []
    for n in range(opds.PAGE_SIZE * 2 + 3):
        book = books[n % len(books)]
        many.append(type(book)(**{**book.__dict__, "key": f"k{n}", "name": f"x/{n}", "title": f"{book.title} {n}",
                                  "identifier": ""}))
    files = render(many, "Big", "", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    pages = [name for name in files if name.startswith(".catalog/opds/all")]
    assert pages == [".catalog/opds/all.xml", ".catalog/opds/all-2.xml", ".catalog/opds/all-3.xml"]
    seen, name = [], ".catalog/opds/all.xml"
    while name:
        doc = etree.fromstring(files[name])
        seen += [e.findtext(f"{ATOM}title") for e in doc.iter(f"{ATOM}entry")]
        assert len(doc.findall(f"{ATOM}entry")) <= opds.PAGE_SIZE
        nxt = links(doc, "next")
        if name != ".catalog/opds/all.xml":
            assert links(doc, "previous")
        name = posixpath.join(".catalog/opds", nxt[0].get("href")) if nxt else ""
    assert sorted(seen) == sorted(b.title for b in many)


def test_the_catalog_is_byte_identical_with_source_date_epoch(library, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(library.out, copy, symlinks=True)           # new times on every file
    shutil.rmtree(copy / ".catalog")
    (copy / "index.html").unlink()
    done = run_cli("catalog", copy, "--title", TITLE, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert catalog_files(copy) == catalog_files(library.out)


def test_without_source_date_epoch_the_dates_are_the_files_times(library, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(library.out, copy, symlinks=True)
    text = library.texts[0]
    when = dt.datetime(2021, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc).timestamp()
    for name in (f"{text.name}.epub", f"{text.name}.pdf"):
        os.utime(copy / name, (when, when))
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = subprocess.run([*ZINEPRESS, "catalog", str(copy)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    entries = all_entries(copy, copy / ".catalog/opds/all.xml")
    entry = next(e for e in entries if e.findtext(f"{ATOM}title") == text.title)
    assert entry.findtext(f"{ATOM}updated") == "2021-05-06T07:08:09Z"
    assert (copy / ".catalog/settings.json").is_file()
    assert json.loads((copy / ".catalog/settings.json").read_text())["title"] == TITLE     # remembered


def test_a_broken_book_is_left_out_with_a_warning(library, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(library.out, copy, symlinks=True)
    broken, kept = library.texts[0], library.texts[1:]
    (copy / f"{broken.name}.epub").write_bytes(b"PK\x03\x04 not really a zip")
    (copy / ".catalog" / "texts" / "stale.html").write_text("left by someone")
    done = run_cli("catalog", copy, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ") and f"{broken.source.stem}.epub" in warnings[0]
    assert "Traceback" not in done.stderr
    titles = [e.findtext(f"{ATOM}title") for e in all_entries(copy, copy / ".catalog/opds/all.xml")]
    assert sorted(titles) == sorted(t.title for t in kept)
    index = (copy / "index.html").read_text(encoding="utf-8")
    assert broken.title not in index and all(t.title in index for t in kept)
    assert not (copy / ".catalog" / "texts" / "stale.html").exists()
    assert not (copy / ".catalog" / "texts" / f"{broken.name}.html").exists()


def test_outputs_the_manifest_names_outside_the_folder_are_ignored(library, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(library.out, copy, symlinks=True)
    secret = tmp_path / "secret.epub"
    shutil.copyfile(copy / f"{library.texts[0].name}.epub", secret)
    manifest = json.loads((copy / ".zinepress-manifest.json").read_text())
    manifest["sources"]["evil.muse"] = {"digest": "x", "outputs": ["../secret.epub", str(secret), "a/../../secret.epub"]}
    manifest["sources"]["odd.muse"] = "not an entry"
    (copy / ".zinepress-manifest.json").write_text(json.dumps(manifest))
    done = run_cli("catalog", copy, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert "evil.muse" in done.stderr and "odd.muse" in done.stderr
    feeds = "".join(p.read_text(encoding="utf-8") for p in feed_paths(copy))
    assert "secret" not in feeds and "secret" not in (copy / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("setup, message", [
    ("missing", "no such folder"),
    ("plain folder", "not a zinepress output folder"),
    ("garbage manifest", "cannot read .zinepress-manifest.json"),
    ("manifest without sources", "lists no sources"),
])
def test_bad_folders_give_one_line(tmp_path, setup, message):
    out = tmp_path / "out"
    if setup != "missing":
        out.mkdir()
    if setup == "garbage manifest":
        (out / ".zinepress-manifest.json").write_bytes(b"\x00\xff{not json")
    if setup == "manifest without sources":
        (out / ".zinepress-manifest.json").write_text('{"format": 1}')
    done = run_cli("catalog", out)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert not (out / "index.html").exists()


def test_base_url_makes_the_feed_links_absolute(library, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(library.out, copy, symlinks=True)
    done = run_cli("catalog", copy, "--base-url", "http://192.0.2.7:8000/books", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    feed = etree.parse(str(copy / ".catalog/opds/all.xml"))
    hrefs = [link.get("href") for link in links(feed)]
    assert hrefs and all(h.startswith("http://192.0.2.7:8000/books/") for h in hrefs)
    for link in links(feed, ACQUISITION):
        assert (copy / unquote(link.get("href")[len("http://192.0.2.7:8000/books/"):])).is_file()
    assert run_cli("catalog", copy, "--base-url", "file:///etc").returncode == 2


def test_build_with_catalog_updates_the_library_without_rebuilding(library):
    out = library.out
    (out / "index.html").unlink()
    (out / "opds.xml").unlink()
    epubs = {p: p.stat().st_mtime_ns for p in out.rglob("*.epub")}
    done = run_cli("build", library.src, "-o", out, "--format", "epub,pdf", "--catalog",
                   env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert sum(line.startswith("skipped ") for line in done.stdout.splitlines()) == len(library.texts)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.epub")} == epubs
    assert (out / "index.html").is_file() and (out / "opds.xml").is_file()
    assert etree.parse(str(out / "opds.xml")).getroot().findtext(f"{ATOM}title") == TITLE   # kept


# ---------------------------------------------------------------- serve

@pytest.fixture(scope="module")
def served(library, tmp_path_factory):
    """The library served, with a secret beside it and links pointing at it."""
    tmp = tmp_path_factory.mktemp("served")
    out = tmp / "out"
    shutil.copytree(library.out, out, symlinks=True)
    (tmp / "secret.txt").write_text("the secret")
    (out / "leak.txt").symlink_to(tmp / "secret.txt")
    (out / "leakdir").symlink_to(tmp)
    server = Server(out)
    yield server, out
    server.stop()


def request(server: Server, path: str, method: str = "GET", headers: dict | None = None):
    """The raw path as given (http.client does not normalise it)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_serve_gives_the_index_feeds_and_books_with_their_types(served):
    server, out = served
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = request(server, "/")
    assert (status, headers["Content-Type"], body) == (200, "text/html; charset=utf-8",
                                                        (out / "index.html").read_bytes())
    status, headers, body = request(server, "/opds.xml")
    assert (status, headers["Content-Type"]) == (200, FEED_TYPE + "navigation")
    assert body == (out / "opds.xml").read_bytes()
    status, headers, body = request(server, "/.catalog/opds/all.xml")
    assert (status, headers["Content-Type"]) == (200, FEED_TYPE + "acquisition")
    for text in ("en/Letter_To_Lenin", "zh/anarchy247-li-shi-duo-yuan-de"):
        for ending, kind in ((".epub", "application/epub+zip"), (".pdf", "application/pdf")):
            status, headers, body = request(server, f"/{text}{ending}")
            assert (status, headers["Content-Type"]) == (200, kind)
            assert body == (out / f"{text}{ending}").read_bytes()
            assert int(headers["Content-Length"]) == len(body)
    status, headers, body = request(server, "/.catalog/thumbs/en/Letter_To_Lenin.jpg", "HEAD")
    assert (status, headers["Content-Type"], body) == (200, "image/jpeg", b"")
    # Every acquisition link of the feed, followed through the server.
    feed = etree.fromstring(request(server, "/.catalog/opds/all.xml")[2])
    for link in links(feed, ACQUISITION):
        target = urljoin(server.url + ".catalog/opds/all.xml", link.get("href"))
        status, headers, body = request(server, target[len(server.url) - 1:], "HEAD")
        assert status == 200 and headers["Content-Type"] == link.get("type")


def test_serve_answers_ranges(served):
    server, out = served
    data = (out / "en/Letter_To_Lenin.pdf").read_bytes()
    status, headers, body = request(server, "/en/Letter_To_Lenin.pdf", headers={"Range": "bytes=100-1099"})
    assert (status, body) == (206, data[100:1100])
    assert headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    status, headers, body = request(server, "/en/Letter_To_Lenin.pdf", headers={"Range": "bytes=-64"})
    assert (status, body) == (206, data[-64:])
    status, headers, body = request(server, "/en/Letter_To_Lenin.pdf", headers={"Range": f"bytes={len(data) - 10}-"})
    assert (status, body) == (206, data[-10:])
    status, headers, _ = request(server, "/en/Letter_To_Lenin.pdf", headers={"Range": f"bytes={len(data)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"
    status, _, body = request(server, "/en/Letter_To_Lenin.pdf", headers={"Range": "bytes=0-1,5-9"})
    assert (status, body) == (200, data)                   # several ranges: the whole file


TRAVERSALS = ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/en/..%2F..%2Fsecret.txt",
              "/%2E%2E%2Fsecret.txt", "/leak.txt", "/leakdir/secret.txt", "/.zinepress-manifest.json",
              "/en/%00.epub", "/en\\..\\..\\secret.txt"]


def test_serve_refuses_everything_outside_the_folder_and_logs_it(served):
    server, out = served
    for path in TRAVERSALS:
        status, _, body = request(server, path)
        assert status in (400, 403, 404), path
        assert b"the secret" not in body, path
    for folder in ("/en/", "/en", "/.catalog/", "/.catalog/opds/"):
        status, _, body = request(server, folder)
        assert status == 404 and b"Letter" not in body, folder
    code, _, err = server.stop()
    for path in TRAVERSALS:
        assert any(path in line and "refused" in line for line in err.splitlines()), path
    assert code == 0 and err.strip().splitlines()[-1] == "stopped" and "Traceback" not in err


def test_serve_stops_on_ctrl_c_with_one_line(library):
    server = Server(library.out)
    assert request(server, "/")[0] == 200
    code, out, err = server.stop()
    assert code == 0 and out == "" and err.strip().splitlines() == [
        line for line in err.strip().splitlines() if line.startswith("127.0.0.1 GET")] + ["stopped"]


def test_serve_on_a_missing_folder_gives_one_line(tmp_path):
    done = run_cli("serve", tmp_path / "nothing", "--port", "0", timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no such folder" in done.stderr


def _epub(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        for name, data in members.items():
            z.writestr(name, data)
    return path


CONTAINER = (b'<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">'
             b'<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             b'</rootfiles></container>')
BOMB = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b'<package xmlns="http://www.idpf.org/2007/opf"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<dc:title>&d;</dc:title></metadata></package>')


@pytest.mark.parametrize("members, why", [
    ({}, "META-INF/container.xml is missing"),
    ({"META-INF/container.xml": b"<container/>"}, "names no package document"),
    ({"META-INF/container.xml": CONTAINER}, "OEBPS/content.opf is missing"),
    ({"META-INF/container.xml": CONTAINER, "OEBPS/content.opf": b"<package><metadata>"}, "broken XML"),
])
def test_broken_epubs_are_refused_with_a_reason(tmp_path, members, why):
    from pipeline.library.books import Book, BrokenBook, read_epub

    path = _epub(tmp_path / "x.epub", members)
    with pytest.raises(BrokenBook) as refused:
        read_epub(path, Book(key="x", name="x", title=""))
    assert str(refused.value).startswith(str(path)) and why in str(refused.value)


def test_entities_in_a_package_document_are_not_expanded(tmp_path):
    from pipeline.library.books import Book, read_epub

    book = Book(key="x", name="x", title="")
    read_epub(_epub(tmp_path / "x.epub", {"META-INF/container.xml": CONTAINER, "OEBPS/content.opf": BOMB}), book)
    assert len(book.title) < 20            # expanded, it would be 10,000 characters


def test_a_cover_too_large_to_decode_gives_no_cover_and_a_warning(tmp_path):
    from PIL import Image

    from pipeline.library.books import Book
    from pipeline.library.covers import write_covers

    import io
    data = io.BytesIO()
    Image.new("1", (12000, 12000)).save(data, "PNG")    # small file, 144 million pixels
    (tmp_path / "x.epub").write_bytes(b"")
    book = Book(key="x", name="x", title="X", files={"epub": "x.epub"}, cover_image=(data.getvalue(), "image/png"))
    warning = write_covers(tmp_path, book, set())
    assert "cover image cannot be read" in warning and book.cover == "" and book.thumbnail == ""
