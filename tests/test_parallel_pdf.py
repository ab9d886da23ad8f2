"""The pamphlet laid out in parallel processes is the pamphlet laid out in one pass:
same page count, same text on every page (page numbers, running heads, the
contents' page numbers, footnotes at the foot of the page of their call), same
outline, same links.

A generated text with parts (which open on a right-hand page, so blank pages
come in) and chapters with footnotes runs always; Kropotkin's Ethics, the long
book the parallel writer is for, runs with the corpus tests.
"""

from __future__ import annotations

import multiprocessing
import random
from pathlib import Path

import fitz
import pytest

from pipeline.build import BuildOptions, load
from pipeline.render import prepare
from pipeline.writers.pdf import PdfOptions, write_pdf
from pipeline.writers.pdf.parallel import MIN_HTML_CHARS, parallel_jobs
from conftest import corpus_file, pdf_page_texts, pdf_text

WORDS = ("the of and to mutual aid among animals is a factor of evolution freedom "
         "commune solidarity labour land bread people village guild city").split()


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def parts_text(folder: Path, seed: int) -> Path:
    """Three parts of three chapters each, of uneven length (drawn from ``seed``), with footnotes."""
    rng = random.Random(seed)
    lines = ["#title Parallel Layout", "#author A. Tester", "#lang en", ""]
    notes = []
    for part in range(1, 4):
        lines += [f"* Part {part}", ""]
        for chapter in range(1, 4):
            lines += [f"** Chapter {part}.{chapter}", ""]
            for k in range(rng.randint(3, 14)):
                text = _paragraph(rng, rng.randint(40, 160))
                if k % 3 == 0:
                    notes.append(f"[{len(notes) + 1}] " + _paragraph(rng, rng.randint(10, 60)))
                    text += f" [{len(notes)}]"
                lines += [text, ""]
    path = folder / f"parallel_layout_{seed}.muse"
    path.write_text("\n".join(lines + notes) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def parts_source(tmp_path_factory) -> Path:
    return parts_text(tmp_path_factory.mktemp("parallel"), seed=4)


def write_in_parallel(source: Path, page_list: bool = True, **options):
    """The pamphlet written with two processes, checking that the parallel writer made it
    (and did not hand the text back to the single pass)."""
    from pipeline.writers.pdf import parallel

    real, made = parallel.write_parallel, []

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    parallel.write_parallel = recording
    try:
        result = write_pdf(prepare(load(source, BuildOptions())), PdfOptions(jobs=2, **options), page_list)
    finally:
        parallel.write_parallel = real
    assert len(made) == 1 and made[0] is not None
    assert bool(made[0].page_spans) == page_list
    assert len({task[2] for task in made[0].timings["tasks"]}) == 3     # this process and two workers
    return result


def _both(source: Path, tmp: Path, **options) -> tuple[Path, Path]:
    prep = prepare(load(source, BuildOptions()))
    single = write_pdf(prep, PdfOptions(jobs=1, **options))
    parallel = write_in_parallel(source, **options)
    assert single.pages == parallel.pages
    # Where each page begins (the EPUB's page list): the parallel writer reads each part's
    # pages as it is laid out, the single pass the whole book's; a blank page added reads as nothing.
    assert parallel.print_pages == single.print_pages
    assert sum(page.kind == "text" for page in single.print_pages) >= single.pages // 2
    paths = tmp / "single.pdf", tmp / "parallel.pdf"
    paths[0].write_bytes(single.data)
    paths[1].write_bytes(parallel.data)
    return paths


def _links(doc: fitz.Document) -> list[tuple]:
    return [(number, link.get("page"), link.get("uri"), tuple(round(c, 1) for c in link["from"]))
            for number, page in enumerate(doc) for link in page.get_links()]


def assert_same_book(single: Path, parallel: Path) -> None:
    one, two = fitz.open(single), fitz.open(parallel)
    assert len(one) == len(two)
    # Page numbers, running heads, contents numbers, footnotes: all in the text.
    for number, (a, b) in enumerate(zip(pdf_page_texts(single), pdf_page_texts(parallel), strict=True), 1):
        assert a == b, f"page {number}"
    toc_one, toc_two = one.get_toc(simple=False), two.get_toc(simple=False)
    assert [entry[:3] for entry in toc_one] == [entry[:3] for entry in toc_two]
    for a, b in zip(toc_one, toc_two):
        assert abs(a[3]["to"].y - b[3]["to"].y) < 0.5, a[:3]
    assert _links(one) == _links(two)
    assert one.metadata["title"] == two.metadata["title"]
    assert one.metadata["author"] == two.metadata["author"]
    language = one.xref_get_key(one.pdf_catalog(), "Lang")
    assert two.xref_get_key(two.pdf_catalog(), "Lang") == language and language[0] == "string"


def test_parts_and_chapters_match_the_single_pass(parts_source, tmp_path):
    single, parallel = _both(parts_source, tmp_path)
    assert_same_book(single, parallel)
    text = pdf_text(single)
    assert "Part 3" in text and "Chapter 3.3" in text


def test_a_build_without_an_epub_reads_no_page_list(parts_source, tmp_path, monkeypatch):
    # The page list is the EPUB's: reading it back from each part is skipped without one.
    assert write_in_parallel(parts_source, page_list=False).print_pages == []
    import pipeline.writers.pdf as pdf_writer
    from pipeline.build import build_one

    asked = []
    real = pdf_writer.write_pdf
    monkeypatch.setattr(pdf_writer, "write_pdf", lambda prep, options, page_list=True:
                        asked.append(page_list) or real(prep, options, page_list))
    for formats in (("pdf", "booklet"), ("pdf", "epub")):
        build_one(parts_source, tmp_path / "-".join(formats), BuildOptions(formats=formats))
    assert asked == [False, True]


def test_short_texts_and_batch_workers_use_one_process():
    assert parallel_jobs(0, MIN_HTML_CHARS - 1) == 1
    assert parallel_jobs(1, 10 * MIN_HTML_CHARS) == 1
    assert parallel_jobs(3, 10) == 3


@pytest.mark.corpus
def test_ethics_matches_the_single_pass(tmp_path, corpus_build):
    # The single pass is the corpus build's (batch workers lay out in one pass).
    source = "muse/Ethics_Origin_And_Development.muse"
    single = corpus_build.output(source, ".pdf")
    result = write_in_parallel(corpus_file(source))
    parallel = tmp_path / "parallel.pdf"
    parallel.write_bytes(result.data)
    assert_same_book(single, parallel)


def test_a_part_opening_on_a_right_hand_page_starts_a_part(tmp_path, monkeypatch):
    # One long part per worker. Drawn from seed 1, the second would begin with a
    # chapter on a left-hand page and take in "Part 2" (a right-hand page) in its
    # middle, laid out as if the part began on a right-hand page: four pages more
    # than the single pass, until a part heading always starts a part.
    from pipeline.render.pdf import pdf_html
    from pipeline.writers.pdf.parallel.plan import cut_book

    source = parts_text(tmp_path, seed=1)
    monkeypatch.setattr("pipeline.writers.pdf.parallel.PARTS_PER_WORKER", 1)
    cut = cut_book(pdf_html(prepare(load(source, BuildOptions()))), 2)
    assert all(element.tag != "h1" for part in cut.parts for element in part[1:])
    single, parallel = _both(source, tmp_path)
    assert_same_book(single, parallel)


@pytest.mark.parametrize("slow", ["lay_out", "finish"])
def test_contents_shorter_than_with_placeholders_number_every_part_again(parts_source, tmp_path, monkeypatch,
                                                                         slow):
    # The contents are laid out first with placeholder numbers, for their page count;
    # here the placeholder contents are two pages longer than the real ones, so every
    # part is numbered again: with "lay_out" slowed down, one worker has finished its
    # part with the first numbering before the last part is laid out; with "finish"
    # slowed down, a part is being finished with the first numbering meanwhile.
    import time

    from pipeline.writers.pdf.parallel import finish, plan, workers

    slowed_module, slowed_name = (workers, "lay_out") if slow == "lay_out" else (finish, "finish_part")
    real_front_html, real = plan.front_html, getattr(slowed_module, slowed_name)
    calls = []

    def front_html(cut, numbers):
        calls.append(dict(numbers))
        html = real_front_html(cut, numbers)
        if numbers and set(numbers.values()) == {"888"}:
            # Two pages: the parts, which open on right-hand pages, move by two.
            html = html.replace("</body>", '<p style="break-before: page">Placeholder</p>' * 2 + "</body>")
        return html

    def slowed(*args):
        if slow == "finish" and args[0] == "body" or slow == "lay_out" and args[0].index == 2:
            time.sleep(2)
        return real(*args)

    monkeypatch.setattr(plan, "front_html", front_html)
    monkeypatch.setattr(slowed_module, slowed_name, slowed)
    single, parallel = _both(parts_source, tmp_path)
    assert len(calls) == 3          # placeholders, real numbers (two pages less), real numbers again
    assert_same_book(single, parallel)


@pytest.mark.parametrize("failure, error, says", [
    ("raises", ValueError, "part 1 cannot be laid out"),
    ("dies", RuntimeError, "a layout process ended without an answer"),
])
def test_a_failing_worker_reaches_the_caller_and_stops_the_workers(parts_source, monkeypatch, failure, error, says):
    import os

    from pipeline.writers.pdf.parallel import workers

    real = workers.lay_out

    def lay_out(task):
        if task.kind == "body" and task.index == 1:
            if failure == "dies":
                os._exit(1)
            raise ValueError("part 1 cannot be laid out")
        return real(task)

    monkeypatch.setattr(workers, "lay_out", lay_out)
    with pytest.raises(error, match=says):
        write_pdf(prepare(load(parts_source, BuildOptions())), PdfOptions(jobs=2))
    assert multiprocessing.active_children() == []


# ---------------------------------------------------------------- options

@pytest.fixture(scope="module")
def user_css(tmp_path_factory) -> Path:
    """A stylesheet that changes the layout, with a font of its own (``@font-face``)."""
    import shutil
    import subprocess

    folder = tmp_path_factory.mktemp("css")
    font = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans:bold"],
                          capture_output=True, text=True, check=True).stdout
    shutil.copy(font, folder / "heading.ttf")
    path = folder / "user.css"
    path.write_text('@font-face { font-family: "Heading Face"; src: url(heading.ttf); }\n'
                    'h2 { font-family: "Heading Face"; color: #333; }\n'
                    'p { letter-spacing: 0.02em; line-height: 1.5; }\n'
                    '@page { @bottom-center { content: "p. " counter(page); } }\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def option_books(parts_source, tmp_path_factory):
    """Single-pass and parallel pamphlets of the parts text for each set of options, made once."""
    made = {}

    def book(name: str, **options):
        if name not in made:
            made[name] = _both(parts_source, tmp_path_factory.mktemp(name), **options)
        return made[name]
    return book


def test_a_user_stylesheet_and_its_font_match_the_single_pass(option_books, user_css):
    single, parallel = option_books("css", css=(user_css,))
    assert_same_book(single, parallel)
    assert "p. 5" in pdf_text(parallel)
    fonts = [font[3] for page in fitz.open(parallel) for font in page.get_fonts()]
    assert any("Heading-Face" in font for font in fonts)     # the @font-face font, in every part


def test_a_stylesheet_using_the_page_total_keeps_one_pass_and_says_why(parts_source, tmp_path, monkeypatch):
    from pipeline.writers.pdf import parallel

    css = tmp_path / "total.css"
    css.write_text('@page { @bottom-center { content: counter(page) " of " counter(pages); } }', encoding="utf-8")
    prep = prepare(load(parts_source, BuildOptions()))
    called = []
    real = parallel.write_parallel
    monkeypatch.setattr(parallel, "write_parallel", lambda *args, **kwargs: called.append(1) or real(*args, **kwargs))
    result = write_pdf(prep, PdfOptions(jobs=2, css=(css,)))
    assert not called
    assert any(f"one pass, not in parallel: {css} uses counter(pages)" in change for change in prep.doc.changes)
    assert result.pages > 4


def _boxes(path: Path) -> list[tuple]:
    return [(tuple(round(v, 2) for v in page.trimbox), tuple(round(v, 2) for v in page.bleedbox),
             tuple(round(v, 2) for v in page.mediabox), len(page.get_drawings()))
            for page in fitz.open(path)]


def _link_targets(doc: fitz.Document) -> list[tuple]:
    """Each internal link's target as written in the file: page and /XYZ position (the single
    pass names its destinations, the join writes them out)."""
    import re

    number = {page.xref: n for n, page in enumerate(doc)}
    names = dict(re.findall(r"\(([^()]*)\)\[(\d+ 0 R/XYZ [-\d.]+ [-\d.]+)",
                            doc.xref_get_key(doc.pdf_catalog(), "Names/Dests")[1]))
    targets = []
    for page in doc:
        for link in page.get_links():
            if link["kind"] == fitz.LINK_URI:
                continue
            text = doc.xref_object(link["xref"], compressed=True)
            name = re.search(r"/Dest\(([^()]*)\)", text)
            target = names[name.group(1)] if name else re.search(r"\[(\d+ 0 R/XYZ [-\d.]+ [-\d.]+)", text).group(1)
            xref, _, _, x, y = target.split()
            targets.append((number[int(xref)], round(float(x), 1), round(float(y), 1)))
    return targets


def test_crop_marks_match_the_single_pass(option_books):
    single, parallel = option_books("marks", marks=True)
    assert_same_book(single, parallel)
    boxes = _boxes(parallel)
    # The same page boxes, and crop marks on every page, the added blank pages too.
    assert boxes == _boxes(single)
    assert all(box[0] != box[2] and box[3] >= 8 for box in boxes)
    # Links and their targets where the single pass puts them, on pages with a bleed.
    targets = _link_targets(fitz.open(parallel))
    assert targets and targets == _link_targets(fitz.open(single))


def _qpdf_check(path: Path) -> None:
    import subprocess

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


def _same_variant_book(single: Path, parallel: Path, conformance: str) -> tuple:
    """The single-pass and parallel books of a PDF variant, checked alike: same book,
    a clean file, the same XMP metadata naming the variant (``conformance``)."""
    assert_same_book(single, parallel)
    _qpdf_check(parallel)
    one, two = fitz.open(single), fitz.open(parallel)
    assert two.get_xml_metadata() == one.get_xml_metadata()
    assert conformance in two.get_xml_metadata()
    return one, two


def test_pdf_a_matches_the_single_pass_with_its_metadata(option_books):
    single, parallel = option_books("pdfa", variant="pdf/a-3b")
    one, two = _same_variant_book(single, parallel, "pdfaid:part")
    kind, intents = two.xref_get_key(two.pdf_catalog(), "OutputIntents")
    assert kind == "array" and "/GTS_PDFA1" in intents
    profile = int(intents.split("/DestOutputProfile")[1].split()[0])
    assert two.xref_stream(profile) == one.xref_stream(
        int(one.xref_get_key(one.pdf_catalog(), "OutputIntents")[1].split("/DestOutputProfile")[1].split()[0]))
    assert two.xref_get_key(-1, "ID")[0] == "array"
    links = [link for page in two for link in page.get_links()]
    assert links and all(two.xref_get_key(link["xref"], "F")[1] == "4" for link in links)


def _xref(reference: str) -> int:
    return int(reference.split()[0])


def _parent_tree(doc: fitz.Document) -> dict[int, list[int]]:
    """The parent tree (one ``/Nums`` array): each key's element xrefs."""
    import re

    root = _xref(doc.xref_get_key(doc.pdf_catalog(), "StructTreeRoot")[1])
    nums = doc.xref_get_key(_xref(doc.xref_get_key(root, "ParentTree")[1]), "Nums")[1]
    return {int(key): [int(xref) for xref in re.findall(r"(\d+) 0 R", value)]
            for key, value in re.findall(r"(\d+)\s*(\[[^\]]*\]|\d+ 0 R)", nums[1:-1])}


def _structure(path: Path) -> tuple[list[str], list[tuple]]:
    """A tagged PDF's structure tree as ``pdfinfo -struct-text`` prints it (with the link
    annotations' object numbers left out), and its parent tree read back: each marked
    content of each page (every MCID of its contents) with its element's type and page,
    and each link annotation with its Link element, which holds it."""
    import re
    import subprocess

    printed = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True)
    tree = [re.sub(r"Object \d+ \d+", "Object", line) for line in printed.stdout.splitlines()]
    doc = fitz.open(path)
    numbers = {doc.page_xref(n): n for n in range(len(doc))}
    parents = _parent_tree(doc)

    def element(xref: int) -> tuple[str, int]:
        return doc.xref_get_key(xref, "S")[1], numbers[_xref(doc.xref_get_key(xref, "Pg")[1])]

    marked = []
    for number, page in enumerate(doc):
        entries = parents[int(doc.xref_get_key(page.xref, "StructParents")[1])]
        assert sorted(int(m) for m in re.findall(rb"/MCID (\d+)", page.read_contents())) == list(range(len(entries)))
        for mcid, xref in enumerate(entries):
            assert str(mcid) in re.sub(r"\d+ 0 R", "", doc.xref_get_key(xref, "K")[1]).strip("[]").split()
            marked.append((number, mcid, *element(xref)))
        for link in page.get_links():
            xref = parents[int(doc.xref_get_key(link["xref"], "StructParent")[1])][0]
            held = [_xref(doc.xref_get_key(kid, "Obj")[1]) for kid in
                    map(int, re.findall(r"(\d+) 0 R", doc.xref_get_key(xref, "K")[1]))
                    if doc.xref_get_key(kid, "Type")[1] == "/OBJR"]
            assert held == [link["xref"]]
            marked.append((number, link.get("page"), link.get("uri"), *element(xref)))
    return tree, marked


def test_pdf_ua_matches_the_single_pass_with_its_structure_tree(option_books):
    from pipeline.options import PDF_VARIANTS
    from pipeline.writers.pdf import _one_pass_reason

    assert not any(_one_pass_reason(PdfOptions(variant=variant)) for variant in PDF_VARIANTS)
    single, parallel = option_books("pdfua", variant="pdf/ua-1")
    one, two = _same_variant_book(single, parallel, "pdfuaid:part")
    for key in ("MarkInfo", "ViewerPreferences"):
        assert two.xref_get_key(two.pdf_catalog(), key) == one.xref_get_key(one.pdf_catalog(), key)
    # One tree, the single pass's: its elements, their pages, each page's marked contents
    # and each link (the contents' links into the chapters too) tied to its element.
    tree, marked = _structure(parallel)
    assert (tree, marked) == _structure(single)
    assert tree[0] == "Document" and sum(line.strip() == "Object" for line in tree) == len(_links(two)) > 9
