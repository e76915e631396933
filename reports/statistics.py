"""Pure statistics of the analysis, each with its source: within-group agreement rwg(j) and
AD, Cronbach's alpha, the Mann–Whitney U test with the rank-biserial correlation, effect-size
labels and Benjamini–Hochberg q-values. No Django, no frames of the product: arrays in,
numbers out.

Sources (also on the methodology page, ``docs/methodology.md``): James, Demaree & Wolf
(1984) for rwg(j); Burke, Finkelstein & Dusig (1999) for AD; Cronbach (1951) for alpha;
SciPy's ``mannwhitneyu`` with Kerby's (2014) rank-biserial r; Cohen (1988) for the effect
labels; Benjamini & Hochberg (1995) through SciPy's ``false_discovery_control``; Welch
(1947) and Satterthwaite (1946) for the unequal-variance test of a contrast of means;
Spearman's rank correlation through SciPy's ``spearmanr`` with the Fisher-z interval of
Bonett & Wright (2000).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from reports.vocabulary import ALPHA_ITEMS_DISAGREE, ALPHA_TOO_FEW_ITEMS, ALPHA_TOO_FEW_RESPONDENTS

# |r| below each bound gets its label; at or above the last one, "large". Cohen's (1988)
# conventions for a correlation (0.1 small, 0.3 medium, 0.5 large), applied to the
# rank-biserial r as Kerby (2014) suggests.
EFFECT_SIZE_BOUNDS = ((0.1, "negligible"), (0.3, "small"), (0.5, "medium"))
EFFECT_LARGE = "large"


def _wide(item_scores: pd.DataFrame | np.ndarray) -> np.ndarray:
    """A respondents × items float array (NaN = not answered); a 1-D input is one item."""
    values = np.asarray(item_scores, dtype="float64")
    return values if values.ndim == 2 else values.reshape(len(values), -1)


def rwg_j(item_scores: pd.DataFrame | np.ndarray, points: int) -> float:
    """Within-group agreement rwg(j) of a group on a multi-item scale (0..1).

    ``item_scores``: respondents × items (rows × columns), Likert points, NaN where an item
    was not answered. James, Demaree & Wolf (1984):
    ``rwg(j) = J(1 − s̄²/var_E) / (J(1 − s̄²/var_E) + s̄²/var_E)`` with J the number of items,
    s̄² the mean of the items' observed variances (ddof=1, each over the respondents who
    answered it) and var_E = (A² − 1)/12 the variance of the uniform ("no agreement") null
    on A = ``points`` scale points. s̄² is truncated at var_E, so 0 ≤ rwg(j) ≤ 1: 1 when
    everyone gives the same answer, 0 when answers spread as widely as random ones.
    Items answered by fewer than two respondents are left out; NaN when none remains.
    Raises ValueError if ``points`` < 2.
    """
    if points < 2:
        raise ValueError(f"A Likert scale needs at least 2 points, got {points}.")
    values = _wide(item_scores)
    answered = (~np.isnan(values)).sum(axis=0)
    usable = values[:, answered >= 2]
    if usable.shape[1] == 0:
        return math.nan
    variances = np.nanvar(usable, axis=0, ddof=1)
    null_variance = (points**2 - 1) / 12
    ratio = min(float(np.mean(variances)) / null_variance, 1.0)
    j = usable.shape[1]
    agreement = j * (1 - ratio)
    return float(agreement / (agreement + ratio))


def ad_index(item_scores: pd.DataFrame | np.ndarray) -> float:
    """Average deviation index AD_M(j) of a group, in Likert points (0 = full agreement).

    Burke, Finkelstein & Dusig (1999): for each item, the mean absolute deviation of the
    answers from that item's mean; then the mean over items. ``item_scores`` as in
    :func:`rwg_j`. Items answered by fewer than two respondents are left out; NaN when none
    remains. Burke & Dunlap (2002) read AD ≤ A/6 (0.83 on a 5-point scale) as agreement.
    """
    values = _wide(item_scores)
    answered = (~np.isnan(values)).sum(axis=0)
    usable = values[:, answered >= 2]
    if usable.shape[1] == 0:
        return math.nan
    deviations = np.abs(usable - np.nanmean(usable, axis=0))
    return float(np.mean(np.nanmean(deviations, axis=0)))


def cronbach_alpha(item_scores: pd.DataFrame | np.ndarray) -> float:
    """Cronbach's alpha (1951) from pairwise covariances.

    ``item_scores`` as in :func:`rwg_j` (reverse-coded item scores, so every item points
    the same way). ``alpha = J/(J − 1) · (1 − Σ var_i / Σᵢⱼ Cᵢⱼ)`` where C is the J × J
    covariance matrix, each entry over the respondents who answered both items (pairwise
    deletion, ddof=1), var_i its diagonal. NaN when J < 2, when some pair of items has fewer
    than two respondents in common, or when the total variance is not positive.
    Can be negative (items that do not hang together); what pages and files report, and
    why not where they do not, is :func:`reliability`.
    """
    values = _wide(item_scores)
    if values.shape[1] < 2:
        return math.nan
    covariance = pd.DataFrame(values).cov(min_periods=2).to_numpy()
    total = covariance.sum()
    if np.isnan(covariance).any() or total <= 0:
        return math.nan
    j = values.shape[1]
    return float(j / (j - 1) * (1 - np.trace(covariance) / total))


# Covariances summing to less than this share of the variances count as none (rounding).
COVARIANCE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha as reported, or why it is not: ``alpha`` (above 0; NaN whenever
    ``note`` is given) and ``note`` (None, or one of :data:`reports.vocabulary.ALPHA_NOTES`)."""

    alpha: float
    note: str | None


def reliability(item_scores: pd.DataFrame | np.ndarray) -> Reliability:
    """A group's Cronbach's alpha as pages and files report it, with the reason where none
    is reported. ``item_scores`` as in :func:`cronbach_alpha` (pairwise covariances, ddof=1).

    Reasons, the first that holds:

    - ``too_few_items``: fewer than two items (alpha compares items with each other);
    - ``too_few_respondents``: some pair of items has fewer than two respondents who
      answered both (fewer than two respondents at all included): a covariance cannot be
      estimated;
    - ``items_disagree``: the covariances between different items sum to zero or less, so
      the items do not vary together and do not measure one thing. Alpha is then 0 or
      negative (−8.1 in issue 18), or undefined when no answer varies at all; a value at or
      below 0 is no reliability (Cronbach 1951: alpha estimates the share of the total
      score's variance that the items hold in common), and bare it reads as one. A
      group that answered every item alike gets this reason too, never a reason of its
      own: that would say that every member gave the same answers.

    Otherwise ``alpha`` in (0, 1] and no note. Computed on the true answers; shown only
    where the group's figures are (the callers mask it with them).
    """
    values = _wide(item_scores)
    j = values.shape[1]
    if j < 2:
        return Reliability(math.nan, ALPHA_TOO_FEW_ITEMS)
    covariance = pd.DataFrame(values).cov(min_periods=2).to_numpy()
    if np.isnan(covariance).any():
        return Reliability(math.nan, ALPHA_TOO_FEW_RESPONDENTS)
    variances = float(np.trace(covariance))
    between = float(covariance.sum()) - variances
    if between <= COVARIANCE_TOLERANCE * max(variances, 1.0):
        return Reliability(math.nan, ALPHA_ITEMS_DISAGREE)
    return Reliability(float(j / (j - 1) * (1 - variances / (variances + between))), None)


@dataclass(frozen=True)
class MannWhitney:
    """A two-sided Mann–Whitney U test of group A against group B."""

    u_a: float  # U of group A: pairs where A is higher, ties counted half
    p_value: float
    rank_biserial: float  # 2·U_A/(n_A·n_B) − 1, in −1..1, positive when A tends higher


def mann_whitney(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> MannWhitney:
    """Two-sided Mann–Whitney U test (SciPy's ``mannwhitneyu`` with its defaults,
    ``method="auto"`` and ``use_continuity=True``: the exact distribution when either
    sample has at most 8 values and there are no ties, otherwise the normal approximation
    with the tie correction of the variance and a continuity correction of 0.5).

    Effect size: the rank-biserial correlation r = 2·U_A/(n_A·n_B) − 1 (Kerby 2014, the
    "simple difference formula": share of pairs where A is higher minus share where B is
    higher). Raises ValueError when either sample is empty.
    """
    a_values = np.asarray(a, dtype="float64")
    b_values = np.asarray(b, dtype="float64")
    if len(a_values) == 0 or len(b_values) == 0:
        raise ValueError("Both samples need at least one value.")
    result = stats.mannwhitneyu(a_values, b_values, alternative="two-sided")
    u_a = float(result.statistic)
    return MannWhitney(
        u_a=u_a,
        p_value=float(result.pvalue),
        rank_biserial=2 * u_a / (len(a_values) * len(b_values)) - 1,
    )


def effect_label(r: float | None) -> str:
    """Magnitude label of a correlation-type effect size: negligible, small, medium, large.

    |r| < 0.1 negligible, < 0.3 small, < 0.5 medium, else large (Cohen 1988). Empty
    string for a missing r.
    """
    if r is None or r is pd.NA or math.isnan(float(r)):
        return ""
    size = abs(float(r))
    for bound, label in EFFECT_SIZE_BOUNDS:
        if size < bound:
            return label
    return EFFECT_LARGE


def bh_qvalues(p_values: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values), NaN kept in place.

    For the m non-missing p-values sorted ascending, ``q₍ᵢ₎ = min over j ≥ i of
    min(1, m·p₍ⱼ₎/j)``; computed by SciPy's ``false_discovery_control(method="bh")``.
    Returns a float64 array in the input order.
    """
    values = np.asarray(list(p_values), dtype="float64")
    q = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        q[present] = stats.false_discovery_control(values[present], method="bh")
    return q


@dataclass(frozen=True)
class WelchContrast:
    """A two-sided Welch–Satterthwaite t test of a linear contrast of independent means.

    Scalars for one-dimensional groups; arrays of the leading (replicate) shape otherwise.
    """

    estimate: float | np.ndarray  # Σ cᵢ·meanᵢ, in the groups' unit
    standard_error: float | np.ndarray  # √(Σ cᵢ²·sᵢ²/nᵢ), same unit
    df: float | np.ndarray  # Satterthwaite's degrees of freedom (NaN when the error is 0)
    p_value: float | np.ndarray


def welch_contrast(
    groups: Sequence[Sequence[float] | np.ndarray], weights: Sequence[float]
) -> WelchContrast:
    """Two-sided test that ``Σ cᵢ·μᵢ = 0`` without assuming equal variances.

    ``groups``: the independent samples, each along its LAST axis (leading axes are
    replicates, broadcast together; a 1-D group gives scalars); ``weights``: one cᵢ per
    group. ``t = Σ cᵢ·x̄ᵢ / √(Σ cᵢ²·sᵢ²/nᵢ)`` (sᵢ² with ddof=1) against Student's t with
    Satterthwaite's (1946) ``df = (Σ wᵢ)² / Σ wᵢ²/(nᵢ − 1)``, ``wᵢ = cᵢ²·sᵢ²/nᵢ`` (Welch
    1947). With two groups and weights (1, −1) this is Welch's t test (SciPy's
    ``ttest_ind(equal_var=False)``). When no group varies (standard error 0) the contrast
    is known exactly: p = 1 if it is 0, else 0. Raises ValueError when a group has fewer
    than two values or the counts of groups and weights differ.
    """
    if len(groups) != len(weights) or not groups:
        raise ValueError("Give one weight per group, and at least one group.")
    arrays = [np.asarray(values, dtype="float64") for values in groups]
    if any(values.shape[-1] < 2 for values in arrays):
        raise ValueError("Every group needs at least two values.")
    estimate = sum(c * values.mean(axis=-1) for c, values in zip(weights, arrays, strict=True))
    terms = [
        c**2 * values.var(axis=-1, ddof=1) / values.shape[-1]
        for c, values in zip(weights, arrays, strict=True)
    ]
    variance = sum(terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = variance**2 / sum(
            w**2 / (values.shape[-1] - 1) for w, values in zip(terms, arrays, strict=True)
        )
        t = estimate / np.sqrt(variance)
        p = 2 * stats.t.sf(np.abs(t), df)
    exact = np.where(estimate == 0, 1.0, 0.0)
    p = np.where(variance > 0, p, exact)

    def out(value: np.ndarray) -> float | np.ndarray:
        return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype="float64")

    return WelchContrast(
        estimate=out(estimate),
        standard_error=out(np.sqrt(variance)),
        df=out(np.where(variance > 0, df, np.nan)),
        p_value=out(p),
    )


def smallest_p_value(n_a: np.ndarray | int, n_b: np.ndarray | int) -> np.ndarray:
    """The smallest two-sided p-value the exact Mann–Whitney test can give for samples of
    ``n_a`` and ``n_b`` respondents: ``2 / C(n_a + n_b, n_a)`` (the two complete
    separations out of every equally likely ordering of the ranks, Mann & Whitney 1947),
    at most 1. Elementwise on arrays; NaN where a size is missing or below 1."""
    a = np.asarray(n_a, dtype="float64")
    b = np.asarray(n_b, dtype="float64")
    with np.errstate(invalid="ignore"):
        log_orderings = special.gammaln(a + b + 1) - special.gammaln(a + 1) - special.gammaln(b + 1)
        p = np.minimum(2 * np.exp(-log_orderings), 1.0)
    return np.where((a >= 1) & (b >= 1), p, np.nan)


def welch_interval(
    gap: np.ndarray,
    sd_a: np.ndarray,
    sd_b: np.ndarray,
    n_a: np.ndarray,
    n_b: np.ndarray,
    level: float = 0.95,
    *,
    noise_a: np.ndarray | float = 0.0,
    noise_b: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Welch's (1947) confidence interval for a difference of two means: (low, high).

    ``gap`` = mean_a − mean_b, ``sd_a``/``sd_b`` the groups' standard deviations (ddof=1),
    ``n_a``/``n_b`` their sizes; arrays of one shape, any unit (points here). The interval
    is ``gap ± t(1 − (1 − level)/2; df) · SE`` with ``SE = √(sd_a²/n_a + sd_b²/n_b)`` and
    the Welch–Satterthwaite degrees of freedom
    ``df = SE⁴ / ((sd_a²/n_a)²/(n_a − 1) + (sd_b²/n_b)²/(n_b − 1))``: what SciPy's
    ``ttest_ind(equal_var=False).confidence_interval(level)`` gives from the raw values.
    When both SDs are 0 the interval is the gap itself. NaN where any input is missing or
    a size is below 2.

    ``noise_a``/``noise_b``: the variance (unit²) of noise added to each published mean on
    top of sampling (the disclosure's perturbation: a sum moved uniformly by up to B gives
    a mean ``(B/n)²/3``); it widens SE² as a known variance and leaves the degrees of
    freedom to the sample variances, so the interval covers the true difference of the
    population means, not only of the published ones.
    """
    gap = np.asarray(gap, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        va = np.asarray(sd_a, dtype="float64") ** 2 / np.asarray(n_a, dtype="float64")
        vb = np.asarray(sd_b, dtype="float64") ** 2 / np.asarray(n_b, dtype="float64")
    se2 = va + vb + np.asarray(noise_a, dtype="float64") + np.asarray(noise_b, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        df = se2**2 / (va**2 / (np.asarray(n_a) - 1.0) + vb**2 / (np.asarray(n_b) - 1.0))
        half = np.where(se2 > 0, stats.t.ppf(0.5 + level / 2, df) * np.sqrt(se2), 0.0)
    valid = (np.asarray(n_a) >= 2) & (np.asarray(n_b) >= 2) & ~np.isnan(se2) & ~np.isnan(gap)
    return np.where(valid, gap - half, np.nan), np.where(valid, gap + half, np.nan)


# Polarisation: a group's dimension scores split into two camps at the two ends of the scale.
POLAR_LOW = 25.0  # points: at or below, the respondent leans to disagreement on average
POLAR_HIGH = 75.0  # points: at or above, to agreement
POLAR_SHARE = 0.3  # the least share of the group in each camp


def polarised(scores: np.ndarray) -> bool:
    """Whether a group's dimension scores (0–100 points, 1-d, NaN = no score, left out) are
    split into two camps at opposite ends of the scale.

    True when at least ``POLAR_SHARE`` (30 %) of the respondents score at or below
    ``POLAR_LOW`` (25: a mean item score at or below point 2 of 5, "disagree"), at least
    30 % at or above ``POLAR_HIGH`` (75: point 4 of 5, "agree"), and fewer respondents lie
    between the two than in either camp: a bimodal distribution with both modes away from
    the centre. This is the "share at both extremes" reading of bipolarisation (DiMaggio,
    Evans & Bryson 1996, bimodality as a dimension of polarisation; Esteban & Ray 1994);
    unlike rwg(j), which compares a variance with the uniform null, or Tastle & Wierman's
    (2007) consensus, it separates a split group (half answering 2, half 4: rwg(j) 0.86)
    from a merely spread one. False for an empty group.
    """
    values = np.asarray(scores, dtype="float64")
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return False
    low = np.mean(values <= POLAR_LOW)
    high = np.mean(values >= POLAR_HIGH)
    middle = 1.0 - low - high
    return bool(low >= POLAR_SHARE and high >= POLAR_SHARE and middle < min(low, high))


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation of two paired samples with its confidence interval."""

    r: float  # −1..1; NaN when it cannot be computed
    low: float
    high: float
    n: int  # pairs with both values


def spearman_interval(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, level: float = 0.95
) -> RankCorrelation:
    """Spearman's rank correlation of ``x`` and ``y`` (paired, NaN pairs left out) with a
    ``level`` confidence interval.

    r is SciPy's ``spearmanr`` (Pearson's r of the mid-ranks, ties averaged). The interval
    is Fisher's z transform with the standard error Bonett & Wright (2000, Psychometrika
    65:23–28) give for Spearman's r, ``SE(z) = √((1 + r²/2)/(n − 3))``:
    ``tanh(atanh(r) ± z(1 − (1 − level)/2) · SE)``. NaN (r and interval) when fewer than
    four pairs remain or either sample is constant; a perfect |r| = 1 gives the interval
    (r, r).
    """
    a = np.asarray(x, dtype="float64")
    b = np.asarray(y, dtype="float64")
    both = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[both], b[both]
    n = len(a)
    if n < 4 or np.all(a == a[0]) or np.all(b == b[0]):
        return RankCorrelation(math.nan, math.nan, math.nan, n)
    r = float(stats.spearmanr(a, b).statistic)
    if abs(r) >= 1.0:
        return RankCorrelation(r, r, r, n)
    half = stats.norm.ppf(0.5 + level / 2) * math.sqrt((1 + r**2 / 2) / (n - 3))
    z = math.atanh(r)
    return RankCorrelation(r, math.tanh(z - half), math.tanh(z + half), n)


def mean_interval(
    estimate: np.ndarray | float,
    sd: np.ndarray | float,
    n: np.ndarray | float,
    level: float = 0.95,
    *,
    noise: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Student's t interval of a mean (here: the mean of paired differences), (low, high).

    ``estimate ± t(1 − (1 − level)/2; n − 1) · √(sd²/n + noise)``: ``sd`` the sample's
    standard deviation (ddof=1), ``n`` its size, ``noise`` the variance added by publication
    (as in :func:`welch_interval`, e.g. two published means each moved by up to B/n give
    ``2 · (B/n)²/3``). What SciPy's ``ttest_1samp(...).confidence_interval(level)`` gives
    when ``noise`` is 0. Elementwise; NaN where n < 2 or an input is missing.
    """
    estimate = np.asarray(estimate, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        se2 = np.asarray(sd, dtype="float64") ** 2 / n + np.asarray(noise, dtype="float64")
        half = stats.t.ppf(0.5 + level / 2, n - 1) * np.sqrt(se2)
    valid = (n >= 2) & ~np.isnan(se2) & ~np.isnan(estimate)
    return np.where(valid, estimate - half, np.nan), np.where(valid, estimate + half, np.nan)
