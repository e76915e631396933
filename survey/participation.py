"""Participation of a round as every page shows it: read once, counted and published by
:func:`reports.participation.participation_table`, and labelled for the templates.

The staff round page and the leaders' dashboard and executive summary all come here
(``reports.results`` for the leaders), so "invited as", "completed, invited as" and
"answered as" are the same figures, computed the same way, wherever they are printed.
Reads for analysis live in ``survey.selectors``; this one feeds the participation tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# The exception to the import direction: what may be shown, and how participation is
# counted, is decided in one place each, reports.disclosure and reports.participation
# (both pure: pandas only), and the staff round page follows them too.
from reports.disclosure import Protection, settings_protection
from reports.participation import (
    NOT_GIVEN,
    GroupParticipation,
    ParticipationTable,
    participation_table,
)
from survey.models import Level, Side, SurveyRound
from survey.selectors import round_participation_records


def _row(label: str, counts: GroupParticipation) -> dict[str, Any]:
    return {
        "label": label,
        "group": counts.group,
        "invited": counts.invited,
        "completed": counts.completed,
        "answered": counts.answered,
        "answered_applies": counts.answered_applies,
        "rate": counts.rate,
    }


def table_rows(table: ParticipationTable, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of ``table`` for a template: dicts of ``label`` (from ``labels`` by code;
    "Not given" for :data:`~reports.participation.NOT_GIVEN`: not on the invitation), ``group``,
    ``invited``, ``completed``, ``answered`` (None where it reads "fewer than k"),
    ``answered_applies`` and ``rate`` (whole percent, or None)."""
    not_given = _("Not given")
    return [
        _row(
            not_given if row.group == NOT_GIVEN else labels.get(str(row.group), str(row.group)), row
        )
        for row in table.rows
    ]


@dataclass(frozen=True)
class Participation:
    """A round's participation as it may be shown: ``by_side`` and ``by_level``
    (:class:`~reports.participation.ParticipationTable`, each with the round's total), the
    round's ``k`` and the ``protection`` the counts were published under."""

    k: int
    protection: Protection
    by_side: ParticipationTable
    by_level: ParticipationTable

    @property
    def total(self) -> GroupParticipation:
        """The whole round: invited, completed (both of invitations) and answered."""
        return self.by_side.total

    @property
    def side_rows(self) -> list[dict[str, Any]]:
        """The side table's rows, labelled (:func:`table_rows`)."""
        return table_rows(self.by_side, {value: str(label) for value, label in Side.choices})

    @property
    def level_rows(self) -> list[dict[str, Any]]:
        """The level table's rows, labelled (:func:`table_rows`)."""
        return table_rows(self.by_level, {value: str(label) for value, label in Level.choices})

    @property
    def total_row(self) -> dict[str, Any]:
        """The whole round as a row of :func:`table_rows` (label "Total")."""
        return _row(_("Total"), self.total)


def round_participation(
    *, round: SurveyRound, protection: Protection | None = None
) -> Participation:
    """The :class:`Participation` of ``round``: every side and every level listed (an empty
    one reads "fewer than k"), then invitations without one. Never cached and never
    filtered: it counts the whole round as it is. ``protection``: how counts are published
    (default: the settings' cell-key method for the round's k, as on every page). Two
    queries (invitations, responses)."""
    k = round.min_group_size
    protection = protection or settings_protection(settings, k)
    records = round_participation_records(round=round)
    invitations, responses = records.invitations, records.responses
    return Participation(
        k=k,
        protection=protection,
        by_side=participation_table(
            invitations,
            responses,
            by="side",
            groups=Side.values,
            min_group_size=k,
            protection=protection,
        ),
        by_level=participation_table(
            invitations,
            responses,
            by="level",
            groups=Level.values,
            min_group_size=k,
            protection=protection,
        ),
    )
