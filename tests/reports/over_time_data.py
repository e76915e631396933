"""Two rounds of the small instrument with known answers, for the trend and summary tests.

Dimension a (items a1, a2 and a3 reverse-scored), 5-point scale, k = 5:

* IT answers a1 = 4, a2 = 4, a3 = 2 in both rounds: item scores 4, 4, 4 -> 75.0.
* Security answers a1 = 2 + i % 2, a2 = 2, a3 = 4 in the spring round (item scores 2 or 3,
  2, 2 -> 25.0 or 33.3, mean 29.2) and two points more on every item in the autumn round
  (75.0 or 83.3, mean 79.2): a rise of exactly 50 points, every autumn respondent above
  every spring one (rank-biserial r = 1).
* The IT − Security gap on a goes from +45.8 to −4.2 points: it narrows.

Dimension b does not change: both sides answer b1 = 3 + i % 2, b2 = 3, b3 = 3 (reversed 3).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from survey.models import SurveyRound
from survey.services.responses import responses_create_bulk
from tests.factories import SurveyRoundFactory

PER_SIDE = 10
SECURITY_RISE = 50.0


def answers(side: str, i: int, *, later: bool) -> dict[str, int | str]:
    """The answers of respondent ``i`` of ``side`` in the spring (or ``later``) round."""
    b = {"b1": 3 + i % 2, "b2": 3, "b3": 3}
    if side == "it":
        return {"a1": 4, "a2": 4, "a3": 2, **b}
    lift = 2 if later else 0
    return {"a1": 2 + i % 2 + lift, "a2": 2 + lift, "a3": 4 - lift, **b}


def responses(*, later: bool, level: str = "individual", per_side: int = PER_SIDE) -> list[dict]:
    return [
        {
            "side": side,
            "function": "infrastructure",
            "level": level,
            "answers": answers(side, i, later=later),
        }
        for side in ("it", "security")
        for i in range(per_side)
    ]


def two_rounds(instrument) -> tuple[SurveyRound, SurveyRound]:
    """(spring, autumn): autumn is created FIRST (lower pk) but opens later, so a trend
    ordered by pk instead of opens_at would get them backwards."""
    now = timezone.now()
    autumn = SurveyRoundFactory(
        instrument=instrument,
        slug="autumn-2026",
        name="Autumn 2026",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=20),
    )
    spring = SurveyRoundFactory(
        instrument=instrument,
        slug="spring-2026",
        name="Spring 2026",
        opens_at=now - dt.timedelta(days=200),
        closes_at=now - dt.timedelta(days=170),
    )
    responses_create_bulk(round=spring, responses=responses(later=False))
    responses_create_bulk(round=autumn, responses=responses(later=True))
    return spring, autumn
