"""Disclosure: every rule that decides what of a round may be published, and how. Pure.

The method is the cell-key method of the ABS TableBuilder and the 2021 census of England
and Wales (Fraser & Wooton 2005; Thompson, Broadfoot & Elazar 2013; ONS 2022): every
published count and every published sum of scores is the true one moved by a small amount
that is a function of *which respondents* it counts, and of nothing else.

- Each record (response, invitation) has a key: 64 pseudo-random bits fixed by its id and
  the round's secret (:func:`record_keys`).
- A cell (any set of records a figure counts) has a cell key: the sum of its records' keys
  modulo 2**32, as a fraction of 2**32 (:func:`cell_keys`). The same respondents give the
  same cell key in every view, so asking twice, by another route, or in another download,
  gives the same figure and averages nothing away.
- The count is moved by at most ``Protection.count_bound`` (:func:`published_counts`), the
  sum of scores by at most ``Protection.sum_bound`` points, a key of its own per measure
  (:func:`published_means`).
- A group is shown only when it holds at least k respondents and its published count is
  at least k too (:func:`cell_shown`): below that it reads "fewer than k", so that reading
  says only that the group has at most k − 1 + ``count_bound`` respondents.

No complementary suppression is needed on top: a total minus the shown groups leaves an
interval of several respondents, zero included, however many views are combined (the
adversarial audit in tests/reports/audit proves it on a planted round and the demo). A
group that answered alike must not give its members away either (homogeneity): a published
mean keeps bound/n from the scale's ends (:func:`published_means`) and a distribution's
empty points move too (:func:`published_point_counts`). What is left exact: the tests on
the true answers (p, q, effect sizes), published coarsely; docs/methodology.md says why
that is acceptable. Also here:
k-anonymised export profiles (:func:`profiles_generalise`), comments
(:func:`dimension_comments`), and the values a form may offer (:func:`values_offered`).
Nothing else in the code decides what is shown.

Frames: *answers* (``response_id``, ``side``, ``function``, ``level``, attribute columns,
``item_code``, ``value``) and *attributes* (long: ``response_id``, ``name``, ``value``; the
``Response.attributes`` of the round).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.vocabulary import Protection

# Profile fields a view can be filtered by; profile attributes come on top.
PROFILE_FILTERS = ("level", "function")
BLANK = ""
COMMENT_COLUMNS = ["item_code", "text"]
PROFILE_GENERALISATION = ("level", "function", "side")  # blanked in this order
RESPONSES = "response"  # the salt of the respondents' record keys
INVITATIONS = "invitation"  # the salt of the invitations' record keys
KEY_SPACE = 2**32  # a cell key is a sum of 32-bit record weights modulo this
SCORE_TOP = 100.0  # scores are 0–100 points


def protection_sentence(protection: Protection, min_group_size: int) -> str:
    """The one sentence every file states of how its figures are protected (English: the
    pages say it in the reader's language)."""
    hidden = f"groups of fewer than {min_group_size} respondents are not shown"
    if protection.exact:
        return f"Counts and scores are exact; {hidden}."
    return (
        f"Counts are perturbed by at most ±{protection.count_bound} and each group's total "
        f"of scores by at most ±{protection.sum_bound:g} points (the cell-key method, the "
        f"same in every view); {hidden}."
    )


SUM_BOUND_PER_RESPONDENT = 15.0  # points of a sum's bound per respondent of k − 1
SQUARES_PER_SUM_BOUND = 50.0  # points² of a sum of squares' bound per point of the sum's


def default_bounds(min_group_size: int) -> tuple[int, float]:
    """(count bound, sum bound) for a round of threshold k: 2k respondents, and 15 × (k − 1)
    points (docs/methodology.md, "Parameters, and how they were chosen": ±k let the audit
    bound a small group in 3 of 30 simulated draws once the staff page's independent counts
    of used invitations were read; ±2k in none of 20). A difference of two sums leaves the
    mean of k − 1 people uncertain by ±30 points (2 × 15); half that let the audit, knowing
    every true count, state 7 of 2,983 means of the demo's small groups to within ±10."""
    return 2 * min_group_size, SUM_BOUND_PER_RESPONDENT * (min_group_size - 1)


def settings_protection(settings: object, min_group_size: int) -> Protection:
    """The :class:`~reports.vocabulary.Protection` of a round of threshold ``min_group_size``
    the project's settings ask for: the secret from ``FRICTION_CELL_KEY_SECRET`` (any text;
    the settings derive it from SECRET_KEY by default), the bounds from
    ``FRICTION_COUNT_BOUND`` and ``FRICTION_SUM_BOUND``, each None for
    :func:`default_bounds`. ``settings``: Django's settings object, or anything with those
    attributes."""
    text = str(settings.FRICTION_CELL_KEY_SECRET).encode()
    secret = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")
    count_bound, sum_bound = default_bounds(min_group_size)
    if settings.FRICTION_COUNT_BOUND is not None:
        count_bound = int(settings.FRICTION_COUNT_BOUND)
    if settings.FRICTION_SUM_BOUND is not None:
        sum_bound = float(settings.FRICTION_SUM_BOUND)
    return Protection(secret=secret, count_bound=count_bound, sum_bound=sum_bound)


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea & Flood 2014) over uint64, elementwise: a
    bijection whose output bits each depend on every input bit."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _salt(secret: int, salt: str) -> np.uint64:
    digest = hashlib.blake2b(salt.encode(), digest_size=8, key=secret.to_bytes(8, "big"))
    return np.uint64(int.from_bytes(digest.digest(), "big"))


def record_keys(ids: Sequence[int] | np.ndarray, secret: int, salt: str = RESPONSES) -> np.ndarray:
    """Each record's key: uint64 (same length as ``ids``), pseudo-random and fixed by the
    record's id, ``secret`` (0..2**64−1) and ``salt`` (the kind of record). Records of
    another kind get unrelated keys."""
    values = np.asarray(ids, dtype="int64").astype(np.uint64)
    return _splitmix64(values ^ _salt(secret, salt))


def weights(keys: np.ndarray) -> np.ndarray:
    """The 32-bit weight of each key (float64 holding an integer below 2**32), whose sums
    over a cell are exact in float64 up to two million records."""
    return (np.asarray(keys, dtype=np.uint64) >> np.uint64(32)).astype("float64")


def measure_weights(keys: np.ndarray, measure: str) -> np.ndarray:
    """Each record's weight for sums of scores on ``measure`` (a dimension or statement and
    the items it is computed from): independent of the count's weight and of every other
    measure's, so one noise never cancels another."""
    salt = np.uint64(int.from_bytes(hashlib.blake2b(measure.encode(), digest_size=8).digest()))
    return weights(_splitmix64(np.asarray(keys, dtype=np.uint64) ^ salt))


def cell_keys(weight_sums: np.ndarray | float) -> np.ndarray:
    """Cell keys in [0, 1) of cells whose records' weights sum to ``weight_sums``."""
    return np.mod(np.asarray(weight_sums, dtype="float64"), KEY_SPACE) / KEY_SPACE


def published_counts(
    n: np.ndarray | int, weight_sums: np.ndarray | float, protection: Protection
) -> np.ndarray:
    """The published counts of cells of ``n`` records (int64 array, ``n``'s shape).

    The change c lies in max(−bound, −n)..bound (``protection.count_bound``), so a count is
    never negative, with weight 2^−|c| (a geometric perturbation table: 0 a third of the
    time, ±1 a sixth each, and each step further half as likely), picked by the cell key
    through the table's cumulative distribution; an empty cell stays 0. Exact when the
    bound is 0.
    """
    n = np.asarray(n, dtype="int64")
    bound = int(protection.count_bound)
    if bound == 0:
        return n.copy()
    changes = np.arange(-bound, bound + 1)
    weight = 0.5 ** np.abs(changes).astype("float64")
    # Per cell, the weights of the changes it may take (none below −n), as a cumulative share.
    allowed = changes[np.newaxis, :] >= -np.atleast_1d(n).reshape(-1, 1)
    cumulative = np.cumsum(allowed * weight, axis=1)
    cumulative /= cumulative[:, -1:]
    keys = np.broadcast_to(cell_keys(weight_sums), n.shape).reshape(-1, 1)
    picked = (keys >= cumulative).sum(axis=1).clip(max=len(changes) - 1)
    change = changes[picked].reshape(n.shape)
    return np.where(n > 0, n + change, 0)


def published_means(
    means: np.ndarray, n: np.ndarray, weight_sums: np.ndarray, protection: Protection
) -> np.ndarray:
    """The published means (0–100 points) of cells of ``n`` records whose true means are
    ``means``: the cell's sum of scores moved by up to ``protection.sum_bound`` points
    (uniform, by the cell key of ``weight_sums``, from :func:`measure_weights`), divided by
    the true n, then kept at least bound/n points from either end of the scale. NaN where
    there is no mean. Exact when the bound is 0.

    The margin from the ends closes the homogeneity channel: a group that nearly all
    answered at one end would otherwise publish a mean that pins the mean of any few of its
    members (a group of 15 at 2 points: any four of them within 0..8). Kept bound/n from the
    end, the published mean still allows a true sum anywhere in 0..2 × bound, which leaves
    any k − 1 of them a mean anywhere in 0..30 points (docs/methodology.md, "Homogeneity").
    """
    means = np.asarray(means, dtype="float64")
    if protection.sum_bound == 0:
        return means.copy()
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.minimum(protection.sum_bound / n, SCORE_TOP / 2)
        noise = protection.sum_bound * (2 * cell_keys(weight_sums) - 1) / n
        out = np.clip(means + noise, margin, SCORE_TOP - margin)
    return np.where(n > 0, out, np.nan)


def published_point_counts(
    counts: np.ndarray,
    weight_sums: np.ndarray,
    group_weight_sums: np.ndarray,
    protection: Protection,
) -> np.ndarray:
    """The published counts of an answer distribution: ``counts`` (int, …, points) the
    answers per point of a Likert scale, ``weight_sums`` their cells' weights, and
    ``group_weight_sums`` (…) the weights of the whole row (the group's answers to the
    statement). Int64, ``counts``' shape.

    A point someone chose moves as any count (:func:`published_counts`). A point nobody
    chose is not left at an exact 0: it moves up by 0..bound, with the same geometric
    weights, by a cell key made of the group's and the point's (the same group and
    statement give the same figure in every view). Exact zeros would say that everyone in
    the group answered on the other points, and a group that all chose one point would
    then give away every member's answer (the homogeneity case; docs/methodology.md).
    Exact when the bound is 0."""
    counts = np.asarray(counts, dtype="int64")
    published = published_counts(counts, weight_sums, protection)
    bound = int(protection.count_bound)
    if bound == 0:
        return published
    points = counts.shape[-1]
    # A key per (group row, point): the row's weights plus a fixed offset per point.
    offsets = (np.arange(1, points + 1, dtype="float64") * 0x9E3779B9) % KEY_SPACE
    keys = cell_keys(np.asarray(group_weight_sums, dtype="float64")[..., np.newaxis] + offsets)
    rises = np.arange(0, bound + 1)
    cumulative = np.cumsum(0.5**rises)
    cumulative /= cumulative[-1]
    rise = rises[np.minimum(np.searchsorted(cumulative, keys, side="right"), bound)]
    return np.where(counts > 0, published, rise)


def published_sds(
    sds: np.ndarray, n: np.ndarray, weight_sums: np.ndarray, protection: Protection
) -> np.ndarray:
    """The published standard deviations (ddof = 1, 0–100 points) of cells of ``n`` records:
    the sum of squared deviations moved by up to 50 × ``protection.sum_bound`` points²
    (uniform, by the cell key of ``weight_sums``), never below 0. Differences of sums of
    squares would otherwise give a small group's mean away (the between-group part of a
    total's spread). NaN where there is none. Exact when the bound is 0."""
    sds = np.asarray(sds, dtype="float64")
    if protection.sum_bound == 0:
        return sds.copy()
    n = np.asarray(n, dtype="float64")
    bound = SQUARES_PER_SUM_BOUND * protection.sum_bound
    with np.errstate(divide="ignore", invalid="ignore"):
        squares = sds**2 * (n - 1) + bound * (2 * cell_keys(weight_sums) - 1)
        out = np.sqrt(np.clip(squares, 0, None) / (n - 1))
    return np.where(n > 1, out, np.nan)


@dataclass(frozen=True)
class PublishedCells:
    """Published figures of cells of respondents' values (arrays, one entry per cell):
    ``n_true`` (int64) and ``n`` (published) values in the cell, ``mean`` and ``sd``
    (ddof = 1) as published, 0–100 points, and the variance their publication adds to the
    mean (``noise``, points², :func:`mean_noise`)."""

    n_true: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    noise: np.ndarray

    def shown(self, min_group_size: int) -> np.ndarray:
        """Per cell: may its figures be shown (:func:`cell_shown`)."""
        return cell_shown(self.n_true, self.n, min_group_size)


def mean_noise(n: np.ndarray, protection: Protection) -> np.ndarray:
    """The variance (points²) a published mean of ``n`` records carries from
    :func:`published_means`: its sum moved uniformly by up to B points, ``(B/n)²/3``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (protection.sum_bound / np.asarray(n, dtype="float64")) ** 2 / 3


def published_cells(
    values: np.ndarray, keys: np.ndarray, measures: Sequence[str], protection: Protection
) -> PublishedCells:
    """Publish the count, mean and SD of each column of ``values`` (respondents × cells,
    0–100 points, NaN = not in the cell) as :func:`reports.panel.group_stats` publishes a
    group's: the count by the respondents' weights (:func:`published_counts`), the mean and
    the SD by the weights of the cell's measure (``measures``, one name per column:
    :func:`measure_weights` of the name and of ``squares|<name>``). ``keys``: the
    respondents' record keys (one per row). The same respondents and measure give the same
    figures here as on every other page (a statement's ``item|<code>`` is its item mean)."""
    values = np.asarray(values, dtype="float64").reshape(len(keys), -1)
    present = ~np.isnan(values)
    n = present.sum(axis=0).astype("int64")
    published_n = published_counts(n, weights(keys) @ present, protection)
    with np.errstate(divide="ignore", invalid="ignore"):
        sums = np.where(present, values, 0.0).sum(axis=0)
        mean = np.where(n > 0, sums / n, np.nan)
        squares = np.where(present, (values - mean) ** 2, 0.0).sum(axis=0)
        sd = np.where(n > 1, np.sqrt(squares / (n - 1)), np.nan)
    if not protection.exact:

        def weight_sums(prefix: str) -> np.ndarray:
            return np.array(
                [
                    measure_weights(keys, f"{prefix}{name}")[present[:, i]].sum()
                    for i, name in enumerate(measures)
                ]
            )

        mean = published_means(mean, n, weight_sums(""), protection)
        sd = published_sds(sd, n, weight_sums("squares|"), protection)
    return PublishedCells(
        n_true=n, n=published_n, mean=mean, sd=sd, noise=mean_noise(published_n, protection)
    )


def cell_shown(n: np.ndarray | int, published: np.ndarray | int, min_group_size: int) -> np.ndarray:
    """A group's figures may be shown: at least k respondents and a published count of at
    least k, or at least 2k respondents whatever is published. A hidden group may thus hold
    up to 2k − 1 (so "hidden" never says "fewer than k"), and every group of 2k is shown (its
    count, moved by up to 2k, may then read below k). Elementwise on arrays."""
    n = np.asarray(n)
    return ((n >= min_group_size) & (np.asarray(published) >= min_group_size)) | (
        n >= 2 * min_group_size
    )


def count_published(
    ids: Iterable[int], protection: Protection, salt: str = RESPONSES
) -> tuple[int, int]:
    """(true, published) count of the records ``ids`` (distinct ids; a repeated id counts
    once)."""
    unique = pd.unique(
        pd.Series(list(ids) if not isinstance(ids, pd.Series) else ids, dtype="int64")
    )
    keys = record_keys(unique, protection.secret, salt)
    n = len(unique)
    return n, int(published_counts(n, weights(keys).sum(), protection))


def check_k(min_group_size: int) -> None:
    """Raise ValueError unless ``min_group_size`` (k) is at least 1."""
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}.")


def count_shown(n: int | np.ndarray | pd.Series, min_group_size: int) -> bool | np.ndarray:
    """A count (or a cell's figures) may be shown only when it is at least k: below k, zero
    included, it reads "fewer than k", so an empty group looks exactly like a small one.
    Works on ints and elementwise on arrays and Series."""
    return n >= min_group_size


@dataclass(frozen=True)
class CommentList:
    """One list of a dimension's comments as shown: ``sides`` (the side codes whose writers'
    comments it holds, sorted; empty: every writer's, sides not told apart) and
    ``comments`` (columns ``COMMENT_COLUMNS``, in random order)."""

    sides: tuple[str, ...]
    comments: pd.DataFrame


def dimension_comments(
    comments: pd.DataFrame,
    min_respondents: int,
    rng: np.random.Generator | None = None,
    *,
    by_side: bool = False,
) -> list[CommentList]:
    """The comments of one dimension as shown to leaders: lists with no profile beside each
    comment, each in random order (docs/methodology.md, "Comments").

    ``comments``: one row per comment, columns ``response_id``, ``item_code``, ``text``
    (str) and, with ``by_side``, ``side`` (the writer's side code); any other column is
    dropped. Blank texts are left out, the others stripped. A list is shown only when at
    least ``min_respondents`` distinct writers wrote in it, and the lists shown never
    overlap and together hold every comment, so no list minus another leaves a smaller
    group:

    - fewer than ``min_respondents`` writers in all: no list (``[]``);
    - without ``by_side``: one list of every comment, ``sides=()``;
    - with ``by_side``: one list per side with at least ``min_respondents`` writers, plus
      one pooled list of the remaining sides when *they together* have that many writers;
      when the remaining sides have some writers but fewer than that, the comments are not
      split at all (one list, ``sides=()``): splitting would leave them out, and showing
      them pooled beside the per-side lists would isolate a group below the threshold.

    Returns lists in the order of their first side. ``rng`` shuffles each list (default: a
    fresh unseeded generator, so every request shows another order and the order says
    nothing about who wrote what).
    """
    stripped = comments["text"].astype(str).str.strip()
    texts = comments.assign(text=stripped).loc[stripped != ""]
    if texts["response_id"].nunique() < min_respondents:
        return []
    rng = rng or np.random.default_rng()

    def shuffled(sides: tuple[str, ...], rows: pd.DataFrame) -> CommentList:
        order = rng.permutation(len(rows))
        return CommentList(sides, rows.iloc[order][COMMENT_COLUMNS].reset_index(drop=True))

    if not by_side:
        return [shuffled((), texts)]
    side = texts["side"].astype(str)
    writers = texts.groupby(side)["response_id"].nunique()
    own = sorted(str(s) for s in writers.index[writers >= min_respondents])
    rest = sorted(str(s) for s in writers.index[writers < min_respondents])
    rest_writers = int(writers.loc[rest].sum()) if rest else 0
    if not own or 0 < rest_writers < min_respondents:
        return [shuffled((), texts)]
    lists = [shuffled((s,), texts.loc[side == s]) for s in own]
    if rest:
        lists.append(shuffled(tuple(rest), texts.loc[side.isin(rest)]))
    return lists


def profiles_generalise(
    profiles: pd.DataFrame,
    min_group_size: int,
    order: Sequence[str] = PROFILE_GENERALISATION,
) -> pd.DataFrame:
    """k-anonymise the quasi-identifiers of exported responses (default ``side, function,
    level``), blanking the finest first.

    ``profiles``: one row per response with the columns named in ``order`` (str, "" = not
    given; others are kept as they are). With the default order: a row whose combination is
    shared by fewer than k rows gets ``level`` blanked; then, counted again, a row whose
    (side, function, "") class is still below k gets ``function`` blanked too; then a row
    whose (side, "", "") class is below k gets ``side`` blanked. Rows left in a class of
    fewer than k even then (only the all-blank class can be) are dropped: a handful of
    blank rows beside well-filled ones would otherwise mark out the small group they came
    from. Every published combination is thus shared by at least k rows. Returns a copy
    with the same columns and the kept rows' index. Raises ValueError when
    min_group_size < 1.
    """
    check_k(min_group_size)
    columns = list(order)
    out = profiles.copy()
    out[columns] = out[columns].fillna("").astype(str)
    for step in range(len(columns)):
        if out.empty:
            break
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        small = ~count_shown(sizes, min_group_size)
        if not small.any():
            break
        for blanked in columns[: step + 1]:
            out.loc[small, blanked] = ""
    if not out.empty:
        sizes = out.groupby(columns, sort=False)[columns[0]].transform("size")
        out = out.loc[count_shown(sizes, min_group_size)]
    return out


def profiles_frame(answers: pd.DataFrame, attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per respondent: ``response_id``, the profile columns of ``answers`` and one
    str column per imported attribute name ("" = not given).

    ``attributes`` is long (``response_id``, ``name``, ``value``); an attribute named like a
    profile column is ignored (the import refuses such names anyway).
    """
    columns = ["response_id", *[c for c in ("side", "function", "level") if c in answers]]
    frame = answers[columns].drop_duplicates("response_id").reset_index(drop=True)
    for column in columns[1:]:
        frame[column] = frame[column].astype(object).fillna(BLANK).astype(str)
    if attributes is None or attributes.empty:
        return frame
    extra = attributes.loc[~attributes["name"].isin(columns)]
    wide = extra.pivot_table(index="response_id", columns="name", values="value", aggfunc="first")
    frame = frame.merge(wide, left_on="response_id", right_index=True, how="left")
    for name in wide.columns:
        frame[name] = frame[name].fillna(BLANK).astype(str)
    return frame


def filter_respondents(frame: pd.DataFrame, filters: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``frame`` whose columns equal every ``filters`` value (column -> value).

    ``frame`` is any frame with the filtered columns: a :func:`profiles_frame`, or an
    answers frame (several rows per respondent) for profile filters. Values compare as str.
    No filter returns ``frame`` unchanged. Raises KeyError naming a column ``frame`` lacks.
    """
    mask = pd.Series(True, index=frame.index)
    for column, value in filters.items():
        if column not in frame.columns:
            raise KeyError(f"No column {column!r} to filter on.")
        mask &= frame[column].astype(object).fillna(BLANK).astype(str) == str(value)
    return frame.loc[mask.to_numpy()]


def selected_answers(
    answers: pd.DataFrame, filters: Mapping[str, str], attributes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The answers of the respondents one filter selects (no filter: ``answers`` itself).

    ``filters``: at most one column -> value (``level``, ``function`` or an attribute's name;
    a name no respondent has selects nobody); ``attributes``: the round's long attributes
    frame. One at a time: a filter and a comparison publish a two-way table; with a second
    filter the tables would be three-way and far sparser. Raises ValueError for more than
    one filter.
    """
    if not filters:
        return answers
    if len(filters) > 1:
        raise ValueError("Apply one filter at a time.")
    ((column, _value),) = filters.items()
    profiles = profiles_frame(answers, attributes)
    if column not in profiles.columns:
        profiles[column] = BLANK
    selected = filter_respondents(profiles, filters)
    return answers.loc[answers["response_id"].isin(selected["response_id"]).to_numpy()]


def values_offered(
    attributes: pd.DataFrame, min_group_size: int, protection: Protection
) -> dict[str, list[str]]:
    """{attribute name: values a form may offer, to compare or to filter by}: the values
    whose group may be shown (:func:`cell_shown` of its true and published counts), so the
    list names no small group. ``attributes``: long (``response_id``, ``name``, ``value``)
    as ``survey.selectors.rounds_attributes_frame``; names without such a value are left
    out; values sorted."""
    offered: dict[str, list[str]] = {}
    if attributes.empty:
        return offered
    for (name, value), part in attributes.groupby(["name", "value"], sort=True):
        n, published = count_published(part["response_id"], protection)
        if cell_shown(n, published, min_group_size):
            offered.setdefault(str(name), []).append(str(value))
    return offered


def published_total(
    ids: Iterable[int], min_group_size: int, protection: Protection, salt: str = RESPONSES
) -> int | None:
    """The published count of the records ``ids``, or None where it reads "fewer than k"
    (:func:`cell_shown`): how every participation count and the round list's count are
    shown."""
    n, published = count_published(ids, protection, salt)
    return published if cell_shown(n, published, min_group_size) else None
