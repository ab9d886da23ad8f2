"""Time the .muse reader against pandoc on the same file.

    python -m bench.muse_parse [FILE] [--runs N]

Prints the best of N runs of our parse and of ``pandoc -f muse -t html`` (pandoc's
time includes its process start, as a user would run it), their ratio, and whether
the target "at least 10x faster than pandoc" is met. Without pandoc it prints our
time only and exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

from pipeline.readers import muse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "muse" / "Ethics_Origin_And_Development.muse"
TARGET = 10.0


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    size = len(text.encode("utf-8")) / 1024
    ours = best_of(args.runs, lambda: muse.parse(text, args.file))
    print(f"{args.file.name} ({size:.0f} KB)")
    print(f"zinepress muse reader: {ours * 1000:8.1f} ms (best of {args.runs})")
    pandoc = shutil.which("pandoc")
    if not pandoc:
        print("pandoc: not installed (scripts/setup.sh bench installs it); no comparison made")
        return 0

    def run_pandoc() -> None:
        subprocess.run([pandoc, "-f", "muse", "-t", "html", str(args.file)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    theirs = best_of(args.runs, run_pandoc)
    ratio = theirs / ours
    print(f"pandoc -f muse -t html: {theirs * 1000:8.1f} ms (best of {args.runs})")
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"ratio: {ratio:.1f}x faster than pandoc; target >= {TARGET:.0f}x: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
