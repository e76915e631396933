"""The participation table of a round as leaders may see it: invited and completed by side,
each count published by the cell-key method of :mod:`reports.disclosure` (a section of
:func:`reports.results.round_results`)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from reports.disclosure import INVITATIONS, RESPONSES, published_total
from reports.vocabulary import Protection
from survey.models import SurveyRound
from survey.selectors import PARTICIPATION_SIDES, round_participation_records

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Participation:
    """Invited and completed counts of a round by side, as they may be shown.

    ``rows``: one dict per side (``side``, ``invited``, ``completed``: published counts;
    ``invited_small``, ``completed_small``: the count reads "fewer than k" and its number
    must not be printed; ``completed_applies``: False for invitations without a side);
    totals and whether they read "fewer than k"; ``response_rate`` a whole percentage of
    the published totals, or None.
    """

    rows: list[dict]
    total_invited: int
    total_invited_hidden: bool
    total_completed: int
    total_completed_hidden: bool
    response_rate: int | None


def response_rate(invited: int | None, completed: int | None) -> int | None:
    """Completed as a whole percentage of invited, both *published* counts (never the true
    ones, so the rate tells nothing the counts do not), or None when either is hidden or
    zero, or when completed exceeds invited: responses count the side a respondent chose,
    invitations the side written on them, so a side can have more of the first."""
    if not invited or not completed or completed > invited:
        return None
    return builtins.round(100 * completed / invited)


def round_participation_shown(*, round: SurveyRound, protection: Protection) -> Participation:
    """The participation table of a round as it may be shown (dashboard, executive summary).

    Two queries, never cached and never filtered: it counts the whole round. Invitations are
    counted by the side on the invitation, responses by the side the respondent chose; each
    count, totals included, is published under ``protection`` and reads "fewer than k"
    where :func:`reports.disclosure.cell_shown` says so.
    """
    k = round.min_group_size
    records = round_participation_records(round=round)
    invitations, responses = records.invitations, records.responses
    invited_side = invitations["side"].replace("", UNASSIGNED)
    rows = []
    for side in PARTICIPATION_SIDES:
        invited_ids = invitations.loc[invited_side == side, "invitation_id"]
        if side == UNASSIGNED and invited_ids.empty:
            continue
        invited = published_total(invited_ids, k, protection, INVITATIONS)
        completed = None
        if side != UNASSIGNED:
            completed = published_total(
                responses.loc[responses["side"] == side, "response_id"], k, protection, RESPONSES
            )
        rows.append(
            {
                "side": side,
                "invited": invited or 0,
                "completed": completed or 0,
                "invited_small": invited is None,
                "completed_small": completed is None,
                "completed_applies": side != UNASSIGNED,
                "rate": response_rate(invited, completed),
            }
        )
    total_invited = published_total(invitations["invitation_id"], k, protection, INVITATIONS)
    total_completed = published_total(responses["response_id"], k, protection, RESPONSES)
    rate = response_rate(total_invited, total_completed)
    return Participation(
        rows=rows,
        total_invited=total_invited or 0,
        total_invited_hidden=total_invited is None,
        total_completed=total_completed or 0,
        total_completed_hidden=total_completed is None,
        response_rate=rate,
    )
