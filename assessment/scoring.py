"""Pure scoring of Likert answers: reverse coding and 0–100 dimension scores. No Django.

Frames are long format. An *answers* frame has one row per Likert answer with at least the
columns ``response_id`` (int), ``item_code`` (str) and ``value`` (int, raw Likert points
1..k). An *items* frame has one row per Likert item with the columns ``item_code``,
``dimension_code`` and ``reverse_scored`` (bool).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_SHARE_ANSWERED = 0.5


def reverse_code(values: pd.Series | np.ndarray | int, points: int) -> pd.Series | np.ndarray | int:
    """Reverse a Likert value on a ``points``-point scale: ``points + 1 - v``.

    Units: Likert points in, Likert points out. Raises ValueError if ``points`` < 2.
    """
    if points < 2:
        raise ValueError(f"A Likert scale needs at least 2 points, got {points}.")
    return points + 1 - values


def rescale_0_100(mean_points: pd.Series | np.ndarray | float, points: int):
    """Map a mean on the 1..points Likert scale to 0–100: ``(mean − 1) / (points − 1) × 100``."""
    if points < 2:
        raise ValueError(f"A Likert scale needs at least 2 points, got {points}.")
    return (mean_points - 1) / (points - 1) * 100


def item_scores(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Return ``answers`` with ``dimension_code`` and ``score`` (reverse-coded Likert points).

    Input columns: answers ``response_id, item_code, value`` (other columns are kept);
    items ``item_code, dimension_code, reverse_scored``. Answers to items not in ``items``
    (comments, unknown codes) and missing values are dropped. Raises ValueError when a value
    lies outside 1..points.
    """
    values = pd.to_numeric(answers["value"], errors="coerce")
    bad = values.notna() & ((values < 1) | (values > points))
    if bad.any():
        first = answers.loc[bad].iloc[0]
        raise ValueError(
            f"Value {first['value']!r} for item {first['item_code']!r} is outside 1..{points}."
        )
    frame = answers.drop(columns=["dimension_code"], errors="ignore").assign(value=values)
    frame = frame.loc[frame["value"].notna()]
    lookup = items[["item_code", "dimension_code", "reverse_scored"]]
    frame = frame.merge(lookup, on="item_code", how="inner", validate="many_to_one")
    reversed_value = reverse_code(frame["value"], points)
    frame["score"] = np.where(frame["reverse_scored"].astype(bool), reversed_value, frame["value"])
    frame["score"] = frame["score"].astype("int64")
    frame["value"] = frame["value"].astype("int64")
    return frame.drop(columns=["reverse_scored"])


def dimension_scores(scored: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Score each respondent on each dimension, 0–100.

    ``scored`` is the output of :func:`item_scores`. Returns a frame indexed by
    ``response_id`` with one float column per dimension code (in ``items`` order): the mean of
    the respondent's item scores rescaled to 0–100, or NaN when fewer than half of that
    dimension's Likert items were answered (the missing-data rule of the methodology page).
    """
    dimension_order = list(dict.fromkeys(items["dimension_code"]))
    if scored.empty:
        return pd.DataFrame(columns=dimension_order, dtype="float64").rename_axis("response_id")
    grouped = scored.groupby(["response_id", "dimension_code"])["score"].agg(["mean", "count"])
    items_per_dimension = items.groupby("dimension_code")["item_code"].count()
    needed = grouped.index.get_level_values("dimension_code").map(items_per_dimension)
    enough = grouped["count"].to_numpy() >= MIN_SHARE_ANSWERED * needed.to_numpy()
    means = grouped["mean"].where(enough)
    wide = rescale_0_100(means, points).unstack("dimension_code")
    return wide.reindex(columns=dimension_order).astype("float64")
