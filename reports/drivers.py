"""What drives collaboration (instrument v2), pure: per side, how strongly each dimension's
score goes with the outcome statement ("Overall, IT and security work well together
here"). No Django.

Frames as in :mod:`reports.perceptions`. A driver is a rank correlation with its interval
(:func:`reports.statistics.spearman_interval`), computed only for a side whose respondents
behind it may be shown (:func:`reports.disclosure.cell_shown` of their true and published
counts) and published to ``DRIVER_DECIMALS`` decimals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports.disclosure import cell_shown, published_counts, weights
from reports.panel import Panel
from reports.statistics import spearman_interval
from reports.vocabulary import GAP_CI_LEVEL

DRIVER_DECIMALS = 2  # r and its interval as published: no finer than their uncertainty
DRIVER_COLUMNS = ["side", "dimension_code", "n", "r", "ci_low", "ci_high", "top", "suppressed"]
SIDES = ("it", "security")


def outcome_code(items: pd.DataFrame) -> str | None:
    """The code of the instrument's outcome statement (the first, if several), or None."""
    if "kind" not in items.columns:
        return None
    codes = items.loc[items["kind"] == "outcome", "item_code"]
    return str(codes.iloc[0]) if len(codes) else None


def drivers(
    panel: Panel,
    answers: pd.DataFrame,
    items: pd.DataFrame,
    *,
    min_group_size: int = 5,
    sides: Sequence[str] = SIDES,
) -> pd.DataFrame:
    """Per side and dimension, Spearman's r between respondents' dimension score (0–100,
    ``panel.dimension_scores``) and their raw answer to the outcome statement.

    ``panel``: the round's scoring panel (its protection publishes the counts);
    ``answers``: the answers frame the panel was scored from (the outcome answers are read
    from it; "don't know" is missing). Returns one row per side and dimension (instrument
    order), columns ``DRIVER_COLUMNS``: ``n`` (Int64, published count of respondents with
    both), ``r`` with its 95 % interval ``ci_low``..``ci_high`` (Fisher z with the
    Bonett–Wright standard error), all rounded to 2 decimals; ``top`` (bool: the side's
    dimension with the largest |r| whose interval excludes 0, at most one per side);
    ``suppressed`` (the respondents are not shown: then n, r and the interval are missing).
    Empty (with the columns) when the instrument has no outcome statement (a v1 round).
    """
    code = outcome_code(items)
    if code is None:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    rows = answers.loc[answers["item_code"].astype(str) == code]
    rows = rows.loc[rows["value"].notna()]
    outcome = np.full(len(panel.response_ids), np.nan)
    ids = rows["response_id"].to_numpy("int64")
    at = np.searchsorted(panel.response_ids, ids).clip(max=max(len(panel.response_ids) - 1, 0))
    known = panel.response_ids[at] == ids if len(panel.response_ids) else np.zeros(0, dtype=bool)
    outcome[at[known]] = rows["value"].to_numpy("float64")[known]
    side_of = panel.profile["side"].astype(str).to_numpy() if len(panel.profile) else np.array([])
    member_weights = weights(panel.keys)
    records = []
    for side in sides:
        members = side_of == side
        for position, dimension in enumerate(panel.dimensions):
            x = panel.dimension_scores[:, position]
            both = members & ~np.isnan(x) & ~np.isnan(outcome)
            n = int(both.sum())
            published = int(published_counts(n, member_weights[both].sum(), panel.protection))
            shown = bool(cell_shown(n, published, min_group_size))
            result = spearman_interval(x[both], outcome[both], GAP_CI_LEVEL)
            records.append(
                {
                    "side": side,
                    "dimension_code": dimension,
                    "n": published if shown else pd.NA,
                    "r": round(result.r, DRIVER_DECIMALS) if shown else np.nan,
                    "ci_low": round(result.low, DRIVER_DECIMALS) if shown else np.nan,
                    "ci_high": round(result.high, DRIVER_DECIMALS) if shown else np.nan,
                    "top": False,
                    "suppressed": not shown,
                }
            )
    frame = pd.DataFrame(records, columns=DRIVER_COLUMNS)
    frame["n"] = frame["n"].astype("Int64")
    clear = (frame["ci_low"] > 0) | (frame["ci_high"] < 0)
    for side in sides:
        candidates = frame.loc[(frame["side"] == side) & clear & ~frame["suppressed"]]
        if len(candidates):
            frame.loc[candidates["r"].abs().idxmax(), "top"] = True
    return frame
