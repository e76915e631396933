"""The respondent path in the respondent's language (issue 17): the instrument's own strings
(title, dimension names and descriptions, statements, scale, "don't know", meta prompts) in
the active language where the instrument translates them, English otherwise."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.models import Dimension, Item
from survey.forms import DimensionPageForm
from survey.models import Response
from survey.views import survey_pages

pytestmark = pytest.mark.django_db

PROFILE = {"side": "it", "function": "infrastructure", "level": "manager"}
FRENCH_LABELS = [
    "Pas du tout d'accord",
    "Pas d'accord",
    "Ni d'accord ni pas d'accord",
    "D'accord",
    "Tout à fait d'accord",
]


@pytest.fixture
def french_round(v2_round):
    """``v2_round`` whose instrument has French texts for every string."""
    instrument = v2_round.instrument
    instrument.translations = {
        "fr": {
            "needs_review": True,
            "title": "Petit questionnaire",
            "description": "",
            "scale_labels": FRENCH_LABELS,
            "dont_know_label": "Je ne sais pas",
            "meta_prompts": {
                "it": "Selon vous, que répondrait l'équipe sécurité ?",
                "security": "Selon vous, que répondrait l'équipe informatique ?",
            },
        }
    }
    instrument.save()
    for dimension in Dimension.objects.filter(instrument=instrument):
        dimension.translations = {
            "fr": {
                "name": f"Dimension {dimension.code.upper()} en français",
                "description": f"À propos de {dimension.code.upper()}.",
                "guidance": "Faire ceci.",
            }
        }
        dimension.save()
    for item in Item.objects.filter(dimension__instrument=instrument):
        item.translations = {"fr": {"text": f"Énoncé {item.code} en français."}}
        item.save()
    return v2_round


@pytest.fixture
def token(client, issue, french_round):
    token, _invitation = issue(survey_round=french_round)
    assert client.post(url("profile", token), PROFILE).status_code == 302
    return token


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def test_a_survey_page_shows_the_french_texts(client, token):
    # LocaleMiddleware activates the request's language, so a test chooses it the way a
    # browser does.
    html = client.get(url("page", token, n=2), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Énoncé a1 en français." in html
    assert "Énoncé a_comment en français." in html
    assert "Dimension A en français" in html
    assert "À propos de A." in html
    assert "Petit questionnaire" in html
    for label in FRENCH_LABELS:
        assert label.replace("'", "&#x27;") in html
    assert "Je ne sais pas" in html
    assert "Selon vous, que répondrait l&#x27;équipe sécurité ?" in html
    assert "Strongly agree" not in html
    assert "A statement" not in html


@pytest.mark.parametrize("accept", ["fr", "fr-CA,fr;q=0.9", "fr-FR"])
def test_the_browser_s_language_chooses_the_texts(client, token, accept):
    html = client.get(url("page", token, n=2), HTTP_ACCEPT_LANGUAGE=accept).content.decode()

    assert "Énoncé a2 en français." in html
    assert "Tout à fait d&#x27;accord" in html


@pytest.mark.parametrize("accept", ["en", "de"])
def test_english_and_untranslated_languages_show_the_english_texts(client, token, accept):
    english = Item.objects.get(code="a2").text

    html = client.get(url("page", token, n=2), HTTP_ACCEPT_LANGUAGE=accept).content.decode()

    assert english.replace("'", "&#x27;") in html
    assert "Strongly agree" in html
    assert "Énoncé" not in html
    assert "Small instrument" in html


def test_the_review_page_shows_texts_and_answers_in_french(client, token):
    client.post(
        url("page", token, n=2),
        {"a1": "4", "a1__predicted_other": "2", "a2": "dont_know"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    html = client.get(url("review", token), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Énoncé a1 en français." in html
    assert "Dimension B en français" in html
    assert "D&#x27;accord" in html
    assert "Pas d&#x27;accord" in html  # the guess of the other side's answer
    assert "Je ne sais pas" in html
    assert "Selon vous, que répondrait l&#x27;équipe sécurité ?" in html
    assert "Strongly" not in html


def test_answers_given_in_french_are_stored_as_points(client, token):
    client.post(url("page", token, n=2), {"a1": "5", "a2": "dont_know"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = client.get(url("review", token), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Strongly agree" in html
    assert "Don&#x27;t know" in html


def test_the_welcome_page_names_the_instrument_in_french(client, issue, french_round):
    token, _invitation = issue(survey_round=french_round)

    html = client.get(url("welcome", token), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Petit questionnaire" in html
    assert "Small instrument" not in html


def test_the_page_form_and_pages_follow_translation_override(french_round):
    dimensions = list(
        Dimension.objects.filter(instrument=french_round.instrument).prefetch_related("items")
    )
    with translation.override("fr"):
        pages = survey_pages(dimensions)
        form = DimensionPageForm(
            items=pages[1].items, scale_labels=FRENCH_LABELS, dont_know_label="Je ne sais pas"
        )

    assert pages[1].name == "Dimension A en français"
    assert form.fields["a1"].label == "Énoncé a1 en français."
    assert form.fields["a_comment"].label == "Énoncé a_comment en français."
    assert (
        DimensionPageForm(items=pages[1].items, scale_labels=FRENCH_LABELS, language="en")
        .fields["a1"]
        .label
        == Item.objects.get(code="a1").text
    )


def test_no_template_note_shows_on_a_survey_page(client, token):
    # A multi-line {# ... #} is not a comment to Django's templates: it printed itself.
    html = client.get(url("page", token, n=2)).content.decode()

    assert "{#" not in html
    assert "#}" not in html


# --- the language switcher (issue 17) ---------------------------------------------------


def checked(html: str, name: str, value: str) -> bool:
    """Whether the radio ``name`` = ``value`` is checked in ``html``."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no input or select {name}={value}"
    return re.search(rf'<option value="{value}"[^>]* selected', select.group(0)) is not None


def test_every_respondent_page_offers_the_other_languages(client, token, issue, french_round):
    fresh, _invitation = issue(survey_round=french_round)
    for path in (url("welcome", fresh), url("profile", token), url("page", token, n=2)):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert '<html lang="fr">' in html
        for code, name in (("en", "English"), ("de", "Deutsch"), ("es", "Español")):
            assert f'value="{code}" lang="{code}"' in html, (path, code)
            assert name in html


def test_switching_language_on_a_page_keeps_its_answers(client, token, settings):
    response = client.post(url("page", token, n=2), {"a1": "4", "a2": "2", "language": "fr"})

    assert response.status_code == 302
    assert response["Location"] == url("page", token, n=2)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    html = client.get(response["Location"]).content.decode()  # the cookie chooses now
    assert "Énoncé a1 en français." in html
    assert checked(html, "a1", "4")
    assert checked(html, "a2", "2")


def test_switching_language_on_an_unfinished_profile_keeps_what_was_typed(
    client, issue, v2_round, settings
):
    token, _invitation = issue(survey_round=v2_round)
    response = client.post(
        url("profile", token), {"function": "infrastructure", "level": "manager", "language": "de"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert checked(html, "function", "infrastructure")
    assert checked(html, "level", "manager")
    assert "is-invalid" not in html  # nothing was submitted yet: no error shown
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"


def test_a_language_not_offered_is_ignored(client, token):
    response = client.post(url("page", token, n=2), {"a1": "4", "language": "xx"})
    assert response["Location"] == url("page", token, n=3)


def test_the_language_answered_in_is_kept_as_an_attribute(client, token):
    client.post(url("submit", token), HTTP_ACCEPT_LANGUAGE="fr")
    assert Response.objects.get().attributes["language"] == "fr"


def test_respondent_pages_have_one_switcher_and_not_the_leaders_form(
    client, token, issue, french_round
):
    fresh, _invitation = issue(survey_round=french_round)
    paths = [url("welcome", fresh), url("profile", token), url("page", token, n=2)]
    paths.append(url("review", token))
    for path in paths:
        html = client.get(path).content.decode()
        assert html.count('class="language-switcher') == 1, path
        assert 'id="site-language"' not in html, path
