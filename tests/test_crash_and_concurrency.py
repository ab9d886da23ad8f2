"""Crashes and concurrency: a build killed at any moment leaves, for every output,
the previous complete file or none — never a truncated one — and the next build
repairs everything (temporary files, the incremental manifest); two builds into
the same folder at once both finish with valid outputs."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, ROOT, ZINEPRESS, corpus_file

MANIFEST = ".zinepress-manifest.json"
SOURCES = [
    ROOT / "sources" / "azat-miftakhov.txt",
    FIXTURES / "plain" / "The_Last_War.txt",
]
CORPUS_SOURCES = ["muse/Letter_Berkman.muse", "muse/Letter_To_Lenin.muse", "muse/Process_Under_Socialism.muse"]


def make_sources(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for path in SOURCES + [corpus_file(name) for name in CORPUS_SOURCES]:
        shutil.copyfile(path, folder / path.name)
    return sorted(p for p in folder.iterdir() if p.is_file())


def start_build(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*ZINEPRESS, "build", str(src), "-o", str(out), "--quiet", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_interruptible)


def _interruptible() -> None:
    """Ctrl-C must reach the build even when the tests run where SIGINT is ignored
    (a child inherits an ignored SIGINT, and Python then never raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)      # a guard against a hang, not a measure
    return proc.returncode, out, err


def check_pdf(path: Path) -> None:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    assert info.returncode == 0, f"{path.name} does not open: {info.stderr.strip()}"
    assert int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1)) > 0, path.name


def check_epub(path: Path) -> None:
    with zipfile.ZipFile(path) as z:          # raises on a truncated archive
        assert z.testzip() is None, path.name
        first = z.infolist()[0]
        assert first.filename == "mimetype" and z.read("mimetype") == b"application/epub+zip", path.name
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(z.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        hrefs = opf.xpath("//*[local-name()='manifest']/*[local-name()='item']/@href")
        assert hrefs, path.name
        for href in hrefs:
            data = z.read(base + href)
            if href.endswith(".xhtml"):
                etree.fromstring(data)


def check_outputs(out: Path) -> dict[str, int]:
    """Every visible output is complete; returns counts by kind."""
    counts = {"pdf": 0, "epub": 0}
    if not out.exists():
        return counts
    for path in sorted(out.iterdir()):
        if path.name.startswith("."):
            assert path.name in (MANIFEST, ".zinepress-lock") or path.name.endswith(".part"), path.name
            continue
        if path.suffix == ".pdf":
            check_pdf(path)
            counts["pdf"] += 1
        elif path.suffix == ".epub":
            check_epub(path)
            counts["epub"] += 1
        else:
            pytest.fail(f"unexpected file in the output folder: {path.name}")
    manifest = out / MANIFEST
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))    # never half-written
        assert isinstance(data.get("sources"), dict)
    return counts


def test_killed_builds_leave_complete_files_or_none(tmp_path):
    """SIGKILL (and sometimes Ctrl-C) at seeded random moments, several times,
    then one build to the end: every output valid at every step, no temporary
    file left once a build completes, and a rebuild skips everything."""
    src = tmp_path / "src"
    sources = make_sources(src)
    out = tmp_path / "out"
    rng = random.Random(20240611)
    kills = 0
    started = time.monotonic()
    # Bounded work: at most 8 interruptions and about 30 s of them.
    while kills < 8 and time.monotonic() - started < 30:
        # Change one source now and then so some outputs are rewritten over old ones.
        victim = rng.choice(sources)
        victim.write_text(victim.read_text(encoding="utf-8") + f"\n\nAdded {kills}.\n", encoding="utf-8")
        proc = start_build(src, out, "--jobs", rng.choice(["1", "2"]), *(["--force"] if kills % 2 else []))
        time.sleep(rng.uniform(0.3, 4.5))
        sig = signal.SIGINT if kills % 4 == 3 else signal.SIGKILL
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        kills += 1
        check_outputs(out)

    rc, _, err = finish(start_build(src, out, "--jobs", "2"))
    assert rc == 0, err
    counts = check_outputs(out)
    assert counts == {"pdf": 2 * len(sources), "epub": len(sources)}
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["sources"]
    assert sorted(entries) == sorted(p.name for p in sources)
    # The manifest now says everything is up to date.
    rc, stdout, err = finish(subprocess.Popen([*ZINEPRESS, "build", str(src), "-o", str(out)], cwd=ROOT,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    assert rc == 0, err
    assert re.search(rf"^\s*0\s+{len(sources)}\s+0\s+{len(sources)}\s", stdout, re.M), stdout


def test_a_damaged_manifest_is_repaired(tmp_path):
    src = tmp_path / "src"
    sources = make_sources(src)[:2]
    for extra in make_sources(src)[2:]:
        extra.unlink()
    out = tmp_path / "out"
    rc, _, err = finish(start_build(src, out, "--jobs", "1"))
    assert rc == 0, err
    whole = (out / MANIFEST).read_bytes()
    (out / MANIFEST).write_bytes(whole[: len(whole) // 2])      # as a non-atomic writer would leave it
    (out / sources[0].with_suffix(".epub").name).unlink()       # and an output gone
    rc, _, err = finish(start_build(src, out, "--jobs", "1"))
    assert rc == 0, err
    check_outputs(out)
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["sources"]
    assert sorted(entries) == sorted(p.name for p in sources)


KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from pipeline.writers import output
    def stuck(fd):
        print("writing", flush=True)
        time.sleep(600)
    output.os.fsync = stuck
    output.write_atomically(Path(sys.argv[1]), b"NEW" * 100000)
""")


def test_a_write_killed_midway_keeps_the_previous_file(tmp_path):
    """Deterministic: the writer is killed while its temporary file is half made."""
    from pipeline.writers.output import stale_parts, write_atomically

    target = tmp_path / "book.pdf"
    target.write_bytes(b"OLD complete file")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait(timeout=60)
    assert target.read_bytes() == b"OLD complete file"
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".book.pdf.")
    assert stale_parts(tmp_path, "book.pdf") == leftovers
    write_atomically(target, b"NEW complete file")
    assert target.read_bytes() == b"NEW complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


def test_a_running_writers_temporary_file_is_left_alone(tmp_path):
    from pipeline.writers.output import remove_stale_parts

    target = tmp_path / "book.pdf"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        remove_stale_parts(tmp_path)
        assert len([p for p in tmp_path.iterdir() if p.name.endswith(".part")]) == 1
    finally:
        proc.kill()
        proc.wait(timeout=60)
    remove_stale_parts(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_two_builds_into_the_same_folder_at_once(tmp_path):
    src = tmp_path / "src"
    sources = make_sources(src)
    out = tmp_path / "out"
    first = start_build(src, out, "--jobs", "1")
    second = start_build(src, out, "--jobs", "1")
    results = [finish(first), finish(second)]
    for rc, _, err in results:
        assert rc == 0, err
        assert "Traceback" not in err and "internal error" not in err, err
    counts = check_outputs(out)
    assert counts == {"pdf": 2 * len(sources), "epub": len(sources)}
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["sources"]
    assert set(entries) <= {p.name for p in sources}
    # Whatever the manifest kept, the next build completes it and then all is up to date.
    rc, _, err = finish(start_build(src, out, "--jobs", "1"))
    assert rc == 0, err
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["sources"]
    assert sorted(entries) == sorted(p.name for p in sources)


SMALL_SOURCES = ["muse/Letter_Berkman.muse", "muse/Letter_To_Lenin.muse"]


def _held_interruptible() -> None:
    """As ``_interruptible``, and Ctrl-C held back (blocked) until the command is
    ready for it: a signal during the interpreter's own first milliseconds, before
    any code of the command runs, waits instead of racing the start-up."""
    _interruptible()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def assert_interrupted(rc: int, err: str, out: Path) -> None:
    """Exit 130, exactly the one line, no traceback, only whole outputs."""
    from pipeline.interrupt import MESSAGE
    assert rc == 130, err
    assert [line for line in err.splitlines() if line.strip()] == [MESSAGE], err
    check_outputs(out)


@pytest.mark.parametrize("moment,jobs", [
    ("start", "2"),        # the command's first line: nothing imported yet
    ("import", "2"),       # while the program's modules are imported
    ("workers", "2"),      # while the worker processes start
    ("rename", "1"),       # an output written, not yet renamed
    ("renamed", "1"),      # an output just renamed
    ("manifest", "2"),     # while the manifest is saved
    ("end", "2"),          # everything done, the command about to exit
])
def test_ctrl_c_at_each_moment_says_one_line_and_leaves_whole_outputs(tmp_path, moment, jobs):
    """Deterministic: the process sends itself (its process group, as a terminal
    does) Ctrl-C at a named moment."""
    src = tmp_path / "src"
    src.mkdir()
    for name in SMALL_SOURCES:
        shutil.copyfile(corpus_file(name), src / Path(name).name)
    out = tmp_path / "out"
    proc = subprocess.Popen([*ZINEPRESS, "build", str(src), "-o", str(out), "--quiet", "--jobs", jobs],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_interruptible,
                            env={**os.environ, "ZINEPRESS_TEST_INTERRUPT_AT": moment})
    rc, _, err = finish(proc)
    assert_interrupted(rc, err, out)
    if moment == "manifest":
        # The next build completes what the interrupted one did not record.
        rc, _, err = finish(start_build(src, out, "--jobs", "2"))
        assert rc == 0, err
        assert check_outputs(out) == {"pdf": 2 * len(SMALL_SOURCES), "epub": len(SMALL_SOURCES)}


def test_ctrl_c_at_ten_moments_says_one_line_and_leaves_whole_outputs(tmp_path):
    """Ctrl-C to the whole process group at ten moments from 0.05 s to 3 s after
    the start: whatever the moment, exit 130 and the one line — or, had the build
    already ended, exit 0 with every output made — and only whole outputs."""
    src = tmp_path / "src"
    sources = make_sources(src)
    out = tmp_path / "out"
    for moment in (0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 1.7, 2.3, 3.0):
        proc = subprocess.Popen([*ZINEPRESS, "build", str(src), "-o", str(out), "--quiet", "--jobs", "2",
                                 "--force"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, preexec_fn=_held_interruptible)
        time.sleep(moment)       # the moment of the Ctrl-C; no outcome depends on it
        ended = proc.poll() is not None
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        rc, _, err = finish(proc)
        if ended:                # it had ended already, all built
            assert rc == 0 and "interrupted" not in err, err
            assert check_outputs(out) == {"pdf": 2 * len(sources), "epub": len(sources)}
            continue
        assert_interrupted(rc, err, out)
