"""A saved web page (``.html``, ``.htm``, ``.xhtml``) → ``Document``: the
article only.

The page's notes are found first (``pipeline.readers.xhtml``) and taken out,
each reference replaced by a word of its own, so that the main-content
extractor — readability-lxml, which keeps the article's own markup (headings,
emphasis, lists, tables, images) — can neither drop the notes nor their calls;
the site's menus, sidebars, forms, cookie notices and footer stay behind.
Nothing is fetched: images stay as the page names them, and the safety pass
takes only those beside the file.

Metadata from the page's head: JSON-LD (``headline``, ``author``,
``datePublished``, ``publisher``, ``inLanguage``), Open Graph and ``article:``
properties, ``<meta name=author|description|keywords>``, ``<title>``, the
``lang`` of ``<html>``; the canonical address (``<link rel=canonical>``, else
``og:url``) and site name make the colophon's "Retrieved from".
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from pipeline.document import Document, Metadata, remove_keeping_tail
from pipeline.errors import SourceSyntaxError
from pipeline.readers.package import note_call, plain, to_body
from pipeline.readers.xhtml import collect_notes, refers_to_note, note_element, strip_namespaces

FORMAT = "html"
EXTENSIONS = (".html", ".htm", ".xhtml")
HOW_TO_STATE = {"title": "give the page a <title> or an og:title",
                "author": 'give the page a <meta name="author">'}

_OPENING = re.compile(r"\A(?:\ufeff)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
                      re.IGNORECASE | re.DOTALL)


def sniff(text: str) -> int:
    head = text[:4096]
    if _OPENING.match(head):
        return 90
    if re.search(r"<html[\s>]", head, re.IGNORECASE) and re.search(r"<body[\s>]", text[:65536], re.IGNORECASE):
        return 60
    return 0


def parse(text: str, path: Path | None = None) -> Document:
    text = re.sub(r"\A\s*<\?xml[^>]*>", "", text)     # lxml.html takes no encoding declaration in a str
    try:
        page = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SourceSyntaxError(f"not an HTML page ({exc})", path=path, hint="give the page as the browser saved it") from exc
    strip_namespaces(page)
    meta, canonical = page_metadata(page)
    for el in page.xpath("//script|//style|//noscript|//template"):
        if el.get("type") != "application/ld+json":
            el.drop_tree()
    body = page.find("body")
    if body is None:
        body = page
    # Each note call becomes a word the extractor keeps; the notes leave the page.
    token = "zpnote" + secrets.token_hex(4)
    while token in text:
        token = "zpnote" + secrets.token_hex(4)
    drop_site_chrome(body, keep=note_holders(body))
    notes = collect_notes([("page", body)], {},
                          lambda base, href: ("page", href[1:]) if href.startswith("#") and len(href) > 1 else None)
    calls = {}
    for a in list(body.iter("a")):
        if a.get("class") == "footnote-ref" and a.getparent() is not None and a.getparent().tag == "sup":
            word = f"{token}x{len(calls)}x"
            calls[word] = note_call(a.get("href")[4:], a.text or "")
            remove_keeping_tail(a.getparent(), word)
    article = extract(page, body) if plain(body.text_content()) else ""
    article = re.sub(rf"{token}x\d+x", lambda m: calls.get(m.group(0), ""), article)
    root = lxml.html.fragment_fromstring(article, create_parent="div")
    absolute_links(root, canonical)
    drop_title_block(root, meta)
    article = "".join([root.text or ""] + [etree.tostring(c, encoding="unicode", method="html") for c in root])
    if not plain(re.sub(r"<[^>]+>", " ", article)):
        raise SourceSyntaxError("the page has no article text that could be told from the site around it",
                                path=path, hint="save the article's own page, or copy its text into a .md file")
    body_el, found, warnings = to_body(article, notes)
    return Document(metadata=meta, body=body_el, notes=found, path=path, format=FORMAT, warnings=warnings)


# What only a site has around its articles: navigation, banners, sidebars,
# forms, consent notices (by element, ARIA role, or the names sites give them).
_CHROME_TAGS = ("nav", "aside", "header", "footer")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_NOTICE = re.compile(r"cookie|consent|gdpr", re.IGNORECASE)
MAX_CHROME_CHARS = 5000


def note_holders(body: etree._Element) -> set:
    """The notes of the page and every element around them."""
    ids = {el.get("id"): el for el in body.iter() if isinstance(el.tag, str) and el.get("id")}
    kept = set()
    for a in body.iter("a"):
        target = ids.get((a.get("href") or "#")[1:]) if (a.get("href") or "").startswith("#") else None
        if target is not None and refers_to_note(a, target):
            holder = note_element(target)
            kept.update([holder, *holder.iterancestors()])
    return kept


def drop_site_chrome(body: etree._Element, keep: set) -> None:
    """Remove the site's own parts before the extractor weighs the rest: forms
    and navigation anywhere; headers, footers, asides and landmark roles
    outside the article (an article's own header is its title and byline);
    cookie and consent notices. What holds a note of the text (``keep``), an
    article, or more text than chrome has, stays."""
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el in keep:
            continue
        inside_article = any(a.tag in ("article", "main") or a.get("role") == "main"
                             for a in el.iterancestors())
        role = (el.get("role") or "").lower()
        names = f"{el.get('id') or ''} {el.get('class') or ''}"
        chrome = el.tag in ("form", "nav") or role in ("navigation", "search") or _NOTICE.search(names) \
            or not inside_article and (el.tag in _CHROME_TAGS or role in _CHROME_ROLES)
        # never what wraps the text (a form around the whole page, a body
        # class naming the cookie choice): that is for the extractor to weigh
        if chrome and el.find(".//article") is None and el.find(".//main") is None \
                and len(el.text_content()) <= MAX_CHROME_CHARS:
            el.drop_tree()


def extract(page: etree._Element, body: etree._Element) -> str:
    """The article's HTML: the element of the page that holds all of what
    readability-lxml finds to be the article, with its own markup whole
    (readability also prunes short paragraphs and images inside the article,
    which are the text's own); readability's result when no element of the
    page holds it."""
    from readability import Document as Readable
    from readability.readability import Unparseable

    try:
        summary = Readable(etree.tostring(page, encoding="unicode", method="html")).summary(html_partial=True)
    except Unparseable:
        return ""
    found = lxml.html.fragment_fromstring(summary, create_parent="div")
    anchors = [key for key in (_key(el) for el in found.iter(*_BLOCKS)) if key]
    if not anchors:
        return summary
    holders = []
    for anchor in (anchors[0], anchors[-1]):
        holder = next((el for el in body.iter(*_BLOCKS) if _key(el) == anchor), None)
        if holder is None:
            return summary
        holders.append(holder)
    first_line = [holders[0], *holders[0].iterancestors()]
    common = next((el for el in [holders[1], *holders[1].iterancestors()] if el in first_line), body)
    while common.tag not in _CONTAINERS and common.getparent() is not None:
        common = common.getparent()
    return etree.tostring(common, encoding="unicode", method="html", with_tail=False)


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td", "dd")
_CONTAINERS = {"article", "main", "section", "div", "body"}


def _key(el: etree._Element) -> str:
    """A block's letters and digits, which no extractor changes."""
    return "".join(ch for ch in el.text_content().casefold() if ch.isalnum())[:300]


def page_metadata(page: etree._Element) -> tuple[Metadata, str]:
    meta = Metadata()
    props: dict[str, str] = {}
    for el in page.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = plain(el.get("content"))
        if key and content and key not in props:
            props[key] = content
    ld = json_ld(page)
    title_el = page.find(".//title")
    meta.title = (plain(str(ld.get("headline") or ld.get("name") or "")) or props.get("og:title")
                  or props.get("twitter:title") or props.get("dc.title")
                  or (plain(title_el.text_content()) if title_el is not None else ""))
    meta.authors = ld_names(ld.get("author")) or [
        a for a in (props.get("author"), props.get("article:author"), props.get("dc.creator")) if a
        and not re.match(r"https?://", a)][:1]
    meta.date = plain(str(ld.get("datePublished") or "")) or props.get("article:published_time", "") \
        or props.get("dc.date", "") or props.get("date", "")
    site = props.get("og:site_name", "") or (ld_names(ld.get("publisher")) or [""])[0]
    meta.publisher = (ld_names(ld.get("publisher")) or [""])[0]
    html_el = page if page.tag == "html" else page.getroottree().getroot()
    meta.lang = plain(str(ld.get("inLanguage") or "")) or plain(html_el.get("lang") or html_el.get("xml:lang")) \
        or props.get("og:locale", "").replace("_", "-")
    description = props.get("description") or props.get("og:description")
    if description:
        meta.extra["description"] = description
    keywords = props.get("keywords") or props.get("article:tag")
    if keywords:
        meta.topics = [k.strip() for k in keywords.split(",") if k.strip()]
    canonical = ""
    for link in page.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    canonical = canonical or props.get("og:url", "") or plain(str(ld.get("url") or ""))
    if not re.match(r"(?i)https?://", canonical):
        canonical = ""
    if canonical:
        meta.source = f"Retrieved from {site + ', ' if site else ''}{canonical}"
    elif site:
        meta.source = f"Retrieved from {site}"
    return meta, canonical


def json_ld(page: etree._Element) -> dict:
    """The first JSON-LD object that describes an article (or any with a headline)."""
    for script in page.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if item.get("headline") or any(str(k).endswith(("Article", "Posting", "Report")) for k in kinds):
                    return item
    return {}


def ld_names(value) -> list[str]:
    """Names of a JSON-LD person or organisation (or a list of them)."""
    values = value if isinstance(value, list) else [value] if value else []
    names = []
    for v in values:
        name = v.get("name") if isinstance(v, dict) else v if isinstance(v, str) else ""
        if isinstance(name, str) and plain(name) and not re.match(r"https?://", name):
            names.append(plain(name))
    return names


def absolute_links(root: etree._Element, base: str) -> None:
    """Links relative to the page point at the site when its address is known;
    else they keep their text only (they named files of the site)."""
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or re.match(r"(?i)(https?|mailto):", href):
            continue
        if base and not re.match(r"(?i)[a-z][a-z0-9+.-]*:", href):
            a.set("href", urljoin(base, href))
        else:
            del a.attrib["href"]


def drop_title_block(root: etree._Element, meta: Metadata) -> None:
    """The article's opening heading when it repeats the title, and the byline
    and date right after it when they repeat the metadata: our title page
    shows them."""
    said = {plain(t).casefold() for t in [meta.title, meta.date, *meta.authors,
                                          *(f"by {a}" for a in meta.authors)] if plain(t)}
    for el in list(root.iter("h1", "h2", "h3", "p", "div")):
        if el.find(".//p") is not None or el.find(".//h1") is not None or el.find(".//div") is not None:
            continue      # a container: its blocks come next
        text = plain(el.text_content()).casefold()
        if text and text not in said:
            break
        if text and not len(el.xpath(".//img")):
            el.drop_tree()
