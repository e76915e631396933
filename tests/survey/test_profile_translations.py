"""A round's own profile questions in the respondent's language (issue 17): the profile and
review pages show the translated question and choices, the answer kept is the declared
choice; the admin and round_create take the translations and say which are missing."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from survey.models import Response
from survey.services.demo import REGION_ATTRIBUTE
from survey.services.responses import invitation_draft
from survey.services.rounds import round_create
from tests.survey.test_profile_attributes import PROFILE, _admin_form, text, url

pytestmark = pytest.mark.django_db

REGION = {
    "name": "region",
    "label": "Region",
    "choices": ["EMEA", "Americas", "APAC"],
    "translations": {"fr": {"label": "Région", "choices": ["EMEA", "Amériques", "APAC"]}},
}
SITE = {"name": "site", "label": "Site", "choices": [f"Site {n}" for n in range(1, 10)]}
SITE_FR = {
    **SITE,
    "translations": {"fr": {"label": "Bureau", "choices": [f"Bureau {n}" for n in range(1, 10)]}},
}


@pytest.fixture
def region_round(survey_round):
    """The open test round, asking a region (radios) and a site (a drop-down), in French."""
    survey_round.profile_attributes = [REGION, SITE_FR]
    survey_round.save(update_fields=["profile_attributes"])
    return survey_round


def region_radios(body: str) -> list[tuple[str, str]]:
    """(value, label text) of each radio of the region question."""
    fieldset = re.search(r'<div id="div_id_attribute_region".*?</fieldset>', body, re.DOTALL)
    assert fieldset, "the region question is a radio group in a fieldset"
    radios = re.findall(
        r'<input type="radio"[^>]*value="([^"]*)"\s+id="([^"]+)".*?<label[^>]*>\s*([^<]*?)\s*<',
        fieldset.group(0),
        re.DOTALL,
    )
    return [(value, label) for value, _id, label in radios]


def test_a_french_respondent_reads_the_question_in_french_and_the_choice_is_kept(
    client, region_round, issue
):
    token, invitation = issue()
    body = client.get(url("profile", token), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"<legend[^>]*>\s*Région\s*</legend>", body)
    assert region_radios(body) == [
        ("", "Je préfère ne pas répondre"),
        ("EMEA", "EMEA"),
        ("Americas", "Amériques"),  # the value posted is the declared choice
        ("APAC", "APAC"),
    ]
    assert re.search(r'<label\s+for="id_attribute_site"[^>]*>\s*Bureau\s*</label>', body)
    assert '<option value="Site 3">Bureau 3</option>' in body

    sent = client.post(
        url("profile", token),
        {**PROFILE, "attribute_region": "Americas", "attribute_site": "Site 3"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert sent.status_code == 302
    invitation.refresh_from_db()
    chosen = invitation_draft(invitation=invitation)["profile"]["attributes"]
    assert chosen == {"region": "Americas", "site": "Site 3"}

    review = text(client.get(url("review", token), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Région Amériques" in review
    assert "Bureau Bureau 3" in review
    assert "Americas" not in review
    client.post(url("submit", token), HTTP_ACCEPT_LANGUAGE="fr")
    response = Response.objects.get(round=region_round)
    assert response.attributes == {"region": "Americas", "site": "Site 3", "language": "fr"}


@pytest.mark.parametrize("value", ["Amériques", "Bureau 3"])
def test_a_translated_text_posted_is_not_taken_for_a_choice(client, region_round, issue, value):
    token, invitation = issue()
    field = "attribute_region" if value == "Amériques" else "attribute_site"
    page = client.post(url("profile", token), {**PROFILE, field: value}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert 'id="error-summary"' in page.content.decode()
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation) == {}


@pytest.mark.parametrize("language", ["en", "de"])
def test_without_a_translation_the_question_reads_as_typed(client, region_round, issue, language):
    token, _invitation = issue()
    body = client.get(url("profile", token), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(r"<legend[^>]*>\s*Region\s*</legend>", body)
    assert [label for _value, label in region_radios(body)][1:] == ["EMEA", "Americas", "APAC"]


def test_switching_language_on_the_profile_page_shows_the_choice_translated(
    client, region_round, issue
):
    token, invitation = issue()
    switched = client.post(
        url("profile", token),
        {**PROFILE, "attribute_region": "Americas", "language": "fr"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert switched.status_code == 302
    body = client.get(url("profile", token)).content.decode()  # the cookie now says French
    assert re.search(r'value="Americas"[^>]*checked', body)
    assert ("Americas", "Amériques") in region_radios(body)
    invitation.refresh_from_db()
    assert invitation_draft(invitation=invitation)["profile"]["attributes"] == {
        "region": "Americas"
    }


# --- declaring: round_create and the admin ---------------------------------------------------


def test_round_create_keeps_translations_and_refuses_an_unknown_language(small_instrument):
    created = round_create(instrument=small_instrument, name="A", profile_attributes=[REGION])
    assert created.profile_attributes == [REGION]
    italian = {**REGION, "translations": {"it": {"label": "Regione", "choices": ["a", "b", "c"]}}}
    with pytest.raises(ValidationError) as caught:
        round_create(instrument=small_instrument, name="B", profile_attributes=[italian])
    assert caught.value.message_dict["profile_attributes"] == [
        "Attribute 'region', translation 'it': not a language this app offers (de, en, es, fr)."
    ]


def test_create_round_notes_the_languages_its_questions_lack(small_instrument):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_round",
        "--instrument=small",
        "--name=Regions",
        "--attribute=region:Region=EMEA,Americas,APAC",
        stdout=out,
        stderr=err,
    )
    assert out.getvalue().strip() == "regions"
    assert err.getvalue().strip() == (
        "Note: respondents choosing de, es, fr read the profile questions region as typed: "
        "add their translations in the admin (docs/languages.md)."
    )
    call_command("create_round", "--instrument=small", "--name=Plain", stdout=out, stderr=err)
    assert err.getvalue().count("Note:") == 1  # no question, nothing to translate


def test_the_demo_region_question_is_translated_in_every_language(small_instrument):
    created = round_create(
        instrument=small_instrument, name="Demo", profile_attributes=[REGION_ATTRIBUTE]
    )
    assert sorted(created.profile_attributes[0]["translations"]) == ["de", "es", "fr"]


def admin_save(admin_client, survey_round, attributes):
    change = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    form = {**_admin_form(survey_round, json.dumps(attributes)), "language": "en"}
    return admin_client.post(change, form)


def test_admin_warns_naming_the_languages_a_question_is_read_untranslated(
    admin_client, survey_round
):
    saved = admin_save(admin_client, survey_round, [REGION, SITE])
    assert saved.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.profile_attributes == [REGION, SITE]  # a warning, not a refusal
    warnings = [m for m in get_messages(saved.wsgi_request) if m.level_tag == "warning"]
    assert [m.message for m in warnings] == [
        "Some profile questions have no translation for every language a respondent may "
        "choose, so those respondents read them as typed: “Region” (German, Spanish); “Site” "
        "(German, Spanish, French). Add a “translations” entry for those languages (see the "
        "help under Profile attributes)."
    ]


def test_admin_says_nothing_more_when_every_language_is_translated(admin_client, survey_round):
    saved = admin_save(admin_client, survey_round, [REGION_ATTRIBUTE])
    assert saved.status_code == 302
    assert not [m for m in get_messages(saved.wsgi_request) if m.level_tag == "warning"]


def test_admin_refuses_a_bad_translation_naming_question_and_language(admin_client, survey_round):
    bad = {**REGION, "translations": {"fr": {"label": "Région", "choices": ["EMEA"]}}}
    page = admin_save(admin_client, survey_round, [bad])
    assert page.status_code == 200
    assert (
        "Attribute &#x27;region&#x27;, translation &#x27;fr&#x27;: give 3 choices, the "
        "translations of EMEA, Americas, APAC in that order (got 1)."
    ) in page.content.decode()
    survey_round.refresh_from_db()
    assert survey_round.profile_attributes == []


def test_admin_help_explains_the_translations_key(admin_client, survey_round):
    change = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    page = admin_client.get(change).content.decode()
    assert '"translations": {"fr": {"label": "Région", "choices": ["EMEA", "Amériques"' in page
