"""Hostile and huge input to batch builds: source links out of the folders
given, unusable manifests, scheduler addresses that are not Dask, two builds
into one folder, a write failing midway, file names that would break a line or
exceed the file system's limit, and the build's own files taken as sources.

Builds go through the command line where the user would see the outcome; the
subprocess timeouts only guard against a hang, they measure nothing."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import queue
import resource
import socket
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, ZINEPRESS, run_cli

FRONT = "---\ntitle: A title\nauthor: An Author\nlang: en\n---\n\n"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
SECRET = b"ZZSECRET-1f3a9c"


def text_source(path: Path, words: int = 60) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT + " ".join(f"word{n}" for n in range(words)) + ".\n", encoding="utf-8")
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def all_output_bytes(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` as bytes a search can look into: PDFs
    uncompressed by qpdf, EPUBs entry by entry, the rest as they are."""
    found = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            found[path.name] = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), "-"],
                                              capture_output=True, check=True).stdout
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    found[f"{path.name}/{name}"] = z.read(name)
        else:
            found[path.name] = path.read_bytes()
    return found


# ---------------------------------------------------------------- 1. links out of the folder

def test_a_source_linked_out_of_the_folder_is_refused_unread(tmp_path):
    """The outside file never reaches an output, the report or the manifest,
    with or without --title; the good source beside it is built."""
    outside = tmp_path / "secret.txt"
    outside.write_bytes(SECRET + b" the first line\n" + SECRET + b" a second one\n")
    src = tmp_path / "src"
    text_source(src / "good.md")
    (src / "leak.txt").symlink_to(outside)
    (src / "sub").mkdir()
    (src / "sub" / "leak2.md").symlink_to(Path("..") / ".." / "secret.txt")
    for extra in (["--title", "T", "--author", "A"], []):
        out = tmp_path / f"out{len(extra)}"
        proc = run_cli("build", src, "-o", out, "--report", out / "report.json", *extra, env=EPOCH)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        errors = error_lines(proc.stderr)
        assert sorted(errors) == sorted(
            f"error: {src / name}: refused: it is a link to a file outside the folders given — "
            "copy the file into the folder, or name it on the command line"
            for name in ("leak.txt", "sub/leak2.md")), proc.stderr
        assert (out / "good.pdf").is_file() and (out / "good.booklet.pdf").is_file() and (out / "good.epub").is_file()
        assert not list(out.rglob("leak*"))
        files = all_output_bytes(out)
        assert "report.json" in files and ".zinepress-manifest.json" in files
        assert [name for name, data in files.items() if SECRET in data] == []


def test_links_inside_the_folders_given_and_files_named_are_followed(tmp_path):
    from pipeline.batch.planning import plan
    from pipeline.build import BuildOptions

    a, b = tmp_path / "a", tmp_path / "b"
    text_source(a / "own.md")
    text_source(b / "other.md")
    text_source(tmp_path / "elsewhere.md")
    (a / "to-own.md").symlink_to(a / "own.md")            # the same file: built once
    (a / "to-other.md").symlink_to(b / "other.md")        # inside a folder given
    (a / "out.md").symlink_to(tmp_path / "elsewhere.md")  # outside every folder given
    jobs = {j.key: j for j in plan([a, b], tmp_path / "o", BuildOptions())}
    refused = {k for k, j in jobs.items() if j.result}
    assert refused == {"out.md"}
    assert "outside the folders given" in jobs["out.md"].result.error
    # Named on the command line, a link is the user's choice.
    jobs = plan([a / "out.md"], tmp_path / "o", BuildOptions())
    assert [j.result for j in jobs] == [None] and jobs[0].digest


# ---------------------------------------------------------------- 8. --jobs

def test_jobs_are_capped_at_twice_the_cores(tmp_path, monkeypatch):
    from pipeline import batch
    from pipeline.batch import local
    from pipeline.build import BuildOptions

    monkeypatch.setattr(local, "default_jobs", lambda: 3)
    assert local.worker_processes(0) == (3, "")
    assert local.worker_processes(6) == (6, "")
    n, note = local.worker_processes(10000)
    assert n == 6 and note.startswith("note: --jobs 10000 ") and "6 processes" in note and "\n" not in note
    started = []
    monkeypatch.setattr(batch, "run_local", lambda specs, jobs: started.append(jobs) or iter(()))
    lines = []
    batch.run_build([text_source(tmp_path / "a.md")], tmp_path / "out", BuildOptions(formats=("epub",)),
                    batch.BatchOptions(jobs=10000, terminal=False),
                    echo=lambda text, err=False: lines.append((text, err)))
    assert started == [6]
    assert (note, True) in lines


# ---------------------------------------------------------------- 12. the manifest

UNUSABLE_MANIFESTS = {
    "a string for a record": '{"format": 1, "sources": {"a.md": "str"}}',
    "an array": "[1, 2]",
    "outputs a number": '{"format": 1, "sources": {"a.md": {"digest": "x", "pages": 1, "outputs": 5}}}',
    "pages a string": '{"format": 1, "sources": {"a.md": {"digest": "x", "pages": "1", "outputs": []}}}',
    "an output outside": '{"format": 1, "sources": {"a.md": {"digest": "x", "outputs": ["../../etc/passwd"]}}}',
    "sources a list": '{"format": 1, "sources": []}',
    "another format": '{"format": 99, "sources": {}}',
    "deep nesting": "[" * 200000 + "]" * 200000,
    "deep inside": '{"format": 1, "sources": {"a.md": ' + "[" * 100000 + "]" * 100000 + "}}",
    "not UTF-8": b'{"format": 1, "sources": {"\xff": {}}}',
    "truncated": '{"format": 1, "sources": {"a.md": {"dig',
}


@pytest.mark.parametrize("content", UNUSABLE_MANIFESTS.values(), ids=UNUSABLE_MANIFESTS.keys())
def test_an_unusable_manifest_is_ignored_with_a_reason(tmp_path, content):
    from pipeline.batch.manifest import MANIFEST_NAME, read_manifest

    path = tmp_path / MANIFEST_NAME
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    entries, problem = read_manifest(tmp_path)
    assert entries == {} and problem and "\n" not in problem


def test_a_usable_manifest_is_read_and_none_is_no_problem(tmp_path):
    from pipeline.batch.manifest import MANIFEST_NAME, read_manifest, save_manifest

    assert read_manifest(tmp_path) == ({}, "")
    entries = {"a.md": {"digest": "d", "pages": 4, "outputs": ["a.pdf", "sub/a.epub"]}}
    save_manifest(tmp_path, entries)
    assert read_manifest(tmp_path) == (entries, "")
    (tmp_path / MANIFEST_NAME).write_text(" " * (64 * 2**20 + 1))     # past the size limit
    assert read_manifest(tmp_path)[0] == {} and "MB" in read_manifest(tmp_path)[1]


@pytest.mark.parametrize("content", [UNUSABLE_MANIFESTS["a string for a record"], UNUSABLE_MANIFESTS["deep nesting"]],
                         ids=["wrong shape", "deep nesting"])
def test_a_build_over_an_unusable_manifest_warns_once_and_rewrites_it(tmp_path, content):
    from pipeline.batch.manifest import MANIFEST_NAME

    source = text_source(tmp_path / "src" / "a.md")
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_NAME).write_text(content)
    for extra in (["--force"], []):
        proc = run_cli("build", source.parent, "-o", out, "--format", "epub", *extra)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        warnings = [l for l in proc.stderr.splitlines() if MANIFEST_NAME in l]
        if extra:
            assert len(warnings) == 1 and warnings[0].startswith("warning: ") and "built again" in warnings[0]
        else:
            assert warnings == []          # written anew by the first build
    assert "skipped" in proc.stdout and json.loads((out / MANIFEST_NAME).read_text())["sources"]["a.md"]


# ---------------------------------------------------------------- 13. the scheduler's address

@pytest.mark.parametrize("address", ["garbage", "tcp://", "inproc://x", "tls://127.0.0.1:8786", "ws://127.0.0.1:1",
                                     "tcp://127.0.0.1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000", "127.0.0.1:8786",
                                     "tcp://a b:1"])
def test_a_scheduler_address_of_another_form_is_a_usage_error(tmp_path, address):
    proc = run_cli("build", text_source(tmp_path / "a.md"), "-o", tmp_path / "out", "--scheduler", address,
                   timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert error_lines(proc.stderr) == [l for l in proc.stderr.splitlines() if l], proc.stderr
    assert "tcp://HOST:PORT" in proc.stderr
    assert not (tmp_path / "out").exists()


class Listener:
    """A server on 127.0.0.1 that accepts connections and sends ``greeting``
    (perhaps nothing), then keeps each connection open and silent."""

    def __init__(self, greeting: bytes) -> None:
        self.greeting = greeting
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.open.append(conn)
            if self.greeting:
                conn.sendall(self.greeting)

    def close(self) -> None:
        self.server.close()
        for conn in self.open:
            conn.close()


@pytest.mark.parametrize("greeting", [b"", b"HTTP/1.1 400 Bad Request\r\n\r\n", b"\x00\x00\x00\x80\x00\x00\x00\x00",
                                      b"\x20\x00\x00\x00\x00\x00\x00\x00"],
                         ids=["silent", "http", "announces 2 GB", "plausible then silent"])
def test_a_listener_that_is_not_dask_is_reported_and_the_command_ends(tmp_path, greeting):
    listener = Listener(greeting)
    try:
        proc = run_cli("build", text_source(tmp_path / "a.md"), "-o", tmp_path / "out",
                       "--scheduler", f"tcp://127.0.0.1:{listener.port}", timeout=120)
    finally:
        listener.close()
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = error_lines(proc.stderr)
    assert len(errors) == 1 and f"127.0.0.1:{listener.port}" in errors[0], proc.stderr
    assert "not a Dask scheduler" in errors[0] or "no answer" in errors[0], errors


def test_a_refused_port_is_reported_at_once(tmp_path):
    bound = socket.socket()          # bound, not listening: connections are refused
    bound.bind(("127.0.0.1", 0))
    try:
        proc = run_cli("build", text_source(tmp_path / "a.md"), "-o", tmp_path / "out",
                       "--scheduler", f"tcp://127.0.0.1:{bound.getsockname()[1]}", timeout=120)
    finally:
        bound.close()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert any("cannot reach the scheduler" in l and "refused" in l for l in error_lines(proc.stderr)), proc.stderr


# ---------------------------------------------------------------- 14. two builds, one folder

def test_a_second_build_into_a_locked_folder_waits_and_says_so(tmp_path):
    """Deterministic: the test holds the folder's lock, the build says it waits
    and writes nothing until the lock is released, then completes."""
    from pipeline.batch.manifest import LOCK_NAME, MANIFEST_NAME

    src = tmp_path / "src"
    for name in ("a.md", "b.md"):
        text_source(src / name)
    out = tmp_path / "out"
    out.mkdir()
    lock = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    proc = subprocess.Popen([*ZINEPRESS, "build", str(src), "-o", str(out), "--format", "epub"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(l) for l in proc.stderr] + [lines.put(None)], daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=120)        # a guard against a hang
        assert first is not None and first.startswith("waiting: another build is writing into "), first
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
        assert proc.poll() is None
    finally:
        os.close(lock)                        # releases the lock
        stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert sorted(json.loads((out / MANIFEST_NAME).read_text())["sources"]) == ["a.md", "b.md"]
    assert (out / "a.epub").is_file() and (out / "b.epub").is_file()


def test_two_builds_at_once_keep_every_record(tmp_path):
    from pipeline.batch.manifest import MANIFEST_NAME

    src = tmp_path / "src"
    names = [f"t{n}.md" for n in range(6)]
    for name in names:
        text_source(src / name)
    out = tmp_path / "out"
    command = [*ZINEPRESS, "build", str(src), "-o", str(out), "--format", "epub", "--jobs", "1", "--quiet"]
    procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert sorted(json.loads((out / MANIFEST_NAME).read_text())["sources"]) == names
    proc = run_cli("build", src, "-o", out, "--format", "epub", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert not [l for l in proc.stdout.splitlines() if l.startswith("built ")], proc.stdout


# ---------------------------------------------------------------- 15. all outputs or none

def _limit_file_size(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_write_failing_midway_leaves_none_of_the_sources_outputs(tmp_path):
    """The file system refuses a later output (a file-size limit on the build's
    process, as a full disk would): the source fails and none of its outputs is
    left, not even the earlier complete one."""
    source = text_source(tmp_path / "src" / "a.md", words=2000)
    whole = tmp_path / "whole"
    proc = run_cli("build", source, "-o", whole, "--jobs", "1", env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    sizes = [(whole / name).stat().st_size for name in ("a.pdf", "a.booklet.pdf", "a.epub")]
    assert max(sizes[1:]) > sizes[0]          # the first fits under the limit, a later one does not
    out = tmp_path / "out"
    proc = subprocess.run([*ZINEPRESS, "build", str(source), "-o", str(out), "--jobs", "1"], cwd=ROOT,
                          env={**os.environ, **EPOCH}, capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size(sizes[0]))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = error_lines(proc.stderr)
    assert len(errors) == 1 and "cannot write a." in errors[0], proc.stderr
    assert not out.exists() or [p.name for p in out.iterdir() if not p.name.startswith(".zinepress-")] == []


def test_a_rename_failing_midway_removes_the_whole_set(tmp_path, monkeypatch):
    from pipeline.errors import OutputError
    from pipeline.writers import output

    files = {tmp_path / n: n.encode() * 10 for n in ("a.pdf", "a.booklet.pdf", "a.epub")}
    for path in files:
        path.write_bytes(b"old")
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)
    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputError, match="No space left"):
        output.write_together(files)
    assert list(tmp_path.iterdir()) == []         # neither a new nor an old one, nor a temporary file


def test_a_temporary_write_failing_keeps_the_previous_set(tmp_path, monkeypatch):
    from pipeline.errors import OutputError
    from pipeline.writers import output

    files = {tmp_path / n: b"new" for n in ("a.pdf", "a.epub")}
    for path in files:
        path.write_bytes(b"old")
    syncs = []

    def fsync(fd):
        syncs.append(fd)
        if len(syncs) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(output.os, "fsync", fsync)
    with pytest.raises(OutputError, match="No space left"):
        output.write_together(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.epub", "a.pdf"]
    assert all(p.read_bytes() == b"old" for p in files)


# ---------------------------------------------------------------- 16. names

def test_names_that_would_break_a_line_are_escaped_everywhere(tmp_path):
    src = tmp_path / "src"
    text_source(src / "good\nline\x1b[2J.md")
    (src / "bad\x1b]0;owned\x07\u202e.md").write_text("no front matter, no title\n")
    (src / os.fsdecode(b"caf\xe9.md")).write_text("not a book either\n")      # a Latin-1 byte in a name
    report = tmp_path / "report.json"
    proc = run_cli("build", src, "-o", tmp_path / "out", "--format", "epub", "--jobs", "10000", "--report", report)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for stream in (proc.stdout, proc.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream and "\ufffd" not in stream
    said = proc.stdout.splitlines() + proc.stderr.splitlines()
    assert any(l.startswith("built ") and "good\\nline\\x1b[2J.md" in l for l in said), said
    assert any(l.startswith("error: ") and "bad\\x1b]0;owned\\x07\\u202e.md" in l for l in said), said
    assert any(l.startswith("error: ") and "caf\\xe9.md" in l for l in said), said
    assert any(l.startswith("note: --jobs 10000 ") for l in said), said
    # Every line is one of the kinds the build says, so no name broke one.
    kinds = ("built ", "error: ", "warning: ", "note: ", "failed:", "  ")
    assert all(l.startswith(kinds) or l.split()[:1] in (["built"], ["0"], ["1"], ["2"], ["3"]) for l in said), said
    # The report keeps the real names (JSON escapes them), the odd byte included.
    sources = {os.fsencode(e["source"]) for e in json.loads(report.read_bytes())["sources"]}
    assert os.fsencode(src / os.fsdecode(b"caf\xe9.md")) in sources
    assert os.fsencode(src / "good\nline\x1b[2J.md") in sources


def test_a_name_too_long_says_so(tmp_path):
    long = tmp_path / "src" / ("n" * 251 + ".md")             # 254 bytes: its booklet's name would be 263
    text_source(long)
    proc = run_cli("build", long, "-o", tmp_path / "out", "--format", "pdf,booklet")
    assert proc.returncode == 1
    errors = error_lines(proc.stderr)
    assert len(errors) == 1 and "263 bytes long" in errors[0] and "shorter name" in errors[0], proc.stderr
    assert "writable" not in proc.stderr
    # A long name that fits is written, though its temporary name would not.
    fits = tmp_path / "src" / ("f" * 245 + ".md")
    text_source(fits)
    proc = run_cli("build", fits, "-o", tmp_path / "out", "--format", "epub")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / ("f" * 245 + ".epub")).is_file()


def test_a_path_too_long_for_the_system_says_the_name_is_too_long(tmp_path):
    from pipeline.errors import OutputError
    from pipeline.writers.output import write_atomically

    deep = tmp_path
    while len(os.fsencode(deep)) < 4200:        # past PATH_MAX
        deep = deep / ("d" * 200)
    with pytest.raises(OutputError, match="too long") as caught:
        write_atomically(deep / "a.pdf", b"x")
    assert "writable" not in str(caught.value)


def test_the_report_and_the_output_folder_are_never_sources(tmp_path):
    src = tmp_path / "src"
    text_source(src / "text.md")
    out = src / "out"
    (out / "sub").mkdir(parents=True)
    text_source(out / "sub" / "not-a-source.md")      # whatever lies in the output folder
    report = src / "report.md"                        # a report with a source's ending
    for _ in range(2):
        proc = run_cli("build", src, "-o", out, "--format", "epub", "--report", report)
        assert proc.returncode == 0, proc.stderr
        listed = [Path(e["source"]).name for e in json.loads(report.read_text())["sources"]]
        assert listed == ["text.md"]
    assert not (out / "report.epub").exists() and not (out / "out").exists()
