"""Leaders' pages name dimensions, statements and scale points in the reader's language where
the instrument translates them (issue 17), English otherwise."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment.models import Dimension, Item
from reports.chart_locale import plotly_separators
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.reports.pages import COMMA_DECIMAL, ENGLISH_DECIMAL, figure_texts

pytestmark = pytest.mark.django_db

FRENCH_LABELS = [
    "Pas du tout d'accord",
    "Pas d'accord",
    "Ni d'accord ni pas d'accord",
    "D'accord",
    "Tout à fait d'accord",
]


@pytest.fixture
def french_round(populated_round):
    instrument = populated_round.instrument
    instrument.translations = {
        "fr": {"title": "Petit questionnaire", "scale_labels": FRENCH_LABELS}
    }
    instrument.save()
    Dimension.objects.filter(instrument=instrument, code="a").update(
        guidance="Agree a fast path.",
        translations={
            "fr": {
                "name": "Dimension A en français",
                "description": "À propos de A.",
                "guidance": "Convenez d'un circuit rapide.",
            }
        },
    )
    for item in Item.objects.filter(dimension__instrument=instrument):
        item.translations = {"fr": {"text": f"Énoncé {item.code} en français."}}
        item.save()
    return populated_round


def dimension_page(client, survey_round, language):
    url = reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"})
    return client.get(f"{url}?attribute=side&a=it&b=security", HTTP_ACCEPT_LANGUAGE=language)


def test_a_french_reader_sees_the_dimension_and_its_statements_in_french(
    leader_client, french_round
):
    response = dimension_page(leader_client, french_round, "fr")

    content = response.content.decode()
    assert "Dimension A en français" in content
    assert "À propos de A." in content
    assert "Convenez d&#x27;un circuit rapide." in content
    texts = [row["item_text"] for row in response.context["item_rows"]]
    assert texts == [f"Énoncé a{n} en français." for n in (1, 2, 3)]
    assert response.context["scale_labels"] == FRENCH_LABELS
    assert "Agree a fast path." not in content


def test_an_english_reader_sees_the_english_texts(leader_client, french_round):
    response = dimension_page(leader_client, french_round, "en")

    content = response.content.decode()
    assert "Agree a fast path." in content
    assert "Énoncé" not in content
    assert response.context["scale_labels"][0] == "Strongly disagree"


def test_the_dashboard_names_the_instrument_and_dimensions_in_french(leader_client, french_round):
    url = reverse("reports:dashboard", kwargs={"slug": french_round.slug})

    content = leader_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Petit questionnaire" in content
    assert "Dimension A en français" in content


@pytest.mark.parametrize("language", ["fr", "de", "es"])
@pytest.mark.parametrize(
    "page", ["dashboard", "trend", "executive_summary", "perceptions", "drivers"]
)
def test_the_leaders_pages_render_in_each_language(leader_client, populated_round, language, page):
    """The interface's own strings come from the language's catalog (issue 17)."""
    from django.utils import translation

    url = reverse(f"reports:{page}", kwargs={"slug": populated_round.slug})
    response = leader_client.get(url, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    with translation.override(language):
        reports = translation.gettext("Reports")
        methodology = translation.gettext("Methodology")
    assert reports != "Reports"
    assert reports in content
    assert "Methodology" not in content or methodology == "Methodology"


def dashboard_figures(client, survey_round, language: str) -> dict[str, dict]:
    url = reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.context["figures"]


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_the_dashboards_charts_write_numbers_with_the_languages_decimal_comma(
    leader_client, populated_round, language
):
    """Plotly's separators come from the language's formats, and no text written in Python
    (bar labels, cells, hover texts) keeps an English decimal point such as "91.7"."""
    figures = dashboard_figures(leader_client, populated_round, language)

    assert set(figures) == {"gap", "heatmap", "radar"}
    for name, figure in figures.items():
        assert figure["layout"]["separators"] == plotly_separators(language), name
        assert figure["layout"]["separators"][0] == ",", name
        texts = figure_texts(figure)
        assert not [t for t in texts if ENGLISH_DECIMAL.search(t)], name
        assert any(COMMA_DECIMAL.search(t) for t in texts), name


def test_the_english_dashboards_charts_are_unchanged(leader_client, populated_round):
    figures = dashboard_figures(leader_client, populated_round, "en")

    for name, figure in figures.items():
        assert figure["layout"]["separators"] == ".,", name
        texts = figure_texts(figure)
        assert any(ENGLISH_DECIMAL.search(t) for t in texts), name
        assert not [t for t in texts if COMMA_DECIMAL.search(t)], name
    gap_bars = [label for trace in figures["gap"]["data"] for label in trace["text"]]
    assert gap_bars == ["+66.7 ★", "+8.3"]


def test_each_language_has_its_own_cached_figures(leader_client, populated_round):
    """The presented figures are cached by language: a French reader after an English one
    gets French separators, and the English reader still gets English ones."""
    english = dashboard_figures(leader_client, populated_round, "en")
    french = dashboard_figures(leader_client, populated_round, "fr")
    again = dashboard_figures(leader_client, populated_round, "en")

    assert english["gap"]["layout"]["separators"] == ".,"
    assert french["gap"]["layout"]["separators"][0] == ","
    assert again == english


@pytest.mark.parametrize("page", ["dimension", "executive_summary"])
def test_the_other_pages_charts_write_numbers_in_german(leader_client, populated_round, page):
    kwargs = {"code": "a"} if page == "dimension" else {}
    url = reverse(f"reports:{page}", kwargs={"slug": populated_round.slug, **kwargs})
    response = leader_client.get(url, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    for name, figure in response.context["figures"].items():
        assert figure["layout"]["separators"] == ",.", name
        texts = figure_texts(figure)
        assert not [t for t in texts if ENGLISH_DECIMAL.search(t)], name
        assert any(COMMA_DECIMAL.search(t) for t in texts), name


@pytest.mark.parametrize("page", ["dashboard", "dimension", "executive_summary"])
def test_the_chart_pages_load_plotlys_locales_after_plotly(leader_client, populated_round, page):
    """Plotly's own words in the reader's language (reports/static/reports/plotly_locales.js,
    which dashboard.js names through <html lang>)."""
    kwargs = {"code": "a"} if page == "dimension" else {}
    url = reverse(f"reports:{page}", kwargs={"slug": populated_round.slug, **kwargs})
    content = leader_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    plotly = content.index("plotly/plotly.min.js")
    assert (
        plotly < content.index("reports/plotly_locales.js") < content.index("reports/dashboard.js")
    )


@pytest.mark.parametrize(("language", "floor"), [("en", "0.001"), ("de", "0,001"), ("fr", "0,001")])
def test_a_q_value_below_the_floor_is_written_in_the_language(
    leader_client, survey_round, make_responses, language, floor
):
    """Found by a fresh-user trial: "q < 0.001" kept its decimal point beside "q = 0,834"."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 20 + [("security", SECURITY_ANSWERS)] * 20)
    url = reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"})

    content = leader_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"q &lt; {floor}" in content
    assert "0.001" not in content or language == "en"


@pytest.mark.parametrize(("language", "share"), [("en", "%</td>"), ("fr", "\u00a0%</td>")])
def test_a_percentage_is_written_with_the_languages_space(
    leader_client, populated_round, language, share
):
    """Found by a fresh-user trial: French pages wrote "73%" beside "IC à 95 %"."""
    url = reverse("reports:dimension", kwargs={"slug": populated_round.slug, "code": "a"})

    content = leader_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert share in content
    if language == "en":
        assert "\u00a0%" not in content
    else:
        assert not re.search(r"\d%</td>", content)
