"""How each side sees the other (instrument v2), pure: "don't know" shares, meta-perceptions
(each side's guess of the other side's answers against those answers) and the blame
patterns of mirror pairs. No Django.

Frames as in :mod:`reports.panel`, with instrument v2's columns: *answers* carry ``value``
(raw points, NaN for "don't know"), ``dont_know`` (bool) and ``predicted_other`` (raw
points of the guessed answer, NaN for none); *items* carry ``kind`` (``likert`` |
``outcome`` | ``text``), ``about`` (``it`` | ``security`` | "") and ``meta_perception``
(bool). A v1 round (no such column, or none set) gives empty frames with these columns.
Every count, mean and SD goes through :mod:`reports.disclosure` (:func:`published_cells`,
:func:`published_point_counts`); intervals are computed from the published figures plus
the variance the publication adds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assessment.scoring import MIN_SHARE_ANSWERED, reverse_code
from reports.disclosure import (
    cell_shown,
    published_cells,
    published_counts,
    published_point_counts,
    record_keys,
    weights,
)
from reports.statistics import mean_interval, welch_interval
from reports.vocabulary import EXACT, GAP_CI_LEVEL, Protection

SIDES = ("it", "security")
OTHER_SIDE = {"it": "security", "security": "it"}
DONT_KNOW_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group",
    "n",
    "dont_know_n",
    "dont_know_pct",
    "suppressed",
]
PERCEPTION_COLUMNS = [
    "level",  # "item" (one meta statement) or "dimension" (the mean over its meta statements)
    "item_code",  # the statement, or "" for a dimension row
    "dimension_code",
    "side",
    "own_score",
    "predicted_other_score",
    "other_actual_score",
    "misperception",
    "misperception_ci_low",
    "misperception_ci_high",
    "n_side",
    "n_other",
]
MIRROR_PATTERN_COLUMNS = [
    "pair",
    "dimension_code",
    "item_about_it",
    "item_about_security",
    "it_rates_it",
    "it_rates_security",
    "security_rates_it",
    "security_rates_security",
    "it_self_minus_other",
    "it_ci_low",
    "it_ci_high",
    "security_self_minus_other",
    "security_ci_low",
    "security_ci_high",
    "pattern",
]
PATTERN_BLAME = "blame"
PATTERN_CREDIT = "credit"
PATTERN_AGREEMENT = "agreement"
PATTERN_MIXED = "mixed"
PATTERN_SUPPRESSED = "suppressed"
SCALE_KINDS = ("likert", "outcome")


def _scale_items(items: pd.DataFrame) -> pd.DataFrame:
    if "kind" not in items.columns:
        return items
    return items.loc[items["kind"].isin(SCALE_KINDS)]


def _points_0_100(raw: np.ndarray, reverse: np.ndarray, points: int) -> np.ndarray:
    """Raw answers (NaN kept) as item scores on 0–100: reverse-coded where ``reverse``."""
    scored = np.where(reverse, reverse_code(raw, points), raw)
    return (scored - 1) / (points - 1) * 100


# --- Don't know ------------------------------------------------------------------------


def dont_know_shares(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    groups: Sequence[tuple[str, Sequence[str]]],
    *,
    attribute: str = "side",
    min_group_size: int = 5,
    protection: Protection = EXACT,
) -> pd.DataFrame:
    """The share of "don't know" answers per statement (Likert and outcome) and group.

    ``groups``: (label, values of ``attribute``) per group, e.g. ``[("it", ["it"])]``.
    Returns one row per statement (instrument order) and group, columns
    ``DONT_KNOW_COLUMNS``: ``n`` (Int64, published: the group's answers to the statement,
    "don't know" included), ``dont_know_n`` (Int64, published), ``dont_know_pct`` (float,
    ``dont_know_n`` as % of ``n``, at most 100) and ``suppressed`` (the group's answers to
    the statement are not :func:`reports.disclosure.cell_shown`; then the three are
    missing). The two counts, "answered on the scale" and "don't know", are published as the
    points of a distribution are (:func:`reports.disclosure.published_point_counts`), so a
    group where nobody said "don't know" does not read an exact 0.
    """
    scale = _scale_items(items)
    codes = [str(code) for code in scale["item_code"]]
    dimension_of = dict(zip(codes, scale["dimension_code"].astype(str), strict=True))
    frame = answers.loc[answers["item_code"].astype(str).isin(codes)]
    dont_know = (
        frame["dont_know"].to_numpy(bool)
        if "dont_know" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    answered = frame["value"].notna().to_numpy() & ~dont_know
    ids = frame["response_id"].to_numpy("int64")
    answer_weights = weights(record_keys(ids, protection.secret))
    item_at = pd.Index(codes).get_indexer(frame["item_code"].astype(str))
    member = frame[attribute].astype(str).to_numpy()
    counts = np.zeros((len(codes), len(groups), 2), dtype="int64")
    sums = np.zeros((len(codes), len(groups), 2))
    for g, (_label, values) in enumerate(groups):
        chosen = np.isin(member, [str(v) for v in values])
        for point, mask in enumerate((answered, dont_know)):
            rows = chosen & mask
            counts[:, g, point] = np.bincount(item_at[rows], minlength=len(codes))
            sums[:, g, point] = np.bincount(
                item_at[rows], weights=answer_weights[rows], minlength=len(codes)
            )
    total = counts.sum(axis=2)
    published_total = published_counts(total, sums.sum(axis=2), protection)
    published = published_point_counts(counts, sums, sums.sum(axis=2), protection)
    shown = cell_shown(total, published_total, min_group_size)
    # The share is of the published n written beside it, so dont_know_n / n reads the share
    # (found by a fresh-user trial: it was of the two published parts' sum, another figure).
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(
            published_total > 0,
            np.minimum(published[..., 1] * 100.0 / published_total, 100.0),
            np.nan,
        )
    out = pd.DataFrame(
        {
            "item_code": np.repeat(np.asarray(codes, dtype=object), len(groups)),
            "group": np.tile(np.asarray([label for label, _ in groups], dtype=object), len(codes)),
            "n": pd.array(published_total.ravel(), dtype="Int64"),
            "dont_know_n": pd.array(published[..., 1].ravel(), dtype="Int64"),
            "dont_know_pct": pct.ravel(),
            "suppressed": ~shown.ravel(),
        }
    )
    for column in ("n", "dont_know_n", "dont_know_pct"):
        out[column] = out[column].mask(out["suppressed"])
    out["dimension_code"] = out["item_code"].map(dimension_of)
    out["attribute"] = attribute
    return out[DONT_KNOW_COLUMNS]


# --- Meta-perceptions ---------------------------------------------------------------------


def _wide(
    answers: pd.DataFrame, codes: list[str], column: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(response ids ascending, their sides, respondents × ``codes`` array of ``column``)."""
    frame = answers.loc[answers["item_code"].astype(str).isin(codes)]
    ids, at = np.unique(frame["response_id"].to_numpy("int64"), return_inverse=True)
    sides = np.full(len(ids), "", dtype=object)
    sides[at] = frame["side"].astype(str).to_numpy()
    table = np.full((len(ids), len(codes)), np.nan)
    table[at, pd.Index(codes).get_indexer(frame["item_code"].astype(str))] = pd.to_numeric(
        frame[column], errors="coerce"
    ).to_numpy("float64")
    return ids, sides, table


def _respondent_means(block: np.ndarray) -> np.ndarray:
    """Each row's mean over the columns it has, where at least half are present (the
    missing-data rule of a dimension score); NaN otherwise."""
    present = (~np.isnan(block)).sum(axis=1)
    enough = (present > 0) & (present >= MIN_SHARE_ANSWERED * block.shape[1])
    out = np.full(len(block), np.nan)
    out[enough] = np.nansum(block[enough], axis=1) / present[enough]
    return out


def meta_perceptions(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    *,
    min_group_size: int = 5,
    protection: Protection = EXACT,
) -> pd.DataFrame:
    """Each side's own view, its guess of the other side's view and the other side's
    actual view of every meta-perception statement, and per dimension the mean over its
    meta-perception statements.

    Rows: per meta statement (instrument order) then per dimension with one, each for side
    ``it`` then ``security``; columns ``PERCEPTION_COLUMNS``. Scores are item scores on
    0–100 points (reverse-coded where the statement is, guesses too): ``own_score`` the
    side's mean answer, ``predicted_other_score`` the mean of its guesses of the other
    side's answer, ``other_actual_score`` the other side's mean answer; ``misperception`` =
    predicted − actual (points; positive: the side thinks the other answers more
    favourably than it does) with its 95 % Welch interval from the two independent groups'
    published SDs and counts plus the noise of the two published means
    (:func:`reports.statistics.welch_interval`); ``n_side`` (Int64) the side's guesses,
    ``n_other`` the other side's answers, both published. A dimension row scores each
    respondent by the mean over the dimension's meta statements they answered (at least
    half of them). Every figure is published (:func:`reports.disclosure.published_cells`;
    a statement's own and actual scores are its item means as on the dimension page) and
    missing where its group is not shown; the misperception needs both. Empty (with the
    columns) when no statement is a meta-perception one (a v1 round).
    """
    meta = items
    if "meta_perception" not in items.columns:
        return pd.DataFrame(columns=PERCEPTION_COLUMNS)
    meta = items.loc[items["meta_perception"].astype(bool) & (items["kind"] == "likert")]
    if meta.empty or "predicted_other" not in answers.columns:
        return pd.DataFrame(columns=PERCEPTION_COLUMNS)
    codes = [str(c) for c in meta["item_code"]]
    reverse = meta["reverse_scored"].to_numpy(bool)
    ids, sides, raw = _wide(answers, codes, "value")
    _ids, _sides, guessed = _wide(answers, codes, "predicted_other")
    own = _points_0_100(raw, reverse, points)
    guess = _points_0_100(guessed, reverse, points)
    dimensions = list(dict.fromkeys(meta["dimension_code"].astype(str)))
    dimension_of = meta["dimension_code"].astype(str).to_numpy()
    # Columns: each statement, then each dimension's respondent means.
    names = [f"item|{code}" for code in codes]
    predicted_names = [f"predicted|{code}" for code in codes]
    own_blocks, guess_blocks = [own], [guess]
    for dimension in dimensions:
        columns = dimension_of == dimension
        within = ",".join(sorted(np.asarray(codes)[columns]))
        names.append(f"meta|{dimension}:{within}")
        predicted_names.append(f"predicted|{dimension}:{within}")
        own_blocks.append(_respondent_means(own[:, columns])[:, np.newaxis])
        guess_blocks.append(_respondent_means(guess[:, columns])[:, np.newaxis])
    own_all, guess_all = np.hstack(own_blocks), np.hstack(guess_blocks)
    keys = record_keys(ids, protection.secret)
    per_side = {}
    for side in SIDES:
        rows = sides == side
        per_side[side] = (
            published_cells(own_all[rows], keys[rows], names, protection),
            published_cells(guess_all[rows], keys[rows], predicted_names, protection),
        )
    labels = [
        *(("item", code, dimension) for code, dimension in zip(codes, dimension_of, strict=True)),
        *(("dimension", "", dimension) for dimension in dimensions),
    ]
    records = []
    for column, (level, code, dimension) in enumerate(labels):
        for side in SIDES:
            own_cells, guess_cells = per_side[side]
            actual_cells, _ = per_side[OTHER_SIDE[side]]
            own_shown = bool(own_cells.shown(min_group_size)[column])
            guess_shown = bool(guess_cells.shown(min_group_size)[column])
            actual_shown = bool(actual_cells.shown(min_group_size)[column])
            predicted = guess_cells.mean[column] if guess_shown else np.nan
            actual = actual_cells.mean[column] if actual_shown else np.nan
            gap = predicted - actual
            low, high = welch_interval(
                gap,
                guess_cells.sd[column],
                actual_cells.sd[column],
                guess_cells.n[column],
                actual_cells.n[column],
                GAP_CI_LEVEL,
                noise_a=guess_cells.noise[column],
                noise_b=actual_cells.noise[column],
            )
            records.append(
                {
                    "level": level,
                    "item_code": code,
                    "dimension_code": dimension,
                    "side": side,
                    "own_score": own_cells.mean[column] if own_shown else np.nan,
                    "predicted_other_score": predicted,
                    "other_actual_score": actual,
                    "misperception": gap,
                    "misperception_ci_low": float(low),
                    "misperception_ci_high": float(high),
                    "n_side": int(guess_cells.n[column]) if guess_shown else pd.NA,
                    "n_other": int(actual_cells.n[column]) if actual_shown else pd.NA,
                }
            )
    frame = pd.DataFrame(records, columns=PERCEPTION_COLUMNS)
    for column in ("n_side", "n_other"):
        frame[column] = frame[column].astype("Int64")
    return frame


# --- Blame patterns of mirror pairs -------------------------------------------------------


def mirror_pattern(
    it_interval: tuple[float, float, float],
    security_interval: tuple[float, float, float],
    floor: float,
) -> str:
    """The pattern of one mirror pair from each side's self-minus-other difference
    ``(estimate, low, high)`` (points; the side's rating of its own behaviour minus its
    rating of the other side's, with its 95 % interval) and the gap floor ``floor``
    (points, FRICTION_BREAKDOWN_GAP_POINTS):

    - ``blame``: on both sides the difference is at least ``floor`` and its interval lies
      above 0 (each side rates itself well above the other, and not by chance);
    - ``credit``: the reverse (both at most −``floor``, intervals below 0);
    - ``agreement``: both intervals lie within ±``floor`` (no side rates itself a large gap
      above or below the other);
    - ``mixed``: anything else (one side blames, the other does not; or too uncertain);
    - ``suppressed``: a difference is missing (a group is not shown).
    """
    values = [*it_interval, *security_interval]
    if any(v is None or np.isnan(v) for v in values):
        return PATTERN_SUPPRESSED
    sides = (it_interval, security_interval)
    if all(d >= floor and low > 0 for d, low, _ in sides):
        return PATTERN_BLAME
    if all(d <= -floor and high < 0 for d, _, high in sides):
        return PATTERN_CREDIT
    if all(low > -floor and high < floor for _, low, high in sides):
        return PATTERN_AGREEMENT
    return PATTERN_MIXED


def mirror_pair_codes(items: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The mirror pairs with ``about`` on both statements: (item about IT, item about
    Security, dimension code of the first), in instrument order of their first statement."""
    if "about" not in items.columns or "mirror_of" not in items.columns:
        return []
    likert = items.loc[items["kind"] == "likert"] if "kind" in items.columns else items
    about = dict(zip(likert["item_code"].astype(str), likert["about"].astype(str), strict=True))
    dimension = dict(
        zip(likert["item_code"].astype(str), likert["dimension_code"].astype(str), strict=True)
    )
    pairs, seen = [], set()
    for code, mirror in zip(likert["item_code"].astype(str), likert["mirror_of"], strict=True):
        if mirror is None or (isinstance(mirror, float) and np.isnan(mirror)):
            continue
        mirror = str(mirror)
        key = frozenset((code, mirror))
        if key in seen or mirror not in about or {about[code], about[mirror]} != set(SIDES):
            continue
        seen.add(key)
        on_it, on_security = (code, mirror) if about[code] == "it" else (mirror, code)
        pairs.append((on_it, on_security, dimension[code]))
    return pairs


def mirror_patterns(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    *,
    gap_floor: float = 10.0,
    min_group_size: int = 5,
    protection: Protection = EXACT,
) -> pd.DataFrame:
    """Each mirror pair as each side's rating of itself and of the other, with its pattern.

    One row per pair (numbered 1, 2, ... in instrument order), columns
    ``MIRROR_PATTERN_COLUMNS``: ``<side>_rates_<whom>`` the side's published mean item
    score (0–100, reverse-coded where the statement is; the item means of the dimension
    page) on the statement about ``whom``; ``<side>_self_minus_other`` its rating of
    itself minus its rating of the other, with a 95 % interval (``_ci_low``, ``_ci_high``)
    from the side's respondents who answered both statements: a paired t interval of the
    published SD of their differences (:func:`reports.statistics.mean_interval`), widened by
    the noise of the two published means; ``pattern`` by :func:`mirror_pattern` with
    ``gap_floor``. A group that is not shown leaves its figures missing and the pattern
    ``suppressed``. Empty when no pair has ``about`` (a v1 round).
    """
    pairs = mirror_pair_codes(items)
    if not pairs:
        return pd.DataFrame(columns=MIRROR_PATTERN_COLUMNS)
    codes = list(dict.fromkeys(code for pair in pairs for code in pair[:2]))
    reverse_of = dict(zip(items["item_code"].astype(str), items["reverse_scored"], strict=False))
    ids, sides, raw = _wide(answers, codes, "value")
    scores = _points_0_100(raw, np.array([bool(reverse_of[c]) for c in codes]), points)
    keys = record_keys(ids, protection.secret)
    column = {code: i for i, code in enumerate(codes)}
    rows = []
    for number, (on_it, on_security, dimension) in enumerate(pairs, start=1):
        row: dict[str, object] = {
            "pair": number,
            "dimension_code": dimension,
            "item_about_it": on_it,
            "item_about_security": on_security,
        }
        intervals = {}
        for side in SIDES:
            members = sides == side
            own, other = (on_it, on_security) if side == "it" else (on_security, on_it)
            block = scores[members][:, [column[own], column[other]]]
            differences = block[:, 0] - block[:, 1]
            cells = published_cells(
                np.column_stack([block, differences]),
                keys[members],
                [f"item|{own}", f"item|{other}", f"self-minus-other|{own},{other}"],
                protection,
            )
            shown = cells.shown(min_group_size)
            rates_own = cells.mean[0] if shown[0] else np.nan
            rates_other = cells.mean[1] if shown[1] else np.nan
            row[f"{side}_rates_{side}"] = rates_own
            row[f"{side}_rates_{OTHER_SIDE[side]}"] = rates_other
            estimate = rates_own - rates_other if shown[2] else np.nan
            low, high = mean_interval(
                estimate,
                cells.sd[2],
                cells.n[2],
                GAP_CI_LEVEL,
                noise=cells.noise[0] + cells.noise[1],
            )
            intervals[side] = (float(estimate), float(low), float(high))
            row[f"{side}_self_minus_other"] = estimate
            row[f"{side}_ci_low"], row[f"{side}_ci_high"] = float(low), float(high)
        row["pattern"] = mirror_pattern(intervals["it"], intervals["security"], gap_floor)
        rows.append(row)
    return pd.DataFrame(rows, columns=MIRROR_PATTERN_COLUMNS)
