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


def write_in_parallel(source: Path):
    """The pamphlet written with two processes, checking that the parallel writer made it
    (and did not hand the text back to the single pass)."""
    from pipeline.writers.pdf import parallel

    real, made = parallel.write_parallel, []

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    parallel.write_parallel = recording
    try:
        result = write_pdf(prepare(load(source, BuildOptions())), PdfOptions(jobs=2))
    finally:
        parallel.write_parallel = real
    assert len(made) == 1 and made[0] is not None
    assert len({task[2] for task in made[0].timings["tasks"]}) == 3     # this process and two workers
    return result


def _both(source: Path, tmp: Path) -> tuple[Path, Path]:
    prep = prepare(load(source, BuildOptions()))
    single = write_pdf(prep, PdfOptions(jobs=1))
    parallel = write_in_parallel(source)
    assert single.pages == parallel.pages
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


def test_parts_and_chapters_match_the_single_pass(parts_source, tmp_path):
    single, parallel = _both(parts_source, tmp_path)
    assert_same_book(single, parallel)
    text = pdf_text(single)
    assert "Part 3" in text and "Chapter 3.3" in text


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
