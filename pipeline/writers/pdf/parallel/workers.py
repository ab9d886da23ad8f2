"""The parallel layout's workers: processes that lay out parts, keep them, and
finish them when the parent sends their page numbers.

``lay_out`` lays out one part (the body's, or the front or back matter, which
the parent lays out itself) *without its margin boxes*, with the pamphlet's
stylesheets and the user's ``--css`` files (loaded in each process, with their
``@font-face`` fonts, as the single pass loads them), keeps it in the process
that laid it out (``held``) and reports, page by page, the page's name and
side, its geometry, bookmarks, links and anchors, and the named strings
(``string-set``) assigned on it. ``Workers`` starts the processes (forked: they
inherit the engine, stylesheets and fonts the parent loaded) and drives them
over pipes, since a part must be finished by the process that holds it; an
error in one is raised in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from pipeline import interrupt
from pipeline.writers.pdf.parallel.numbering import winning_break
from pipeline.writers.pdf.parallel.plan import Stylesheets


@dataclass
class Task:
    kind: str                      # "front", "body", "back"
    index: int
    html: str
    stylesheets: Stylesheets
    extra_css: str = ""
    # Whether to report the text spans of each page (``pagestarts.page_spans``), for the EPUB's page list.
    page_spans: bool = False


@dataclass
class PageInfo:
    name: str
    side: str
    blank: bool
    geometry: tuple
    bookmarks: list
    links: list
    anchors: dict
    strings: list                  # [(name, text)] assigned on this page, in order


@dataclass
class Laid:
    kind: str
    index: int
    pages: list[PageInfo]
    first_break: str = "auto"
    last_break: str = "auto"
    refused: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    cpu: float = 0.0               # seconds of processor the layout took
    worker: int = 0
    page_spans: list = field(default_factory=list)   # each page's (``Task.page_spans``), or none


@dataclass
class Held:
    """A laid-out part, kept by the process that laid it out, to be finished (again, if
    the contents move the pages after they were numbered)."""

    part: object                   # engine.LaidOutPart
    pages: list[PageInfo]
    pdf_variant: str = ""          # what ``finish`` writes the part as ("" = plain PDF)


# Laid-out parts of this process, by (kind, index).
_HELD: dict[tuple[str, int], Held] = {}


def held(kind: str, index: int) -> Held:
    return _HELD[(kind, index)]


def release() -> None:
    """Forget the laid-out parts this process holds."""
    _HELD.clear()


_SHEET_CACHE: dict = {}


def _stylesheets(stylesheets: Stylesheets, fetcher, extra_css: str, user_sheets=()):
    from weasyprint import CSS
    out = []
    for name in stylesheets.files:
        key = (name, os.stat(name).st_mtime)
        if key not in _SHEET_CACHE:
            _SHEET_CACHE[key] = CSS(filename=name)
        out.append(_SHEET_CACHE[key])
    out += [CSS(string=text, url_fetcher=fetcher, base_url=stylesheets.base_url) for text in stylesheets.strings]
    out += user_sheets
    if extra_css:
        out.append(CSS(string=extra_css))
    return out


def _user_stylesheets(stylesheets: Stylesheets, fetcher):
    """The user's --css files as the single pass loads them: their ``@font-face`` fonts
    in a font configuration of their own, which the rendering must be given too."""
    if not stylesheets.user_files:
        return None, []
    from pipeline.writers.pdf import engine
    from pipeline.writers.pdf.fetch import user_stylesheet

    font_config = engine.FontConfiguration()
    return font_config, [user_stylesheet(Path(p), fetcher, font_config) for p in stylesheets.user_files]


def peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lay_out(task: Task) -> Laid:
    """Lay out one part without its margin boxes, keep it for ``finish`` and report its pages."""
    from weasyprint import HTML

    from pipeline import hyphenation
    from pipeline.writers.pdf import engine, off_page_warnings, pagestarts
    from pipeline.writers.pdf.fetch import SafeFetcher

    engine.fix_footnote_policy()
    hyphenation.register()
    started = time.process_time()
    fetcher = SafeFetcher(task.stylesheets.base_dir, [Path(p).parent for p in task.stylesheets.user_files])
    font_config, user_sheets = _user_stylesheets(task.stylesheets, fetcher)
    html = HTML(string=task.html, base_url=task.stylesheets.base_url, url_fetcher=fetcher)
    part = engine.render_without_margin_boxes(
        html, _stylesheets(task.stylesheets, fetcher, task.extra_css, user_sheets), font_config)
    infos = []
    first_break = last_break = main_break = "auto"
    for number, page in enumerate(part.document.pages):
        for element, tag, break_before, break_after in engine.element_breaks(page):
            if tag == "main" and number == 0 and "text" in (element.get("class") or "").split():
                main_break = break_before
            if element.get("data-zp-first") and first_break == "auto":
                first_break = break_before
            if element.get("data-zp-last"):
                last_break = break_after
        name, side, blank = engine.page_type(page)
        infos.append(PageInfo(
            name=name, side=side, blank=blank, geometry=engine.page_geometry(page),
            bookmarks=engine.page_bookmarks(page), links=engine.page_links(page),
            anchors={anchor: tuple(point) for anchor, point in page.anchors.items()},
            strings=engine.named_strings(page)))
    if task.kind == "body" and task.index == 0:
        first_break = winning_break(first_break, main_break)
    _HELD[(task.kind, task.index)] = Held(part, infos, task.stylesheets.pdf_variant)
    return Laid(task.kind, task.index, infos, first_break, last_break,
                fetcher.refused_messages() + off_page_warnings(part.document.pages),
                peak_rss_mb(), cpu=time.process_time() - started, worker=os.getpid(),
                page_spans=pagestarts.page_spans(part.document.pages) if task.page_spans else [])


def _serve(connection) -> None:
    """A worker process: run what the parent sends (``lay_out``, ``finish``) until it sends None."""
    from pipeline.writers.pdf.parallel import finish   # which imports this module

    interrupt.ignore_in_child()     # Ctrl-C is the parent's: it stops the workers
    calls = {"lay_out": lay_out, "finish": finish.finish_part}
    while True:
        try:
            message = connection.recv()
        except EOFError:                   # the parent is gone
            return
        if message is None:
            return
        name, args = message
        try:
            answer = (True, calls[name](*args))
        except BaseException as error:      # sent to the parent, which raises it
            answer = (False, error, traceback.format_exc())
        try:
            connection.send(answer)
        except Exception:                  # an error that cannot be pickled
            connection.send((False, RuntimeError(answer[-1]), answer[-1]))


class Workers:
    """Worker processes, each keeping the parts it laid out, driven by the parent."""

    def __init__(self, jobs: int):
        # Forked workers start at once, with the engine already imported.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.connections = []
        self.processes = []
        self.busy: dict = {}               # connection -> what it was sent
        try:
            # Ctrl-C held back while they start (see pipeline.interrupt).
            with interrupt.held():
                for _ in range(jobs):
                    ours, theirs = context.Pipe()
                    process = context.Process(target=_serve, args=(theirs,), daemon=True)
                    process.start()
                    theirs.close()
                    self.connections.append(ours)
                    self.processes.append(process)
        except BaseException:
            self.close()
            raise

    def send(self, connection, name: str, *args) -> None:
        self.busy[connection] = (name, args)
        connection.send((name, args))

    def idle(self) -> list:
        return [c for c in self.connections if c not in self.busy]

    def answers(self):
        """Wait for at least one answer: [(connection, what was sent, answer)]."""
        out = []
        for connection in wait(list(self.busy)):
            try:
                answer = connection.recv()
            except EOFError:
                raise RuntimeError("a layout process ended without an answer (out of memory?)") from None
            sent = self.busy.pop(connection)
            if not answer[0]:
                raise answer[1]
            out.append((connection, sent, answer[1]))
        return out

    def close(self) -> None:
        """Stop the workers: an idle one when told to, a busy one (its work is no longer
        wanted: an error, or a text that needs the single pass) at once."""
        for connection, process in zip(self.connections, self.processes):
            if connection in self.busy:
                process.kill()
            else:
                try:
                    connection.send(None)
                except OSError:
                    process.kill()
        for connection, process in zip(self.connections, self.processes):
            process.join()
            connection.close()
