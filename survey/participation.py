"""Live participation of a round for its admins: invited and completed, by side and by level.

Counts come from the invitations only (``used`` is all a round knows of who completed), grouped
by the side and level of the invitee list; no response is read. Reads for analysis live in
``survey.selectors``; this one feeds the round page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

# The one exception to the import direction: what may be shown is decided in one place,
# reports.disclosure (pure: pandas only), and the staff round page follows it too.
from reports.disclosure import count_suppression, participation_cells
from survey.models import Invitation, Level, Side, SurveyRound
from survey.selectors import round_participation

NOT_GIVEN = ""


@dataclass(frozen=True)
class Cell:
    """A count, or ``None`` when it is suppressed (below k, or hidden so it cannot be
    worked out from the total)."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ParticipationRow:
    """One group: its label, invited and completed counts, and the response rate in percent
    (``None`` when either count is suppressed or nobody was invited)."""

    label: str
    invited: Cell
    completed: Cell

    @property
    def rate(self) -> float | None:
        if self.invited.value and self.completed.value is not None:
            return 100 * self.completed.value / self.invited.value
        return None


@dataclass(frozen=True)
class Participation:
    """The round page's figures: totals, and rows by side and by level, each column
    suppressed by :func:`reports.disclosure.participation_cells` (below k, and
    complementarily, so the total minus the shown cells names no small group). A total is
    None where the leaders' dashboard hides it (:func:`reports.disclosure.count_suppression`
    over the sides respondents chose): printed here, it would give away by subtraction the
    small side the dashboard hides."""

    k: int
    invited: int | None
    completed: int | None
    by_side: list[ParticipationRow]
    by_level: list[ParticipationRow]

    @property
    def rate(self) -> float | None:
        """Completed / invited in percent; None when nobody was invited or a total is hidden."""
        if self.invited and self.completed is not None:
            return 100 * self.completed / self.invited
        return None


def _rows(
    counts: dict[str, tuple[int, int]],
    labels: dict[str, str],
    k: int,
    totals_shown: tuple[bool, bool],
) -> list[ParticipationRow]:
    keys = [key for key in [*labels, NOT_GIVEN] if counts.get(key, (0, 0))[0] > 0]
    invited_shown, completed_shown = totals_shown
    invited = participation_cells([counts[key][0] for key in keys], k, total_shown=invited_shown)
    completed = participation_cells(
        [counts[key][1] for key in keys], k, total_shown=completed_shown
    )
    return [
        ParticipationRow(
            label=labels.get(key) or str(_("Not given")),
            invited=Cell(invited[index]),
            completed=Cell(completed[index]),
        )
        for index, key in enumerate(keys)
    ]


def round_participation_table(*, round: SurveyRound) -> Participation:
    """Invitations of ``round`` and how many were used, overall and by the invitee list's
    side and level (rows with no invitation left out; "Not given" last), suppressed below the
    round's k. Two queries."""
    rows = (
        Invitation.objects.filter(round_id=round.pk)
        .order_by()
        .values("side", "level")
        .annotate(invited=Count("pk"), completed=Count("pk", filter=Q(used=True)))
        .values_list("side", "level", "invited", "completed")
    )
    by_side: dict[str, tuple[int, int]] = {}
    by_level: dict[str, tuple[int, int]] = {}
    total_invited = total_completed = 0
    for side, level, invited, completed in rows:
        for groups, key in ((by_side, side or NOT_GIVEN), (by_level, level or NOT_GIVEN)):
            before = groups.get(key, (0, 0))
            groups[key] = (before[0] + invited, before[1] + completed)
        total_invited += invited
        total_completed += completed
    k = round.min_group_size
    # The dashboard's participation table (sides as respondents chose them): a total it hides
    # is hidden here too.
    frame = round_participation(round=round)
    sides = frame.loc[frame["side"] != "unassigned"]
    completed_by_side = pd.Series(sides["completed"].to_numpy(), index=sides["side"])
    invited_by_side = pd.Series(frame["invited"].to_numpy(), index=frame["side"])
    _hidden, completed_hidden = count_suppression(
        completed_by_side, int(completed_by_side.sum()), k
    )
    _hidden, invited_hidden = count_suppression(invited_by_side, int(frame["invited"].sum()), k)
    # Rows that add up to a hidden total would show it anyway.
    shown = (not invited_hidden, not completed_hidden)
    side_labels = {value: str(label) for value, label in Side.choices}
    level_labels = {value: str(label) for value, label in Level.choices}
    return Participation(
        k=k,
        invited=None if invited_hidden else total_invited,
        completed=None if completed_hidden else total_completed,
        by_side=_rows(by_side, side_labels, k, shown),
        by_level=_rows(by_level, level_labels, k, shown),
    )
