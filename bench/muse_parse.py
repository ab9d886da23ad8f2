"""Time the .muse reader and the normalizer against pandoc on the same file.

    python -m bench.muse_parse [FILE] [--runs N]

Prints the best of N runs of our parse, of the normalization of the parsed
document and of ``pandoc -f muse -t html`` (pandoc's time includes its process
start, as a user would run it), the ratios of pandoc's time to each of ours and
of the normalization to the parse, and whether the targets (parse and normalize
each at least 10x faster than pandoc; the goal for normalize is 20x) are met.
Without pandoc it prints our times only and exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.readers import muse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "muse" / "Ethics_Origin_And_Development.muse"
TARGET = 10.0
NORMALIZE_TARGET = 10.0
NORMALIZE_GOAL = 20.0


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Times:
    parse: float       # best of the runs, seconds
    normalize: float   # best of the runs, seconds
    first: float       # the first normalization of the process (it loads the word list)


def time_normalize(text: str, path: Path, runs: int) -> Times:
    """Best times of ``muse.parse`` and of ``normalize`` on its result, timed in turns
    so that a slower spell of the host weighs on both alike."""
    from pipeline.normalize import normalize

    doc = muse.parse(text, path)
    start = time.perf_counter()
    normalize(doc)
    first = time.perf_counter() - start
    parse = normalizing = float("inf")
    for _ in range(runs):
        parse = min(parse, best_of(1, lambda: muse.parse(text, path)))
        normalizing = min(normalizing, best_of(1, lambda: normalize(doc)))
    return Times(parse, normalizing, first)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    size = len(text.encode("utf-8")) / 1024
    times = time_normalize(text, args.file, args.runs)
    print(f"{args.file.name} ({size:.0f} KB)")
    print(f"zinepress muse reader: {times.parse * 1000:8.1f} ms (best of {args.runs})")
    print(f"zinepress normalize:   {times.normalize * 1000:8.1f} ms (best of {args.runs}; "
          f"first of the process, loading the word list: {times.first * 1000:.1f} ms)")
    print(f"normalize / parse: {times.normalize / times.parse:.2f}")
    pandoc = shutil.which("pandoc")
    if not pandoc:
        print("pandoc: not installed (scripts/setup.sh bench installs it); no comparison made")
        return 0

    def run_pandoc() -> None:
        subprocess.run([pandoc, "-f", "muse", "-t", "html", str(args.file)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    theirs = best_of(args.runs, run_pandoc)
    print(f"pandoc -f muse -t html: {theirs * 1000:8.1f} ms (best of {args.runs})")
    for name, ours, target in (("parse", times.parse, TARGET), ("normalize", times.normalize, NORMALIZE_TARGET)):
        ratio = theirs / ours
        verdict = "met" if ratio >= target else "NOT met"
        print(f"{name}: {ratio:.1f}x faster than pandoc; target >= {target:.0f}x: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
