"""The suite's own import rules (see the comment at the top of conftest.py): no
module of tests/ imports a ``test_*`` module, and conftest's helpers are
imported one way, ``from conftest import NAME``.

Each file's source is read with ``ast``, not imported: an import inside a
function counts as much as one at the top, and nothing needs to run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def suite_files(folder: Path) -> list[Path]:
    """The Python files of the suite under ``folder``: test and support modules, not the npm tools'."""
    return sorted(path for path in folder.rglob("*.py") if "node_modules" not in path.parts)


def _imported(node: ast.AST) -> list[str]:
    """The modules ``node`` imports (``importlib.import_module`` and ``__import__`` of a literal name too)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if function in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def import_faults(source: str) -> list[str]:
    """Each import in ``source`` that breaks the rules, with its line and why."""
    faults = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            faults.append(f"line {node.lineno}: a relative import (tests/ is not a package)")
            continue
        for name in _imported(node):
            top = name.split(".")[0]
            if top == "tests":
                faults.append(f"line {node.lineno}: {name} (the form is: from conftest import NAME, "
                              "and a support module by its own name)")
            elif top.startswith("test_"):
                faults.append(f"line {node.lineno}: {name} is a test module (what is shared goes in a support module)")
            elif top == "conftest" and not isinstance(node, ast.ImportFrom):
                faults.append(f"line {node.lineno}: {name} imported whole (the form is: from conftest import NAME)")
    return faults


def test_no_module_imports_a_test_module_or_conftest_another_way():
    faults = [f"{path.relative_to(TESTS)} {fault}"
              for path in suite_files(TESTS) for fault in import_faults(path.read_text(encoding="utf-8"))]
    assert faults == [], "\n".join(faults)


def test_the_scan_reads_the_whole_suite():
    files = suite_files(TESTS)
    assert {TESTS / "conftest.py", TESTS / "source_facts.py", TESTS / "support" / "cli_server.py",
            Path(__file__).resolve()} <= set(files)
    assert not any("node_modules" in path.parts for path in files)
    # the allowed form is seen where it is used, so the files were parsed, not skipped
    users = {path.name for path in files
             if any(isinstance(node, ast.ImportFrom) and node.module == "conftest"
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))}
    assert {"test_corpus_outputs.py", "test_pipeline.py", "source_facts.py"} <= users


@pytest.mark.parametrize("source", [
    "from test_pipeline import SAMPLE",
    "import test_pipeline",
    "import test_pipeline as pipeline_tests",
    "def helper():\n    from test_corpus_outputs import words",
    "importlib.import_module('test_pipeline')",
    "__import__('test_pipeline')",
    "from tests.conftest import run_cli",
    "import tests.conftest",
    "from tests import conftest",
    "from tests.source_facts import FILES",
    "from . import conftest",
    "from .conftest import run_cli",
    "import conftest",
])
def test_each_kind_of_fault_is_found(source):
    assert len(import_faults(source)) == 1, import_faults(source)


def test_the_allowed_forms_pass():
    source = ("from conftest import ROOT, run_cli\n"
              "from source_facts import FILES\n"
              "import pytest\n"
              "from pipeline.readers import read\n"
              "def helper():\n    from conftest import epubcheck\n"
              "importlib.import_module('pipeline.writers.epub')\n")
    assert import_faults(source) == []
