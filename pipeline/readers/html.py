"""HTML fragments (from Markdown rendering) → the Document body vocabulary.

Raw HTML in a source is untrusted: it goes through ``nh3`` (a maintained
sanitizer) keeping only the tags and attributes of the vocabulary described
in ``pipeline.document``, then lxml parses what is left.
"""

from __future__ import annotations

import lxml.html
import nh3
from lxml import etree

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "div", "pre", "ul", "ol",
    "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "th",
    "td", "figure", "figcaption", "img", "hr", "em", "strong", "code", "sup", "sub",
    "del", "br", "a", "span", "i", "b", "s", "u",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"type", "start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "h1": {"data-toc"}, "h2": {"data-toc"}, "h3": {"data-toc"},
}
# Presentational synonyms folded into the vocabulary.
RENAME = {"i": "em", "b": "strong", "s": "del", "h6": "h5"}


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None,
                     strip_comments=True)


def fragment_to_body(html: str) -> etree._Element:
    """Parse sanitized HTML into a ``body`` element of plain (non-namespaced) tags."""
    clean = sanitize(html)
    body = etree.Element("body")
    if not clean.strip():
        return body
    wrapper = lxml.html.fragment_fromstring(clean, create_parent="body")
    body.text = wrapper.text
    for child in wrapper:
        body.append(child)
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in RENAME:
            el.tag = RENAME[el.tag]
        if el.tag == "u":  # underline has no place in book typography; keep the text
            el.tag = "em"
    return body
