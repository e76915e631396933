"""The README is a guide a newcomer reads in five minutes: what the product does, the two
commands and where to click come first, and the reference lives in docs/ (it was 22 KB, with
the two commands behind a page of reference). Every relative link of the README and of docs/
leads to a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short_and_starts_with_what_to_do():
    text = (ROOT / "README.md").read_text()
    assert len(text.encode()) < 8_000
    first_screen = "\n".join(text.splitlines()[:45])
    assert "make run" in first_screen
    assert "make test" in first_screen
    assert "Answer the survey" in first_screen
    assert "Dashboard" in first_screen


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_lead_to_files(page):
    text = page.read_text()
    missing = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            missing.append(target)
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_every_environment_variable_is_in_the_configuration_table():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    names = set(
        re.findall(r'(?:environ\.get|env_\w+|environ\[)\(?\s*"([A-Z][A-Z0-9_]+)"', settings_source)
    )
    assert len(names) > 20
    table = (ROOT / "docs" / "configuration.md").read_text()
    undocumented = sorted(name for name in names if f"| `{name}` |" not in table)
    assert not undocumented, f"not in docs/configuration.md's table: {undocumented}"
