"""Pure comparison of rounds over time: shared items, per-round gaps and the change since the
last round with its tests. No Django.

Rounds come in as :class:`TrendRound` (frames as returned by ``survey.selectors``), oldest
first. Rounds of different instrument versions are compared on what they share: the Likert
items with the same code, dimension and reverse coding in every round; each round's
dimension scores are recomputed from those items only, so a statement added or dropped
between versions never moves a trend line.

Anonymity: every round applies its own k (``min_group_size``) exactly as the dashboard
does (:func:`reports.analysis.compare_groups`); a change is shown only when the group is
shown in both rounds.

Statistics (``docs/methodology.md``, "Change between rounds"): rounds are anonymous, so the
same person cannot be followed from one round to the next and the two rounds are treated
as independent samples. A group's change per dimension is tested with the two-sided
Mann–Whitney U test of its respondents' dimension scores in the current round against the
previous one (rank-biserial r as effect size, positive when the current round scores
higher); the change of a gap, a difference of differences, with a permutation test that
shuffles respondents between the two rounds within each group. Benjamini–Hochberg q-values
are taken over the score tests and, separately, over the gap tests of the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessment.scoring import likert_items
from reports.analysis import compare_groups
from reports.panel import respondent_scores, score_items
from reports.statistics import bh_qvalues, effect_label, mann_whitney
from reports.vocabulary import DEFAULT_COMPARISON, EXACT, Comparison, Protection, Thresholds

__all__ = [
    "CHANGE_COLUMNS",
    "TREND_COLUMNS",
    "TrendRound",
    "gap_change_test",
    "round_change",
    "shared_items",
    "trend_table",
]

TREND_COLUMNS = [
    "round",
    "label",
    "dimension_code",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "suppressed_a",
    "suppressed_b",
    "suppressed",
]
_SIDE_CHANGE = [
    "n_previous",
    "n_current",
    "score_previous",
    "score_current",
    "change",
    "p_value",
    "rank_biserial",
    "effect_label",
    "q_value",
    "verdict",
    "suppressed",
]
CHANGE_COLUMNS = [
    "dimension_code",
    *[f"{column}_a" for column in _SIDE_CHANGE],
    *[f"{column}_b" for column in _SIDE_CHANGE],
    "gap_previous",
    "gap_current",
    "gap_change",
    "gap_p_value",
    "gap_q_value",
    "gap_verdict",
    "gap_suppressed",
]
VERDICT_ROSE = "rose"
VERDICT_FELL = "fell"
VERDICT_NOISE = "no clear change"
VERDICT_NARROWED = "narrowed"
VERDICT_WIDENED = "widened"
VERDICT_SUPPRESSED = "suppressed"
PERMUTATIONS = 2000
PERMUTATION_SEED = 20_261_130  # fixed: the same data always gives the same p-value
_PERMUTATION_CHUNK = 250


@dataclass(frozen=True)
class TrendRound:
    """One round as the trend needs it.

    ``key``: a stable identifier (the round's slug); ``label``: its display name;
    ``answers``: Likert answers (``response_id``, ``side``, ``function``, ``level``,
    ``item_code``, ``value``: raw Likert points); ``items``: its instrument's items
    (``item_code``, ``dimension_code``, ``dimension_name``, ``kind``, ``reverse_scored``);
    ``points``: its scale's number of points; ``min_group_size``: its k; ``protection``:
    how its figures are published (:mod:`reports.disclosure`).
    """

    key: str
    label: str
    answers: pd.DataFrame
    items: pd.DataFrame
    points: int
    min_group_size: int
    protection: Protection = EXACT


def shared_items(item_frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The Likert items every frame has with the same dimension and reverse coding.

    Returns the rows of the LAST frame (so the latest wording and dimension names) whose
    (``item_code``, ``dimension_code``, ``reverse_scored``) occur as Likert items in every
    frame, in that frame's order, with a fresh RangeIndex. Empty when ``item_frames`` is.
    """
    if not item_frames:
        return pd.DataFrame(columns=["item_code", "dimension_code", "reverse_scored"])

    def keys(frame: pd.DataFrame) -> set[tuple[str, str, bool]]:
        likert = likert_items(frame)
        return set(
            zip(
                likert["item_code"].astype(str),
                likert["dimension_code"].astype(str),
                likert["reverse_scored"].astype(bool),
                strict=True,
            )
        )

    common = set.intersection(*(keys(frame) for frame in item_frames))
    last = likert_items(item_frames[-1])
    mask = [
        (str(code), str(dimension), bool(reverse)) in common
        for code, dimension, reverse in zip(
            last["item_code"], last["dimension_code"], last["reverse_scored"], strict=True
        )
    ]
    return last.loc[mask].reset_index(drop=True)


def _scored(round_: TrendRound, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scored items, respondent scores) of a round on ``items`` only."""
    answers = round_.answers.loc[round_.answers["item_code"].astype(str).isin(items["item_code"])]
    answers = answers.assign(item_code=answers["item_code"].astype(str))
    scored = score_items(answers, items, round_.points)
    return scored, respondent_scores(answers, items, round_.points)


def trend_table(
    rounds: Sequence[TrendRound],
    items: pd.DataFrame | None = None,
    *,
    comparison: Comparison = DEFAULT_COMPARISON,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Each round's scores and gap per dimension, on the shared items.

    ``items`` defaults to :func:`shared_items` of the rounds. Returns one row per round (in
    the order given) and dimension (instrument order) with ``TREND_COLUMNS``: ``round``
    (key), ``label``, ``dimension_code``; the two groups' ``n`` (Int64) and ``score``
    (float64, 0–100 points) suffixed ``_a``/``_b``; ``gap`` (A − B, points); the suppression
    flags of :func:`reports.analysis.compare_groups` under the round's own k (a suppressed
    group has no n and no score, a suppressed dimension no gap).
    """
    items = shared_items([r.items for r in rounds]) if items is None else items
    frames = []
    for round_ in rounds:
        if items.empty:
            break
        scored, scores = _scored(round_, items)
        compared = compare_groups(
            scored,
            scores,
            items,
            round_.points,
            comparison=comparison,
            min_group_size=round_.min_group_size,
            thresholds=thresholds,
            protection=round_.protection,
        ).dimensions
        frames.append(compared.assign(round=round_.key, label=round_.label)[TREND_COLUMNS])
    if not frames:
        return pd.DataFrame(columns=TREND_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _permutation_p(
    previous: Sequence[np.ndarray], current: Sequence[np.ndarray], permutations: int, seed: int
) -> float:
    """Two-sided permutation p-value of the change of a difference of means.

    ``previous``/``current``: the scores of group A then group B in each round. Statistic:
    (mean A₂ − mean B₂) − (mean A₁ − mean B₁). Each permutation reassigns every group's
    respondents between the two rounds at random (group sizes per round kept); p = (1 +
    #{|permuted| ≥ |observed|}) / (1 + permutations) (Phipson & Smyth 2010).
    """
    rng = np.random.default_rng(seed)
    observed = (current[0].mean() - current[1].mean()) - (previous[0].mean() - previous[1].mean())
    extreme = 0
    done = 0
    tolerance = 1e-9 * max(1.0, abs(observed))
    while done < permutations:
        size = min(_PERMUTATION_CHUNK, permutations - done)
        statistic = np.zeros(size)
        for sign, first, second in ((1, previous[0], current[0]), (-1, previous[1], current[1])):
            pooled = np.concatenate([first, second])
            shuffled = rng.permuted(np.tile(pooled, (size, 1)), axis=1)
            change = shuffled[:, len(first) :].mean(axis=1) - shuffled[:, : len(first)].mean(axis=1)
            statistic += sign * change
        extreme += int((np.abs(statistic) >= abs(observed) - tolerance).sum())
        done += size
    return (1 + extreme) / (1 + permutations)


def gap_change_test(
    previous: tuple[Sequence[float], Sequence[float]],
    current: tuple[Sequence[float], Sequence[float]],
    *,
    permutations: int = PERMUTATIONS,
    seed: int = PERMUTATION_SEED,
) -> float:
    """p-value of the change of a gap between two rounds (permutation test, two-sided).

    ``previous`` and ``current``: (group A scores, group B scores) of one dimension, 0–100
    points, one value per respondent. The gap is mean A − mean B; the test asks whether the
    current gap differs from the previous one by more than reshuffling respondents between
    the rounds (within each group) would give. Deterministic for a given ``seed``. Raises
    ValueError when a sample is empty.
    """
    arrays_previous = [np.asarray(values, dtype="float64") for values in previous]
    arrays_current = [np.asarray(values, dtype="float64") for values in current]
    if any(len(values) == 0 for values in [*arrays_previous, *arrays_current]):
        raise ValueError("Every group needs at least one score in both rounds.")
    return _permutation_p(arrays_previous, arrays_current, permutations, seed)


def _group_scores(
    scores: pd.DataFrame, comparison: Comparison
) -> dict[tuple[str, str], np.ndarray]:
    """{(dimension_code, "a"|"b"): scores} of the comparison's two groups."""
    membership = scores[comparison.attribute].astype(object)
    out: dict[tuple[str, str], np.ndarray] = {}
    for suffix, group in (("a", comparison.group_a), ("b", comparison.group_b)):
        part = scores.loc[membership.isin(group).to_numpy()]
        for code, values in part.groupby("dimension_code", sort=False, observed=True)["score"]:
            out[(str(code), suffix)] = values.to_numpy(dtype="float64")
    return out


def _verdict(change: float, q: float, threshold: float, up: str, down: str) -> str:
    if math.isnan(q) or q >= threshold or change == 0:
        return VERDICT_NOISE
    return up if change > 0 else down


def round_change(
    previous: TrendRound,
    current: TrendRound,
    items: pd.DataFrame | None = None,
    *,
    comparison: Comparison = DEFAULT_COMPARISON,
    thresholds: Thresholds | None = None,
    permutations: int = PERMUTATIONS,
) -> pd.DataFrame:
    """The change per dimension from ``previous`` to ``current``, and whether it is noise.

    ``items`` defaults to the items the two rounds share. Returns one row per dimension
    (instrument order) with ``CHANGE_COLUMNS``. Per group (suffix ``_a``/``_b``):
    ``n_previous``/``n_current`` (Int64), ``score_previous``/``score_current`` (0–100
    points), ``change`` (current − previous, points); the two-sided Mann–Whitney U test of
    the group's dimension scores in the current round against the previous one
    (``p_value``), ``rank_biserial`` (−1..1, positive when the current round tends higher)
    and its ``effect_label``; ``q_value`` (Benjamini–Hochberg over the score tests of both
    groups and every dimension); ``verdict`` (``rose``/``fell`` when q is below
    ``thresholds.q_value``, else ``no clear change``; ``suppressed`` when the group is below
    k in either round, its own k each); ``suppressed``. The gap (A − B, points):
    ``gap_previous``, ``gap_current``, ``gap_change`` (current − previous);
    ``gap_p_value`` (:func:`gap_change_test`), ``gap_q_value`` (BH over the gap tests),
    ``gap_verdict`` (``narrowed``/``widened`` — the absolute gap got smaller/larger — when
    q is below the threshold, else ``no clear change``; ``suppressed`` when either group
    is suppressed in either round) and ``gap_suppressed``.
    """
    thresholds = thresholds or Thresholds()
    items = shared_items([previous.items, current.items]) if items is None else items
    table = trend_table(
        [previous, current], items, comparison=comparison, thresholds=thresholds
    ).set_index(["round", "dimension_code"])
    dimensions = list(dict.fromkeys(likert_items(items)["dimension_code"].astype(str)))
    samples = {}
    for round_ in (previous, current):
        samples[round_.key] = _group_scores(_scored(round_, items)[1], comparison)

    rows = []
    for code in dimensions:
        before = table.loc[(previous.key, code)] if (previous.key, code) in table.index else None
        after = table.loc[(current.key, code)] if (current.key, code) in table.index else None
        row: dict[str, object] = {"dimension_code": code}
        for suffix in ("a", "b"):
            hidden = (
                before is None
                or after is None
                or bool(before[f"suppressed_{suffix}"])
                or bool(after[f"suppressed_{suffix}"])
            )
            row[f"suppressed_{suffix}"] = hidden
            row[f"n_previous_{suffix}"] = pd.NA if hidden else before[f"n_{suffix}"]
            row[f"n_current_{suffix}"] = pd.NA if hidden else after[f"n_{suffix}"]
            row[f"score_previous_{suffix}"] = math.nan if hidden else before[f"score_{suffix}"]
            row[f"score_current_{suffix}"] = math.nan if hidden else after[f"score_{suffix}"]
            row[f"p_value_{suffix}"] = math.nan
            row[f"rank_biserial_{suffix}"] = math.nan
            if not hidden:
                old = samples[previous.key].get((code, suffix))
                new = samples[current.key].get((code, suffix))
                if old is not None and new is not None and len(old) and len(new):
                    test = mann_whitney(new, old)
                    row[f"p_value_{suffix}"] = test.p_value
                    row[f"rank_biserial_{suffix}"] = test.rank_biserial
        gap_hidden = bool(row["suppressed_a"]) or bool(row["suppressed_b"])
        row["gap_suppressed"] = gap_hidden
        row["gap_previous"] = math.nan if gap_hidden else before["gap"]
        row["gap_current"] = math.nan if gap_hidden else after["gap"]
        row["gap_p_value"] = math.nan
        if not gap_hidden:
            row["gap_p_value"] = gap_change_test(
                (samples[previous.key][(code, "a")], samples[previous.key][(code, "b")]),
                (samples[current.key][(code, "a")], samples[current.key][(code, "b")]),
                permutations=permutations,
            )
        rows.append(row)

    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    q = bh_qvalues([*frame["p_value_a"], *frame["p_value_b"]])
    frame["q_value_a"] = q[: len(frame)]
    frame["q_value_b"] = q[len(frame) :]
    frame["gap_q_value"] = bh_qvalues(frame["gap_p_value"])
    for suffix in ("a", "b"):
        frame[f"n_previous_{suffix}"] = frame[f"n_previous_{suffix}"].astype("Int64")
        frame[f"n_current_{suffix}"] = frame[f"n_current_{suffix}"].astype("Int64")
        for column in ("score_previous", "score_current", "p_value", "rank_biserial"):
            frame[f"{column}_{suffix}"] = frame[f"{column}_{suffix}"].astype("float64")
        frame[f"change_{suffix}"] = (
            frame[f"score_current_{suffix}"] - frame[f"score_previous_{suffix}"]
        )
        frame[f"effect_label_{suffix}"] = [
            effect_label(r) for r in frame[f"rank_biserial_{suffix}"]
        ]
        frame[f"verdict_{suffix}"] = [
            VERDICT_SUPPRESSED
            if hidden
            else _verdict(change, q_value, thresholds.q_value, VERDICT_ROSE, VERDICT_FELL)
            for hidden, change, q_value in zip(
                frame[f"suppressed_{suffix}"],
                frame[f"change_{suffix}"],
                frame[f"q_value_{suffix}"],
                strict=True,
            )
        ]
    for column in ("gap_previous", "gap_current", "gap_p_value"):
        frame[column] = frame[column].astype("float64")
    frame["gap_change"] = frame["gap_current"] - frame["gap_previous"]
    narrowing = frame["gap_current"].abs() - frame["gap_previous"].abs()
    frame["gap_verdict"] = [
        VERDICT_SUPPRESSED
        if hidden
        else _verdict(-shrink, q_value, thresholds.q_value, VERDICT_NARROWED, VERDICT_WIDENED)
        for hidden, shrink, q_value in zip(
            frame["gap_suppressed"], narrowing, frame["gap_q_value"], strict=True
        )
    ]
    return frame[CHANGE_COLUMNS]
