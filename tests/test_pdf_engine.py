"""The PDF writer's wall around WeasyPrint (pipeline/writers/pdf/engine.py): the
installed release is checked when the module is imported, and the footnote-policy
correction is shown on the smallest page that shows it: a note whose call is on a
page full of text, where the second line of the next paragraph does not fit."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from pipeline.errors import EngineMismatch
from pipeline.writers.pdf import engine
from conftest import ROOT

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

    engine.fix_footnote_policy()
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
    monkeypatch.setattr(engine, "_fixed", False)
    monkeypatch.setattr(engine, "_CONDITION", "report = something WeasyPrint never wrote")
    with pytest.raises(EngineMismatch, match="line layout has changed"):
        engine.fix_footnote_policy()


@pytest.mark.parametrize("error", [OSError("could not get source code"), TypeError("<built-in function>")])
def test_an_engine_without_its_source_is_a_clear_error(monkeypatch, error):
    # A packaged install without .py files: inspect cannot read the code to correct.
    def unreadable(obj):
        raise error

    monkeypatch.setattr(engine, "_fixed", False)
    monkeypatch.setattr(inspect, "getsourcelines", unreadable)
    with pytest.raises(EngineMismatch, match="source of WeasyPrint's line layout cannot be read") as raised:
        engine.fix_footnote_policy()
    assert "pip install 'weasyprint>=70,<71'" in str(raised.value)


@pytest.mark.parametrize("installed", ["71.0", "69.2", "100.1b1", "unknown"])
def test_a_release_outside_the_supported_ones_is_refused(installed):
    with pytest.raises(EngineMismatch) as raised:
        engine.check_version(installed)
    message = str(raised.value)
    assert f"WeasyPrint {installed} is installed" in message and "written for WeasyPrint 70.x" in message
    assert "pip install 'weasyprint>=70,<71'" in message and "\n" not in message


@pytest.mark.parametrize("installed", ["70.0", "70.2.1"])
def test_the_supported_releases_pass(installed):
    engine.check_version(installed)


def test_the_command_line_says_a_wrong_release_in_one_line(tmp_path):
    # The check runs when the engine module is imported: here, in a build whose
    # WeasyPrint says it is 71.0. The source fails with one line; no traceback.
    source = tmp_path / "text.md"
    source.write_text("---\ntitle: A Text\nauthor: A. Writer\n---\n\nSome words.\n", encoding="utf-8")
    code = ("import runpy, sys, weasyprint; weasyprint.__version__ = '71.0'; "
            f"sys.argv = ['zinepress', 'build', {str(source)!r}, '-o', {str(tmp_path / 'out')!r}, "
            "'--format', 'pdf', '--quiet']; runpy.run_module('pipeline', run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    lines = [line for line in (run.stderr + run.stdout).splitlines() if "WeasyPrint" in line]
    assert len(lines) == 1, run.stderr + run.stdout
    assert "WeasyPrint 71.0 is installed" in lines[0] and "70.x" in lines[0] and "pip install" in lines[0]
    assert not (tmp_path / "out" / "text.pdf").exists()


def test_a_part_written_again_carries_its_crop_marks_once():
    # The parallel layout writes a part again when the contents move its pages;
    # WeasyPrint adds the crop marks to a page's background as it writes it.
    import fitz
    from weasyprint import CSS, HTML

    part = engine.render_without_margin_boxes(
        HTML(string="<p>Text</p>"), [CSS(string="@page { size: 100mm; bleed: 5mm; marks: crop }")])
    for writing in range(2):
        engine.add_margin_boxes(part, 1, ["right"], [], [[]])
        page = fitz.open(stream=part.document.write_pdf(), filetype="pdf")[0]
        strokes = sum(1 for drawing in page.get_drawings() for item in drawing["items"] if item[0] == "l")
        assert strokes == 8, f"writing {writing + 1}"


def test_a_pages_text_spans_are_its_texts_within_an_element_as_a_pdf_reads_them():
    """A page's text for the EPUB's page list (``engine.page_text_spans``): only the text
    inside the given elements (not the contents, the running head or the page number),
    not the text not shown nor what the caller leaves out (here generated text and raised
    text); a line's text boxes of the same font are one span, another size or line is
    another span."""
    from weasyprint import HTML

    document = HTML(string="""<style>
      @page { size: 300px 200px; margin: 30px; @top-center { content: "Running head" }
              @bottom-center { content: counter(page) } }
      html { font: 10px/12px serif; }
      .leader::after { content: leader('.') "7"; }
      small { font-size: 6px; }
    </style>
    <nav><p class="leader">Contents</p></nav>
    <main><p class="leader">Chapter one</p>
    <p>First <span>words</span> of<span style="visibility: hidden"> hidden</span> it<sup>th</sup><small>1</small></p>
    <p style="break-before: page">Second page</p></main>""").render()

    def left_out(tag, element):
        return "::" in tag or element.tag == "sup"

    first, second = (engine.page_text_spans(page, "main", left_out) for page in document.pages)
    assert first == [(10, "Chapter one"), (10, "First words of it"), (6, "1")]
    assert second == [(10, "Second page")]
