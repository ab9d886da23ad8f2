"""A whole library: texts made from the corpus, built as a user builds a library.

    python -m bench.library [--texts 1000] [--no-cluster]
    python -m bench.library --mixed

Writes TEXTS texts to a temporary folder: the corpus's Muse texts of every
language under 40 KB, in turn, each copy with a title and author of its own,
one subfolder per language. Then, with the command line a user would run:

- ``build LIBRARY -o OUT --jobs 2``: texts per minute, and the largest
  resident memory of any process of the build — the command and every
  worker, each waited for by the measuring process (it is made their
  subreaper, so the ones the command leaves to end after it are counted too);
- the size of ``OUT/.zinepress-manifest.json``;
- the same build again with nothing changed;
- ``catalog OUT``;
- the same build on a local Dask cluster of two single-threaded workers
  (``--scheduler``), against ``--jobs 2``.

And a mixed library (``mixed``): every text of the corpus, of every kind
(Muse, Markdown exports, plain text), language and length (the long book, the
Chinese texts and their CJK fonts), twice, in one ``build --jobs 2``: the
largest resident memory of any process, where a worker that kept what each
text loaded would grow.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
MAX_SOURCE_BYTES = 40_000
AUTHORS = ["Ada Brand", "Émile Roux", "Marta Kovač", "Li Wen", "Sam Okafor", "Nadia Haddad", "Jon Berg"]

# Run COMMAND...; print its exit code, wall seconds and the largest ru_maxrss
# (KB) of every process of its tree.
MEASURE = """
import ctypes, os, resource, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - start
while True:                     # descendants left to end after the command, now ours
    try:
        os.wait()
    except ChildProcessError:
        break
print(code, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def make_library(folder: Path, texts: int) -> list[Path]:
    """``texts`` Muse texts in ``folder``, one subfolder per corpus language folder."""
    sources = sorted(p for p in CORPUS.rglob("*.muse") if p.stat().st_size <= MAX_SOURCE_BYTES)
    made = []
    for n in range(texts):
        source = sources[n % len(sources)]
        text = source.read_text(encoding="utf-8")
        title = re.search(r"(?m)^#title (.*)$", text)
        name = f"{title.group(1).strip() if title else source.stem} ({n // len(sources) + 1})"
        author = AUTHORS[n % len(AUTHORS)]
        # (a text of the corpus that names no author, on purpose, gets one here)
        for field, value in (("author", author), ("title", name)):
            text, found = re.subn(rf"(?m)^#{field} .*$", lambda m: f"#{field} {value}", text, count=1)
            if not found:
                text = f"#{field} {value}\n" + text
        target = folder / source.parent.name / f"{n:04d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        made.append(target)
    return made


def measured(*args: str) -> tuple[int, float, float]:
    """(exit code, wall seconds, largest resident MB of any process) of ``python -m pipeline ARGS``."""
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "pipeline", *args],
                         capture_output=True, text=True, env=ENV, cwd=ROOT, check=True)
    code, seconds, peak = out.stdout.split()
    return int(code), float(seconds), int(peak) / 1024


def measure(texts: int, cluster: bool = True) -> dict:
    with tempfile.TemporaryDirectory(prefix="zinepress-library-") as tmp:
        tmp = Path(tmp)
        library, out = tmp / "library", tmp / "out"
        make_library(library, texts)
        code, build, peak = measured("build", str(library), "-o", str(out), "--jobs", "2", "--quiet")
        built = json.loads((out / ".zinepress-manifest.json").read_text(encoding="utf-8"))["sources"]
        result = {"texts": texts, "built": len(built), "exit": code, "build": build, "peak_mb": peak,
                  "manifest_bytes": (out / ".zinepress-manifest.json").stat().st_size}
        _, result["rebuild"], _ = measured("build", str(library), "-o", str(out), "--jobs", "2", "--quiet")
        _, result["catalog"], _ = measured("catalog", str(out), "--title", "Bench library")
        if cluster:
            result["cluster"] = _cluster_build(library, tmp / "cluster")
    return result


def mixed(copies: int = 2) -> dict:
    """The mixed library: every text of the corpus, ``copies`` times, built in one batch."""
    with tempfile.TemporaryDirectory(prefix="zinepress-mixed-") as tmp:
        library, out = Path(tmp) / "library", Path(tmp) / "out"
        texts = 0
        for copy in range(1, copies + 1):
            for source in sorted(p for p in CORPUS.glob("*/*") if p.is_file()):
                target = library / f"copy-{copy}" / source.parent.name / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
                texts += 1
        code, seconds, peak = measured("build", str(library), "-o", str(out), "--jobs", "2", "--quiet")
        built = json.loads((out / ".zinepress-manifest.json").read_text(encoding="utf-8"))["sources"]
    return {"texts": texts, "built": len(built), "exit": code, "build": seconds, "peak_mb": peak}


def describe_mixed(m: dict) -> list[str]:
    # The corpus holds texts that state no title or author: they stop with that error, as they must.
    return [f"the corpus twice, {m['texts']} texts of every kind and language ({m['built']} built, the others "
            f"stopped with their error; exit {m['exit']}), one build --jobs 2 in {m['build']:.0f} s",
            f"largest resident memory of any process of the build: {m['peak_mb']:.0f} MB"]


def _cluster_build(library: Path, out: Path) -> float | None:
    try:
        import distributed
    except ImportError:
        return None
    import dask

    # Workers started as the README starts them: the engines preloaded, the
    # sampling profiler off. No dashboard; the scheduler's own web server on a
    # free port, not 8787.
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                                     preload=["pipeline.batch.preload"]) as cluster:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "build", str(library), "-o", str(out), "--quiet",
                        "--scheduler", cluster.scheduler_address], env=ENV, cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def describe(m: dict) -> list[str]:
    lines = [f"{m['texts']:,} texts ({m['built']:,} built, exit {m['exit']}): --jobs 2 in {m['build']:.0f} s, "
             f"{m['built'] / m['build'] * 60:.0f} texts per minute",
             f"largest resident memory of any process of the build: {m['peak_mb']:.0f} MB",
             f"manifest: {m['manifest_bytes'] / 1024:.0f} KB",
             f"no-change rebuild: {m['rebuild']:.2f} s", f"catalog: {m['catalog']:.1f} s"]
    if m.get("cluster"):
        lines.append(f"local Dask cluster of two workers: {m['cluster']:.0f} s, "
                     f"{m['cluster'] / m['build']:.2f} of --jobs 2")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--no-cluster", action="store_true")
    parser.add_argument("--mixed", action="store_true", help="the mixed library instead (the corpus twice)")
    args = parser.parse_args()
    found = describe_mixed(mixed()) if args.mixed else describe(measure(args.texts, cluster=not args.no_cluster))
    for line in found:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
