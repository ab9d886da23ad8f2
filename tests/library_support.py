"""A small built library for the catalog, server and browser tests: five short
corpus texts in English, Macedonian and Chinese, in three subfolders, built to
EPUB and PDF and catalogued through the command line; and the server started
as a user would, its address read from the line it prints once listening."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ZINEPRESS, corpus_file, interruptible, run_cli

TEXTS = {
    "en": ["muse/Process_Under_Socialism.muse", "muse/Letter_To_Lenin.muse"],
    "mk": ["mk/elize-rekli-zoshto-anarhistite-ne-glasaat.muse"],
    "zh": ["zh/lun-zuo-na-wei-tuo-wo-ye-shi-yi-ge-xu-wu-zhu-yi-zhe.muse", "zh/anarchy247-li-shi-duo-yuan-de.muse"],
}
EPOCH = "1700000000"
TITLE = "Test library"


@dataclass
class Text:
    """What a source's header says, read here from the .muse file itself."""

    source: Path
    folder: str
    title: str
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.folder}/{self.source.stem}"

    def matches(self, query: str) -> bool:
        """Whether the index's search for ``query`` must show this text: every
        word of it in the title, subtitle, authors or topics, case and accents aside."""
        haystack = fold(" ".join([self.title, self.subtitle, *self.authors, *self.topics]))
        return all(word in haystack for word in fold(query).split())


def fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()


def header(source: Path) -> Text:
    fields: dict[str, str] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#(\w+)\s+(.*)", line)
        if not m:
            if line.strip():
                break
            continue
        fields.setdefault(m.group(1).lower(), m.group(2).strip())
    topics = fields.get("sorttopics", fields.get("topics", ""))
    return Text(source, source.parent.name, fields["title"], fields.get("subtitle", ""),
                [a.strip() for a in fields.get("author", "").split(",") if a.strip()],
                [t.strip() for t in topics.split(",") if t.strip()])


@dataclass
class Library:
    src: Path
    out: Path
    texts: list[Text]
    catalog_output: str


def build_library(tmp: Path) -> Library:
    src, out = tmp / "src", tmp / "out"
    texts = []
    for folder, names in TEXTS.items():
        (src / folder).mkdir(parents=True)
        for name in names:
            target = src / folder / Path(name).name
            target.write_bytes(corpus_file(name).read_bytes())
            texts.append(header(target))
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    built = run_cli("build", src, "-o", out, "--format", "epub,pdf", "--jobs", "2", env=env)
    assert built.returncode == 0, built.stderr
    done = run_cli("catalog", out, "--title", TITLE, env=env)
    assert done.returncode == 0, done.stderr
    return Library(src, out, texts, done.stdout + done.stderr)


class Server:
    """``zinepress serve OUT --port 0 --verbose`` in a process of its own."""

    def __init__(self, out: Path, *extra: str):
        self.process = subprocess.Popen([*ZINEPRESS, "serve", str(out), "--port", "0", "--verbose", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        preexec_fn=interruptible, cwd=Path(__file__).resolve().parent.parent,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.ready = self.process.stdout.readline()        # printed once it listens
        m = re.search(r"at (http://127\.0\.0\.1:(\d+)/)", self.ready)
        if not m:
            self.process.kill()
            raise AssertionError(f"no address in {self.ready!r}: {self.process.stderr.read()}")
        self.url, self.port = m.group(1), int(m.group(2))
        self.stopped: tuple[int, str, str] | None = None

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C: (exit code, standard output after the first line, standard error)."""
        if self.stopped is None:
            self.process.send_signal(signal.SIGINT)
            out, err = self.process.communicate(timeout=30)
            self.stopped = (self.process.returncode, out, err)
        return self.stopped
