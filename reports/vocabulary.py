"""The analysis' vocabulary as plain values, computing nothing: comparisons of two groups,
status thresholds and words, the groups of a summary and the columns of every frame the
analysis returns. Pure; every layer may import it (DESIGN.md, "Analysis vocabulary")."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assessment.scoring import likert_items

SIDE_GROUPS = ("it", "security", "other")
AGREEMENT_COLUMNS = ["rwg_j", "ad", "alpha"]
# Why a group's Cronbach's alpha is not reported (reports.statistics.reliability): the
# ``alpha_note`` of summaries and comparisons, and of summary.csv.
ALPHA_TOO_FEW_ITEMS = "too_few_items"
ALPHA_TOO_FEW_RESPONDENTS = "too_few_respondents"
ALPHA_ITEMS_DISAGREE = "items_disagree"
ALPHA_NOTES = (ALPHA_TOO_FEW_ITEMS, ALPHA_TOO_FEW_RESPONDENTS, ALPHA_ITEMS_DISAGREE)
SUMMARY_COLUMNS = [
    "dimension_code",
    "attribute",
    "group",
    "n",
    "score_mean",
    "score_sd",
    "favourable_pct",
    "rwg_j",
    "ad",
    "alpha",
    "alpha_note",
    "polarised",
    "suppressed",
]
DISTRIBUTION_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group",
    "point",
    "count",
    "pct",
    "n",
    "suppressed",
]
ALL_GROUP = "all"

STATUS_BREAKDOWN = "breakdown"
STATUS_WATCH = "watch"
STATUS_DIVIDED = "divided"
# Not significant, and the groups are too small to tell a large gap from chance: the
# attainable p-value cannot clear the q threshold, or the gap's interval reaches a large gap.
STATUS_TOO_FEW = "too_few"
STATUS_ALIGNED = "aligned"
STATUS_SUPPRESSED = "suppressed"
# Every status, most urgent first: the order of charts, tables and findings.
STATUS_ORDER = (
    STATUS_BREAKDOWN,
    STATUS_WATCH,
    STATUS_DIVIDED,
    STATUS_TOO_FEW,
    STATUS_ALIGNED,
    STATUS_SUPPRESSED,
)
# The statuses that say the two groups differ: the friction a report counts.
STATUS_FLAGGED = (STATUS_BREAKDOWN, STATUS_WATCH)
GAP_CI_LEVEL = 0.95  # confidence level of every gap's interval
GROUP_JOINER = "+"
DIMENSION_GAP_COLUMNS = [
    "dimension_code",
    "attribute",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "favourable_pct_a",
    "favourable_pct_b",
    "rwg_j_a",
    "rwg_j_b",
    "alpha_a",
    "alpha_b",
    "alpha_note_a",
    "alpha_note_b",
    "polarised_a",
    "polarised_b",
    "u_a",
    "p_value",
    "rank_biserial",
    "effect_label",
    "q_value",
    "status",
    "suppressed_a",
    "suppressed_b",
    "suppressed",
    "rank",
    "worst",
]
ITEM_GAP_COLUMNS = [
    "item_code",
    "dimension_code",
    "attribute",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "u_a",
    "p_value",
    "rank_biserial",
    "effect_label",
    "q_value",
    "suppressed_a",
    "suppressed_b",
    "suppressed",
]
MIRROR_COLUMNS = [
    "pair",
    "dimension_code",
    "item_code",
    "mirror_of",
    "n_a",
    "n_b",
    "score_a",
    "score_b",
    "gap",
    "suppressed_a",
    "suppressed_b",
]


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the dimension status (defaults: the FRICTION_* settings' defaults).

    ``gap_points``: |gap| in points (0–100 scale) that counts as large; ``q_value``: a
    q-value below it is significant; ``effect_size``: |rank-biserial r| at or above it is
    at least medium (Cohen 1988: 0.3); ``agreement``: a side whose rwg(j) is below it
    disagrees within itself (LeBreton & Senter 2008: below 0.5 is at most weak agreement).
    """

    gap_points: float = 10.0
    q_value: float = 0.05
    effect_size: float = 0.3
    agreement: float = 0.5


@dataclass(frozen=True)
class Protection:
    """How a round's published counts and means are perturbed: the cell-key method
    (:mod:`reports.disclosure`; docs/methodology.md, "Anonymity").

    ``secret``: seeds every record key (an integer of 64 bits; the same secret gives every
    group the same figures for ever); ``count_bound``: the most a published count differs
    from the true one, in respondents; ``sum_bound``: the most a group's sum of scores
    differs, in points (a mean of n respondents moves by at most ``sum_bound / n`` points).
    Both bounds 0 (:data:`EXACT`): figures are exact, as a test of the arithmetic wants.
    """

    secret: int = 0
    count_bound: int = 0
    sum_bound: float = 0.0

    @property
    def exact(self) -> bool:
        return self.count_bound == 0 and self.sum_bound == 0


EXACT = Protection()


@dataclass(frozen=True)
class Comparison:
    """Two groups of one profile attribute: A against B (gap = A − B).

    Each group is one or more values of ``attribute`` (several values are pooled, e.g.
    leaders = executive + manager). The groups must not share a value.
    """

    attribute: str = "side"
    group_a: tuple[str, ...] = ("it",)
    group_b: tuple[str, ...] = ("security",)

    def __post_init__(self) -> None:
        if not self.group_a or not self.group_b:
            raise ValueError("Both groups of a comparison need at least one value.")
        if set(self.group_a) & set(self.group_b):
            raise ValueError("The two groups of a comparison must not share a value.")

    @property
    def label_a(self) -> str:
        """Group A as written in exports: its values joined by "+"."""
        return GROUP_JOINER.join(self.group_a)

    @property
    def label_b(self) -> str:
        """Group B as written in exports: its values joined by "+"."""
        return GROUP_JOINER.join(self.group_b)

    @property
    def described(self) -> str:
        """The comparison in one line, e.g. "side: it vs security" (the audit trail)."""
        return f"{self.attribute}: {self.label_a} vs {self.label_b}"

    @property
    def pools(self) -> tuple[tuple[str, ...], ...]:
        """The groups of several values (e.g. executives + managers), shown as one."""
        return tuple(group for group in (self.group_a, self.group_b) if len(group) > 1)


DEFAULT_COMPARISON = Comparison()
LEADERS_VS_STAFF = Comparison("level", ("executive", "manager"), ("individual",))


def dimension_names(items: pd.DataFrame) -> dict[str, str]:
    """Map dimension code -> name (``dimension_name``, else the code), in instrument order."""
    frame = likert_items(items)
    names = frame["dimension_name"] if "dimension_name" in frame else frame["dimension_code"]
    return dict(zip(frame["dimension_code"], names, strict=True))
