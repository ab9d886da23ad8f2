"""The footnote-policy correction to WeasyPrint's layout (pipeline/engine_fixes.py),
on the smallest page that shows it: a note whose call is on a page full of text,
where the second line of the next paragraph does not fit."""

from __future__ import annotations

import pytest

from pipeline.writers.pdf import engine as engine_fixes

PAGE = """<style>
  @page { size: 100px; margin: 0; @footnote { margin: 0; padding: 0; } }
  html { font: 8px/10px serif; }
  body { margin: 0; orphans: 2; widows: 2; }
  .note { float: footnote; footnote-policy: %s; }
  .note::footnote-call, .note::footnote-marker { content: none; }
</style>
<div>a<a id="call"></a><span class="note" id="note">note</span><br>b<br>c<br>d<br>e<br>f<br>g</div>
<div id="next">i<br>j<br>k<br>l</div>"""


def pages_of(policy: str) -> dict[str, int]:
    """The page (1-based) where each anchor first appears."""
    from weasyprint import HTML

    engine_fixes.apply()
    document = HTML(string=PAGE % policy).render()
    first: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            first.setdefault(name, number)
    return first


def test_a_line_policy_note_stays_with_its_call_and_the_paragraph_moves():
    # Seven lines (the first one 13 px high), "i" and the note fill 93 of 100 px;
    # "j", the next paragraph's second line, does not fit. The orphan rule sends the paragraph on; the note stays.
    where = pages_of("line")
    assert where["call"] == where["note"] == 1
    assert where["next"] == 2


def test_an_auto_policy_note_may_still_go_to_the_next_page():
    # footnote-policy: auto allows WeasyPrint's own choice: the note goes, "j" stays.
    where = pages_of("auto")
    assert where["call"] == 1 and where["note"] == 2
    assert where["next"] == 1


def test_a_changed_engine_is_refused_not_silently_ignored(monkeypatch):
    monkeypatch.setattr(engine_fixes, "_applied", False)
    monkeypatch.setattr(engine_fixes, "_CONDITION", "report = something WeasyPrint never wrote")
    with pytest.raises(engine_fixes.EngineMismatch):
        engine_fixes.apply()
