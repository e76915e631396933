"""responses.csv read from Response.likert_answers, with attribute columns (issues 5 and 6),
and summary.csv / gaps.csv served from the results cache."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io

import numpy as np
import pandas as pd
import pytest
from django.apps import apps

from bench.generate import respondents_generate
from reports import results
from reports.downloads import round_export
from reports.exports import responses_published
from reports.vocabulary import Comparison
from survey.models import Response
from survey.selectors import responses_table
from survey.services.imports import responses_import
from survey.services.responses import responses_create_bulk
from survey.services.rounds import round_create
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db

LIKERT = ["a1", "a2", "a3", "b1", "b2", "b3"]


def rows_of(survey_round) -> list[dict[str, str]]:
    body = b"".join(round_export(round=survey_round, kind="responses")).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def header_of(survey_round) -> list[str]:
    body = b"".join(round_export(round=survey_round, kind="responses")).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(body, newline="")))


# --- Response.likert_answers: written with the answers, read by the export ----------------


def test_every_write_path_stores_the_likert_answers_in_instrument_order(survey_round):
    responses_create_bulk(
        round=survey_round,
        responses=[{"side": "it", "answers": {"b1": 2, "a1": 5, "a_comment": "text"}}],
    )
    responses_import(round=survey_round, file=b"side,b3,a2\nsecurity,1,4\n", filename="x.csv")
    stored = sorted(
        Response.objects.filter(round=survey_round).values_list("side", "likert_answers")
    )
    assert stored == [
        ("it", [5, None, None, 2, None, None]),
        ("security", [None, 4, None, None, None, 1]),
    ]


def test_responses_table_reads_one_row_per_response_without_identifier(
    populated_round, django_assert_num_queries
):
    with django_assert_num_queries(1):
        profiles, likert = responses_table(round=populated_round, item_codes=LIKERT)
    assert list(profiles.columns) == ["side", "function", "level", "submitted_on"]
    assert likert.shape == (13, 6)
    assert likert.dtype == np.uint8
    it_rows = likert[(profiles["side"] == "it").to_numpy()]
    assert (it_rows == [IT_ANSWERS[code] for code in LIKERT]).all()


def test_a_response_written_without_the_service_exports_blank_answers(survey_round):
    Response.objects.create(round=survey_round, side="it", submitted_on=dt.date(2026, 11, 2))
    _profiles, likert = responses_table(round=survey_round, item_codes=LIKERT)
    assert likert.tolist() == [[0] * 6]


def test_a_stored_list_that_does_not_fit_the_instrument_is_an_error(survey_round):
    Response.objects.create(
        round=survey_round, side="it", submitted_on=dt.date(2026, 11, 2), likert_answers=[1, 2]
    )
    with pytest.raises(ValueError, match="holds 2 Likert answers"):
        responses_table(round=survey_round, item_codes=LIKERT)


def test_the_migration_fills_likert_answers_from_the_answer_rows(populated_round):
    Response.objects.update(likert_answers=[])
    migration = importlib.import_module("survey.migrations.0006_response_likert_answers")
    migration.likert_answers_fill(apps, None)
    stored = list(
        Response.objects.filter(round=populated_round, side="security").values_list(
            "likert_answers", flat=True
        )
    )
    assert stored == [[SECURITY_ANSWERS[code] for code in LIKERT]] * 5


def test_the_bench_generator_stores_the_same_likert_answers_as_the_service():
    from assessment.services import instrument_load

    instrument = instrument_load().instrument
    raw = round_create(instrument=instrument, name="Raw", slug="raw")
    service = round_create(instrument=instrument, name="Service", slug="service")
    respondents_generate(round=raw, n=20, seed=5, method="raw")
    respondents_generate(round=service, n=20, seed=5, method="service")

    def lists(survey_round):
        return sorted(
            Response.objects.filter(round=survey_round).values_list("likert_answers", flat=True),
            key=lambda values: [-1 if value is None else value for value in values],
        )

    assert lists(raw) == lists(service)
    assert any(None in values for values in lists(raw))


def test_export_matches_the_answer_rows(populated_round, make_responses):
    make_responses(populated_round, [("it", {"a1": 3})] * 5, function="identity")
    rows = rows_of(populated_round)
    assert len(rows) == 16  # the two "other" respondents (fewer than k) are left out
    identity = [row for row in rows if row["function"] == "identity"]
    assert [[row[code] for code in LIKERT] for row in identity] == [["3", "", "", "", "", ""]] * 5


# --- attribute columns ----------------------------------------------------------------------


def test_attribute_columns_follow_level_sorted_by_name(survey_round, make_responses):
    make_responses(
        survey_round,
        [("it", IT_ANSWERS)] * 5,
        attributes=[{"site": "Leeds", "region": "EMEA"}] * 5,
    )
    assert header_of(survey_round)[:7] == [
        "row",
        "side",
        "function",
        "level",
        "region",
        "site",
        "submitted_month",
    ]
    assert {(row["region"], row["site"]) for row in rows_of(survey_round)} == {("EMEA", "Leeds")}


def test_a_declared_attribute_has_a_column_even_before_anyone_answers_it(
    survey_round, make_responses
):
    survey_round.profile_attributes = [
        {"name": "region", "label": "Region", "choices": ["EMEA", "APAC"]}
    ]
    survey_round.save()
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5)
    assert header_of(survey_round)[4] == "region"
    assert {row["region"] for row in rows_of(survey_round)} == {""}


def test_a_round_without_attributes_keeps_todays_columns(populated_round):
    assert header_of(populated_round) == [
        "row",
        "side",
        "function",
        "level",
        "submitted_month",
        *LIKERT,
    ]


def test_attributes_are_blanked_before_the_profile(survey_round, make_responses):
    # Five IT managers: two in EMEA, three in APAC. Region would single out groups below
    # k = 5, so it is blanked; the profile (shared by all five) is kept.
    make_responses(
        survey_round,
        [("it", IT_ANSWERS)] * 5,
        level="manager",
        attributes=[{"region": "EMEA"}] * 2 + [{"region": "APAC"}] * 3,
    )
    rows = rows_of(survey_round)
    assert {(row["side"], row["level"], row["region"]) for row in rows} == {("it", "manager", "")}


def test_attributes_are_kept_where_k_rows_share_them(survey_round, make_responses):
    make_responses(
        survey_round,
        [("it", IT_ANSWERS)] * 7,
        attributes=[{"region": "EMEA"}] * 5 + [{"region": "APAC"}] * 2,
    )
    counts = pd.Series([row["region"] for row in rows_of(survey_round)]).value_counts()
    # The two APAC rows lose their region; alone they would be a class of 2, so they are
    # left out rather than shown blank beside the EMEA rows (every class has >= k rows).
    assert counts.to_dict() == {"EMEA": 5}


def test_formula_like_attribute_values_are_protected(survey_round, make_responses):
    make_responses(survey_round, [("it", IT_ANSWERS)] * 5, attributes=[{"region": "=1+1"}] * 5)
    assert {row["region"] for row in rows_of(survey_round)} == {"'=1+1"}


def test_published_profiles_are_k_anonymous_including_attributes():
    rng = np.random.default_rng(0)
    n = 300
    profiles = pd.DataFrame(
        {
            "side": rng.choice(["it", "security", "other"], n),
            "function": rng.choice(["identity", "governance", ""], n),
            "level": rng.choice(["manager", "individual"], n),
            "submitted_on": rng.choice([dt.date(2026, 10, 3), dt.date(2026, 11, 4)], n),
            "region": rng.choice(["EMEA", "APAC", "Americas", ""], n),
        }
    )
    published = responses_published(profiles, 5, ["region"], np.random.default_rng(1))
    sizes = published.groupby(["side", "function", "level", "region", "submitted_on"]).size()
    assert (sizes >= 5).all()
    assert published["position"].is_unique
    # Each published row keeps its own respondent's values wherever they are not blanked.
    source = profiles.iloc[published["position"]].reset_index(drop=True)
    kept = published["region"] != ""
    assert (published.loc[kept, "region"] == source.loc[kept, "region"]).all()


def test_dont_know_is_written_as_the_instruments_label_and_blank_stays_blank():
    from reports.exports import responses_row_chunks
    from survey.selectors import DONT_KNOW_CODE

    profiles = pd.DataFrame(
        {
            "side": ["it"] * 5,
            "function": [""] * 5,
            "level": [""] * 5,
            "submitted_on": [dt.date(2026, 10, 3)] * 5,
        }
    )
    likert = np.array([[4, DONT_KNOW_CODE], [0, 2], [1, DONT_KNOW_CODE], [5, 0], [3, 3]], "uint8")
    chunks = list(
        responses_row_chunks(
            profiles,
            likert,
            item_codes=["a1", "a2"],
            attribute_names=[],
            min_group_size=5,
            rng=np.random.default_rng(2),
            dont_know_label="Don't know / not applicable",
        )
    )
    rows = [row[-2:] for chunk in chunks[1:] for row in chunk]
    assert sorted(map(repr, rows)) == sorted(
        map(
            repr,
            [
                [4, "Don't know / not applicable"],
                [None, 2],
                [1, "Don't know / not applicable"],
                [5, None],
                [3, 3],
            ],
        )
    )


# --- summary.csv and gaps.csv from the results cache ----------------------------------------


def test_a_second_summary_export_reads_no_answer(
    populated_round, monkeypatch, django_assert_num_queries
):
    first = b"".join(round_export(round=populated_round, kind="summary"))

    def fail(*args, **kwargs):
        raise AssertionError("the answers were read again")

    monkeypatch.setattr(results, "_view_answers", fail)
    with django_assert_num_queries(1):  # the round's results version, nothing else
        second = b"".join(round_export(round=populated_round, kind="summary"))
    assert second == first


def test_a_new_response_changes_the_cached_summary(populated_round, make_responses):
    before = b"".join(round_export(round=populated_round, kind="summary")).decode("utf-8-sig")
    make_responses(populated_round, [("it", IT_ANSWERS)])
    after = b"".join(round_export(round=populated_round, kind="summary")).decode("utf-8-sig")
    assert after != before
    assert "a,side,it,6," in before
    assert "a,side,it,7," in after


def test_gaps_of_each_comparison_are_cached_apart(populated_round):
    default = b"".join(round_export(round=populated_round, kind="gaps"))
    reverse = b"".join(
        round_export(
            round=populated_round,
            kind="gaps",
            comparison=Comparison("side", ("security",), ("it",)),
        )
    )
    assert default != reverse
    assert b"".join(round_export(round=populated_round, kind="gaps")) == default
