"""Pure scoring of Likert answers: reverse coding and 0–100 dimension scores. No Django.

Frames are long format. An *answers* frame has one row per Likert answer with at least the
columns ``response_id`` (int), ``item_code`` (str) and ``value`` (int, raw Likert points
1..k). An *items* frame has one row per item with the columns ``item_code``,
``dimension_code`` and ``reverse_scored`` (bool); when it also has a ``kind`` column (as
``survey.selectors.round_items_frame`` returns), only ``kind == "likert"`` rows are scored, so
comment items never count toward a dimension's number of items.
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


def likert_items(items: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of an *items* frame that are Likert items (all rows if no ``kind``)."""
    if "kind" not in items.columns:
        return items
    return items.loc[items["kind"] == "likert"]


def item_scores(answers: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Return ``answers`` with ``dimension_code`` and ``score`` (reverse-coded Likert points).

    Input columns: answers ``response_id, item_code, value`` (other columns are kept);
    items ``item_code, dimension_code, reverse_scored`` (and optionally ``kind``). Answers to
    items that are not Likert items in ``items`` (comments, unknown codes) and missing or
    non-numeric values are dropped. Raises ValueError when a Likert item's value is not a
    whole number in 1..points.
    """
    lookup = likert_items(items)[["item_code", "dimension_code", "reverse_scored"]]
    frame = answers.drop(columns=["dimension_code", "reverse_scored"], errors="ignore")
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce").astype("float64"))
    # Inner join first: only Likert items are checked and scored; comments are not numbers.
    frame = frame.merge(lookup, on="item_code", how="inner", validate="many_to_one")
    frame = frame.loc[frame["value"].notna()]
    values = frame["value"]
    bad = (values < 1) | (values > points) | (values % 1 != 0)
    if bad.any():
        first = frame.loc[bad].iloc[0]
        raise ValueError(
            f"Value {first['value']!r} for item {first['item_code']!r} is not a whole number "
            f"in 1..{points}."
        )
    reversed_value = reverse_code(values, points)
    frame["score"] = np.where(frame["reverse_scored"].astype(bool), reversed_value, values)
    frame["score"] = frame["score"].astype("int64")
    frame["value"] = frame["value"].astype("int64")
    return frame.drop(columns=["reverse_scored"])


def dimension_scores(scored: pd.DataFrame, items: pd.DataFrame, points: int) -> pd.DataFrame:
    """Score each respondent on each dimension, 0–100.

    ``scored`` is the output of :func:`item_scores`. Returns a frame indexed by
    ``response_id`` with one float column per dimension code (in ``items`` order): the mean of
    the respondent's item scores rescaled to 0–100, or NaN when fewer than half of that
    dimension's Likert items were answered (the missing-data rule of the methodology page;
    exactly half is enough). Respondents with no scored answer at all have no row.
    """
    items = likert_items(items)
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
