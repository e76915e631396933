"""Architecture rules checked by tests: import direction and Django-free pure modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = [
    "assessment.scoring",
    "assessment.validation",
    "reports.analysis",
    "reports.charts",
    "reports.disclosure",
    "reports.findings",
    "reports.panel",
    "reports.statistics",
    "reports.trends",
    "survey.attributes",
    "survey.frames",
    "survey.import_mapping",
    "survey.importing",
    "survey.tables",
]


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
