"""Tests of survey.selectors: the frames that feed analysis and exports."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from assessment.models import Item
from survey.models import Answer
from survey.selectors import (
    round_answers_frame,
    round_comments_frame,
    round_items_frame,
    round_participation_records,
    round_responses_iter,
    rounds_side_counts,
)
from tests.conftest import IT_ANSWERS
from tests.factories import InvitationFactory, ItemFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db


def test_items_frame_lists_every_item_in_instrument_order(survey_round, django_assert_num_queries):
    with django_assert_num_queries(1):
        items = round_items_frame(round=survey_round)
    assert list(items.columns) == [
        "item_code",
        "dimension_code",
        "dimension_name",
        "item_text",
        "kind",
        "reverse_scored",
        "mirror_of",
        "about",
        "meta_perception",
        "order",
    ]
    assert list(items["item_code"]) == [
        "a1",
        "a2",
        "a3",
        "a_comment",
        "b1",
        "b2",
        "b3",
        "b_comment",
    ]
    assert list(items["order"]) == list(range(8))
    assert items.loc[items["item_code"] == "a3", "reverse_scored"].item()
    assert items.loc[items["item_code"] == "a_comment", "kind"].item() == "text"
    assert items["mirror_of"].isna().all()


def test_items_frame_names_the_mirrored_item(survey_round):
    a1 = survey_round.instrument.dimensions.get(code="a").items.get(code="a1")
    ItemFactory(dimension=a1.dimension, code="a4", order=5, mirror_of=a1)
    items = round_items_frame(round=survey_round)
    assert items.loc[items["item_code"] == "a4", "mirror_of"].item() == "a1"


def test_answers_frame_has_only_likert_answers_as_ints_and_categoricals(
    populated_round, django_assert_num_queries
):
    # The items, the profiles and the answers (as integers).
    with django_assert_num_queries(3):
        answers = round_answers_frame(round=populated_round)
    assert list(answers.columns) == [
        "response_id",
        "side",
        "function",
        "level",
        "item_code",
        "value",
        "dont_know",
        "predicted_other",
    ]
    assert len(answers) == 13 * 6  # comments left out
    assert answers["response_id"].dtype == "int64"
    assert answers["value"].dtype == "float64"  # NaN for "don't know" (instrument v2)
    assert not answers["dont_know"].any()
    assert answers["predicted_other"].isna().all()
    for column in ("side", "function", "level", "item_code"):
        assert isinstance(answers[column].dtype, pd.CategoricalDtype)
    assert list(answers["side"].cat.categories[:3]) == ["it", "security", "other"]
    it_a1 = answers.loc[(answers["side"] == "it") & (answers["item_code"] == "a1"), "value"]
    assert set(it_a1) == {IT_ANSWERS["a1"]}


def test_answers_frame_spans_many_chunks(survey_round, make_responses, monkeypatch):
    monkeypatch.setattr("survey.selectors.CHUNK_SIZE", 7)
    make_responses(survey_round, [("it", {"a1": 1, "a2": 2})] * 10 + [("security", {"b1": 5})])
    answers = round_answers_frame(round=survey_round)
    assert len(answers) == 21
    assert answers["value"].sum() == 10 * 3 + 5
    assert (answers["item_code"] == "b1").sum() == 1


def test_answers_frame_of_an_empty_round_keeps_its_columns(survey_round):
    answers = round_answers_frame(round=survey_round)
    assert answers.empty
    assert list(answers.columns) == [
        "response_id",
        "side",
        "function",
        "level",
        "item_code",
        "value",
        "dont_know",
        "predicted_other",
    ]


def test_answers_frame_ignores_other_rounds(populated_round, make_responses):
    other = SurveyRoundFactory(instrument=populated_round.instrument)
    make_responses(other, [("it", {"a1": 3})])
    assert len(round_answers_frame(round=populated_round)) == 78


def test_participation_records_list_every_invitation_and_response(
    populated_round, django_assert_num_queries
):
    InvitationFactory.create_batch(3, round=populated_round, side="it", level="manager")
    InvitationFactory.create_batch(2, round=populated_round, side="security", used=True)
    InvitationFactory.create_batch(4, round=populated_round, side="")
    with django_assert_num_queries(2):
        records = round_participation_records(round=populated_round)
    invitations, responses = records.invitations, records.responses
    assert list(invitations.columns) == ["invitation_id", "side", "level", "used"]
    assert sorted(invitations["side"]) == ["", "", "", "", "it", "it", "it", "security", "security"]
    assert invitations.loc[invitations["side"] == "it", "level"].tolist() == ["manager"] * 3
    assert invitations["used"].sum() == 2
    assert list(responses.columns) == ["response_id", "side"]
    assert responses["side"].value_counts().to_dict() == {"it": 6, "security": 5, "other": 2}


def test_responses_iter_yields_every_answer_without_an_identifier(
    populated_round, make_responses, django_assert_num_queries
):
    make_responses(populated_round, [("security", {})], submitted_on=dt.date(2026, 11, 3))
    with django_assert_num_queries(1):
        records = list(round_responses_iter(round=populated_round))
    assert len(records) == 14
    first = records[0]
    assert not hasattr(first, "pk")
    it_records = [r for r in records if r.side == "it"]
    assert it_records[0].answers == {**IT_ANSWERS, "a_comment": '=HYPERLINK("x")'}
    assert records[-1].answers == {}
    assert records[-1].submitted_on == dt.date(2026, 11, 3)


def test_comments_frame_reads_one_dimensions_comments_without_profile(
    populated_round, make_responses, django_assert_num_queries
):
    make_responses(populated_round, [("security", {"b_comment": "On b", "a_comment": ""})])
    with django_assert_num_queries(1):
        comments = round_comments_frame(round=populated_round, dimension_code="a")
    assert list(comments.columns) == ["response_id", "side", "item_code", "text"]
    assert set(comments["side"]) == {"it"}
    assert comments["response_id"].dtype == "int64"
    assert len(comments) == 6  # the six IT comments; the blank one and dimension b left out
    assert set(comments["item_code"]) == {"a_comment"}
    other = SurveyRoundFactory(instrument=populated_round.instrument)
    assert round_comments_frame(round=other, dimension_code="a").empty


def test_rounds_side_counts_counts_responses_per_round_and_side(
    populated_round, django_assert_num_queries
):
    empty = SurveyRoundFactory(instrument=populated_round.instrument)
    with django_assert_num_queries(1):
        counts = rounds_side_counts(rounds=[populated_round, empty])
    assert counts == {populated_round.pk: {"it": 6, "security": 5, "other": 2}}


def test_answers_frame_carries_asked_attributes_blank_when_missing(
    survey_round, make_responses, django_assert_num_queries
):
    make_responses(
        survey_round,
        [("it", {"a1": 1, "a2": 2}), ("security", {"a1": 5}), ("it", {"a1": 3})],
        attributes=[{"region": "EMEA", "site": "x"}, {"region": "APAC"}, {}],
    )
    with django_assert_num_queries(3):
        answers = round_answers_frame(round=survey_round, attributes=["region"])
    assert list(answers.columns) == [
        "response_id",
        "side",
        "function",
        "level",
        "region",
        "item_code",
        "value",
        "dont_know",
        "predicted_other",
    ]
    assert isinstance(answers["region"].dtype, pd.CategoricalDtype)
    by_value = answers.groupby("region", observed=True)["value"].apply(sorted).to_dict()
    assert by_value == {"": [3], "APAC": [5], "EMEA": [1, 2]}
    assert "site" not in answers.columns


def test_answers_frame_refuses_an_attribute_named_like_a_column(survey_round):
    with pytest.raises(ValueError, match="clash"):
        round_answers_frame(round=survey_round, attributes=["value"])


def test_answers_of_a_response_submitted_between_the_two_reads_are_left_out(
    survey_round, make_responses, monkeypatch
):
    """The profiles are read first, the answers second: a response that lands in between
    (another worker's submission) must not break the join; it is simply not counted yet."""
    from survey import selectors

    make_responses(survey_round, [("it", {"a1": 4})])
    real = selectors.round_answers_sql

    def answers_sql_after_a_submission(**kwargs):
        make_responses(survey_round, [("security", {"a1": 2, "a2": 1})])
        return real(**kwargs)

    monkeypatch.setattr(selectors, "round_answers_sql", answers_sql_after_a_submission)
    answers = selectors.round_answers_frame(round=survey_round)
    assert answers["value"].tolist() == [4]
    assert answers["side"].tolist() == ["it"]


def test_answers_frame_reads_dont_know_predictions_and_the_outcome(survey_round, make_responses):
    """Instrument v2: "don't know" is a row with value NaN, a meta-perception statement's
    guess of the other side is ``predicted_other``, and the outcome statement is read with
    the Likert ones (scoring leaves it out)."""
    dimension = Item.objects.get(dimension__instrument=survey_round.instrument, code="a1").dimension
    ItemFactory(dimension=dimension, code="overall", order=20, kind="outcome")
    responses = make_responses(survey_round, [("it", {"a1": 4, "overall": 5, "b1": 2})])
    Answer.objects.filter(response=responses[0], item__code="a1").update(predicted_other=2)
    Answer.objects.filter(response=responses[0], item__code="b1").update(value=None, dont_know=True)
    answers = round_answers_frame(round=survey_round).set_index("item_code")
    assert sorted(answers.index) == ["a1", "b1", "overall"]
    assert answers.loc["a1", "value"] == 4
    assert answers.loc["a1", "predicted_other"] == 2
    assert np.isnan(answers.loc["b1", "value"])
    assert bool(answers.loc["b1", "dont_know"])
    assert answers.loc["overall", "value"] == 5
    assert np.isnan(answers.loc["overall", "predicted_other"])
