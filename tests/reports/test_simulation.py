"""Error rates of the analysis measured by simulation through the real pipeline
(:func:`reports.analysis.compare_groups` and :func:`reports.analysis.group_summary` on
synthetic answers to the default instrument, tests/reports/simulation.py). Run with
``pytest -s`` to see the measured rates (quoted in docs/methodology.md)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reports.analysis import compare_groups
from reports.disclosure import default_bounds
from reports.panel import respondent_scores, score_items
from reports.statistics import polarised
from reports.vocabulary import EXACT, STATUS_FLAGGED, Protection
from tests.reports.simulation import LIKERT, POINTS, answers_frame, favourable_scores

NULL_SIZES = [(5, 5), (6, 7), (10, 10), (20, 20), (50, 50), (200, 200), (170, 105)]
NULL_REPLICATES = 60  # pairs per size: 420 dimension rows and 840 groups


def compared(answers: pd.DataFrame, k: int = 5, protection: Protection = EXACT):
    scored = score_items(answers, LIKERT, POINTS)
    scores = respondent_scores(answers, LIKERT, POINTS)
    return compare_groups(scored, scores, LIKERT, POINTS, min_group_size=k, protection=protection)


@functools.cache
def null_run(n_a: int, n_b: int) -> tuple[float, float, float]:
    """Two groups from one population, NULL_REPLICATES times: (share of dimension rows
    flagged breakdown or watch, share of groups × dimensions polarised, mean alignment
    index)."""
    rng = np.random.default_rng(1400 + 1000 * n_a + n_b)
    flagged, split, index = [], [], []
    for _ in range(NULL_REPLICATES):
        groups = {"it": favourable_scores(rng, n_a), "security": favourable_scores(rng, n_b)}
        result = compared(answers_frame(groups, rng))
        dimensions = result.dimensions
        flagged.extend(dimensions["status"].isin(STATUS_FLAGGED))
        split.extend(dimensions["polarised_a"].fillna(False))
        split.extend(dimensions["polarised_b"].fillna(False))
        index.append(np.nan if result.alignment_index is None else result.alignment_index)
    read = [value for value in index if not np.isnan(value)]
    return float(np.mean(flagged)), float(np.mean(split)), float(np.mean(read)) if read else np.nan


@pytest.mark.parametrize(("n_a", "n_b"), NULL_SIZES)
def test_with_no_true_difference_at_most_5_percent_of_dimensions_are_flagged(n_a, n_b):
    flag_rate, _, _ = null_run(n_a, n_b)
    print(f"\nnull {n_a} v {n_b}: {flag_rate:.1%} of dimension rows flagged")
    assert flag_rate <= 0.05


@pytest.mark.parametrize(("n_a", "n_b"), NULL_SIZES)
def test_a_unimodal_group_is_rarely_read_as_polarised(n_a, n_b):
    _, split_rate, _ = null_run(n_a, n_b)
    print(f"\nnull {n_a} v {n_b}: {split_rate:.1%} of groups × dimensions polarised")
    assert split_rate <= 0.05


def test_the_alignment_index_does_not_depend_on_group_size_under_no_difference():
    """From 10 v 10 (at 5 v 5 nearly every dimension is too few to tell, which has no
    reading and leaves the index blank rather than 100)."""
    small, large = null_run(10, 10)[2], null_run(170, 105)[2]
    print(f"\nalignment index, no true difference: 10 v 10 {small:.1f}, 170 v 105 {large:.1f}")
    assert abs(small - large) <= 3.0


def test_a_real_difference_is_flagged_and_lowers_the_alignment_index():
    rng = np.random.default_rng(14)
    groups = {
        "it": favourable_scores(rng, 60, centre=4.1),
        "security": favourable_scores(rng, 60, centre=3.1),
    }
    result = compared(answers_frame(groups, rng))
    assert (result.dimensions["status"] == "breakdown").all()
    assert result.alignment_index == 0.0


def true_difference(centre_a: float, centre_b: float, rng: np.random.Generator) -> np.ndarray:
    """The populations' difference in mean dimension score (points) per dimension, from a
    large draw (answers missing at random do not move a mean of the answered items)."""
    dimensions = pd.factorize(LIKERT["dimension_code"])[0]
    out = []
    for centre in (centre_a, centre_b):
        scores = favourable_scores(rng, 400_000, centre=centre)
        item_means = scores.mean(axis=0)
        means = np.bincount(dimensions, weights=item_means) / np.bincount(dimensions)
        out.append((means - 1) / (POINTS - 1) * 100)
    return out[0] - out[1]


PERTURBED = Protection(1207, *default_bounds(5))  # the default bounds at k = 5


@pytest.mark.parametrize("protection", [EXACT, PERTURBED], ids=["exact", "perturbed"])
@pytest.mark.parametrize(("centre_a", "centre_b"), [(3.6, 3.6), (3.9, 3.3)])
def test_gap_intervals_cover_the_true_difference_at_10_per_group(centre_a, centre_b, protection):
    """Also when the published means carry the disclosure's noise (±60 points of a sum at
    k = 5: ±6 points of a mean of 10), which the interval must account for."""
    rng = np.random.default_rng(int(centre_a * 100 + centre_b))
    truth = true_difference(centre_a, centre_b, rng)
    covered = []
    for _ in range(120):
        groups = {
            "it": favourable_scores(rng, 10, centre=centre_a),
            "security": favourable_scores(rng, 10, centre=centre_b),
        }
        dimensions = compared(answers_frame(groups, rng), protection=protection).dimensions
        covered.extend((dimensions["gap_ci_low"] <= truth) & (truth <= dimensions["gap_ci_high"]))
    coverage = float(np.mean(covered))
    print(
        f"\n95% gap interval, 10 v 10, {'perturbed' if protection is PERTURBED else 'exact'}, "
        f"true gap {truth.mean():.1f}: coverage {coverage:.1%}"
    )
    assert coverage >= 0.93


def test_gap_interval_is_welchs_interval_of_scipy():
    rng = np.random.default_rng(7)
    groups = {"it": favourable_scores(rng, 12), "security": favourable_scores(rng, 9, centre=3)}
    answers = answers_frame(groups, rng)
    result = compared(answers)
    scores = respondent_scores(answers, LIKERT, POINTS)
    for row in result.dimensions.itertuples():
        part = scores.loc[scores["dimension_code"] == row.dimension_code]
        a = part.loc[part["side"] == "it", "score"].to_numpy()
        b = part.loc[part["side"] == "security", "score"].to_numpy()
        interval = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
        assert row.gap_ci_low == pytest.approx(interval.low)
        assert row.gap_ci_high == pytest.approx(interval.high)


@pytest.mark.parametrize("n", [5, 10])
def test_a_wide_unimodal_group_centred_on_neutral_is_rarely_polarised(n):
    # a harsher null than the survey-like one: centred on "neither", latent SD 1 scale point
    rng = np.random.default_rng(n)
    dimensions = pd.factorize(LIKERT["dimension_code"])[0]
    split = []
    for _ in range(3000 // n):
        scores = favourable_scores(rng, n, centre=3.0, loading=1.0)
        for d in range(dimensions.max() + 1):
            means = scores[:, dimensions == d].mean(axis=1)
            split.append(polarised((means - 1) / (POINTS - 1) * 100))
    rate = float(np.mean(split))
    print(f"\nwide neutral unimodal group of {n}: {rate:.1%} polarised")
    assert rate <= 0.05
