"""Tests of reports.selectors: the reports app's reads of rounds, dimensions, sides and the
results version, each with the number of queries it promises."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reports.selectors import (
    dimension_by_code,
    dimension_guidance,
    round_by_slug,
    round_results_version,
    round_sides,
    rounds_with_counts,
)
from survey.models import Response
from tests.conftest import IT_ANSWERS
from tests.factories import DimensionFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db


def test_round_by_slug_reads_the_round_with_its_instrument(survey_round, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = round_by_slug(slug="autumn")
        assert found.instrument.slug == "small"  # read with the round
    assert found == survey_round


def test_round_by_slug_of_an_unknown_slug_is_none(survey_round):
    assert round_by_slug(slug="nope") is None


def test_rounds_with_counts_annotate_each_rounds_responses_newest_first(
    populated_round, django_assert_num_queries
):
    older = SurveyRoundFactory(
        instrument=populated_round.instrument,
        slug="older",
        opens_at=populated_round.opens_at - dt.timedelta(days=90),
        closes_at=populated_round.opens_at - dt.timedelta(days=60),
    )
    with django_assert_num_queries(1):
        rounds = [(r.slug, r.response_count, r.instrument.slug) for r in rounds_with_counts()]
    assert rounds == [("autumn", 13, "small"), (older.slug, 0, "small")]


def test_dimension_by_code_reads_a_dimension_of_the_rounds_instrument(
    survey_round, django_assert_num_queries
):
    survey_round.instrument.dimensions.filter(code="a").update(guidance="Plan together.")
    with django_assert_num_queries(1):
        dimension = dimension_by_code(round=survey_round, code="a")
        assert (dimension.code, dimension.name, dimension.guidance) == (
            "a",
            "Dimension A",
            "Plan together.",
        )
        assert dimension.description


def test_dimension_by_code_of_another_instrument_or_an_unknown_code_is_none(survey_round):
    DimensionFactory(code="zz")  # a dimension of another instrument
    assert dimension_by_code(round=survey_round, code="zz") is None
    assert dimension_by_code(round=survey_round, code="nope") is None


def test_dimension_guidance_maps_each_code_of_the_instrument(
    survey_round, django_assert_num_queries
):
    survey_round.instrument.dimensions.filter(code="a").update(guidance="Plan together.")
    survey_round.instrument.dimensions.filter(code="b").update(guidance="")
    DimensionFactory(code="zz")
    with django_assert_num_queries(1):
        guidance = dimension_guidance(round=survey_round)
    assert guidance == {"a": "Plan together.", "b": ""}


def test_fingerprint_version_costs_one_query(populated_round, django_assert_num_queries):
    with django_assert_num_queries(1):
        version = round_results_version(round=populated_round)
    assert version.startswith("f13-")


def test_results_version_changes_when_a_response_arrives_or_leaves(populated_round, make_responses):
    before = round_results_version(round=populated_round)
    make_responses(populated_round, [("it", IT_ANSWERS)])
    added = round_results_version(round=populated_round)
    # Deleting the oldest response keeps the highest id: the count tells.
    Response.objects.filter(round=populated_round).order_by("pk").first().delete()
    removed = round_results_version(round=populated_round)
    assert len({before, added, removed}) == 3
    last = Response.objects.filter(round=populated_round).order_by("pk").last().pk
    assert removed.startswith(f"f13-{last}-")


def test_results_version_changes_with_k_the_instrument_and_the_profile_questions(
    populated_round,
):
    """Raising k must hide at once what the old k showed (a fresh-user trial found the old
    figures served from the cache until the next response)."""
    before = round_results_version(round=populated_round)
    populated_round.min_group_size = 20
    raised = round_results_version(round=populated_round)
    populated_round.profile_attributes = [
        {"name": "region", "label": "Region", "choices": ["EMEA"]}
    ]
    declared = round_results_version(round=populated_round)
    assert len({before, raised, declared}) == 3
    assert "-k20-" in raised


def test_results_version_ignores_other_rounds(populated_round, make_responses):
    before = round_results_version(round=populated_round)
    other = SurveyRoundFactory(instrument=populated_round.instrument)
    make_responses(other, [("it", IT_ANSWERS)])
    assert round_results_version(round=populated_round) == before
    assert round_results_version(round=other).startswith("f1-")
    empty = SurveyRoundFactory(instrument=populated_round.instrument)
    assert round_results_version(round=empty).startswith("f0-0-")


def test_round_sides_list_each_response_of_the_round_with_its_side(
    populated_round, make_responses, django_assert_num_queries
):
    make_responses(SurveyRoundFactory(instrument=populated_round.instrument), [("it", {})])
    with django_assert_num_queries(1):
        sides = round_sides(round=populated_round)
    assert list(sides.columns) == ["response_id", "side"]
    assert sides["response_id"].dtype == "int64"
    assert pd.api.types.is_string_dtype(sides["side"])
    assert sides["side"].value_counts().to_dict() == {"it": 6, "security": 5, "other": 2}
    ids = Response.objects.filter(round=populated_round).values_list("pk", flat=True)
    assert sorted(sides["response_id"]) == sorted(ids)


def test_round_sides_of_a_round_without_responses_keep_their_columns(survey_round):
    sides = round_sides(round=survey_round)
    assert sides.empty
    assert list(sides.columns) == ["response_id", "side"]
