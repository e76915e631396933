"""Live participation of a round for its admins: invited and completed, by side and by level.

Counts come from the invitations only (``used`` is all a round knows of who completed), grouped
by the side and level of the invitee list; no response is read. Reads for analysis live in
``survey.selectors``; this one feeds the round page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

# The one exception to the import direction: what may be shown is decided in one place,
# reports.disclosure (pure: pandas only), and the staff round page follows it too.
from reports.disclosure import participation_cells
from survey.models import Invitation, Level, Side, SurveyRound

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
    """The round page's figures: totals (never suppressed: the round-wide rate), and rows by
    side and by level, each column suppressed by
    :func:`reports.disclosure.participation_cells` (below k, and complementarily, so the
    total minus the shown cells names no small group)."""

    k: int
    invited: int
    completed: int
    by_side: list[ParticipationRow]
    by_level: list[ParticipationRow]

    @property
    def rate(self) -> float | None:
        """Completed / invited in percent; None when nobody was invited."""
        return 100 * self.completed / self.invited if self.invited else None


def _rows(
    counts: dict[str, tuple[int, int]], labels: dict[str, str], k: int
) -> list[ParticipationRow]:
    keys = [key for key in [*labels, NOT_GIVEN] if counts.get(key, (0, 0))[0] > 0]
    invited = participation_cells([counts[key][0] for key in keys], k)
    completed = participation_cells([counts[key][1] for key in keys], k)
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
    round's k. One query."""
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
    return Participation(
        k=k,
        invited=total_invited,
        completed=total_completed,
        by_side=_rows(by_side, {value: str(label) for value, label in Side.choices}, k),
        by_level=_rows(by_level, {value: str(label) for value, label in Level.choices}, k),
    )
