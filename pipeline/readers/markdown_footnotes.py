"""Python-Markdown's footnote extension made constant-time per note and per
call, for ``bounded_markdown``'s converter: its lookups of a note in a list of
all of them become lookups in maps, and the calls get no names and the notes
empty back-links, which the Document keeps neither of (``html.py`` keeps a
call's target and number)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from markdown import util
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor


# A note's text that every block processor but the paragraph's passes by: one
# line that opens with a letter and holds no mark of a block (heading, rule,
# list, quote, table, code, reference, note, raw HTML, placeholder) — the
# short notes ("Ibid.", "See chapter 3.") of which a long text has thousands.
_PLAIN_PARAGRAPH = re.compile(r"[^\W\d_][^\x00-\x1f#=*+_>\[\]|`~:<&\\{}-]*")


class _Order(list):
    """The footnote extension's list of references in order, with constant-time
    ``in`` and ``index``."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[str, int] = {}

    def append(self, item) -> None:
        self.at.setdefault(item, len(self))
        super().append(item)

    def __contains__(self, item) -> bool:
        return item in self.at

    def index(self, item, *args) -> int:
        if not args and item in self.at:
            return self.at[item]
        return super().index(item, *args)


class Footnotes(FootnoteExtension):
    """The footnote extension with empty back-links from a note to its calls, and
    no names for the calls (``id="fnref:1"``, ``fnref2:1``…) that only back-links
    point to: the Document has neither (``html.py`` keeps a call's target and
    number), and building, reading, serializing and parsing them again was a
    good part of the cost of each note and each call."""

    def reset(self) -> None:
        super().reset()
        self.footnote_order = _Order()
        self.defined_at: dict[str, int] = {}
        self.id_prefix = self.note_id_prefix()

    def extendMarkdown(self, md) -> None:
        super().extendMarkdown(md)
        pattern = md.inlinePatterns["footnote"]
        md.inlinePatterns.register(FootnoteRefs(pattern.compiled_re.pattern, self), "footnote", 175)
        md.treeprocessors.deregister("footnote-duplicate")   # it adds back-links

    def note_id_prefix(self) -> str:
        """What ``makeFootnoteId`` puts before a note's name (``fn:``)."""
        separator = self.get_separator()
        return f"fn{separator}{self.unique_prefix}-" if self.getConfig("UNIQUE_IDS") else f"fn{separator}"

    def makeFootnotesDiv(self, root):  # noqa: N802
        """Upstream's, with an empty back-link: no target, title or text, but in
        the place of upstream's (at the end of the last paragraph, or alone in a
        paragraph of its own), for the inline step reads a paragraph differently
        when it holds an element (a call of a note inside raw HTML, say, pairs
        its ``*`` otherwise). ``html.py`` drops it, as it drops upstream's.

        Upstream also puts a placeholder for a no-break space before it, at the
        end of the paragraph's text, where the inline step reads it as part of
        the text: a link left open (``[a](b``) took it into its address, and
        the placeholder, cut in two, ended in the output. The no-break space is
        nothing the Document keeps: it is not put there."""
        if not self.footnotes:
            return None
        div = ElementTree.Element("div")
        div.set("class", "footnote")
        ElementTree.SubElement(div, "hr")
        ol = ElementTree.SubElement(div, "ol")
        surrogate_parent = ElementTree.Element("div")
        prefix = self.id_prefix
        backlink = {"class": "footnote-backref"}
        # a note's text may define notes (``[^a]: [^b]: …``), added to the
        # dictionary while it is gone through: they are rendered after the others
        names = list(self.footnotes)
        for name in names:
            text = self.footnotes[name]
            li = ElementTree.SubElement(ol, "li")
            li.set("id", prefix + name)
            if _PLAIN_PARAGRAPH.fullmatch(text):
                ElementTree.SubElement(li, "p").text = text    # what the block parser makes of it
            else:
                # parsed under a surrogate parent, as upstream (list blocks treat "li" apart)
                self.parser.parseChunk(surrogate_parent, text)
                li.extend(surrogate_parent)
                del surrogate_parent[:]
            if len(li):
                node = li[-1]
                if node.tag == "p":
                    ElementTree.SubElement(node, "a", backlink)
                else:
                    ElementTree.SubElement(ElementTree.SubElement(li, "p"), "a", backlink)
            if len(self.footnotes) > len(names):
                names += list(self.footnotes)[len(names):]
        return div


class FootnoteRefs(FootnoteInlineProcessor):
    """``FootnoteInlineProcessor.handleMatch`` with the note's number looked up in
    a map instead of a list of every definition, and no name for the call."""

    def handleMatch(self, m, data):  # noqa: N802
        key = m.group(1)
        notes = self.footnotes
        if key not in notes.footnotes:
            return None, None, None
        notes.addFootnoteRef(key)
        if notes.getConfig("USE_DEFINITION_ORDER"):
            if len(notes.defined_at) != len(notes.footnotes):
                notes.defined_at = {name: n for n, name in enumerate(notes.footnotes)}
            number = notes.defined_at[key] + 1
        else:
            number = notes.footnote_order.index(key) + 1
        sup = ElementTree.Element("sup")
        a = ElementTree.SubElement(sup, "a")
        a.set("href", "#" + notes.id_prefix + key)
        a.set("class", "footnote-ref")
        a.text = notes.getConfig("SUPERSCRIPT_TEXT").format(number)
        if a.text.isdigit():
            # no inline pattern matches a text of digits: trying each on every
            # call's number was a good part of the inline step
            a.text = util.AtomicString(a.text)
        return sup, m.start(0), m.end(0)
