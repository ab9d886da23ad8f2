"""The library's pages for people, rendered with Jinja2 (escaping by default).

- ``OUT/index.html``: every text, one compact row each (thumbnail, title,
  subtitle, authors, date, language, page count, topics, links to the PDF,
  booklet and EPUB), in title order. Without a script it is a complete list;
  ``.catalog/library.js`` adds the search box (filtering as you type over
  title, author and topic, the query kept in the address as ``?q=``), the
  author, language and topic filters and the sorting by title, author or date.
- ``OUT/.catalog/texts/NAME.html``: one page per text, with its cover, summary,
  downloads and the colophon's attribution.
- ``OUT/.catalog/authors.html``, ``languages.html``, ``topics.html``: the texts
  grouped, for browsing without a script.

Every link is relative, so the pages work from ``file://`` and from any server;
nothing is loaded from elsewhere.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from importlib import resources

from pipeline.library import CATALOG_DIR, INDEX_NAME, link_to
from pipeline.library.books import Book
from pipeline.library.opds import MEDIA_TYPES, Group, slug, text_page

LABELS = {"pdf": "PDF", "booklet": "Booklet", "epub": "EPUB"}
TITLES = {"pdf": "PDF pamphlet", "booklet": "PDF booklet (imposed: print both sides, fold, staple)",
          "epub": "EPUB for e-readers"}
STATIC = ("library.css", "library.js")
TOPIC_SEPARATOR = " · "      # the script splits the row's topics on it


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, PackageLoader, select_autoescape
    return Environment(loader=PackageLoader("pipeline.library", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def static_files() -> dict[str, bytes]:
    """The stylesheet and script, as they go into ``OUT/.catalog/``."""
    folder = resources.files("pipeline.library") / "static"
    return {f"{CATALOG_DIR}/{name}": (folder / name).read_bytes() for name in STATIC}


href = link_to


def root_of(from_dir: str) -> str:
    """The relative address of OUT from a folder in it, ending with a slash (or empty)."""
    return "" if not from_dir else "../" * len(from_dir.split("/"))


def size_text(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} kB"


def html_pages(books: list[Book], groups: dict[str, list[Group]], library: str) -> dict[str, bytes]:
    """Every page: ``{path in OUT: bytes}``."""
    pages = {INDEX_NAME: index_page(books, library)}
    pages.update(text_pages(books, groups, library))
    pages.update(group_pages(groups, library))
    return pages


def index_page(books: list[Book], library: str) -> bytes:
    rows = [{
        "title": b.title, "subtitle": b.subtitle, "author_line": b.author_line,
        # Each author's name for the filter, where the line alone would not tell them apart.
        "authors_attr": "|".join(a.replace("|", "/") for a in b.authors)
        if len(b.authors) > 1 or "," in b.author_line else "",
        "sort_author": b.author_key, "date": b.date, "lang": b.lang, "language": b.language,
        "topics": TOPIC_SEPARATOR.join(t.replace("·", "/") for t in b.topics), "pages": b.pages,
        "page": href(text_page(b), ""), "thumb": href(b.thumbnail, "") if b.thumbnail else "",
        "files": [{"href": href(b.files[k], ""), "label": LABELS[k]} for k in ("pdf", "booklet", "epub")
                  if k in b.files],
    } for b in books]
    languages = len({b.lang for b in books if b.lang})
    return environment().get_template("index.html").render(
        library=library, root="", rows=rows, languages=languages).encode("utf-8")


def anchors_of(groups: dict[str, list[Group]]) -> dict[str, dict[str, str]]:
    return {kind: {g.key: slug(g.key) for g in members} for kind, members in groups.items()}


def text_pages(books: list[Book], groups: dict[str, list[Group]], library: str) -> dict[str, bytes]:
    """A page per text: cover, facts, summary, downloads, colophon."""
    anchors = anchors_of(groups)
    template = environment().get_template("text.html")
    pages = {}
    for b in books:
        path = text_page(b)
        here = posixpath.dirname(path)
        group_href = lambda kind, key: href(f"{CATALOG_DIR}/{kind}s.html", here) + "#" + anchors[kind][key]
        pages[path] = template.render(
            library=library, root=root_of(here), b=b, page_lang=b.lang,
            cover=href(b.cover, here) if b.cover else "",
            authors=[{"name": a, "href": group_href("author", a)} for a in b.authors],
            topics=[{"name": t, "href": group_href("topic", t)} for t in b.topics],
            language_href=group_href("language", b.lang) if b.lang else "",
            files=[{"href": href(b.files[k], here), "type": MEDIA_TYPES[k],
                    "title": TITLES[k] + (f", {b.pages} pages" if k == "pdf" and b.pages else ""),
                    "size": size_text(b.sizes.get(k, 0))}
                   for k in ("pdf", "booklet", "epub") if k in b.files]).encode("utf-8")
    return pages


def group_pages(groups: dict[str, list[Group]], library: str) -> dict[str, bytes]:
    """The texts by author, by language and by topic, for browsing without a script."""
    anchors = anchors_of(groups)
    template = environment().get_template("groups.html")
    pages = {}
    for kind, heading in (("author", "Authors"), ("language", "Languages"), ("topic", "Topics")):
        listed = [{"name": g.name, "anchor": anchors[kind][g.key], "books": [
            {"title": b.title, "authors": b.author_line, "date": b.date, "page": href(text_page(b), CATALOG_DIR)}
            for b in g.books]} for g in groups[kind]]
        pages[f"{CATALOG_DIR}/{kind}s.html"] = template.render(
            library=library, root=root_of(CATALOG_DIR), heading=heading, groups=listed).encode("utf-8")
    return pages
