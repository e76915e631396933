"""Tests of survey.participation: invited and completed counts on the round page."""

from __future__ import annotations

import pytest

from survey.models import Invitation
from survey.participation import round_participation_table
from survey.services.invitations import invitees_add

pytestmark = pytest.mark.django_db


def test_participation_counts_used_invitations_by_the_lists_side_and_level(survey_round):
    rows = [{"email": f"it{n}@example.org", "side": "it", "level": "manager"} for n in range(6)]
    rows += [{"email": f"sec{n}@example.org", "side": "security"} for n in range(7)]
    rows += [{"email": f"x{n}@example.org"} for n in range(5)]
    invitees_add(round=survey_round, rows=rows)
    used = ["it0", "it1", "it2", "it3", "it4", "sec0", "sec1", "x0"]
    Invitation.objects.filter(email__in=[f"{name}@example.org" for name in used]).update(used=True)

    table = round_participation_table(round=survey_round)

    assert (table.invited, table.completed) == (18, 8)
    assert round(table.rate) == 44
    by_side = {row.label: (row.invited.value, row.completed.value) for row in table.by_side}
    # Security (2 completed) and Not given (1) are below k = 5: hidden. Together they hold 3,
    # which the total (8) minus IT's 5 would give away, so IT's count is hidden too. (The
    # rule before issue 12 hid a partner only for a single hidden cell and showed IT's 5.)
    assert by_side == {"IT": (6, None), "Security": (7, None), "Not given": (5, None)}
    by_level = {row.label: (row.invited.value, row.completed.value) for row in table.by_level}
    # Not given (3) is below k; Manager (5) is hidden too, else total - 5 would give it away.
    assert by_level == {"Manager": (6, None), "Not given": (12, None)}
    assert next(row for row in table.by_side if row.label == "IT").rate is None


def test_totals_are_hidden_where_the_dashboard_hides_them(survey_round, make_responses):
    """Found by the disclosure audit: the staff page printed the completed total the
    dashboard hides; minus the dashboard's IT and Security counts it gave away the 2
    respondents who chose Other."""
    rows = [{"email": f"p{n}@example.org"} for n in range(22)]
    invitees_add(round=survey_round, rows=rows)
    Invitation.objects.update(used=True)
    make_responses(survey_round, [("it", {})] * 10 + [("security", {})] * 10 + [("other", {})] * 2)
    table = round_participation_table(round=survey_round)
    assert table.completed is None
    assert table.rate is None
    assert table.invited == 22  # the invitations have no side: nothing to give away


def test_rows_that_add_up_to_a_hidden_total_are_hidden_too(survey_round, make_responses):
    """Found by a fresh-user check: with the totals hidden, the level table's one row ("Not
    given") still printed them."""
    invitees_add(round=survey_round, rows=[{"email": f"p{n}@example.org"} for n in range(22)])
    Invitation.objects.update(used=True)
    make_responses(survey_round, [("it", {})] * 10 + [("security", {})] * 10 + [("other", {})] * 2)
    table = round_participation_table(round=survey_round)
    assert table.completed is None
    assert [row.completed.value for row in table.by_level] == [None]
    assert [row.completed.value for row in table.by_side] == [None]
    assert [row.invited.value for row in table.by_level] == [22]  # its total is shown
