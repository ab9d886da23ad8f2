"""Time ``read()`` on pathological inputs of 1 MB: runs of openers without
closers and the like, each of which made a reader quadratic.

    python -m bench.hostile [--size BYTES] [--timeout SECONDS] [NAME ...]

Each input is read in a child process (killed after ``--timeout``); the
processor seconds it used are printed, and its wall time. The target is under
10 s each: processor time, which is the wall time on an idle machine and does
not grow when other work shares the cores.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
MD_HEAD = "---\ntitle: T\nauthor: A\n---\n\n"
MUSE_HEAD = "#title T\n#author A\n\n"
TXT_HEAD = "T\nby A\n\n"


def _repeat(head: str, unit: str):
    return lambda size: head + unit * max(1, (size - len(head)) // len(unit))


def _md_notes(size: int) -> str:
    n = size // 24
    return MD_HEAD + "".join(f"x[^{i}] " for i in range(n)) + "\n\n" + "".join(
        f"[^{i}]: n\n" for i in range(n))


def _md_refs_only(size: int) -> str:
    return MD_HEAD + "".join(f"x[^{i}] " for i in range(size // 8))


def _md_defs_only(size: int) -> str:
    # as many notes as "md footnotes" (24 bytes each), none called
    return MD_HEAD + "".join(f"[^{i}]: ".ljust(23, "n") + "\n" for i in range(size // 24))


def _muse_notes(size: int) -> str:
    n = size // 24
    return MUSE_HEAD + "".join(f"x[{i + 1}] " for i in range(n)) + "\n\n" + "".join(
        f"[{i + 1}] n\n\n" for i in range(n))


# name → (file suffix, text of about ``size`` bytes)
INPUTS = {
    "md [": (".md", _repeat(MD_HEAD, "[")),
    "md ![a": (".md", _repeat(MD_HEAD, "![a")),
    "md [ in paragraphs": (".md", _repeat(MD_HEAD, "[" * 600 + "\n\n")),
    "md [[a][b": (".md", _repeat(MD_HEAD, "[[a][b")),
    "md <![CDATA[": (".md", _repeat(MD_HEAD, "<![CDATA[")),
    "md [a](": (".md", _repeat(MD_HEAD, "[a](")),
    "md footnotes": (".md", _md_notes),
    "md [^n] without notes": (".md", _md_refs_only),
    "md notes without [^n]": (".md", _md_defs_only),
    "md unpaired ^": (".md", _repeat(MD_HEAD, "x^1 ")),
    "md unpaired ~": (".md", _repeat(MD_HEAD, "x~1 ")),
    "md rules in one block": (".md", _repeat(MD_HEAD, "  a    b\n  ---- ----\n")),
    "md grid table borders": (".md", _repeat(MD_HEAD, "+---+---+\n| a | b |\n")),
    "txt contents-like runs": (".txt", _repeat(TXT_HEAD, "Alpha 1\nBeta 2\nGamma 3\nA line of prose.\n")),
    "txt colophon lines": (".txt", _repeat(TXT_HEAD, "The Anarchist Library\nAnti-Copyright\nRetrieved on x\n")),
    "txt Feedbooks matter": (".txt", _repeat(TXT_HEAD, "Feedbooks\nA Propos de l'auteur:\nCopyright: x\n")),
    "txt Feedbooks about blocks": (".txt", _repeat(TXT_HEAD + "Feedbooks\n\n", "About X:\n\nSource: y\n\n")),
    "muse =a": (".muse", _repeat(MUSE_HEAD, "=a ")),
    "muse [[a": (".muse", _repeat(MUSE_HEAD, "[[a")),
    "muse <verbatim>a": (".muse", _repeat(MUSE_HEAD, "<verbatim>a")),
    "muse <code>a": (".muse", _repeat(MUSE_HEAD, "<code>a")),
    "muse ~~": (".muse", _repeat(MUSE_HEAD, "a~~")),
    "muse <em>a": (".muse", _repeat(MUSE_HEAD, "<em>a")),
    "muse [1] without note": (".muse", _repeat(MUSE_HEAD, "a[1] ")),
    "muse footnotes": (".muse", _muse_notes),
}

CHILD = """
import sys
from pipeline.errors import ZinepressError
from pipeline.readers import read
try:
    read(sys.argv[1])
except ZinepressError as exc:
    print(exc)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_one(name: str, size: int, timeout: float) -> tuple[float, float] | None:
    """(processor seconds, wall seconds) to read the input ``name`` of ``size``
    bytes in a fresh process (its start-up included), None past ``timeout``."""
    suffix, make = INPUTS[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_text(make(size), encoding="utf-8")
        started, cpu = time.perf_counter(), _children_cpu()
        try:
            subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return _children_cpu() - cpu, time.perf_counter() - started


def measure(size: int = 2**20, timeout: float = 60.0, names=None) -> list[tuple[str, tuple[float, float] | None]]:
    return [(name, time_one(name, size, timeout)) for name in (names or INPUTS)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", choices=[[], *INPUTS], metavar="NAME")
    ap.add_argument("--size", type=int, default=2**20)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    for name in args.names or INPUTS:
        seconds = time_one(name, args.size, args.timeout)
        shown = (f"> {args.timeout:.0f} s wall" if seconds is None
                 else f"{seconds[0]:6.2f} s processor ({seconds[1]:.2f} s wall)")
        met = seconds is not None and seconds[0] < TARGET_SECONDS
        print(f"{name:24} {shown}  {'met' if met else 'NOT met'} (target < {TARGET_SECONDS:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
