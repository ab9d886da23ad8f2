"""Every performance target, measured in one run, as ratios; writes docs/performance.md.

    python -m bench [--quick] [--skip NAME,...] [--runs N] [--no-write]

Targets (issue "Performance"), each a ratio of two times taken in this run on
this machine, so that they hold whatever the machine's speed:

1. overhead   one corpus article to PDF + booklet + EPUB, in process, at most
              1.15x WeasyPrint's own render + write of the same HTML and CSS;
2. pandoc     the corpus's .muse folder with ``--jobs 2``, at least 3x faster
              than a shell loop of ``pandoc -f muse`` to EPUB and (through
              ``--pdf-engine=weasyprint``) to PDF for each file;
3. long book  the pamphlet of Ethics at most 0.55x one WeasyPrint render + write
              of the same HTML (chapters laid out in parallel processes), as
              ``build --format pdf`` makes it; with the EPUB's page list read
              back (a build making the EPUB too) as a figure;
4. parser     .muse parsing at least 10x faster than ``pandoc -f muse -t html``;
              and the normalizer (repairs and typography of the parsed book)
              at least 10x faster than the same pandoc runs (goal 20x),
              printed with its ratio to the parse;
5. rebuild    a no-change rebuild of the folder under 3% of the full build;
6. memory     peak resident memory of any one process building the long book
              under 500 MB; start-up: ``zinepress --help`` under 0.3 s;
7. catalog    the index and every OPDS feed of 10,000 generated texts rendered
              in under 5 s of processor time (``bench/catalog.py``: no builds;
              an absolute time, not a ratio).
8. hostile    each pathological input of ``bench.hostile`` (runs of openers
              without closers, many notes…) of 1 MB read in under 10 s: a time,
              not a ratio, since nothing else reads them.
9. small      a folder of the six shortest texts with ``--jobs 2``, at least
              3x faster than the pandoc loop (workers start ready to build);
10. library   1,000 texts made from the corpus (``bench/library.py``) with
              ``--jobs 2``: texts per minute; every process under 500 MB; a
              no-change rebuild under 2 s; the catalog; the same build on a
              local two-worker Dask cluster within 1.10x of ``--jobs 2``.
11. mixed     every text of the corpus (every kind, language and length), twice,
              in one ``build --jobs 2``: every process under 500 MB (a worker
              must not keep what each text loaded). Not with ``--quick``.

``--quick`` uses the 8 smallest texts of the folder for targets 2 and 5 (the
full loop of pandoc over the corpus takes many minutes). Timings are wall
clock: take final figures on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.muse_parse import best_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "muse"
ARTICLE = CORPUS / "Anarchist_Communism_Its_Basis_And_Principles.muse"
LONG_BOOK = CORPUS / "Ethics_Origin_And_Development.muse"
REPORT = ROOT / "docs" / "performance.md"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


@dataclass
class Result:
    number: int
    name: str
    target: str
    ratio: float | None
    met: bool | None
    figures: list[str] = field(default_factory=list)
    command: str = ""
    profile: str = ""

    def line(self) -> str:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[self.met]
        ratio = "—" if self.ratio is None else f"{self.ratio:.3g}"
        return f"{self.number}. {self.name}: {ratio} (target {self.target}): {verdict}"


def profile_text(fn, interval: float = 0.005) -> str:
    """A pyinstrument profile of ``fn`` (the ``bench`` extra), or why there is none."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "(pyinstrument not installed: pip install -e '.[bench]')"
    profiler = Profiler(interval=interval)
    profiler.start()
    fn()
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return "\n".join(line for line in text.splitlines() if line.strip())[:6000]


# ---------------------------------------------------------------- the engines' floor

def weasyprint_floor(html_text: str, sheets) -> bytes:
    """WeasyPrint alone: render the same HTML with the same stylesheets, write the PDF."""
    from weasyprint import HTML
    return HTML(string=html_text).render(stylesheets=sheets).write_pdf()


def pamphlet_inputs(source: Path):
    """The pamphlet HTML of ``source`` and the stylesheets the PDF writer uses."""
    from weasyprint import CSS

    from pipeline.build import BuildOptions, load
    from pipeline.render import prepare, style_path
    from pipeline.render.pdf import pdf_html
    from pipeline.writers import pdf as pdf_writer

    doc = load(source, BuildOptions())
    prep = prepare(doc)
    options = pdf_writer.PdfOptions()
    page_css = pdf_writer._page_css(options, doc.metadata.title)
    sheets = [CSS(filename=str(style_path("pamphlet.css"))), CSS(string=page_css)]
    return prep, pdf_html(prep), sheets


def in_turns(runs: int, *fns) -> list[tuple[float, float]]:
    """The best wall time and the best processor time of each of ``fns``, run in turns
    ``runs`` times, so that a slower spell of the host (other work on it) weighs on
    all of them alike."""
    best = [(float("inf"), float("inf"))] * len(fns)
    for _ in range(runs):
        for k, fn in enumerate(fns):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
    return best


def target_overhead(runs: int) -> Result:
    from pipeline.build import BuildOptions, build_one

    prep, html_text, sheets = pamphlet_inputs(ARTICLE)
    weasyprint_floor(html_text, sheets)             # warm both: fonts, caches
    with tempfile.TemporaryDirectory() as tmp:
        options = BuildOptions()
        build_one(ARTICLE, Path(tmp), options)
        (floor, _), (ours, _) = in_turns(runs, lambda: weasyprint_floor(html_text, sheets),
                                         lambda: build_one(ARTICLE, Path(tmp), options))
        ratio = ours / floor
        result = Result(1, "overhead (one article, PDF + booklet + EPUB)", "<= 1.15", ratio, ratio <= 1.15, [
            f"{ARTICLE.name}: zinepress build_one {ours:.2f} s; WeasyPrint render + write {floor:.2f} s "
            f"(best of {runs} each, timed in turns)"],
            "in process: pipeline.build.build_one vs weasyprint.HTML.render().write_pdf()")
        if not result.met:
            result.profile = profile_text(lambda: build_one(ARTICLE, Path(tmp), options))
    return result


def target_long_book(runs: int) -> Result:
    from pipeline.writers.pdf import PdfOptions, write_pdf

    prep, html_text, sheets = pamphlet_inputs(LONG_BOOK)
    made = {}

    def ours():
        made["result"] = write_pdf(prep, PdfOptions(jobs=2), page_list=False)

    def with_page_list():
        write_pdf(prep, PdfOptions(jobs=2))
    (floor, floor_cpu), (wall, _), (listed, _) = in_turns(runs, lambda: weasyprint_floor(html_text, sheets), ours,
                                                          with_page_list)
    ratio = wall / floor
    figures = [f"{LONG_BOOK.name}: pamphlet with --jobs 2 {wall:.1f} s ({made['result'].pages} pages), as "
               f"`build --format pdf` makes it; one WeasyPrint render + write {floor:.1f} s (best of {runs} each, "
               "timed in turns)",
               f"with the EPUB's page list read from each part as it is laid out (a build that makes the EPUB "
               f"too): {listed:.1f} s, {listed / floor:.3f} of one pass"]
    from pipeline.writers.pdf.parallel import Stylesheets, write_parallel
    from pipeline.writers import pdf as pdf_writer
    from pipeline.render import style_path
    part_sheets = Stylesheets([str(style_path("pamphlet.css"))],
                              [pdf_writer._page_css(PdfOptions(), prep.doc.metadata.title)], None, prep.doc.base_dir)
    detail = write_parallel(html_text, part_sheets, 2)
    if detail is not None:
        t = detail.timings
        figures.append(f"stages (wall): plan {t['plan']:.2f} s, parts laid out (and the first finished) "
                       f"{t['laid out']:.1f} s, then the last finished (margin boxes, writing) {t['finished']:.1f} s, "
                       f"join {t['join']:.2f} s")
        per_process: dict = {}
        for kind, index, process, layout, finish, pages in t["tasks"]:
            per_process[process] = per_process.get(process, 0.0) + layout + finish
        busiest = max(per_process.values())
        path = t["plan"] + busiest + t["join"]
        figures.append(f"critical path in processor time, in one more run (plan + busiest process + join): "
                       f"{path:.1f} s against {floor_cpu:.1f} s for one WeasyPrint pass: {path / floor_cpu:.2f}")
        figures.append("processor time of each process: " + ", ".join(f"{v:.1f} s" for v in per_process.values())
                       + "; tasks (kind, part, layout s, margin boxes + writing s, pages): "
                       + ", ".join(f"{k} {i} {a} {b} {n}" for k, i, _, a, b, n in t["tasks"]))
    result = Result(3, "long book (Ethics pamphlet, parallel layout)", "<= 0.55", ratio, ratio <= 0.55, figures,
                    "in process: write_pdf(prep, PdfOptions(jobs=2), page_list=False) vs "
                    "weasyprint.HTML.render().write_pdf()")
    if not result.met and detail is not None:
        figures.append(parts_one_after_another(html_text, part_sheets, detail.timings["tasks"]))
    if not result.met:
        result.profile = profile_text(ours)
    return result


def parts_one_after_another(html_text: str, sheets, tasks_in_parallel: list) -> str:
    """Processor time of the body parts laid out and finished one after another in
    this process, against the same parts done by two processes at once: what the
    two cores cost each other (shared caches, a shared physical core)."""
    from pipeline.writers.pdf.parallel import PARTS_PER_WORKER, finish, plan, workers

    cut = plan.cut_book(html_text, 2 * PARTS_PER_WORKER)
    alone = 0.0
    for index in range(len(cut.parts)):
        laid = workers.lay_out(workers.Task("body", index, plan.body_html(cut, index), sheets))
        alone += laid.cpu + finish.finish_part("body", index, 1, "right", []).cpu
    workers.release()
    together = sum(layout_cpu + finish_cpu for kind, _, _, layout_cpu, finish_cpu, _ in tasks_in_parallel
                   if kind == "body")
    return (f"the body parts in processor time: {together:.1f} s done by two processes at once, "
            f"{alone:.1f} s one after another in one process ({together / alone:.2f}×: what the two "
            "cores cost each other)")


# ---------------------------------------------------------------- against pandoc

def corpus_folder(tmp: Path, quick: bool) -> Path:
    if not quick:
        return CORPUS
    src = tmp / "src"
    src.mkdir()
    for file in sorted(CORPUS.glob("*.muse"), key=lambda p: p.stat().st_size)[:8]:
        shutil.copyfile(file, src / file.name)
    return src


def zinepress_build(src: Path, out: Path, *extra: str) -> float:
    from bench.batch import build
    seconds, failed = build(src, out, "pdf,booklet,epub", *extra)
    if failed:
        print(f"  warning: {failed} sources failed to build", file=sys.stderr)
    return seconds


def pandoc_loop(src: Path, out: Path) -> str:
    """The shell loop of pandoc over ``src``. Run it in a temporary folder: pandoc's
    PDF engine leaves its ``html2pdf*`` files in its working folder."""
    out.mkdir(parents=True, exist_ok=True)
    return (f'for f in {shlex.quote(str(src))}/*.muse; do n=$(basename "$f" .muse); '
            f'pandoc -f muse -o {shlex.quote(str(out))}/"$n".epub "$f"; '
            f'pandoc -f muse --pdf-engine=weasyprint -o {shlex.quote(str(out))}/"$n".pdf "$f"; done')


def targets_batch(quick: bool) -> list[Result]:
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory(prefix="zinepress-bench-") as tmp:
        tmp = Path(tmp)
        src = corpus_folder(tmp, quick)
        texts = len(list(src.glob("*.muse")))
        full = zinepress_build(src, tmp / "ours", "--jobs", "2")
        again = zinepress_build(src, tmp / "ours", "--jobs", "2")
        rebuild = again / full
        results = [Result(5, "no-change rebuild of the folder", "< 3%", rebuild, rebuild < 0.03, [
            f"{texts} texts: full build {full:.1f} s, rebuild with nothing changed {again:.2f} s "
            f"({rebuild:.1%})"], f"python -m pipeline build {src} -o OUT --jobs 2 (twice)")]
        if not pandoc:
            results.append(Result(2, "batch vs pandoc", ">= 3", None, None,
                                  ["pandoc not installed (scripts/setup.sh bench installs it)"]))
            return results
        loop = pandoc_loop(src, tmp / "pandoc")
        env = {**ENV, "PATH": f"{ROOT / '.venv' / 'bin'}:{ENV.get('PATH', '')}"}
        start = time.perf_counter()
        proc = subprocess.run(["bash", "-c", loop], env=env, capture_output=True, text=True, cwd=tmp)
        theirs = time.perf_counter() - start
        made = len(list((tmp / "pandoc").glob("*.pdf")))
        ratio = theirs / full
        results.append(Result(2, "batch vs pandoc (folder to PDF, booklet, EPUB, --jobs 2)", ">= 3",
                              ratio, ratio >= 3, [
                                  f"{texts} texts: zinepress --jobs 2 {full:.1f} s; pandoc loop {theirs:.1f} s "
                                  f"({made} PDFs made by pandoc{'' if proc.returncode == 0 else ', some failed'})"],
                              "pandoc loop: " + loop.replace(str(tmp), "TMP")))
    return results


def target_small_batch() -> Result:
    """Six short articles: where the workers' start-up weighs most."""
    pandoc = shutil.which("pandoc")
    if not pandoc:
        return Result(9, "six short texts vs pandoc", ">= 3", None, None,
                      ["pandoc not installed (scripts/setup.sh bench installs it)"])
    with tempfile.TemporaryDirectory(prefix="zinepress-bench-") as tmp:
        tmp = Path(tmp)
        src = tmp / "src"
        src.mkdir()
        for file in sorted(CORPUS.glob("*.muse"), key=lambda p: p.stat().st_size)[:6]:
            shutil.copyfile(file, src / file.name)
        ours = min(zinepress_build(src, tmp / f"ours{n}", "--jobs", "2") for n in range(3))
        loop = pandoc_loop(src, tmp / "pandoc")
        env = {**ENV, "PATH": f"{ROOT / '.venv' / 'bin'}:{ENV.get('PATH', '')}"}
        start = time.perf_counter()
        subprocess.run(["bash", "-c", loop], env=env, capture_output=True, text=True, cwd=tmp)
        theirs = time.perf_counter() - start
    ratio = theirs / ours
    return Result(9, "six short texts vs pandoc (PDF, booklet, EPUB, --jobs 2)", ">= 3", ratio, ratio >= 3,
                  [f"zinepress --jobs 2 best of 3: {ours:.1f} s; pandoc loop {theirs:.1f} s"],
                  "python -m pipeline build SIX -o OUT --jobs 2; pandoc loop as in 2")


def targets_library(quick: bool) -> list[Result]:
    from bench.library import describe, measure

    m = measure(40 if quick else 1000)
    figures, command = describe(m), f"python -m bench.library --texts {m['texts']}"
    results = [
        # A figure, not a target: met when every text was built.
        Result(10, f"library of {m['texts']:,} texts, --jobs 2 (texts per minute)", "every text built",
               m["built"] / m["build"] * 60, m["exit"] == 0 and m["built"] == m["texts"], figures, command),
        Result(10, "library: largest process (MB)", "<= 500", m["peak_mb"], m["peak_mb"] <= 500, [], command),
        Result(10, "library: no-change rebuild (s)", "< 2", m["rebuild"], m["rebuild"] < 2, [], command)]
    if m.get("cluster"):
        ratio = m["cluster"] / m["build"]
        results.append(Result(10, "library: local Dask cluster / --jobs 2", "<= 1.10", ratio, ratio <= 1.10, [],
                              command))
    if not quick:
        from bench.library import describe_mixed, mixed
        m = mixed()
        results.append(Result(11, "mixed library in one batch (the corpus twice): largest process (MB)", "<= 500",
                              m["peak_mb"], m["peak_mb"] <= 500, describe_mixed(m),
                              "python -m bench.library --mixed"))
    return results


def target_parser(runs: int) -> list[Result]:
    """The .muse reader and the normalizer on the long book, each against pandoc's
    Muse reader timed in the same run; and the normalizer against the reader."""
    from bench.muse_parse import NORMALIZE_GOAL, NORMALIZE_TARGET, TARGET, time_normalize
    from pipeline.readers import muse

    text = LONG_BOOK.read_text(encoding="utf-8")
    times = time_normalize(text, LONG_BOOK, runs)
    ours, normalizing = times.parse, times.normalize
    pandoc = shutil.which("pandoc")
    theirs = best_of(runs, lambda: subprocess.run([pandoc, "-f", "muse", "-t", "html", str(LONG_BOOK)],
                                                  check=True, stdout=subprocess.DEVNULL)) if pandoc else None
    against_parse = (f"normalize / parse: {normalizing / ours:.2f} (normalize {normalizing * 1000:.0f} ms, "
                     f"muse.parse {ours * 1000:.0f} ms, best of {runs}, timed in turns; the first normalization "
                     f"of a process, which loads the language's word list, {times.first * 1000:.0f} ms)")
    if theirs is None:
        return [Result(4, "parser vs pandoc", f">= {TARGET:.0f}", None, None,
                       [f"ours {ours * 1000:.0f} ms; pandoc not installed"]),
                Result(4, "normalize vs pandoc's Muse reader", f">= {NORMALIZE_TARGET:.0f}", None, None,
                       [against_parse, "pandoc not installed"])]
    ratio = theirs / ours
    parser = Result(4, "parser vs pandoc (.muse to the document model)", f">= {TARGET:.0f}", ratio, ratio >= TARGET, [
        f"{LONG_BOOK.name}: muse.parse {ours * 1000:.0f} ms; pandoc -f muse -t html {theirs * 1000:.0f} ms "
        f"(best of {runs}, pandoc's process start included)"], "python -m bench.muse_parse")
    ratio = theirs / normalizing
    normalizer = Result(
        4, "normalize vs pandoc's Muse reader (repairs and typography of the long book)",
        f">= {NORMALIZE_TARGET:.0f} (goal {NORMALIZE_GOAL:.0f})", ratio, ratio >= NORMALIZE_TARGET, [
            f"{LONG_BOOK.name}: pipeline.normalize.normalize {normalizing * 1000:.0f} ms; pandoc -f muse -t html "
            f"{theirs * 1000:.0f} ms (the same pandoc runs as above)", against_parse],
        "python -m bench.muse_parse")
    if not normalizer.met:
        doc = muse.parse(text, LONG_BOOK)
        from pipeline.normalize import normalize
        normalizer.profile = profile_text(lambda: normalize(doc), interval=0.001)
    return [parser, normalizer]


def target_hostile() -> Result:
    """Each pathological input of ``bench.hostile`` at 1 MB read in under 10 s."""
    from bench.hostile import TARGET_SECONDS, measure

    timeout = 6 * TARGET_SECONDS
    times = measure(2**20, timeout)
    worst = max((t[0] if t is not None else float("inf")) for _, t in times)
    figures = [f"{name}: " + (f"> {timeout:.0f} s wall" if t is None else
                              f"{t[0]:.2f} s processor, {t[1]:.2f} s wall") for name, t in times]
    return Result(8, "pathological inputs of 1 MB, slowest read (processor s)", f"< {TARGET_SECONDS:.0f}",
                  None if worst == float("inf") else worst, worst < TARGET_SECONDS, figures,
                  "python -m bench.hostile")


# ---------------------------------------------------------------- memory, start-up

MEASURE_TREE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def target_memory_and_startup(runs: int) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        # ru_maxrss of RUSAGE_CHILDREN: the largest of every process of the tree.
        out = subprocess.run([sys.executable, "-c", MEASURE_TREE, sys.executable, "-m", "pipeline", "build",
                              str(LONG_BOOK), "-o", tmp, "--force"],
                             capture_output=True, text=True, env=ENV, cwd=ROOT)
    peak = int(out.stdout.strip() or 0) / 1024 if out.returncode == 0 else None
    memory = Result(6, "peak memory per process (long book, PDF + booklet + EPUB)", "< 500 MB", peak,
                    None if peak is None else peak < 500,
                    [f"largest resident set of any process: {peak:.0f} MB" if peak else out.stderr[-500:]],
                    f"python -m pipeline build {LONG_BOOK.name} (ru_maxrss of every process)")
    exe = ROOT / ".venv" / "bin" / "zinepress"
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "pipeline"]), "--help"]
    start_up = best_of(max(runs, 5), lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV))
    startup = Result(6, "start-up (zinepress --help)", "< 0.3 s", start_up, start_up < 0.3,
                     [f"best of {max(runs, 5)}: {start_up * 1000:.0f} ms"], " ".join(cmd[-2:]))
    return [memory, startup]


def target_catalog() -> Result:
    from bench.catalog import TARGET, TEXTS, describe, measure, rendered

    m = measure(TEXTS)
    seconds = rendered(m)
    return Result(7, f"catalog of {TEXTS:,} texts (index.html and every OPDS feed)", f"< {TARGET:.0f} s",
                  seconds, seconds < TARGET, describe(m), "python -m bench.catalog")


# ---------------------------------------------------------------- the report

def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{int(mem) / 1024 / 1024:.1f} GB"
    except OSError:
        memory = "unknown"
    import weasyprint
    pandoc = shutil.which("pandoc")
    pandoc_version = (subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                      if pandoc else "not installed")
    load = os.getloadavg()
    return [f"cores (nproc): {os.cpu_count()}", f"processor: {cpu}", f"memory: {memory}",
            f"system: {platform.platform()}, Python {platform.python_version()}",
            f"WeasyPrint {weasyprint.__version__}; {pandoc_version}",
            f"load average at the start: {load[0]:.1f} (above {os.cpu_count()} means other work shared "
            "the processors and the wall times are not final)"]


def write_report(results: list[Result], about: list[str], args, seconds: float) -> None:
    lines = ["# Performance", "",
             "Written by `make bench` (`python -m bench`"
             + (" --quick" if args.quick else "") + "). Every figure is a ratio of two wall times "
             "measured in the same run on the same machine.", "",
             f"Run of {datetime.date.today().isoformat()}, {seconds / 60:.0f} min.", "", "## Machine", ""]
    lines += [f"- {item}" for item in about]
    lines += ["", "## Targets", "", "| # | target | measured | goal | |", "|---|---|---|---|---|"]
    for r in results:
        verdict = {True: "met", False: "**not met**", None: "not measured"}[r.met]
        ratio = "—" if r.ratio is None else f"{r.ratio:.3g}"
        lines.append(f"| {r.number} | {r.name} | {ratio} | {r.target} | {verdict} |")
    lines += ["", "## Figures and commands", ""]
    for r in results:
        lines += [f"### {r.number}. {r.name}", ""]
        lines += [f"- {figure}" for figure in r.figures]
        if r.command:
            lines += [f"- command: `{r.command}`"]
        if r.profile:
            lines += ["", "Profile of our side (pyinstrument):", "", "```", r.profile, "```"]
        lines.append("")
    # The report names paths relative to the repository, never this machine's.
    text = "\n".join(lines).replace(str(ROOT.parent) + "/", "../").replace(str(ROOT) + "/", "")
    REPORT.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="targets 2 and 5 on the 8 smallest texts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", default="",
                        help="comma-separated: overhead,long,batch,parser,memory,small,catalog,hostile,library")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {REPORT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    about = machine()
    for item in about:
        print(item)
    steps = [("parser", lambda: target_parser(max(args.runs, 5))),
             ("overhead", lambda: [target_overhead(args.runs)]),
             ("memory", lambda: target_memory_and_startup(args.runs)),
             # A turn of the long book takes half a minute, over which the host's speed
             # drifts by more than the target's margin: five turns.
             ("long", lambda: [target_long_book(max(args.runs, 5))]),
             ("batch", lambda: targets_batch(args.quick)),
             ("small", lambda: [target_small_batch()]),
             ("catalog", lambda: [target_catalog()]),
             ("hostile", lambda: [target_hostile()]),
             ("library", lambda: targets_library(args.quick))]
    results: list[Result] = []
    for name, step in steps:
        if name in skip:
            continue
        for result in step():
            results.append(result)
            print(result.line(), flush=True)
            for figure in result.figures:
                print("   ", figure, flush=True)
    results.sort(key=lambda r: r.number)
    print("\nSummary:")
    for result in results:
        print(" ", result.line())
    if not args.no_write:
        write_report(results, about, args, time.perf_counter() - started)
        print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
