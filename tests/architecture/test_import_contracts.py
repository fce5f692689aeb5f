"""The import contract of pyproject.toml holds for the code, and would fail on a forbidden import.

`make test` runs `lint-imports` itself; these tests prove that the contract is not toothless: a copy of the
source tree with one forbidden import added (also one hidden inside a function) breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "src" / "fuhe", tmp_path / "src" / "fuhe", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add(root: Path, module: str, code: str) -> None:
    path = root / "src" / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_context_importing_upwards_inside_a_function_breaks_the_contract(tree_copy):
    assert _lint(tree_copy).returncode == 0
    _add(tree_copy, "fuhe.cases.services.intake", "def _hidden():\n    from fuhe.routing import tasks  # noqa\n")
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert "fuhe.cases is not allowed to import fuhe.routing" in result.stdout


def test_org_importing_accounts_breaks_the_contract(tree_copy):
    _add(tree_copy, "fuhe.org.selectors", "from fuhe.accounts.scope import scope_for  # noqa\n")
    result = _lint(tree_copy)
    assert "fuhe.org is not allowed to import fuhe.accounts" in result.stdout


def test_a_core_module_importing_django_breaks_the_contract(tree_copy):
    _add(tree_copy, "fuhe.cases.core.rates", "import django.db  # noqa\n")
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert "fuhe.cases.core is not allowed to import django" in result.stdout
    assert "fuhe.cases.core.rates -> django" in result.stdout


def test_a_service_importing_its_tasks_breaks_the_contract(tree_copy):
    _add(tree_copy, "fuhe.cases.services.import_jobs", "def _later():\n    from fuhe.cases import tasks  # noqa\n")
    result = _lint(tree_copy)
    assert "fuhe.cases.services is not allowed to import fuhe.cases.tasks" in result.stdout
