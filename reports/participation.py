"""The participation table of a round as leaders may see it: invited and completed by side,
each count shown or hidden by :mod:`reports.disclosure` (a section of
:func:`reports.results.round_results`)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

import pandas as pd

from reports.disclosure import count_suppression
from survey.models import SurveyRound
from survey.selectors import round_participation


@dataclass(frozen=True)
class Participation:
    """Invited and completed counts of a round by side, as they may be shown.

    ``rows``: one dict per side (``side``, ``invited``, ``completed``, ``invited_small``,
    ``completed_small``: the count may not be printed, ``completed_applies``: False for
    invitations without a side); totals and whether they are hidden; ``response_rate`` a
    whole percentage or None.
    """

    rows: list[dict]
    total_invited: int
    total_invited_hidden: bool
    total_completed: int
    total_completed_hidden: bool
    response_rate: int | None


def round_participation_shown(*, round: SurveyRound) -> Participation:
    """The participation table of a round as it may be shown (dashboard, executive summary).

    One query, never cached and never filtered: it counts the whole round. A completed
    count below k, zero included, may not be printed; the completed total is hidden when it
    would reveal the hidden sides by subtraction (:func:`reports.disclosure.count_suppression`,
    the rule of the round list too). Invitation counts follow the same rule.
    """
    k = round.min_group_size
    frame = round_participation(round=round)
    sides = frame.loc[frame["side"] != "unassigned"]
    completed = pd.Series(sides["completed"].to_numpy(), index=sides["side"], dtype="int64")
    total_completed = int(completed.sum())
    hidden, total_hidden = count_suppression(completed, total_completed, k)
    listed = frame.loc[(frame["side"] != "unassigned") | (frame["invited"] > 0)]
    invited = pd.Series(listed["invited"].to_numpy(), index=listed["side"], dtype="int64")
    total_invited = int(frame["invited"].sum())
    invited_hidden, total_invited_hidden = count_suppression(invited, total_invited, k)
    rows = [
        {
            "side": row.side,
            "invited": int(row.invited),
            "completed": int(row.completed),
            "invited_small": bool(invited_hidden.get(row.side, False)),
            "completed_small": bool(hidden.get(row.side, False)),
            "completed_applies": row.side != "unassigned",
        }
        for row in frame.itertuples(index=False)
        if not (row.side == "unassigned" and row.invited == 0)
    ]
    rate = None
    if not (total_hidden or total_invited_hidden) and 0 < total_completed <= total_invited:
        rate = builtins.round(100 * total_completed / total_invited)
    return Participation(
        rows=rows,
        total_invited=total_invited,
        total_invited_hidden=total_invited_hidden,
        total_completed=total_completed,
        total_completed_hidden=total_hidden,
        response_rate=rate,
    )
