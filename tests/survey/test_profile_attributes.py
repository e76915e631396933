"""Tests of the profile questions a round declares beyond side, function and level (issue 5):
declaring them (command, service, admin), asking them on the profile page, storing the answer
in the draft and then in Response.attributes, and importing them checked against the choices."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from survey.attributes import (
    attribute_spec_parse,
    attribute_values_clean,
    profile_attributes_removed,
)
from survey.import_mapping import ColumnMapping
from survey.importing import ImportSchema, table_parse
from survey.models import Invitation, Response, SurveyRound
from survey.services.imports import responses_import
from survey.services.responses import invitation_draft, invitation_save_profile, response_submit
from survey.services.rounds import round_create, round_profile_attributes_problems
from survey.tables import ImportFileError, table_read

REGION = {"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}
SITE = {"name": "site", "label": "Site", "choices": [f"Site {n}" for n in range(1, 10)]}
PROFILE = {"side": "it", "function": "infrastructure", "level": "manager"}


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def draft_of(invitation: Invitation) -> dict:
    invitation.refresh_from_db()
    return invitation_draft(invitation=invitation)


@pytest.fixture
def region_round(survey_round):
    """The open test round, declaring a region (3 choices, radios) and a site (9, a select)."""
    survey_round.profile_attributes = [REGION, SITE]
    survey_round.save(update_fields=["profile_attributes"])
    return survey_round


# --- pure helpers ---------------------------------------------------------------------------


def test_attribute_spec_parse_reads_name_label_and_choices():
    assert attribute_spec_parse(" region : Where you work = EMEA, Americas ,APAC") == {
        "name": "region",
        "label": "Where you work",
        "choices": ["EMEA", "Americas", "APAC"],
    }
    assert attribute_spec_parse("business_unit=Retail,Bank")["label"] == "Business unit"


def test_attribute_spec_parse_refuses_a_spec_without_choices():
    with pytest.raises(ValueError, match="NAME=CHOICE,CHOICE"):
        attribute_spec_parse("region")


def test_attribute_values_clean_keeps_chosen_values_only():
    assert attribute_values_clean([REGION, SITE], {"region": "APAC", "site": ""}) == {
        "region": "APAC"
    }
    with pytest.raises(ValueError, match="'Mars' is not an answer to 'Region'"):
        attribute_values_clean([REGION], {"region": "Mars"})
    with pytest.raises(ValueError, match="'emea' is not an answer"):
        attribute_values_clean([REGION], {"region": "emea"})  # exact spelling only
    with pytest.raises(ValueError, match="'team' is not a profile question"):
        attribute_values_clean([REGION], {"team": "Blue"})


def test_profile_attributes_removed_names_dropped_attributes_and_choices():
    new = [{**REGION, "choices": ["EMEA", "Americas", "LATAM"]}]
    assert profile_attributes_removed([REGION, SITE], new) == {"region": ["APAC"], "site": None}
    assert profile_attributes_removed([REGION], [REGION, SITE]) == {}


# --- declaring: create_round and round_create ------------------------------------------------


@pytest.mark.django_db
def test_create_round_declares_attributes(small_instrument):
    out = io.StringIO()
    call_command(
        "create_round",
        "--instrument=small",
        "--name=Regions",
        "--attribute",
        "region:Region=EMEA,Americas,APAC",
        "--attribute",
        "site=Paris, Lyon",
        stdout=out,
    )
    survey_round = SurveyRound.objects.get(slug=out.getvalue().strip())
    assert survey_round.profile_attributes == [
        REGION,
        {"name": "site", "label": "Site", "choices": ["Paris", "Lyon"]},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("region", "--attribute: 'region' declares no choices"),
        ("region=EMEA", "--attribute: Attribute 'region': give between 2 and 50 choices"),
        ("Region=EMEA,APAC", "--attribute: Attribute 1: 'Region' is not an attribute name"),
        ("side=IT,Security", "--attribute: Attribute 1: "),
        ("region=EMEA,emea", "the choices must differ"),
        ("region=EMEA,,APAC", "non-blank"),
        ("row=A,B", "'row' names a column of the responses export"),
        ("submitted_month=A,B", "names a column of the responses export"),
        ("a1=A,B", "'a1' is an item code of the instrument"),
        ("region=Prefer not to say,EMEA", "already offers “Prefer not to say”"),
    ],
)
def test_create_round_refuses_bad_attributes_with_a_clear_message(small_instrument, spec, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "create_round",
            "--instrument=small",
            "--name=A",
            "--attribute",
            spec,
            stdout=io.StringIO(),
        )
    assert not SurveyRound.objects.exists()


@pytest.mark.django_db
def test_create_round_refuses_an_attribute_declared_twice(small_instrument):
    with pytest.raises(CommandError, match="declared twice"):
        call_command(
            "create_round",
            "--instrument=small",
            "--name=A",
            "--attribute=region=EMEA,APAC",
            "--attribute=region=North,South",
            stdout=io.StringIO(),
        )


@pytest.mark.django_db
def test_round_create_refuses_malformed_attributes(small_instrument):
    with pytest.raises(ValidationError) as caught:
        round_create(instrument=small_instrument, name="A", profile_attributes=[{"name": "x"}])
    assert "profile_attributes" in caught.value.message_dict
    assert not SurveyRound.objects.exists()


# --- asking: the profile page ----------------------------------------------------------------


@pytest.mark.django_db
def test_profile_page_asks_each_declared_attribute_accessibly(client, region_round, issue):
    token, _invitation = issue()
    page = client.get(url("profile", token))
    body = page.content.decode()
    fieldset = re.search(r'<div id="div_id_attribute_region".*?</fieldset>', body, re.DOTALL)
    assert fieldset, "the region question is a radio group in a fieldset"
    assert re.search(r"<legend[^>]*>\s*Region\s*</legend>", fieldset.group(0))
    radios = re.findall(r'<input type="radio"[^>]*value="([^"]*)"\s+id="([^"]+)"', fieldset[0])
    assert [value for value, _id in radios] == ["", "EMEA", "Americas", "APAC"]
    for _value, radio_id in radios:
        assert re.search(rf'<label for="{radio_id}"', fieldset.group(0))
    assert "Prefer not to say" in fieldset.group(0)
    # Never forced: "Prefer not to say" is chosen until the respondent picks a region.
    checked = re.findall(r'name="attribute_region" value="([^"]*)"[^>]*checked', body)
    assert checked == [""]
    # Many choices: a labelled drop-down whose first option is "Prefer not to say".
    assert re.search(r'<label\s+for="id_attribute_site"[^>]*>\s*Site\s*</label>', body)
    first_option = r'<select name="attribute_site"[^>]*>\s*<option value=""[^>]*>Prefer not to say<'
    assert re.search(first_option, body)


@pytest.mark.django_db
def test_profile_page_without_declared_attributes_asks_only_three_questions(client, issue):
    token, _invitation = issue()
    body = client.get(url("profile", token)).content.decode()
    assert "attribute_" not in body
    assert "These three answers" in body


@pytest.mark.django_db
def test_profile_stores_the_chosen_value_in_the_draft_and_resumes(client, region_round, issue):
    token, invitation = issue()
    sent = client.post(url("profile", token), {**PROFILE, "attribute_region": "APAC"})
    assert sent.status_code == 302
    assert draft_of(invitation)["profile"] == {**PROFILE, "attributes": {"region": "APAC"}}
    # Reopened in another browser: the choice is shown again, "prefer not to say" for the site.
    body = Client().get(url("profile", token)).content.decode()
    assert re.search(r'name="attribute_region" value="APAC"[^>]*checked', body)
    assert re.search(r'<option value="" selected>Prefer not to say</option>', body)


@pytest.mark.django_db
def test_prefer_not_to_say_stores_nothing(client, region_round, issue):
    token, invitation = issue()
    client.post(url("profile", token), {**PROFILE, "attribute_region": "", "attribute_site": ""})
    assert draft_of(invitation)["profile"] == PROFILE
    body = client.get(url("profile", token)).content.decode()
    assert re.search(r'name="attribute_region" value=""[^>]*checked', body)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["Mars", "emea", "APAC ", "Site 3", "<script>"])
def test_a_value_not_among_the_choices_is_refused_keeping_what_was_typed(
    client, region_round, issue, value
):
    token, invitation = issue()
    page = client.post(
        url("profile", token),
        {**PROFILE, "attribute_region": value, "attribute_site": "Site 3"},
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="error-summary"' in body
    assert 'href="#id_attribute_region_0"' in body  # the summary links to the question
    assert "Region — Choose one of the options, or “Prefer not to say”." in text(page)
    assert 'aria-describedby="id_attribute_region_helptext id_attribute_region_error"' in body
    assert re.search(r'value="it"[^>]*checked', body)
    assert re.search(r'value="manager"[^>]*checked', body)
    assert re.search(r'<option value="Site 3" selected>', body)
    assert draft_of(invitation) == {}


@pytest.mark.django_db
def test_an_expired_profile_page_keeps_the_attribute_chosen(region_round, issue):
    token, invitation = issue()
    browser = Client(enforce_csrf_checks=True)
    browser.get(url("profile", token))
    page = browser.post(
        url("profile", token),
        {**PROFILE, "attribute_region": "EMEA", "csrfmiddlewaretoken": "stale" * 8},
    )
    assert page.status_code == 200
    assert re.search(r'name="attribute_region" value="EMEA"[^>]*checked', page.content.decode())
    assert draft_of(invitation) == {}


@pytest.mark.django_db
def test_the_service_refuses_an_undeclared_value(region_round, issue):
    _token, invitation = issue()
    with pytest.raises(ValueError, match="not an answer to 'Region'"):
        invitation_save_profile(invitation=invitation, **PROFILE, attributes={"region": "Mars"})
    assert draft_of(invitation) == {}


# --- submitting: review and Response.attributes ----------------------------------------------


@pytest.mark.django_db
def test_review_shows_the_answers_and_submit_stores_them(client, region_round, issue):
    token, _invitation = issue()
    client.post(url("profile", token), {**PROFILE, "attribute_region": "Americas"})
    review = text(client.get(url("review", token)))
    assert "Region Americas" in review
    assert "Site Prefer not to say" in review
    assert client.post(url("submit", token))["Location"] == url("thanks", token)
    response = Response.objects.get(round=region_round)
    assert response.attributes == {"region": "Americas", "language": "en"}
    assert response.side == "it"


@pytest.mark.django_db
def test_submit_without_attributes_stores_only_the_language(client, region_round, issue):
    token, _invitation = issue()
    client.post(url("profile", token), PROFILE)
    client.post(url("submit", token))
    assert Response.objects.get(round=region_round).attributes == {"language": "en"}


@pytest.mark.django_db
def test_submit_drops_a_draft_value_the_round_no_longer_offers(region_round, issue):
    _token, invitation = issue()
    invitation_save_profile(
        invitation=invitation, **PROFILE, attributes={"region": "APAC", "site": "Site 2"}
    )
    region_round.profile_attributes = [{**REGION, "choices": ["EMEA", "Americas"]}, SITE]
    region_round.save(update_fields=["profile_attributes"])
    invitation.refresh_from_db()
    response = response_submit(invitation=invitation)
    assert response.attributes == {"site": "Site 2"}


# --- changing the declaration once responses exist --------------------------------------------


@pytest.mark.django_db
def test_a_choice_or_attribute_in_use_cannot_be_removed(region_round, issue):
    _token, invitation = issue()
    invitation_save_profile(invitation=invitation, **PROFILE, attributes={"region": "APAC"})
    response_submit(invitation=invitation)

    def problems(attributes):
        return round_profile_attributes_problems(round=region_round, profile_attributes=attributes)

    assert problems([{**REGION, "choices": ["EMEA", "APAC", "LATAM"]}, SITE]) == []  # unused
    assert problems([REGION]) == []  # no response holds a site
    assert problems([{**REGION, "label": "Where you work"}, SITE]) == []
    dropped = problems([{**REGION, "choices": ["EMEA", "Americas"]}, SITE])
    assert dropped == [
        "'region': 'APAC' cannot be removed from the choices: responses of this round hold it."
    ]
    assert problems([SITE]) == [
        "'region' cannot be removed: responses of this round hold an answer to it."
    ]


@pytest.mark.django_db
def test_admin_edits_the_declared_attributes(admin_client, survey_round):
    change = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    page = admin_client.get(change).content.decode()
    assert 'name="profile_attributes"' in page
    form = _admin_form(survey_round, '[{"name": "region", "choices": ["North", "South"]}]')
    assert admin_client.post(change, form).status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.profile_attributes == [{"name": "region", "choices": ["North", "South"]}]
    form = _admin_form(survey_round, "")
    assert admin_client.post(change, form).status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.profile_attributes == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            '[{"name": "region", "choices": ["North"',
            "Not valid JSON: line 1, column 40: Expecting &#x27;,&#x27; delimiter",
        ),
        (
            '[{"name": "region",\n  "choices": ["A" "B"]}]',
            "Not valid JSON: line 2, column 19: Expecting &#x27;,&#x27; delimiter",
        ),
        ('[{"name": "Region", "choices": ["A", "B"]}]', "is not an attribute name"),
        ('{"name": "region"}', "Profile attributes must be a list."),
        ("null", "Profile attributes must be a JSON list; write [] for none (null is not one)."),
        # deeper than the parser goes
        ("[" * 5000 + "]" * 5000, "Not valid JSON: the lists or objects are nested too deeply."),
    ],
)
def test_admin_refuses_bad_json_keeping_what_was_typed(admin_client, survey_round, typed, message):
    change = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    page = admin_client.post(change, _admin_form(survey_round, typed))
    assert page.status_code == 200
    body = page.content.decode()
    assert message in body
    assert body.count(message) == 1
    # What was typed comes back in the textarea, as typed.
    textarea = re.search(r'<textarea name="profile_attributes"[^>]*>(.*?)</textarea>', body, re.S)
    assert textarea.group(1).strip() == typed.replace('"', "&quot;")
    survey_round.refresh_from_db()
    assert survey_round.profile_attributes == []


@pytest.mark.django_db
def test_admin_refuses_null_for_attributes_in_use_keeping_it(admin_client, region_round, issue):
    _token, invitation = issue()
    invitation_save_profile(invitation=invitation, **PROFILE, attributes={"region": "EMEA"})
    response_submit(invitation=invitation)
    change = reverse("admin:survey_surveyround_change", args=[region_round.pk])
    page = admin_client.post(change, _admin_form(region_round, "null"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "null is not one" in body
    assert "cannot be removed: responses" not in body
    textarea = re.search(r'<textarea name="profile_attributes"[^>]*>(.*?)</textarea>', body, re.S)
    assert textarea.group(1).strip() == "null"
    region_round.refresh_from_db()
    assert region_round.profile_attributes == [REGION, SITE]


@pytest.mark.django_db
def test_admin_refuses_removing_a_choice_in_use(admin_client, region_round, issue):
    _token, invitation = issue()
    invitation_save_profile(invitation=invitation, **PROFILE, attributes={"region": "EMEA"})
    response_submit(invitation=invitation)
    change = reverse("admin:survey_surveyround_change", args=[region_round.pk])
    typed = '[{"name": "region", "label": "Region", "choices": ["Americas", "APAC"]}]'
    page = admin_client.post(change, _admin_form(region_round, typed))
    assert page.status_code == 200
    assert "&#x27;EMEA&#x27; cannot be removed from the choices" in page.content.decode()
    region_round.refresh_from_db()
    assert region_round.profile_attributes == [REGION, SITE]


def _admin_form(survey_round: SurveyRound, profile_attributes: str) -> dict:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(survey_round.timezone)
    opens = survey_round.opens_at.astimezone(zone)
    closes = survey_round.closes_at.astimezone(zone)
    return {
        "instrument": survey_round.instrument_id,
        "name": survey_round.name,
        "slug": survey_round.slug,
        "opens_at_0": opens.strftime("%Y-%m-%d"),
        "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": closes.strftime("%Y-%m-%d"),
        "closes_at_1": closes.strftime("%H:%M:%S"),
        "timezone": survey_round.timezone,
        "min_group_size": str(survey_round.min_group_size),
        "profile_attributes": profile_attributes,
    }


# --- importing --------------------------------------------------------------------------------

SCHEMA = ImportSchema(
    items={"a1": "likert"},
    scale_labels=("1", "2", "3", "4", "5"),
    profile_choices={"side": {"it": "IT", "security": "Security", "other": "Other"}},
    attribute_choices={"region": ("EMEA", "Americas", "APAC")},
)


def test_table_parse_takes_a_declared_attribute_column_in_its_declared_spelling():
    table = table_read(content=b"side,a1,Region\nit,4, emea \nit,3,AMERICAS\nit,2,\n")
    parsed = table_parse(table=table, schema=SCHEMA)
    assert parsed.problems == []
    assert [row.attributes for row in parsed.rows] == [
        {"region": "EMEA"},
        {"region": "Americas"},
        {},
    ]


def test_table_parse_refuses_a_value_outside_the_choices_naming_line_and_column():
    table = table_read(content=b"side,a1,Region\nit,4,EMEA\nit,3,Mars\n")
    parsed = table_parse(table=table, schema=SCHEMA)
    assert [str(problem) for problem in parsed.problems] == [
        "line 3, column 'Region': unknown region 'Mars': expected one of EMEA, Americas, APAC "
        "(or map it in the mapping file's values.region)"
    ]


def test_table_parse_checks_mapped_attribute_values_against_the_choices():
    table = table_read(content=b"side,a1,region\nit,4,Europe\n")
    good = ColumnMapping(values={"region": {"europe": "emea"}})
    assert table_parse(table=table, schema=SCHEMA, mapping=good).rows[0].attributes == {
        "region": "EMEA"
    }
    bad = ColumnMapping(values={"region": {"europe": "Mars"}})
    problems = [str(p) for p in table_parse(table=table, schema=SCHEMA, mapping=bad).problems]
    assert any("values.region.'europe': 'Mars' is not a region" in p for p in problems)


@pytest.mark.django_db
def test_import_recognises_the_rounds_attributes_without_a_mapping(region_round):
    content = b"side,a1,region,site\nit,4,apac,site 3\nsecurity,2,,\n"
    responses_import(round=region_round, file=content, filename="regions.csv")
    stored = list(Response.objects.filter(round=region_round).order_by("pk"))
    assert [response.attributes for response in stored] == [
        {"region": "APAC", "site": "Site 3"},
        {},
    ]


@pytest.mark.django_db
def test_import_refuses_a_value_outside_the_rounds_choices(region_round):
    content = b"side,a1,Region\nit,4,EMEA\nit,4,Atlantis\n"
    with pytest.raises(
        ImportFileError, match=r"line 3, column 'Region': unknown region 'Atlantis'"
    ):
        responses_import(round=region_round, file=content, filename="regions.csv")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_import_command_names_the_bad_cell(region_round, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(b"side,a1,region\nit,4,Nowhere\n")
    with pytest.raises(CommandError, match=r"line 2, column 'region': unknown region 'Nowhere'"):
        call_command("import_responses", region_round.slug, str(path), stdout=io.StringIO())


# --- the demo round ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_gives_every_demo_respondent_a_region(small_instrument):
    from assessment.services import instrument_load

    instrument_load()
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    demo = SurveyRound.objects.get(slug="demo")
    assert [entry["name"] for entry in demo.profile_attributes] == ["region"]
    counts = Counter(
        (side, attributes.get("region"))
        for side, attributes in Response.objects.filter(round=demo).values_list(
            "side", "attributes"
        )
    )
    assert sum(counts.values()) == 300
    k = demo.min_group_size
    for region in ("EMEA", "Americas", "APAC"):
        for side in ("it", "security"):
            assert counts[(side, region)] >= 4 * k, (side, region, counts)


@pytest.mark.django_db
def test_the_welcome_page_says_the_round_questions_are_kept_too(client, region_round, issue):
    token, _invitation = issue()
    body = client.get(reverse("survey:welcome", kwargs={"token": token})).content.decode()
    assert "own profile questions" in body
