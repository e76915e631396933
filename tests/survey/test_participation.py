"""Tests of survey.participation: invited and completed counts on the round page, each
published by the cell-key method as on the leaders' pages (a count reads "fewer than k"
where it holds fewer than k, or is published below k; totals are always published)."""

from __future__ import annotations

import pytest

from reports.participation import response_rate, round_participation_shown
from reports.results import round_protection
from survey.models import Invitation
from survey.participation import round_participation_table
from survey.services.invitations import invitations_issue, invitees_add

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
    # Security (2 completed) and Not given (1) are below k = 5: they read "fewer than k".
    # IT's 5 is shown: the total (8) minus it gives the two small groups together, and as
    # published (each count within 2 of the truth) only an interval even of that.
    assert by_side == {"IT": (6, 5), "Security": (7, None), "Not given": (5, None)}
    by_level = {row.label: (row.invited.value, row.completed.value) for row in table.by_level}
    assert by_level == {"Manager": (6, 5), "Not given": (12, None)}
    assert round(next(row for row in table.by_side if row.label == "IT").rate) == 83
    assert next(row for row in table.by_side if row.label == "Security").rate is None


def test_totals_are_shown_as_on_the_dashboard(survey_round, make_responses):
    """The disclosure audit found the staff page printing a completed total the dashboard
    hid. Now neither hides a total: both show it (published), and the 2 respondents who
    chose Other read "fewer than k" on the dashboard."""
    rows = [{"email": f"p{n}@example.org"} for n in range(22)]
    invitees_add(round=survey_round, rows=rows)
    Invitation.objects.update(used=True)
    make_responses(survey_round, [("it", {})] * 10 + [("security", {})] * 10 + [("other", {})] * 2)
    table = round_participation_table(round=survey_round)
    assert (table.invited, table.completed) == (22, 22)
    assert table.rate == pytest.approx(100.0)
    dashboard = round_participation_shown(
        round=survey_round, protection=round_protection(survey_round)
    )
    assert (dashboard.total_invited, dashboard.total_completed) == (22, 22)
    assert not dashboard.total_completed_hidden
    other = next(row for row in dashboard.rows if row["side"] == "other")
    assert other["completed_small"]


@pytest.mark.perturbed
def test_a_row_holding_every_invitation_reads_the_same_as_the_total(
    survey_round, make_responses, settings
):
    """A fresh-user check once found the level table's one row ("Not given") printing totals
    that were hidden. Totals are shown now, and a row of the same invitations is the same
    cell: as shipped, it reads the very published figure of the total."""
    invitees_add(round=survey_round, rows=[{"email": f"p{n}@example.org"} for n in range(22)])
    Invitation.objects.filter(email__in=[f"p{n}@example.org" for n in range(15)]).update(used=True)
    table = round_participation_table(round=survey_round)
    bound = round_protection(survey_round).count_bound
    assert bound == 2 * survey_round.min_group_size
    assert abs(table.invited - 22) <= bound
    assert abs(table.completed - 15) <= bound
    (level,) = table.by_level
    (side,) = table.by_side
    for row in (level, side):
        assert row.label == "Not given"
        assert (row.invited.value, row.completed.value) == (table.invited, table.completed)


@pytest.mark.parametrize(
    ("invited", "completed", "rate"),
    [(80, 60, 75), (3, 2, 67), (None, 5, None), (10, None, None), (0, 0, None), (5, 6, None)],
)
def test_response_rate_is_a_whole_percentage_of_shown_counts(invited, completed, rate):
    assert response_rate(invited, completed) == rate


@pytest.mark.perturbed
def test_each_sides_response_rate_comes_from_its_published_counts(survey_round, make_responses):
    """The rate must tell nothing the counts beside it do not: it is computed from the
    published (perturbed) counts, not the true ones."""
    invitations_issue(round=survey_round, count=30, side="it")
    invitations_issue(round=survey_round, count=25, side="security")
    make_responses(survey_round, [("it", {})] * 17 + [("security", {})] * 12)
    shown = round_participation_shown(round=survey_round, protection=round_protection(survey_round))
    for row in shown.rows:
        if row["side"] in {"it", "security"}:
            assert row["rate"] == response_rate(row["invited"], row["completed"])
    assert shown.response_rate == response_rate(shown.total_invited, shown.total_completed)
