"""Item distributions: how many of a group's answers to each Likert item fell on each scale
point, as published. Pure (no Django).

The RAW answers are counted (the item as asked, not reverse-coded), from the scoring panel
of :mod:`reports.panel` (frames as described there); counts are perturbed by the panel's
protection and a cell is shown only as :func:`reports.disclosure.cell_shown` allows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assessment.scoring import likert_items
from reports.disclosure import (
    cell_shown,
    check_k,
    published_counts,
    published_point_counts,
)
from reports.panel import Panel, check_attribute, group_labels, label_codes
from reports.vocabulary import ALL_GROUP, DISTRIBUTION_COLUMNS, EXACT, Protection


def distributions_frame(
    panel: Panel,
    values: np.ndarray,
    label_of_answer: np.ndarray,
    labels: Sequence[str],
    items: pd.DataFrame,
    attribute: str,
    min_group_size: int,
) -> pd.DataFrame:
    """The frame of :func:`item_distributions`: ``values`` are the raw answers of the
    panel's scored rows, ``label_of_answer`` each row's index in ``labels`` (−1 for none);
    the last label is "all"."""
    likert = likert_items(items)
    codes = list(likert["item_code"])
    points, n_items, n_labels = panel.points, len(codes), len(labels)
    item = panel.answer_item.astype("int64")  # small ints: products must not overflow
    valid = (item >= 0) & (values >= 1) & (values <= points)
    answer_weights = panel.weights[panel.answer_respondent]
    cells = n_items * n_labels * points
    counts = np.zeros((n_items, n_labels, points), dtype="int64")
    weight_sums = np.zeros((n_items, n_labels, points))
    for position, label in enumerate(labels):
        chosen = valid & (label_of_answer == position if label != ALL_GROUP else True)
        index = (item[chosen] * n_labels + position) * points + values[chosen] - 1
        counts += np.bincount(index, minlength=cells).reshape(counts.shape)
        weight_sums += np.bincount(index, weights=answer_weights[chosen], minlength=cells).reshape(
            counts.shape
        )
    n = counts.sum(axis=2)
    published_n = published_counts(n, weight_sums.sum(axis=2), panel.protection)
    published = published_point_counts(
        counts, weight_sums, weight_sums.sum(axis=2), panel.protection
    )
    total = published.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(total > 0, published * 100.0 / total, np.nan)
    shown = np.repeat(cell_shown(n, published_n, min_group_size).ravel(), points)
    frame = pd.DataFrame(
        {
            "item_code": np.repeat(np.asarray(codes, dtype=object), n_labels * points),
            "group": np.tile(np.repeat(np.asarray(labels, dtype=object), points), n_items),
            "point": np.tile(np.arange(1, points + 1, dtype="int64"), n_items * n_labels),
            "count": pd.array(published.ravel(), dtype="Int64"),
            "pct": pct.ravel(),
            "n": pd.array(np.repeat(published_n.ravel(), points), dtype="Int64"),
            "suppressed": ~shown,
        }
    )
    frame["count"] = frame["count"].mask(frame["suppressed"])
    frame["n"] = frame["n"].mask(frame["suppressed"])
    frame["pct"] = frame["pct"].mask(frame["suppressed"])
    frame["attribute"] = attribute
    frame["dimension_code"] = frame["item_code"].map(
        dict(zip(likert["item_code"], likert["dimension_code"], strict=True))
    )
    frame["group"] = frame["group"].astype(str)
    return frame[DISTRIBUTION_COLUMNS]


def item_distributions(
    scored_items: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    attribute: str = "side",
    min_group_size: int = 5,
    groups: Sequence[str] | None = None,
    protection: Protection = EXACT,
) -> pd.DataFrame:
    """Count the RAW answers (the item as asked, not reverse-coded) at each scale point.

    ``scored_items`` is the output of :func:`reports.panel.score_items`; ``attribute`` any
    of its respondent-level columns (:func:`reports.panel.respondent_columns`). Returns one
    row per Likert item (instrument order), group (``groups`` then "all") and scale point
    1..points in scale order, including points nobody chose: ``item_code``,
    ``dimension_code``, ``attribute``, ``group`` (str), ``point`` (int64), ``count``
    (Int64), ``pct`` (float64, % of the group's answers to the item), ``n`` (Int64,
    respondents who answered the item) and ``suppressed`` (bool: not
    :func:`reports.disclosure.cell_shown`; then count, pct and n are missing). Counts and n
    are published (perturbed), pct of the published counts. Raises ValueError when
    min_group_size < 1 or ``attribute`` is not a respondent column.
    """
    check_k(min_group_size)
    check_attribute(scored_items, attribute)
    panel = Panel(scored_items, items, points, protection=protection)
    groups_of = panel.groups(attribute)
    labels = [*group_labels(groups_of, np.ones(len(groups_of), dtype=bool), groups), ALL_GROUP]
    label_of_respondent = label_codes(groups_of, [[label] for label in labels[:-1]])
    return distributions_frame(
        panel,
        scored_items["value"].to_numpy("int64"),
        label_of_respondent[panel.answer_respondent],
        labels,
        items,
        attribute,
        min_group_size,
    )
