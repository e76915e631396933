"""Participation of a round, defined once for every page that shows it (the leaders'
dashboard and executive summary, the staff round page): three counts per group, each
published by the cell-key method of :mod:`reports.disclosure`. Pure.

Three counts of three sets of records, each with its own words on the pages:

- *invited as X*: the invitations with X written on them (the invitee list's side or
  level), published by the invitations' record keys;
- *completed, invited as X*: those of them that were used, by the same keys;
- *answered as X*: the responses whose respondent chose X in the survey, published by the
  responses' record keys (side only: a response is not counted by the invitation's level).

Nothing links a response to its invitation, so someone invited as Security who answers as
IT counts in "completed, invited as Security" and in "answered as IT": the two are
different people sets and never share a label. The response rate is completed over
invited, both as published, so it says nothing the two counts do not.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from reports.disclosure import INVITATIONS, RESPONSES, published_total
from reports.vocabulary import Protection

NOT_GIVEN = ""  # an invitation without the side (or level) the table is by


def response_rate(invited: int | None, completed: int | None) -> int | None:
    """Completed as a whole percentage of invited, both *published* counts (never the true
    ones, so the rate tells nothing the counts do not), or None when either reads "fewer
    than k" (None), nobody was invited or completed, or the published completed count
    exceeds the published invited one (each is perturbed on its own)."""
    if not invited or not completed or completed > invited:
        return None
    return builtins.round(100 * completed / invited)


@dataclass(frozen=True)
class GroupParticipation:
    """The published participation of one group (or of the whole round).

    ``group``: the side or level code (:data:`NOT_GIVEN`: not written on the invitation;
    ``None`` for the whole round); ``invited``, ``completed``, ``answered``: published
    counts (see the module's docstring), ``None`` where the count reads "fewer than k"
    (:func:`reports.disclosure.published_total`); ``answered_applies``: False where no
    response can be counted in the group (a table by level, or the invitations without a
    side: every respondent chooses one), ``answered`` then None too.
    """

    group: str | None
    invited: int | None
    completed: int | None
    answered: int | None
    answered_applies: bool

    @property
    def rate(self) -> int | None:
        """The response rate in whole percent (:func:`response_rate`), or None."""
        return response_rate(self.invited, self.completed)


@dataclass(frozen=True)
class ParticipationTable:
    """Participation by one field of the invitations (``by``: ``side`` or ``level``):
    ``rows`` in the order asked for, then :data:`NOT_GIVEN` when some invitation leaves the
    field blank, and ``total``, the whole round; ``answers``: whether the table has an
    "answered as" column (the responses carry the field)."""

    by: str
    rows: tuple[GroupParticipation, ...]
    total: GroupParticipation
    answers: bool


def participation_table(
    invitations: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    by: str,
    groups: Sequence[str],
    min_group_size: int,
    protection: Protection,
) -> ParticipationTable:
    """The :class:`ParticipationTable` of a round by ``by`` (``side`` or ``level``).

    ``invitations`` and ``responses``: the frames of
    ``survey.selectors.round_participation_records`` (``invitation_id``, ``side``,
    ``level`` ("" = not given), ``used``; ``response_id``, ``side``). ``groups``: the codes
    listed, each whether or not it has an invitation (an empty group reads "fewer than k",
    as a small one does); a code of the invitations not among them comes after them, then
    :data:`NOT_GIVEN`. Answered counts come only when ``responses`` has the column ``by``.
    Every count, totals included, is published under ``protection``; the same records
    counted with the same keys give the same figure on every page.
    """
    k = min_group_size
    values = invitations[by].fillna(NOT_GIVEN).astype(str)
    present = set(values)
    listed = [str(group) for group in groups]
    extra = sorted(present - set(listed) - {NOT_GIVEN})
    codes = [*listed, *extra, *([NOT_GIVEN] if NOT_GIVEN in present else [])]
    answers = by in responses.columns
    chosen = responses[by].astype(str) if answers else None
    ids, used = invitations["invitation_id"], invitations["used"].astype(bool)
    rows = []
    for code in codes:
        mine = (values == code).to_numpy()
        applies = answers and code != NOT_GIVEN
        answered = None
        if applies:
            answered = published_total(
                responses.loc[(chosen == code).to_numpy(), "response_id"], k, protection, RESPONSES
            )
        rows.append(
            GroupParticipation(
                group=code,
                invited=published_total(ids[mine], k, protection, INVITATIONS),
                completed=published_total(ids[mine & used.to_numpy()], k, protection, INVITATIONS),
                answered=answered,
                answered_applies=applies,
            )
        )
    total = GroupParticipation(
        group=None,
        invited=published_total(ids, k, protection, INVITATIONS),
        completed=published_total(ids[used], k, protection, INVITATIONS),
        answered=(
            published_total(responses["response_id"], k, protection, RESPONSES) if answers else None
        ),
        answered_applies=answers,
    )
    return ParticipationTable(by=by, rows=tuple(rows), total=total, answers=answers)
