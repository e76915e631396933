"""Instrument v2 on the respondent's side (issue 15): "don't know" apart from the scale, the
guess of the other side's answer to meta-perception statements, the outcome statement; from
the survey pages, drafts and bulk writes to the import and the default instrument."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from survey.import_mapping import mapping_parse
from survey.models import Answer, Response, SurveyRound
from survey.scale import DONT_KNOW
from survey.services.imports import responses_import
from survey.services.responses import (
    invitation_draft,
    invitation_save_page,
    invitation_save_profile,
    responses_create_bulk,
)
from survey.services.rounds import instrument_newest
from survey.tables import ImportFileError
from tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db

PROFILE = {"function": "infrastructure", "level": "manager"}
IT_PROMPT = "How do you think security staff would answer?"


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def radios(html: str, name: str) -> list[tuple[str, bool]]:
    """The radios named ``name`` in page order: (value, checked)."""
    return [
        (match["value"], "checked" in match["rest"])
        for match in re.finditer(
            rf'<input[^>]*name="{re.escape(name)}"[^>]*value="(?P<value>[^"]*)"(?P<rest>[^>]*)>',
            html,
        )
    ]


def started(client, issue, v2_round, side: str) -> tuple[str, object]:
    token, invitation = issue(survey_round=v2_round)
    assert client.post(url("profile", token), {"side": side, **PROFILE}).status_code == 302
    return token, invitation


# --- the survey pages -----------------------------------------------------------------------


def test_outcome_comes_first_on_a_page_of_its_own_then_the_dimensions(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "it")
    first = client.get(url("page", token, n=1)).content.decode()
    assert "<h1" in first
    assert "Overall" in first
    assert 'name="overall"' in first
    assert 'name="a1"' not in first
    second = client.get(url("page", token, n=2)).content.decode()
    assert 'name="a1"' in second
    assert 'name="overall"' not in second
    third = client.get(url("page", token, n=3)).content.decode()
    assert 'name="b1"' in third
    assert 'name="overall"' not in third
    # Profile, three pages, review.
    assert client.get(url("page", token, n=4)).status_code == 302


def test_dont_know_is_the_last_choice_of_the_statement_s_own_radio_group(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "it")
    html = client.get(url("page", token, n=2)).content.decode()
    assert [value for value, _checked in radios(html, "a1")] == ["1", "2", "3", "4", "5", DONT_KNOW]
    assert "likert-dont-know" in html
    assert "Don&#x27;t know" in html
    # Comments offer none.
    assert not radios(html, "a_comment")


def test_no_dont_know_when_the_instrument_offers_none(client, issue, survey_round):
    token, _invitation = issue(survey_round=survey_round)
    client.post(url("profile", token), {"side": "it", **PROFILE})
    html = client.get(url("page", token, n=1)).content.decode()
    assert [value for value, _checked in radios(html, "a1")] == ["1", "2", "3", "4", "5"]
    refused = client.post(url("page", token, n=1), {"a1": DONT_KNOW, "action": "next"})
    assert refused.status_code == 200
    assert "Choose one of the options on the scale." in refused.content.decode()


def test_it_respondent_answers_the_follow_up_question_under_the_statement(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "it")
    html = client.get(url("page", token, n=2)).content.decode()
    assert IT_PROMPT in html
    # Right under its statement, before the next one; the same scale, no "don't know".
    assert html.index('name="a1"') < html.index(IT_PROMPT) < html.index('name="a2"')
    assert [value for value, _ in radios(html, "a1__predicted_other")] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    # Only the meta-perception statement asks it.
    assert not radios(html, "a2__predicted_other")


def test_security_respondent_reads_its_own_prompt(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "security")
    html = client.get(url("page", token, n=2)).content.decode()
    assert "How do you think IT staff would answer?" in html
    assert IT_PROMPT not in html


def test_other_side_respondents_are_not_asked_and_a_forged_guess_is_not_kept(
    client, issue, v2_round
):
    token, invitation = started(client, issue, v2_round, "other")
    html = client.get(url("page", token, n=2)).content.decode()
    assert "predicted_other" not in html
    assert "would answer" not in html
    client.post(url("page", token, n=2), {"a1": "4", "a1__predicted_other": "2"})
    draft = invitation_draft(invitation=invitation)
    assert draft["answers"] == {"a1": 4}
    assert not draft.get("predicted_other")


def test_the_whole_path_stores_dont_know_guess_and_outcome(client, issue, v2_round):
    token, invitation = started(client, issue, v2_round, "it")
    client.post(url("page", token, n=1), {"overall": "2", "action": "next"})
    client.post(
        url("page", token, n=2),
        {"a1": DONT_KNOW, "a1__predicted_other": "2", "a2": "5", "action": "next"},
    )
    client.post(url("page", token, n=3), {"b1": DONT_KNOW, "action": "next"})

    draft = invitation_draft(invitation=invitation)
    assert draft["answers"] == {"overall": 2, "a1": DONT_KNOW, "a2": 5, "b1": DONT_KNOW}
    assert draft["predicted_other"] == {"a1": 2}

    # Coming back shows what was chosen.
    again = client.get(url("page", token, n=2)).content.decode()
    assert (DONT_KNOW, True) in radios(again, "a1")
    assert ("2", True) in radios(again, "a1__predicted_other")

    review = client.get(url("review", token)).content.decode()
    assert review.count("Don&#x27;t know") == 2
    assert IT_PROMPT in review
    assert "Disagree" in review
    # a3, b2, b3 unanswered; don't know is an answer.
    assert "3 statements are unanswered" in review

    assert client.post(url("submit", token)).status_code == 302
    response = Response.objects.get()
    stored = {
        answer.item.code: (answer.value, answer.dont_know, answer.predicted_other)
        for answer in Answer.objects.filter(response=response).select_related("item")
    }
    assert stored == {
        "overall": (2, False, None),
        "a1": (None, True, 2),
        "a2": (5, False, None),
        "b1": (None, True, None),
    }
    # The responses export's copy: 0 = don't know, None = not answered (Likert items only).
    assert response.likert_answers == [0, 5, None, 0, None, None]


def test_a_guess_without_an_answer_to_the_statement_is_kept(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "security")
    client.post(url("page", token, n=2), {"a1__predicted_other": "5", "action": "next"})
    client.post(url("submit", token))
    answer = Answer.objects.get(item__code="a1")
    assert (answer.value, answer.dont_know, answer.predicted_other) == (None, False, 5)


def test_a_guess_made_before_changing_side_to_other_is_dropped_at_submit(client, issue, v2_round):
    token, _invitation = started(client, issue, v2_round, "it")
    client.post(url("page", token, n=2), {"a1": "3", "a1__predicted_other": "1"})
    client.post(url("profile", token), {"side": "other", **PROFILE})
    assert IT_PROMPT not in client.get(url("review", token)).content.decode()
    client.post(url("submit", token))
    answer = Answer.objects.get(item__code="a1")
    assert (answer.value, answer.predicted_other) == (3, None)


# --- drafts and bulk writes -----------------------------------------------------------------


def test_drafts_round_trip_dont_know_and_guesses(issue, v2_round):
    _token, invitation = issue(survey_round=v2_round)
    invitation_save_profile(invitation=invitation, side="security", function="", level="")
    invitation_save_page(
        invitation=invitation, answers={"a1": DONT_KNOW, "a2": 1}, predicted={"a1": 4}
    )
    invitation_save_page(invitation=invitation, answers={"a2": None}, predicted={"a1": None})
    draft = invitation_draft(invitation=invitation)
    assert draft["answers"] == {"a1": DONT_KNOW}
    assert draft["predicted_other"] == {}


def test_a_change_of_side_drops_the_guesses_of_the_other_side(issue, v2_round):
    """Found by a fresh-user trial: IT's guess of Security, kept after a switch to Security,
    was stored as Security's guess of IT."""
    _token, invitation = issue(survey_round=v2_round)
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    invitation_save_page(invitation=invitation, answers={"a1": 4}, predicted={"a1": 1})
    invitation_save_profile(invitation=invitation, side="it", function="", level="manager")
    assert invitation_draft(invitation=invitation)["predicted_other"] == {"a1": 1}  # same side
    invitation_save_profile(invitation=invitation, side="security", function="", level="")
    draft = invitation_draft(invitation=invitation)
    assert not draft.get("predicted_other")
    assert draft["answers"] == {"a1": 4}  # the answers themselves stay


@pytest.mark.parametrize(
    ("answers", "predicted", "message"),
    [
        ({"a1": DONT_KNOW}, {}, None),
        ({}, {"a2": 3}, "asks no guess"),
        ({}, {"a1": 6}, "not a whole number from 1 to 5"),
    ],
)
def test_invitation_save_page_checks_guesses(issue, v2_round, answers, predicted, message):
    _token, invitation = issue(survey_round=v2_round)
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    if message is None:
        assert invitation_save_page(invitation=invitation, answers=answers, predicted=predicted)
    else:
        with pytest.raises(ValueError, match=message):
            invitation_save_page(invitation=invitation, answers=answers, predicted=predicted)


def test_responses_create_bulk_stores_dont_know_never_as_a_value(v2_round):
    responses_create_bulk(
        round=v2_round,
        responses=[
            {"side": "it", "answers": {"a1": DONT_KNOW, "overall": 4}, "predicted_other": {"a1": 1}}
        ],
    )
    a1 = Answer.objects.get(item__code="a1")
    assert (a1.value, a1.dont_know, a1.predicted_other) == (None, True, 1)
    assert Answer.objects.get(item__code="overall").value == 4
    assert not Answer.objects.filter(dont_know=True, value__isnull=False).exists()


def test_responses_create_bulk_refuses_guesses_of_the_other_side(v2_round):
    with pytest.raises(ValueError, match="Response 1: Only IT and Security"):
        responses_create_bulk(
            round=v2_round, responses=[{"side": "other", "predicted_other": {"a1": 3}}]
        )
    assert not Response.objects.exists()


def test_dont_know_in_a_comment_is_just_its_text(v2_round):
    responses_create_bulk(
        round=v2_round, responses=[{"side": "it", "answers": {"a_comment": DONT_KNOW}}]
    )
    answer = Answer.objects.get()
    assert (answer.text, answer.dont_know) == (DONT_KNOW, False)


def test_responses_create_bulk_refuses_dont_know_where_not_offered(survey_round):
    with pytest.raises(ValueError, match='offers no "don\'t know"'):
        responses_create_bulk(
            round=survey_round, responses=[{"side": "it", "answers": {"a1": DONT_KNOW}}]
        )


# --- the import -----------------------------------------------------------------------------


def _import(survey_round, content: str, **kwargs):
    return responses_import(
        round=survey_round, file=content.encode(), filename="tool.csv", **kwargs
    )


def test_import_reads_the_dont_know_label_in_any_case_spacing_or_apostrophe(v2_round):
    _import(
        v2_round,
        "side,a1,a2,a3,overall\n"
        "IT,Don't know, don't  KNOW ,DON’T KNOW,4\n"
        "Security,2,Agree,don't know,Don't Know\n",
    )
    stored = sorted(
        Answer.objects.values_list("response__side", "item__code", "value", "dont_know")
    )
    assert stored == [
        ("it", "a1", None, True),
        ("it", "a2", None, True),
        ("it", "a3", None, True),
        ("it", "overall", 4, False),
        ("security", "a1", 2, False),
        ("security", "a2", 4, False),
        ("security", "a3", None, True),
        ("security", "overall", None, True),
    ]


def test_import_reads_either_half_of_a_label_such_as_dont_know_slash_not_applicable(v2_round):
    """v2's label is "Don't know / not applicable"; a file that says "Don't know" (found by
    a fresh-user trial) or "not applicable" means the same answer."""
    v2_round.instrument.dont_know_label = "Don't know / not applicable"
    v2_round.instrument.save()
    _import(
        v2_round, "side,a1,a2,a3\nIT,  DON'T know ,Not applicable,don't know / NOT applicable\n"
    )
    assert sorted(Answer.objects.values_list("item__code", "dont_know")) == [
        ("a1", True),
        ("a2", True),
        ("a3", True),
    ]


def test_import_refuses_a_value_off_the_scale_naming_the_line(v2_round):
    with pytest.raises(ImportFileError) as caught:
        _import(v2_round, "side,a1\nIT,don't know\nIT,6\nSecurity,n/a\n")
    message = str(caught.value)
    assert "line 3, column 'a1': Value 6 for item 'a1' is not a whole number from 1 to 5" in message
    assert "line 4, column 'a1': 'n/a' is neither a number from 1 to 5 nor a scale label" in message
    assert "'Strongly agree'; or \"Don't know\")" in message
    assert not Response.objects.exists()


def test_import_maps_synonyms_to_dont_know_only_through_the_mapping_file(v2_round):
    mapping = mapping_parse(text="values:\n  likert:\n    n/a: dont_know\n")
    _import(v2_round, "side,a1\nIT,N/A\n", mapping=mapping)
    assert Answer.objects.get().dont_know


def test_import_without_a_dont_know_label_refuses_it(survey_round):
    with pytest.raises(ImportFileError, match="line 2, column 'a1'"):
        _import(survey_round, "side,a1\nIT,Don't know\n")


def test_import_reads_predicted_other_columns(v2_round):
    _import(v2_round, "side,a1,A1__Predicted_Other\nIT,don't know,2\nSecurity,4,Agree\nOther,3,\n")
    stored = sorted(Answer.objects.values_list("response__side", "value", "predicted_other"))
    assert stored == [("it", None, 2), ("other", 3, None), ("security", 4, 4)]


def test_import_refuses_a_guess_by_the_other_side_or_for_a_plain_statement(v2_round):
    with pytest.raises(ImportFileError) as caught:
        _import(v2_round, "side,a1,a1__predicted_other\nOther,3,2\nIT,3,don't know\n")
    message = str(caught.value)
    assert "line 2, column 'a1__predicted_other': Only IT and Security" in message
    assert "line 3, column 'a1__predicted_other'" in message
    with pytest.raises(ImportFileError, match="'a2' is not a meta-perception statement"):
        _import(v2_round, "side,a1,a2__predicted_other\nIT,3,2\n")


# --- the default instrument of new rounds ---------------------------------------------------


def test_new_rounds_default_to_the_highest_version_even_when_an_older_is_reloaded():
    v2 = InstrumentFactory(slug="collab", version="2")
    InstrumentFactory(slug="collab", version="10")
    v1 = InstrumentFactory(slug="collab", version="1")  # loaded last
    assert instrument_newest(slug="collab").version == "10"
    assert instrument_newest().version == "10"
    assert instrument_newest(slug="nope") is None
    assert v1.loaded_at >= v2.loaded_at


def test_create_round_without_instrument_uses_the_newest(capsys):
    InstrumentFactory(slug="collab", version="1")
    newest = InstrumentFactory(slug="collab", version="2")
    InstrumentFactory(slug="collab", version="1.5")
    call_command("create_round", "--name", "Winter")
    assert SurveyRound.objects.get(slug="winter").instrument == newest


def test_admin_add_round_starts_on_the_newest_instrument(admin_client):
    InstrumentFactory(slug="collab", version="1")
    newest = InstrumentFactory(slug="collab", version="2")
    page = admin_client.get(reverse("admin:survey_surveyround_add")).content.decode()
    assert re.search(rf'<option value="{newest.pk}" selected>', page)


def test_responses_csv_writes_dont_know_as_the_label_the_import_reads_back(v2_round):
    import csv
    import io

    from reports.downloads import round_export

    responses_create_bulk(
        round=v2_round,
        responses=[{"side": "it", "answers": {"a1": DONT_KNOW, "a2": 4}}] * 3
        + [{"side": "it", "answers": {"a1": 2}}] * 2,
    )
    text = b"".join(round_export(round=v2_round, kind="responses", bom=False)).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["a1"] for row in rows) == ["2", "2", "Don't know", "Don't know", "Don't know"]
    assert sorted(row["a2"] for row in rows) == ["", "", "4", "4", "4"]
