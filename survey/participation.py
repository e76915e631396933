"""Live participation of a round for its admins: invited and completed, by side and by level.

Counts come from the invitations only (``used`` is all a round knows of who completed),
grouped by the side and level of the invitee list; no response is read. Every count is
published by the cell-key method of :mod:`reports.disclosure`, as on the leaders' pages.
Reads for analysis live in ``survey.selectors``; this one feeds the round page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The one exception to the import direction: what may be shown is decided in one place,
# reports.disclosure (pure: pandas only), and the staff round page follows it too.
from reports.disclosure import INVITATIONS, Protection, published_total, settings_protection
from survey.models import Level, Side, SurveyRound
from survey.selectors import round_participation_records

NOT_GIVEN = ""


@dataclass(frozen=True)
class Cell:
    """A published count, or ``None`` where it reads "fewer than k"."""

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
    """The round page's figures: totals, and rows by side and by level, each count
    published (perturbed under ``protection``) or None where it reads "fewer than k"."""

    k: int
    invited: int | None
    completed: int | None
    by_side: list[ParticipationRow]
    by_level: list[ParticipationRow]
    protection: Protection

    @property
    def rate(self) -> float | None:
        """Completed / invited in percent; None when nobody was invited or a total is hidden."""
        if self.invited and self.completed is not None:
            return 100 * self.completed / self.invited
        return None


def _rows(
    invitations: pd.DataFrame,
    column: str,
    labels: dict[str, str],
    k: int,
    protection: Protection,
) -> list[ParticipationRow]:
    values = invitations[column]
    keys = [key for key in [*labels, NOT_GIVEN] if (values == key).any()]
    rows = []
    for key in keys:
        chosen = invitations.loc[values == key]
        rows.append(
            ParticipationRow(
                label=labels.get(key) or str(_("Not given")),
                invited=Cell(published_total(chosen["invitation_id"], k, protection, INVITATIONS)),
                completed=Cell(
                    published_total(
                        chosen.loc[chosen["used"], "invitation_id"], k, protection, INVITATIONS
                    )
                ),
            )
        )
    return rows


def round_participation_table(
    *, round: SurveyRound, protection: Protection | None = None
) -> Participation:
    """Invitations of ``round`` and how many were used, overall and by the invitee list's
    side and level (rows with no invitation left out; "Not given" last). Every count is
    published under ``protection`` and reads "fewer than k" where the leaders' pages would
    (:func:`reports.disclosure.published_total`; default: the settings' method). One query."""
    protection = protection or settings_protection(settings, round.min_group_size)
    invitations = round_participation_records(round=round, responses=False).invitations
    k = round.min_group_size
    side_labels = {value: str(label) for value, label in Side.choices}
    level_labels = {value: str(label) for value, label in Level.choices}
    ids = invitations["invitation_id"]
    return Participation(
        k=k,
        invited=published_total(ids, k, protection, INVITATIONS),
        completed=published_total(ids[invitations["used"]], k, protection, INVITATIONS),
        by_side=_rows(invitations, "side", side_labels, k, protection),
        by_level=_rows(invitations, "level", level_labels, k, protection),
        protection=protection,
    )
