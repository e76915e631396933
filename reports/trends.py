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
as independent samples. Both tests are Welch–Satterthwaite t tests of a contrast of means,
valid when the spread differs between groups and rounds, with analytic p-values: a group's
change per dimension is the difference of its mean dimension score between the rounds; the
change of a gap is the difference of differences of the four groups' means, each group with
its own variance. The rank-biserial r of the group's scores (current against previous) is
given as a descriptive effect size. Benjamini–Hochberg q-values are taken over the score
tests and, separately, over the gap tests of the table. A change is called more than noise
only when its q is below the threshold AND it is at least ``thresholds.gap_points`` points
(the size the dashboard calls a large gap), as :func:`change_verdict` decides.
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
from reports.statistics import bh_qvalues, effect_label, mann_whitney, welch_contrast
from reports.vocabulary import DEFAULT_COMPARISON, EXACT, Comparison, Protection, Thresholds

__all__ = [
    "CHANGE_COLUMNS",
    "TREND_COLUMNS",
    "TrendRound",
    "change_verdict",
    "gap_change_test",
    "round_change",
    "score_change_test",
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
VERDICT_REVERSED = "reversed"  # the other group now scores higher, by a large gap both times
VERDICT_SUPPRESSED = "suppressed"


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


def score_change_test(
    previous: Sequence[float] | np.ndarray, current: Sequence[float] | np.ndarray
) -> float | np.ndarray:
    """Two-sided p-value of a group's change of mean score between two rounds (Welch's t).

    ``previous``/``current``: the group's dimension scores (0–100 points, one per
    respondent) in each round, along the last axis (leading axes are replicates, as in a
    simulation). Welch's (1947) unequal-variance t test of mean(current) − mean(previous),
    :func:`reports.statistics.welch_contrast` with weights (1, −1): valid when the spread
    differs between the rounds. Raises ValueError when a round has fewer than two scores.
    """
    return welch_contrast([current, previous], (1.0, -1.0)).p_value


def gap_change_test(
    previous: tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray],
    current: tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray],
) -> float | np.ndarray:
    """Two-sided p-value of the change of a gap between two rounds (Welch-type t).

    ``previous`` and ``current``: (group A scores, group B scores) of one dimension, 0–100
    points, one value per respondent, along the last axis (leading axes are replicates).
    The gap is mean A − mean B; its change ``(Ā₂ − B̄₂) − (Ā₁ − B̄₁)`` is a contrast of four
    independent means, tested by :func:`reports.statistics.welch_contrast` with weights
    (1, −1, −1, 1): standard error ``√(Σ sᵢ²/nᵢ)`` with each group's own variance,
    Satterthwaite's (1946) degrees of freedom, an analytic p. Unlike a permutation test that
    swaps respondents between rounds, it stays valid when a group's spread changes between
    the rounds. Raises ValueError when a group has fewer than two scores in a round.
    """
    return welch_contrast(
        [current[0], current[1], previous[0], previous[1]], (1, -1, -1, 1)
    ).p_value


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


def change_verdict(
    change: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    *,
    floor: float,
    q_threshold: float,
    up: str,
    down: str,
) -> np.ndarray:
    """The verdict of each change: ``up``/``down``, or ``VERDICT_NOISE``.

    ``change``: signed changes in points (positive means ``up``); ``q``: their q-values
    (NaN = not tested). A change is ``up`` or ``down`` only when q < ``q_threshold`` AND
    |change| ≥ ``floor`` points: significance alone lets a large round call a drift of two
    points a change, size alone lets noise in a small round through. Returns an object
    array of str in the input's shape.
    """
    change = np.asarray(change, dtype="float64")
    q = np.asarray(q, dtype="float64")
    with np.errstate(invalid="ignore"):
        clear = (q < q_threshold) & (np.abs(change) >= floor) & (change != 0)
    out = np.full(change.shape, VERDICT_NOISE, dtype=object)
    out[clear & (change > 0)] = up
    out[clear & (change < 0)] = down
    return out


def round_change(
    previous: TrendRound,
    current: TrendRound,
    items: pd.DataFrame | None = None,
    *,
    comparison: Comparison = DEFAULT_COMPARISON,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """The change per dimension from ``previous`` to ``current``, and whether it is noise.

    ``items`` defaults to the items the two rounds share. Returns one row per dimension
    (instrument order) with ``CHANGE_COLUMNS``. Per group (suffix ``_a``/``_b``):
    ``n_previous``/``n_current`` (Int64), ``score_previous``/``score_current`` (0–100
    points), ``change`` (current − previous, points); ``p_value``
    (:func:`score_change_test` of the group's true dimension scores, NaN when a round has
    fewer than two), ``rank_biserial`` (−1..1, positive when the current round tends
    higher; descriptive, from the Mann–Whitney U) and its ``effect_label``; ``q_value``
    (Benjamini–Hochberg over the score tests of both groups and every dimension);
    ``verdict`` (``rose``/``fell`` when q is below ``thresholds.q_value`` and |change| is
    at least ``thresholds.gap_points``, else ``no clear change``; ``suppressed`` when the
    group is below k in either round, its own k each); ``suppressed``. The gap (A − B,
    points): ``gap_previous``, ``gap_current``, ``gap_change`` (current − previous);
    ``gap_p_value`` (:func:`gap_change_test`), ``gap_q_value`` (BH over the gap tests),
    ``gap_verdict`` (``narrowed``/``widened`` — the absolute gap got smaller/larger by at
    least ``thresholds.gap_points`` — when q is below the threshold; ``reversed`` when the
    gap changed sign, at least ``gap_points`` on both sides of zero, with q below the
    threshold; else ``no clear change``; ``suppressed`` when either group is suppressed in
    either round) and
    ``gap_suppressed``. Scores, changes and gaps are the published (disclosure-protected)
    figures, so a verdict never contradicts the figures beside it; only the p-values and r
    come from the true scores.
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
                if old is not None and new is not None and min(len(old), len(new)) >= 2:
                    row[f"p_value_{suffix}"] = score_change_test(old, new)
                    row[f"rank_biserial_{suffix}"] = mann_whitney(new, old).rank_biserial
        gap_hidden = bool(row["suppressed_a"]) or bool(row["suppressed_b"])
        row["gap_suppressed"] = gap_hidden
        row["gap_previous"] = math.nan if gap_hidden else before["gap"]
        row["gap_current"] = math.nan if gap_hidden else after["gap"]
        row["gap_p_value"] = math.nan
        if not gap_hidden and not any(math.isnan(row[f"p_value_{s}"]) for s in ("a", "b")):
            row["gap_p_value"] = gap_change_test(
                (samples[previous.key][(code, "a")], samples[previous.key][(code, "b")]),
                (samples[current.key][(code, "a")], samples[current.key][(code, "b")]),
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
        verdict = change_verdict(
            frame[f"change_{suffix}"],
            frame[f"q_value_{suffix}"],
            floor=thresholds.gap_points,
            q_threshold=thresholds.q_value,
            up=VERDICT_ROSE,
            down=VERDICT_FELL,
        )
        verdict[frame[f"suppressed_{suffix}"].to_numpy(dtype=bool)] = VERDICT_SUPPRESSED
        frame[f"verdict_{suffix}"] = verdict
    for column in ("gap_previous", "gap_current", "gap_p_value"):
        frame[column] = frame[column].astype("float64")
    frame["gap_change"] = frame["gap_current"] - frame["gap_previous"]
    narrowing = frame["gap_previous"].abs() - frame["gap_current"].abs()
    verdict = change_verdict(
        narrowing,
        frame["gap_q_value"],
        floor=thresholds.gap_points,
        q_threshold=thresholds.q_value,
        up=VERDICT_NARROWED,
        down=VERDICT_WIDENED,
    )
    # A gap that changes sign keeps its size: +20 to −20 is neither narrower nor wider, but
    # the other group now scores clearly higher. Reversed when both gaps are at least the
    # floor and the change of the gap itself passes the same test.
    previous_gap, current_gap = frame["gap_previous"], frame["gap_current"]
    with np.errstate(invalid="ignore"):
        reversed_ = (
            (np.sign(previous_gap) * np.sign(current_gap) < 0)
            & (previous_gap.abs() >= thresholds.gap_points)
            & (current_gap.abs() >= thresholds.gap_points)
            & (frame["gap_q_value"] < thresholds.q_value)
        ).to_numpy(dtype=bool)
    verdict[reversed_] = VERDICT_REVERSED
    verdict[frame["gap_suppressed"].to_numpy(dtype=bool)] = VERDICT_SUPPRESSED
    frame["gap_verdict"] = verdict
    return frame[CHANGE_COLUMNS]
