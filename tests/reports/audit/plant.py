"""The planted round of the disclosure audit: mostly large cells, and small cells of 1 to 4
respondents across side × function × level × region (a declared attribute, blank for some).

Every respondent answers every Likert statement, so every dimension and statement count
is a count of respondents (the audit needs no per-measure atoms here). Each respondent came
through an invitation giving their side and level; some invitations went unused.
"""

from __future__ import annotations

import numpy as np

from survey.models import Invitation, SurveyRound
from tests.conftest import responses_bulk

K = 5
REGION = {"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}
LIKERT = ("a1", "a2", "a3", "b1", "b2", "b3")
SEED = 20261213
# (side, function, level, region or "" for not given): respondents.
CELLS: dict[tuple[str, str, str, str], int] = {
    ("it", "infrastructure", "individual", "EMEA"): 12,
    ("it", "infrastructure", "individual", "Americas"): 10,
    ("it", "applications", "individual", "EMEA"): 9,
    ("it", "applications", "manager", "Americas"): 6,
    ("it", "infrastructure", "manager", "EMEA"): 5,
    ("it", "infrastructure", "executive", "EMEA"): 2,
    ("it", "applications", "individual", ""): 3,
    ("it", "service_desk", "individual", "APAC"): 4,
    ("it", "", "individual", "EMEA"): 2,
    ("security", "security_operations", "individual", "EMEA"): 10,
    ("security", "security_operations", "individual", "Americas"): 8,
    ("security", "governance", "manager", "EMEA"): 6,
    ("security", "governance", "individual", "APAC"): 3,
    ("security", "identity", "executive", ""): 1,
    ("security", "security_operations", "manager", "Americas"): 2,
    ("other", "other", "individual", "EMEA"): 3,
    ("other", "other", "", "Americas"): 1,
}
# (side, level): invitations never used, beside one used invitation per respondent.
UNUSED: dict[tuple[str, str], int] = {
    ("it", "individual"): 10,
    ("security", "manager"): 5,
    ("", ""): 3,
}


def plant_round(survey_round: SurveyRound) -> SurveyRound:
    """Fill ``survey_round`` (of the small instrument: statements a1..a3, b1..b3 on a 5-point
    scale) with the cells above, k = 5, region declared. Answers are drawn around a mean
    of their own for each cell (seeded), so small cells' means differ from their neighbours'."""
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        profile_attributes=[REGION], min_group_size=K
    )
    survey_round.refresh_from_db()
    rng = np.random.default_rng(SEED)
    invitations = []
    for (side, function, level, region), count in CELLS.items():
        centre = rng.uniform(1.5, 4.5)
        specs = [
            (side, {code: int(np.clip(np.rint(rng.normal(centre, 0.9)), 1, 5)) for code in LIKERT})
            for _ in range(count)
        ]
        responses_bulk(
            survey_round,
            specs,
            function=function,
            level=level,
            attributes=[{"region": region} if region else {} for _ in range(count)],
        )
        invitations += [(side, level, True)] * count
    for (side, level), count in UNUSED.items():
        invitations += [(side, level, False)] * count
    Invitation.objects.bulk_create(
        Invitation(
            round=survey_round,
            token_hash=f"planted-{number:056d}",
            side=side,
            level=level,
            used=used,
        )
        for number, (side, level, used) in enumerate(invitations)
    )
    return survey_round
