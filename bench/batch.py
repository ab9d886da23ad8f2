"""Time a batch build of a folder: one process, two processes, and the rebuild
when nothing changed.

    python -m bench.batch [FOLDER] [--format pdf,booklet,epub] [--smallest N]

Builds FOLDER (default: ``../shared/corpus/muse``) with the command line a user
would run, into a temporary folder that is removed afterwards, and prints the
wall times and their ratios: the speed-up of ``--jobs 2`` over ``--jobs 1``
and the cost of a no-change rebuild relative to the full build. ``--smallest N``
builds only the N smallest texts (a quick run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "muse"


def build(src: Path, out: Path, formats: str, *extra: str) -> tuple[float, int]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "build", str(src), "-o", str(out),
                           "--format", formats, "--quiet", *extra],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - start
    failed = sum(line.startswith("error: ") for line in proc.stderr.splitlines())
    return seconds, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--format", default="pdf,booklet,epub")
    parser.add_argument("--smallest", type=int, default=0, help="only the N smallest texts")
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"no folder {args.folder}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="zinepress-bench-") as tmp:
        tmp = Path(tmp)
        src = args.folder
        if args.smallest:
            files = sorted((p for p in args.folder.rglob("*.muse")), key=lambda p: p.stat().st_size)
            src = tmp / "src"
            src.mkdir()
            for file in files[: args.smallest]:
                shutil.copyfile(file, src / file.name)
        texts = sum(1 for p in src.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
        print(f"{texts} texts, {size / 1e6:.1f} MB, formats {args.format}, {os.cpu_count()} cores")
        one, failed1 = build(src, tmp / "one", args.format, "--jobs", "1")
        print(f"--jobs 1            {one:8.1f} s" + (f"  ({failed1} failed)" if failed1 else ""))
        two, failed2 = build(src, tmp / "two", args.format, "--jobs", "2")
        print(f"--jobs 2            {two:8.1f} s" + (f"  ({failed2} failed)" if failed2 else ""))
        again, _ = build(src, tmp / "two", args.format, "--jobs", "2")
        print(f"no-change rebuild   {again:8.1f} s")
        print(f"speed-up of --jobs 2 over --jobs 1: {one / two:.2f}x")
        print(f"no-change rebuild / full build (--jobs 2): {again / two:.3f} ({two / again:.0f}x faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
