"""What the disclosure rules cost: the share of views of 2k or more respondents the product
shows (the other half of the audit: hiding everything would pass it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.reports.audit.collect import View


@dataclass(frozen=True)
class Utility:
    """Views whose selection holds at least 2k respondents (``eligible``) and those of them
    the product shows (``shown``): figures, and every compared group of 2k or more
    respondents with its numbers on every dimension."""

    min_group_size: int
    eligible: list[View]
    shown: list[View]

    @property
    def share(self) -> float:
        return len(self.shown) / len(self.eligible) if self.eligible else 1.0

    @property
    def blank(self) -> list[View]:
        return [view for view in self.eligible if view not in self.shown]

    def summary(self, limit: int = 20) -> str:
        """The share and the first ``limit`` views left blank (for failure messages)."""
        lines = [
            f"{len(self.shown)} of {len(self.eligible)} views of {2 * self.min_group_size} or "
            f"more respondents shown ({self.share:.0%})"
        ]
        lines += [
            f"  blank: {view.description} ({view.selected} selected, groups {view.group_a} and "
            f"{view.group_b})"
            for view in self.blank[:limit]
        ]
        return "\n".join(lines)


def shows(view: View, min_group_size: int) -> bool:
    """The view has figures, and hides no compared group of at least 2k respondents."""
    large = 2 * min_group_size
    return not view.empty and not any(
        n >= large and hidden
        for n, hidden in ((view.group_a, view.suppressed_a), (view.group_b, view.suppressed_b))
    )


def utility(views: Sequence[View], min_group_size: int) -> Utility:
    """The views of at least 2k respondents (by the truth) and those the product shows."""
    eligible = [view for view in views if view.selected >= 2 * min_group_size]
    return Utility(
        min_group_size=min_group_size,
        eligible=eligible,
        shown=[view for view in eligible if shows(view, min_group_size)],
    )
