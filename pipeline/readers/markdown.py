"""Markdown (with optional YAML front matter) → ``Document``.

Front matter keys: ``title subtitle author|authors date lang source notes rights
publisher topics cover`` (and ``notoc``/``nofinalpage``), ``site`` and
``sortauthors`` (in any case, split as a .muse ``#SORTauthors``:
``Metadata.sort_authors``); other keys go to ``Metadata.extra`` as strings. Without a ``title`` key, a lone ``#`` heading
opening the text is the title. A ``#`` heading equal to the title is dropped
from the body (the title page shows it).

The body goes through Python-Markdown (``footnotes``, ``tables``) with pandoc's
extensions (``pandoc_markdown``: sub/superscripts, inline notes, fenced divs,
header attributes, backslash escapes and line breaks); its HTML is sanitized
and mapped onto the Document vocabulary by ``pipeline.readers.html``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml
from lxml import etree

from pipeline.document import Document, Metadata, remove_keeping_tail, sort_names
from pipeline.errors import SourceSyntaxError
from pipeline.readers import bounded_markdown, debris, pandoc_markdown, publisher_matter
from pipeline.readers.html import html_to_body, own_tree_to_body
from pipeline.readers.markdown_losses import unsaid_losses
from pipeline.readers.title_page import adopt, from_title_page, letters, libcom_header

FORMAT = "markdown"
EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd")
HOW_TO_STATE = {"title": "add 'title: …' to the YAML front matter",
                "author": "add 'author: …' to the YAML front matter"}

_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)

# --- sniff --------------------------------------------------------------------

# Signs of a document exported from The Anarchist Library (the ``export``
# reader's domain): we stay well below its score on those.
_EXPORT_SIGNS = re.compile(
    r"The Anarchist Library|theanarchistlibrary\.org|Anti-Copyright|Retrieved on|"
    r"^reconversion_status:|^slug:|^## Page \d+|pdf2md", re.MULTILINE | re.IGNORECASE)
_ATX = re.compile(r"^#{1,6} \S", re.MULTILINE)
_EMPH = re.compile(r"(?<![\w*])\*[^\s*][^*\n]*\*(?!\w)|(?<!\w)_[^\s_][^_\n]*_(?!\w)|\*\*[^*\n]+\*\*")
_LINK = re.compile(r"\[[^\][\n]+\]\([^)\s]+\)|^\[\^?[^\]\n]+\]: ", re.MULTILINE)
_FOOTREF = re.compile(r"\[\^[^\]\s]+\]")


def sniff(text: str) -> int:
    head = text[:20000]
    if _EXPORT_SIGNS.search(text[:3000]) or _EXPORT_SIGNS.search(text[-5000:]):
        return 15
    score = 0
    fm = _FRONT.match(head)
    if fm:
        try:
            data = load_front_matter(fm.group(1))
        except AliasRefused:     # front matter indeed: parse() says what is wrong
            data = {"title": ""}
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            score += 30 if {"title", "author", "authors"} & set(map(str, data)) else 15
    if _ATX.search(head):
        score += 15
    if _EMPH.search(head):
        score += 5
    if _LINK.search(head) or _FOOTREF.search(head):
        score += 5
    return min(score, 40)


# --- front matter -------------------------------------------------------------

def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip()
    return str(value).strip()


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [t for t in (_as_text(v) for v in value) if t]
    text = _as_text(value)
    return [text] if text else []


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return _as_text(value).lower() in {"1", "yes", "true", "on"}


class AliasRefused(yaml.YAMLError):
    """A YAML alias (``*name``) in front matter."""

    def __init__(self, mark) -> None:
        super().__init__("aliases (*name) are not accepted in front matter")
        self.problem_mark = mark


class FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: an alias repeats a whole node, and
    nested ones (``b: [*a, *a, …]``, ``c: [*b, *b, …]``) make a few hundred bytes
    expand to gigabytes. Front matter has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise AliasRefused(self.peek_event().start_mark)
        return super().compose_node(parent, index)


def load_front_matter(text: str):
    return yaml.load(text, Loader=FrontMatterLoader)  # noqa: S506 - a SafeLoader


def split_front_matter(text: str, path: Path | None = None) -> tuple[dict, str, int]:
    """(front matter dict, body text, number of lines the front matter took)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text, 0
    try:
        data = load_front_matter(m.group(1))
    except AliasRefused as exc:
        raise SourceSyntaxError(
            "the YAML front matter uses an alias (*name)", path=path, line=exc.problem_mark.line + 2,
            hint="write the value out in full instead of '*name' (aliases are refused: "
                 "they can expand to gigabytes)") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceSyntaxError(
            f"the YAML front matter is not valid ({getattr(exc, 'problem', exc)})",
            path=path, line=(mark.line + 2) if mark else 1,
            hint="fix the lines between the two '---', e.g. quote values containing ':'") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceSyntaxError("the front matter is not a list of 'key: value' lines", path=path,
                                line=2, hint="write one 'key: value' per line between the '---'")
    return data, text[m.end():], m.group(0).count("\n")


def metadata_from(data: dict) -> Metadata:
    meta = Metadata()
    known = {"title", "subtitle", "author", "authors", "date", "lang", "language", "source",
             "notes", "rights", "publisher", "topics", "cover", "notoc", "nofinalpage", "site"}
    meta.title = _as_text(data.get("title"))
    meta.subtitle = _as_text(data.get("subtitle"))
    meta.authors = _as_list(data.get("authors", data.get("author")))
    if "author" in data and "authors" in data:
        meta.authors += [a for a in _as_list(data["author"]) if a not in meta.authors]
    meta.date = _as_text(data.get("date"))
    meta.lang = _as_text(data.get("lang", data.get("language"))).lower()
    meta.source = _as_text(data.get("source"))
    meta.notes = _as_text(data.get("notes"))
    meta.rights = _as_text(data.get("rights"))
    meta.publisher = _as_text(data.get("publisher"))
    topics = data.get("topics")
    meta.topics = ([t.strip() for t in topics.split(",") if t.strip()]
                   if isinstance(topics, str) else _as_list(topics))
    meta.cover = _as_text(data.get("cover"))
    meta.notoc = _as_bool(data.get("notoc"))
    meta.nofinalpage = _as_bool(data.get("nofinalpage"))
    meta.site = _as_text(data.get("site"))
    sort_keys = [key for key in data if str(key).lower() == "sortauthors"]
    meta.sort_authors = sort_names(_as_text(data[sort_keys[0]])) if sort_keys else []
    for key, value in data.items():
        if str(key) not in known and key not in sort_keys:
            meta.extra[str(key)] = _as_text(value)
    return meta


def _drop_title_heading(body: etree._Element, meta: Metadata) -> None:
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s).strip().casefold()

    h1s = [el for el in body if el.tag == "h1"]
    if not meta.title:
        first = next((el for el in body if isinstance(el.tag, str)), None)
        if first is not None and first.tag == "h1" and len(h1s) == 1:
            meta.title = "".join(first.itertext()).strip()
    if meta.title:
        for h in h1s:
            if norm("".join(h.itertext())) == norm(meta.title):
                remove_keeping_tail(h)
                break


def _own_title_page(text: str, meta: Metadata) -> str:
    """A title page printed at the top of the text (``title_page``) wins over front
    matter that the text does not bear out — a converter's garbled "Pierrekropotkine
    Lamoraleanarchiste", a name cut mid-word: the page's lines then leave the body."""
    found = Metadata()
    rest = from_title_page(text, found)
    if not (found.title and found.authors):
        return text
    head = letters(text[:5000])
    if meta.title and meta.authors and all(letters(v) in head for v in [meta.title, *meta.authors]):
        return text
    adopt(meta, found, page_wins=True)
    return rest


def parse(text: str, path: Path | None = None) -> Document:
    data, body_text, _ = split_front_matter(text, path)
    meta = metadata_from(data)
    changes: list[str] = []
    body_text = publisher_matter.move_to_notes(debris.remove(body_text, changes), meta, changes)
    body_text = _own_title_page(libcom_header(body_text, meta), meta)
    body_text = pandoc_markdown.preprocess(body_text)
    md, tree, refused = bounded_markdown.convert_to_tree(
        body_text, ["footnotes", "tables", *pandoc_markdown.extensions()], text,
        footnotes={"BACKLINK_TEXT": ""})
    # Python-Markdown's tree is its own when no raw HTML was set aside: taken as
    # it is, unless it holds what the sanitizer or the HTML parser would change
    converted = own_tree_to_body(tree, md.postprocessors) if md.htmlStash.html_counter == 0 else None
    body, notes, warnings = converted or html_to_body(
        bounded_markdown.refuse_placeholders(bounded_markdown.html(md, tree), text, path), text)
    _drop_title_heading(body, meta)
    warnings = refused + warnings + unsaid_losses(body, text)
    return Document(metadata=meta, body=body, notes=notes, path=Path(path) if path else None,
                    format=FORMAT, warnings=warnings, changes=changes)
