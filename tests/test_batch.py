"""Batch builds of folders: layout mirrored, failures reported and isolated,
incremental rebuilds, the JSON report, and the same build through a Dask cluster."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import corpus_file, epub_texts, pdf_pages, pdf_text, run_cli

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
GOOD = {  # where each corpus text goes in the source tree
    "Letter_To_Lenin.muse": "muse/Letter_To_Lenin.muse",
    "letters/Letter_Berkman.muse": "muse/Letter_Berkman.muse",
    "letters/deep/azat-miftakhov.txt": "seed/azat-miftakhov.txt",
}
FAILING = ["bad.muse", "broken.muse", "clash/a.md", "clash/a.txt", "pipe.txt"]


# Two local Dask workers, no dashboard; the scheduler's own web server (which
# it starts even without one) on a free port, not 8787, which another cluster
# running at the same time may hold.
# Workers started as the README starts them, with the engines preloaded.
LOCAL_CLUSTER = dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                     preload=["pipeline.batch.preload"])


def good_tree(root: Path) -> Path:
    for rel, corpus in GOOD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus_file(corpus), root / rel)
    return root


def tree_with_failures(root: Path) -> Path:
    good_tree(root)
    azat = corpus_file("seed/azat-miftakhov.txt").read_text(encoding="utf-8")
    (root / "clash").mkdir()
    (root / "clash" / "a.txt").write_text(azat, encoding="utf-8")   # both would write clash/a.pdf
    (root / "clash" / "a.md").write_text(azat, encoding="utf-8")
    # A source that reads but cannot be built: no title for the colophon.
    (root / "bad.muse").write_text("#author Someone\n\nA text with no title.\n", encoding="utf-8")
    # Unreadable, even for root (CI runs as root, where chmod 000 does not stop
    # reading): a link to a file that does not exist, and a named pipe, which
    # would block a reader forever and must be refused without being opened.
    (root / "broken.muse").symlink_to(root / "gone.muse")
    os.mkfifo(root / "pipe.txt")
    # Not sources: a hidden folder, a file of another kind, a folder with a source's ending.
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("not a text\n")
    (root / "notes.pages").write_bytes(b"PK\x03\x04")
    (root / "dir.txt").mkdir()
    return root


def outputs(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def expected_outputs(formats=("pdf", "epub")) -> list[str]:
    suffix = {"pdf": ".pdf", "booklet": ".booklet.pdf", "epub": ".epub"}
    return sorted(str(Path(rel).with_suffix("")) + suffix[f] for rel in GOOD for f in formats)


def build(src: Path, out: Path, *args: str):
    report = out.parent / f"{out.name}-report.json"
    proc = run_cli("build", src, "-o", out, "--format", "pdf,epub", "--report", report, *args, env=EPOCH)
    return proc, json.loads(report.read_text(encoding="utf-8"))


def by_source(report: dict, src: Path) -> dict[str, dict]:
    return {Path(e["source"]).relative_to(src).as_posix(): e for e in report["sources"]}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    src = tree_with_failures(root / "src")
    out = root / "out"
    proc, report = build(src, out, "--jobs", "2")
    return src, out, proc, report


def test_everything_else_is_built_with_the_layout_mirrored(first):
    src, out, proc, report = first
    assert proc.returncode == 1, proc.stderr
    assert outputs(out) == expected_outputs()
    assert "Traceback" not in proc.stderr


def test_exactly_the_failures_are_reported(first):
    src, out, proc, report = first
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(FAILING), proc.stderr
    for name in FAILING:
        assert sum(str(src / name) in line for line in errors) >= 1, (name, proc.stderr)
    said = {name: next(l for l in errors if l.startswith(f"error: {src / name}")) for name in FAILING}
    assert "name clash" in said["clash/a.md"] and "name clash" in said["clash/a.txt"]
    assert "missing file" in said["broken.muse"]
    assert "not a regular file" in said["pipe.txt"]
    assert "no title" in said["bad.muse"]
    # What is known before building is said before anything is built.
    assert errors[-1] == said["bad.muse"]
    # The summary table: counts, then each failure with its reason.
    summary = proc.stdout[proc.stdout.index("built  skipped"):]
    assert summary.splitlines()[1].split()[:4] == ["3", "0", "5", "8"]
    for name in FAILING:
        assert str(src / name) in summary


def test_report_matches_the_files(first):
    src, out, proc, report = first
    entries = by_source(report, src)
    assert sorted(entries) == sorted([*GOOD, *FAILING])
    assert (report["built"], report["skipped"], report["failed"]) == (3, 0, 5)
    for rel, entry in entries.items():
        assert set(entry) == {"source", "status", "outputs", "pages", "seconds", "warnings", "error"}
        if rel in GOOD:
            assert entry["status"] == "built" and not entry["error"]
            assert sorted(Path(p).relative_to(out).as_posix() for p in entry["outputs"]) == \
                [o for o in expected_outputs() if o.startswith(str(Path(rel).with_suffix("")) + ".")]
            assert all(Path(p).is_file() for p in entry["outputs"])
            pdf = next(Path(p) for p in entry["outputs"] if p.endswith(".pdf"))
            assert entry["pages"] == pdf_pages(pdf) > 0
            assert entry["seconds"] > 0
        else:
            assert entry["status"] == "failed" and entry["outputs"] == [] and entry["error"]
    assert any("no language" in w for w in entries["letters/deep/azat-miftakhov.txt"]["warnings"])


def test_second_run_skips_all_then_only_a_changed_source_is_rebuilt(first, tmp_path):
    src, out, _, _ = first
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}

    proc, report = build(src, out)
    entries = by_source(report, src)
    assert [entries[rel]["status"] for rel in GOOD] == ["skipped"] * 3
    assert report["failed"] == 5 and proc.returncode == 1    # failures are tried again, and fail again
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    # Same bytes, newer time: still up to date (the manifest holds content digests).
    os.utime(src / "Letter_To_Lenin.muse")
    _, report = build(src, out)
    assert [by_source(report, src)[rel]["status"] for rel in GOOD] == ["skipped"] * 3

    berkman = src / "letters" / "Letter_Berkman.muse"
    berkman.write_text(berkman.read_text(encoding="utf-8") + "\nA line added since.\n", encoding="utf-8")
    _, report = build(src, out)
    entries = by_source(report, src)
    assert {rel: entries[rel]["status"] for rel in GOOD} == {
        "Letter_To_Lenin.muse": "skipped", "letters/Letter_Berkman.muse": "built",
        "letters/deep/azat-miftakhov.txt": "skipped"}
    assert "A line added since" in pdf_text(out / "letters" / "Letter_Berkman.pdf")

    # A lost output is made again; other options make everything again; --force too.
    (out / "Letter_To_Lenin.epub").unlink()
    _, report = build(src, out, "--quiet")
    assert [by_source(report, src)[rel]["status"] for rel in GOOD] == ["built", "skipped", "skipped"]
    proc, report = build(src, out, "--force", "--quiet")
    assert [by_source(report, src)[rel]["status"] for rel in GOOD] == ["built"] * 3
    assert proc.stdout == ""
    assert [l for l in proc.stderr.splitlines() if l.strip()] == \
        [l for l in proc.stderr.splitlines() if l.startswith("error: ")]


def test_plain_output_one_line_per_file(first):
    src, out, proc, report = first
    built = [l for l in proc.stdout.splitlines() if l.startswith("built ")]
    assert sorted(l.split()[1] for l in built) == sorted(str(src / rel) for rel in GOOD)


def test_name_clash_is_found_before_building(tmp_path):
    from pipeline.batch.planning import plan
    from pipeline.build import BuildOptions

    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    for name in ("one/x.txt", "two/x.muse", "two/y.md"):
        (tmp_path / name).write_text("text\n")
    jobs = plan([tmp_path / "one", tmp_path / "two"], tmp_path / "out", BuildOptions())
    failed = {j.source.name: j.result.error for j in jobs if j.result}
    assert sorted(failed) == ["x.muse", "x.txt"]
    assert "name clash" in failed["x.txt"] and str(tmp_path / "two" / "x.muse") in failed["x.txt"]
    assert [j.source.name for j in jobs if not j.result] == ["y.md"]


def test_the_largest_sources_are_handed_out_first(tmp_path, monkeypatch):
    """On any executor, so that a long book does not start last."""
    import pipeline.batch as batch
    from pipeline.batch import BatchOptions, run_build
    from pipeline.batch.job import JobResult
    from pipeline.build import BuildOptions

    src = tmp_path / "src"
    src.mkdir()
    for name, size in (("a", 3), ("b", 50), ("c", 7), ("d", 20), ("e", 7)):
        (src / f"{name}.txt").write_text("x" * size)
    handed = []

    def run(specs, jobs):
        handed.extend(Path(spec.source).name for spec in specs)
        return ((n, JobResult(spec.source, error="not built")) for n, spec in enumerate(specs))
    monkeypatch.setattr(batch, "run_local", run)
    report = tmp_path / "report.json"
    run_build([src], tmp_path / "out", BuildOptions(), BatchOptions(jobs=2, quiet=True, report=report),
              echo=lambda text, err=False: None)
    assert handed == ["b.txt", "d.txt", "c.txt", "e.txt", "a.txt"]      # equal sizes in the plan's order
    # Each result is still its own source's, and the report in the plan's order.
    assert [Path(s["source"]).name for s in json.loads(report.read_text())["sources"]] == \
        ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]


def test_progress_bar_on_a_terminal(tmp_path, capsys, monkeypatch):
    from pipeline.batch import BatchOptions, run_build
    from pipeline.build import BuildOptions

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copyfile(corpus_file("muse/Letter_To_Lenin.muse"), src / "Letter_To_Lenin.muse")
    (src / "bad.muse").write_text("#author Someone\n\nNo title.\n")
    lines = []
    failed = run_build([src], tmp_path / "out", BuildOptions(formats=("pdf",)),
                       BatchOptions(jobs=1, terminal=True), echo=lambda text, err=False: lines.append(text))
    assert failed == 1
    assert (tmp_path / "out" / "Letter_To_Lenin.pdf").is_file()
    # On a terminal the bar replaces the per-file lines; failures and the summary remain.
    err = capsys.readouterr().err
    assert "error: " in err and "no title" in err
    assert not any(l.startswith("built ") for l in lines)
    assert "failed" in lines[-1]


def test_dask_cluster_gives_the_same_outputs_and_report(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    src = good_tree(tmp_path / "src")
    local, cluster_out = tmp_path / "local", tmp_path / "cluster"
    formats = "pdf,booklet,epub"
    proc = run_cli("build", src, "-o", local, "--format", formats, "--jobs", "2", env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    # The workers do not have SOURCE_DATE_EPOCH: the job carries the client's.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with distributed.LocalCluster(**LOCAL_CLUSTER) as cluster:
        address = cluster.scheduler_address
        report = tmp_path / "report.json"
        proc = run_cli("build", src, "-o", cluster_out, "--format", formats, "--scheduler", address,
                       "--report", report, env=EPOCH)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(report.read_text())["built"] == 3
        proc = run_cli("build", src, "-o", cluster_out, "--format", formats, "--scheduler", address,
                       "--report", report, env=EPOCH)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(report.read_text())["skipped"] == 3
    names = outputs(local)
    assert names == outputs(cluster_out) == expected_outputs(("pdf", "booklet", "epub"))
    for name in names:
        assert (local / name).read_bytes() == (cluster_out / name).read_bytes(), name


def test_unreachable_scheduler_is_one_line(tmp_path):
    src = tmp_path / "a.txt"
    shutil.copyfile(corpus_file("seed/azat-miftakhov.txt"), src)
    proc = run_cli("build", src, "-o", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "scheduler" in proc.stderr


def test_bundle(tmp_path):
    from conftest import epubcheck

    texts = [corpus_file("muse/Letter_To_Lenin.muse"), corpus_file("muse/Letter_Berkman.muse"),
             corpus_file("seed/azat-miftakhov.txt")]
    name = tmp_path / "book" / "three-letters"
    proc = run_cli("bundle", *texts, "--title", "Three Letters", "--author", "Various", "-o", name, env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    pdf, booklet, epub = (Path(str(name) + s) for s in (".pdf", ".booklet.pdf", ".epub"))
    assert pdf.is_file() and booklet.is_file() and epub.is_file()
    pages = pdf_pages(pdf)
    assert pages % 4 == 0
    first = pdf_text(pdf, 1, 1)
    assert "Three Letters" in first and "Various" in first
    titles = ["Letter To Lenin", "Kropotkin to Alexander Berkman", "Anarchist Azat Miftakhov"]
    contents = pdf_text(pdf, 2, 2)
    assert all(t in contents for t in titles), contents
    colophon = " ".join(pdf_text(pdf, pages, pages).split())
    for t in titles:
        assert t in colophon, colophon
    assert "Pëtr Kropotkin" in colophon and "Anonymous" in colophon
    files = epub_texts(epub)
    nav = next(text for name, text in files.items() if "nav" in name and name.endswith("html"))
    assert all(t in nav for t in titles)
    result = epubcheck([epub])[epub]
    assert result.clean, result.messages


def test_twenty_builds_give_identical_bytes_locally_and_on_a_cluster(tmp_path, monkeypatch):
    """The same tiny text twenty times over (each in its own folder): all twenty
    builds give the same bytes, locally and on a local Dask cluster. (The
    booklet's file identifier was once random about one save in ten.)"""
    distributed = pytest.importorskip("distributed")
    src = tmp_path / "src"
    text = "#title Twenty Times\n#author Jane Doe\n#lang en\n\nA short text[1] to build again.\n\n[1] A note.\n"
    for n in range(20):
        (src / f"copy{n:02d}").mkdir(parents=True)
        (src / f"copy{n:02d}" / "text.muse").write_text(text, encoding="utf-8")
    formats = "pdf,booklet,epub"
    local, cluster_out = tmp_path / "local", tmp_path / "cluster"
    proc = run_cli("build", src, "-o", local, "--format", formats, "--jobs", "2", "--quiet", env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with distributed.LocalCluster(**LOCAL_CLUSTER) as cluster:
        proc = run_cli("build", src, "-o", cluster_out, "--format", formats, "--quiet",
                       "--scheduler", cluster.scheduler_address, env=EPOCH)
        assert proc.returncode == 0, proc.stderr
    for suffix in (".pdf", ".booklet.pdf", ".epub"):
        files = [root / f"copy{n:02d}" / f"text{suffix}" for root in (local, cluster_out) for n in range(20)]
        contents = {path.read_bytes() for path in files}
        assert len(contents) == 1, f"{suffix}: {len(contents)} different outputs among {len(files)}"
