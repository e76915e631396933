"""The methodology page as a leader reads it: docs/methodology.md rendered, and (issue 18)
sources named in words, papers and libraries, never the product's own files."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# A path or module of the product's code: reports/disclosure.py, tests/reports/audit/,
# reports.disclosure.profiles_generalise, .venv/bin/python.
OWN_CODE = re.compile(
    r"[\w./-]+\.py\b"
    r"|\b(?:assessment|survey|reports|tests|config)/[\w/]+"
    r"|\b(?:assessment|survey|reports)\.[a-z_]+\.[a-z_]+"
    r"|\.venv\b"
)
# The sources a leader is owed for the figures on the dashboard, as the page writes them.
KEY_SOURCES = [
    "Mann & Whitney 1947",
    "scipy.stats.mannwhitneyu",
    "Benjamini–Hochberg (1995)",
    "Kerby 2014",
    "James, Demaree & Wolf 1984",
    "Burke, Finkelstein & Dusig 1999",
    "Cronbach 1951",
    "Welch's (1947)",
    "Fraser & Wooton 2005",
    "Thompson, Broadfoot & Elazar 2013",
    "DiMaggio, Evans & Bryson 1996",
    "Sweeney 2002a",
    "Virtanen et al. 2020",
]


@pytest.fixture
def page_text(leader_client) -> str:
    """The methodology page's text, tags removed and entities read."""
    response = leader_client.get(reverse("reports:methodology"))
    assert response.status_code == 200
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_methodology_page_cites_no_file_of_ours(page_text):
    assert OWN_CODE.findall(page_text) == []


def test_the_pattern_finds_the_citations_the_page_used_to_have():
    """The input that showed the problem, as the page had it."""
    before = (
        "All computation lives in `assessment/scoring.py`, and every rule deciding what may "
        "be shown in `reports/disclosure.py`. An audit in the test suite (`tests/reports/"
        "audit/`) ... (`reports.disclosure.profiles_generalise`); `AUDIT_DEMO=1 "
        ".venv/bin/python -m pytest`"
    )
    assert OWN_CODE.findall(before) == [
        "assessment/scoring.py",
        "reports/disclosure.py",
        "tests/reports/audit/",
        "reports.disclosure.profiles_generalise",
        ".venv",
    ]


@pytest.mark.parametrize("source", KEY_SOURCES)
def test_the_methodology_page_names_its_sources(page_text, source):
    assert source in page_text


def test_every_source_named_has_a_full_reference(page_text):
    references = page_text[page_text.index("References") :]
    for authors in (
        "Mann, H. B.",
        "Benjamini, Y.",
        "Kerby, D. S.",
        "James, L. R.",
        "Burke, M. J.",
        "Cronbach, L. J.",
        "Welch, B. L.",
        "Fraser, B.",
        "Thompson, G.",
        "DiMaggio, P.",
        "Sweeney, L.",
        "Virtanen, P.",
    ):
        assert authors in references, authors


def test_a_french_reader_is_told_the_methodology_is_in_english(leader_client):
    """The article is English under a French page: it says so, and is marked lang="en" so
    a screen reader reads it with an English voice (found by the newcomer trial)."""
    html = leader_client.get(reverse("reports:methodology"), HTTP_ACCEPT_LANGUAGE="fr")
    content = html.content.decode()
    assert '<html lang="fr">' in content
    assert '<article class="methodology" lang="en">' in content
    assert "Cette page est en anglais" in content
    english = leader_client.get(reverse("reports:methodology"), HTTP_ACCEPT_LANGUAGE="en")
    assert "This page is in English" not in english.content.decode()


def test_methodology_page_renders_docs_methodology(leader_client, settings):
    response = leader_client.get(reverse("reports:methodology"))
    assert response.status_code == 200
    content = response.content.decode()
    source = (Path(settings.BASE_DIR) / "docs" / "methodology.md").read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
    assert len(headings) >= 8
    for heading in headings:
        assert f">{heading}</h" in content.replace("&#x27;", "'"), heading
    for formula in ("rwg(j)", "(A² − 1) / 12", "2·U_A / (n_A · n_B) − 1", "100 − mean |gap|"):
        assert formula in content
    assert "FRICTION_BREAKDOWN_GAP_POINTS" in content
    assert "<table>" in content  # the thresholds table is rendered, not shown as text
