"""A YAML alias bomb in front matter ends in one line, quickly and in little memory.

Nested aliases (``b: [*a, *a, …]``, ``c: [*b, *b, …]``…) make some 700 bytes
expand to billions of nodes. The source is read in a child process whose
address space is capped (so a regression fails with ``MemoryError`` instead of
eating the machine) and which reports its own peak memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.errors import SourceSyntaxError
from pipeline.readers import markdown

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 500


def _bomb() -> str:
    lines = ["---", "title: T", "author: A", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n---\n\nText.\n"


CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
    from pipeline.errors import ZinepressError
    from pipeline.readers import read
    try:
        read(sys.argv[1])
        print("read")
    except ZinepressError as exc:
        print(exc)
    # the peak of this program's own memory (VmHWM): not ru_maxrss, which Linux
    # carries over exec from the process that started it (here a test worker)
    status = open("/proc/self/status").read()
    print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
""")


def test_alias_bomb_is_refused_with_one_line_in_little_memory(tmp_path):
    source = tmp_path / "bomb.md"
    source.write_text(_bomb())
    assert len(source.read_bytes()) < 800
    done = subprocess.run([sys.executable, "-c", CHILD, str(source)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # a guard against a hang, not a measure
    assert done.returncode == 0, done.stderr
    message, peak_mb = done.stdout.strip().split("\n")
    assert message.startswith(f"{source}:5: the YAML front matter uses an alias (*name)"), message
    assert "write the value out" in message
    assert int(peak_mb) < LIMIT_MB, peak_mb


def test_anchors_without_aliases_are_read():
    data, body, lines = markdown.split_front_matter("---\ntitle: &t T\nauthor: A\n---\nBody\n")
    assert data == {"title": "T", "author": "A"} and body == "Body\n" and lines == 4


@pytest.mark.parametrize("value", ["*t", "[*t]", "{<<: *t}"])
def test_any_alias_is_refused(value):
    with pytest.raises(SourceSyntaxError, match=r"alias \(\*name\)") as info:
        markdown.split_front_matter(f"---\ntitle: &t T\nauthor: A\nx: {value}\n---\nBody\n")
    assert info.value.line == 4
