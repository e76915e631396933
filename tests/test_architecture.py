"""Architecture rules checked by tests: import direction and Django-free pure modules."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_CONTRACT = "Pure computation imports no Django"


def pure_modules() -> list[str]:
    """The source modules of the import-linter contract that forbids Django (pyproject.toml),
    so the list is written once."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == PURE_CONTRACT]
    return list(contract["source_modules"])


PURE_MODULES = pure_modules()


def test_import_contracts_hold():
    """import-linter: reports -> survey -> assessment only, and no Django in pure modules."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_loads_without_django(module):
    """Importing a pure module in a fresh interpreter must not pull Django in."""
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{module} imports Django\n{result.stderr}"
