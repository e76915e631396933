"""Tests of reports.presenters and reports.labels: results turned into template rows and
labels. Hand-built frames and results, no database."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from reports import trends
from reports.labels import certainty_words, effect_labels, status_labels, verdict_labels
from reports.presenters import blame_pairs, change_headline, frame_records
from reports.statistics import effect_label
from reports.vocabulary import STATUS_ORDER


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_frame_records_turn_nan_and_na_into_none_and_numpy_into_python():
    frame = pd.DataFrame(
        {
            "dimension_code": ["a", "b"],
            "n": pd.array([6, pd.NA], dtype="Int64"),
            "gap": [12.5, np.nan],
            "worst": np.array([True, False]),
            "rank": np.array([1, 2], dtype="int64"),
            "mixed": pd.Series([np.int64(3), np.float64("nan")], dtype=object),
        }
    )
    rows = frame_records(frame)
    assert rows == [
        {"dimension_code": "a", "n": 6, "gap": 12.5, "worst": True, "rank": 1, "mixed": 3},
        {"dimension_code": "b", "n": None, "gap": None, "worst": False, "rank": 2, "mixed": None},
    ]
    kinds = {type(value) for row in rows for value in row.values()}
    assert kinds <= {str, int, float, bool, type(None)}


def test_frame_records_name_each_dimension_and_fall_back_to_its_code():
    frame = pd.DataFrame({"dimension_code": ["a", "zz"], "gap": [1.0, 2.0]})
    rows = frame_records(frame, {"a": "Dimension A"})
    assert [row["name"] for row in rows] == ["Dimension A", "zz"]
    assert "name" not in frame_records(frame)[0]


def test_status_labels_cover_every_status():
    labels = status_labels()
    assert set(labels) == set(STATUS_ORDER)
    assert all(isinstance(label, str) and label for label in labels.values())
    assert labels["suppressed"] == "not enough responses"


def test_effect_and_verdict_labels_cover_every_value_they_label():
    effects = effect_labels()
    for r in (0.0, 0.2, 0.4, 0.9, math.nan, None):
        assert effect_label(r) in effects
    verdicts = {value for name, value in vars(trends).items() if name.startswith("VERDICT_")}
    assert set(verdict_labels()) == verdicts


def test_change_headline_names_only_changes_that_are_more_than_noise():
    rows = [
        {
            "name": "A",
            "verdict_a": "rose",
            "verdict_b": "no clear change",
            "gap_verdict": "widened",
        },
        {
            "name": "B",
            "verdict_a": "no clear change",
            "verdict_b": "fell",
            "gap_verdict": "narrowed",
        },
        {
            "name": "C",
            "verdict_a": "suppressed",
            "verdict_b": "suppressed",
            "gap_verdict": "suppressed",
        },
        {"name": "D", "verdict_a": "fell", "verdict_b": "rose", "gap_verdict": "reversed"},
    ]
    assert change_headline(rows) == {
        "narrowed": ["B"],
        "widened": ["A"],
        "reversed": ["D"],
        "it_rose": ["A"],
        "it_fell": ["D"],
        "security_rose": ["D"],
        "security_fell": ["B"],
    }
    quiet = [
        {
            "name": "E",
            "verdict_a": "no clear change",
            "verdict_b": "suppressed",
            "gap_verdict": "no clear change",
        }
    ]
    assert all(names == [] for names in change_headline(quiet).values())


def test_status_counts_and_the_too_few_label_say_what_the_index_rests_on():
    from reports.labels import status_labels
    from reports.presenters import status_counts

    gaps = pd.DataFrame(
        {
            "status": ["breakdown", "watch", "too_few", "aligned", "suppressed"],
            "suppressed": [False, False, False, False, True],
        }
    )
    assert status_counts(gaps) == {"shown": 4, "breakdown": 1, "watch": 1, "too_few": 1}
    assert status_labels()["too_few"] == "too few to tell"


@pytest.mark.parametrize(
    ("q_value", "effect", "words"),
    [
        (None, "", "too few answers to tell"),
        (0.001, "large", "very unlikely to be chance; a large difference"),
        (0.03, "medium", "unlikely to be chance; a medium difference"),
        (0.1, "small", "could be chance; a small difference"),
        (0.6, "negligible", "may well be chance; hardly any difference"),
    ],
)
def test_certainty_words_read_q_and_effect_in_plain_words(q_value, effect, words):
    assert certainty_words(q_value, effect).startswith(words)


def test_blame_pairs_are_the_pairs_whose_pattern_is_blame():
    def pair(n, pattern):
        return {
            "pair": n,
            "text_about_it": f"s{n}it",
            "text_about_security": f"s{n}sec",
            "dimension_name": "D",
            "it_self_minus_other": 30.0,
            "security_self_minus_other": 20.0,
            "pattern": pattern,
        }

    rows = [pair(1, "blame"), pair(2, "mixed"), pair(3, "credit"), pair(4, "suppressed")]
    assert [found["pair"] for found in blame_pairs(rows)] == [1]
    assert blame_pairs(rows)[0]["texts"] == ["s1it", "s1sec"]


def test_the_story_names_a_split_side_whatever_the_dimension_status():
    from reports.presenters import story

    rows = [
        {
            "name": "Incident roles",
            "status": "breakdown",
            "polarised_a": True,
            "polarised_b": False,
        },
        {"name": "Patching", "status": "divided", "polarised_a": False, "polarised_b": False},
        {"name": "Budgets", "status": "aligned", "polarised_a": False, "polarised_b": None},
        {"name": "Identity", "status": "suppressed", "polarised_a": None, "polarised_b": None},
    ]
    told = story(rows, [], None)
    assert [(row["name"], row["split_sides"], row["divided"]) for row in told["split"]] == [
        ("Incident roles", ["a"], False),
        ("Patching", [], True),
    ]
    assert told["breakdown_count"] == 1
    assert told["dimension_count"] == 3
