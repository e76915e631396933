"""The methodology page as a leader reads it (issue 18): sources named in words, papers and
libraries, never the product's own files; in the reader's language where docs/ has a
translation, else in English with a notice (issue 17)."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from reports.views import dashboard
from reports.views.dashboard import methodology_marker, methodology_source

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


def methodology_page(client, language: str) -> str:
    response = client.get(reverse("reports:methodology"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def review_note(language: str) -> str:
    with translation.override(language):
        return translation.gettext(
            "This page is translated from English; the translation awaits review by a native "
            "speaker."
        )


@pytest.fixture
def docs_without_translations(tmp_path, monkeypatch, settings):
    """A docs directory holding only the English methodology, as for a language that has
    no translation of it."""
    english = Path(settings.BASE_DIR) / "docs" / "methodology.md"
    (tmp_path / "methodology.md").write_text(english.read_text(encoding="utf-8"))
    monkeypatch.setattr(dashboard, "METHODOLOGY_DIRECTORY", tmp_path)
    return tmp_path


def test_a_reader_whose_language_has_no_translation_is_told_it_is_in_english(
    leader_client, docs_without_translations
):
    """The article is English under a French page: it says so, and is marked lang="en" so
    a screen reader reads it with an English voice (found by the newcomer trial)."""
    content = methodology_page(leader_client, "fr")
    assert '<html lang="fr">' in content
    assert '<article class="methodology" lang="en">' in content
    assert "Cette page est en anglais" in content
    assert review_note("fr") not in content
    assert "<h1>Methodology</h1>" in content
    english = methodology_page(leader_client, "en")
    assert "This page is in English" not in english
    assert "awaits review" not in english


def test_a_french_reader_reads_the_french_methodology(leader_client):
    """docs/methodology.fr.md, its marker line left out, marked lang="fr", with the note
    that it awaits a native speaker's review (issue 17)."""
    content = methodology_page(leader_client, "fr")
    assert '<article class="methodology" lang="fr">' in content
    assert "<h1>Méthodologie</h1>" in content
    assert "<h2>Données manquantes</h2>" in content
    assert "intervalle de confiance" in content
    assert "<code>score = A + 1 − v</code>" in content
    assert review_note("fr") != review_note("en")
    assert review_note("fr") in html.unescape(content)
    assert "Cette page est en anglais" not in content
    assert "translation of methodology.md" not in content
    assert "&lt;!--" not in content


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parents[3] / "docs").glob("methodology.*.md")),
    ids=lambda path: path.name,
)
def test_every_translation_is_served_in_its_language(leader_client, path):
    language = path.name.split(".")[1]
    first_heading = next(
        line[2:] for line in path.read_text(encoding="utf-8").splitlines() if line[:2] == "# "
    )
    content = methodology_page(leader_client, language)
    assert f'<html lang="{language}">' in content
    assert f'<article class="methodology" lang="{language}">' in content
    assert f"<h1>{html.escape(first_heading, quote=False)}</h1>" in content


def test_the_marker_line_is_dropped_and_read(leader_client, docs_without_translations):
    """A reviewed translation keeps its marker without "needs review": no note then. Each
    file is cached by its own path, so the English page stays English."""
    (docs_without_translations / "methodology.fr.md").write_text(
        "<!-- translation of methodology.md -->\n# Méthodologie relue\n\nTexte.\n",
        encoding="utf-8",
    )
    content = methodology_page(leader_client, "fr")
    assert '<article class="methodology" lang="fr">' in content
    assert "<h1>Méthodologie relue</h1>" in content
    assert review_note("fr") not in html.unescape(content)
    assert "translation of methodology.md" not in content
    english = methodology_page(leader_client, "en")
    assert "<h1>Methodology</h1>" in english
    assert "relue" not in english


def test_a_changed_translation_is_read_again(leader_client, docs_without_translations):
    translated = docs_without_translations / "methodology.fr.md"
    translated.write_text("<!-- translation of methodology.md -->\n# Avant\n")
    assert "<h1>Avant</h1>" in methodology_page(leader_client, "fr")
    translated.write_text("<!-- translation of methodology.md; needs review -->\n# Après\n")
    os.utime(translated, (1, 1))  # a new mtime, however coarse the file system's clock
    content = methodology_page(leader_client, "fr")
    assert "<h1>Après</h1>" in content
    assert review_note("fr") in html.unescape(content)


@pytest.mark.parametrize(
    ("text", "note", "rest"),
    [
        ("<!-- translation of methodology.md -->\n# M\n", "translation of methodology.md", "# M\n"),
        ("\ufeff<!--  needs review  -->\r\n# M\n", "needs review", "# M\n"),
        ("# M\n<!-- not first -->\n", None, "# M\n<!-- not first -->\n"),
        ("<!-- unclosed\n# M\n", None, "<!-- unclosed\n# M\n"),
        ("<!-- a --> # M\n", None, "<!-- a --> # M\n"),
        ("", None, ""),
    ],
)
def test_the_marker_is_only_a_whole_first_line(text, note, rest):
    assert methodology_marker(text) == (note, rest)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "methodology.fr.md"), ("en", "methodology.md"), ("xx", "methodology.md")],
)
def test_the_source_is_the_language_s_file_when_it_exists(language, expected):
    path, written_in = methodology_source(language)
    assert path.name == expected
    assert written_in == (language if expected != "methodology.md" else "en")


def test_a_code_that_is_not_a_language_never_names_a_file(docs_without_translations):
    """Only a language code names a file, though a file of the name would exist."""
    (docs_without_translations / "methodology.FR.md").write_text("# FR")
    (docs_without_translations / "methodology.f").mkdir()
    (docs_without_translations / "methodology.f" / "r.md").write_text("# f/r")
    for language in ("FR", "f/r", "", "../methodology"):
        assert methodology_source(language) == (
            docs_without_translations / "methodology.md",
            "en",
        )


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
