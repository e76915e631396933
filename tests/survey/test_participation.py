"""Tests of survey.participation: the participation of a round as the staff round page and
the leaders' dashboard and executive summary all print it (a count reads "fewer than k"
where :func:`reports.disclosure.published_total` says so; totals are always published)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports.parameters import round_protection
from reports.participation import NOT_GIVEN
from survey.models import Invitation
from survey.participation import round_participation
from survey.services.invitations import invitations_issue, invitees_add
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS

pytestmark = pytest.mark.django_db


def counts(rows: list[dict]) -> dict[str, tuple]:
    return {str(row["label"]): (row["invited"], row["completed"], row["answered"]) for row in rows}


def test_participation_counts_used_invitations_by_the_lists_side_and_level(survey_round):
    rows = [{"email": f"it{n}@example.org", "side": "it", "level": "manager"} for n in range(6)]
    rows += [{"email": f"sec{n}@example.org", "side": "security"} for n in range(7)]
    rows += [{"email": f"x{n}@example.org"} for n in range(5)]
    invitees_add(round=survey_round, rows=rows)
    used = ["it0", "it1", "it2", "it3", "it4", "sec0", "sec1", "x0"]
    Invitation.objects.filter(email__in=[f"{name}@example.org" for name in used]).update(used=True)

    participation = round_participation(round=survey_round)

    total = participation.total
    assert (total.invited, total.completed, total.rate) == (18, 8, 44)
    assert total.answered is None  # no response yet: "fewer than k"
    # Security (2 completed) and Not given (1) are below k = 5: they read "fewer than k".
    # IT's 5 is shown: the total (8) minus it gives the two small groups together, and as
    # published (each count within 2k of the truth) only an interval even of that.
    assert counts(participation.side_rows) == {
        "IT": (6, 5, None),
        "Security": (7, None, None),
        "Other": (None, None, None),  # nobody invited: empty reads as small
        "Not given": (5, None, None),
    }
    assert [row["answered_applies"] for row in participation.side_rows] == [True] * 3 + [False]
    by_level = {label: value[:2] for label, value in counts(participation.level_rows).items()}
    assert by_level == {
        "Individual contributor": (None, None),
        "Manager": (6, 5),
        "Executive": (None, None),
        "Not given": (12, None),
    }
    it, security = participation.side_rows[:2]
    assert (it["rate"], security["rate"]) == (83, None)


def test_totals_are_shown_on_both_pages(survey_round, make_responses):
    """The disclosure audit found the staff page printing a completed total the dashboard
    hid. Neither hides a total: the 22 used invitations and the 22 responses are shown
    (each published), and the 2 respondents who chose Other read "fewer than k"."""
    invitees_add(round=survey_round, rows=[{"email": f"p{n}@example.org"} for n in range(22)])
    Invitation.objects.update(used=True)
    make_responses(survey_round, [("it", {})] * 10 + [("security", {})] * 10 + [("other", {})] * 2)

    total = round_participation(round=survey_round).total

    assert (total.invited, total.completed, total.answered, total.rate) == (22, 22, 22, 100)
    other = round_participation(round=survey_round).side_rows[2]
    assert other["group"] == "other"
    assert other["answered"] is None


@pytest.mark.perturbed
def test_a_row_holding_every_invitation_reads_the_same_as_the_total(survey_round):
    """A fresh-user check once found the level table's one row ("Not given") printing totals
    that were hidden. A row of the same invitations is the same cell: as shipped, it reads
    the very published figure of the total."""
    invitees_add(round=survey_round, rows=[{"email": f"p{n}@example.org"} for n in range(22)])
    Invitation.objects.filter(email__in=[f"p{n}@example.org" for n in range(15)]).update(used=True)

    participation = round_participation(round=survey_round)

    total = participation.total
    bound = round_protection(survey_round).count_bound
    assert bound == 2 * survey_round.min_group_size
    assert abs(total.invited - 22) <= bound
    assert abs(total.completed - 15) <= bound
    (level,) = [row for row in participation.level_rows if row["group"] == NOT_GIVEN]
    (side,) = [row for row in participation.side_rows if row["group"] == NOT_GIVEN]
    for row in (level, side):
        assert (row["invited"], row["completed"]) == (total.invited, total.completed)


@pytest.mark.perturbed
def test_each_sides_response_rate_comes_from_its_published_counts(survey_round):
    """The rate must tell nothing the counts beside it do not: it is computed from the
    published (perturbed) counts of invitations and used invitations, not the true ones."""
    invitations_issue(round=survey_round, count=30, side="it")
    invitations_issue(round=survey_round, count=25, side="security")
    Invitation.objects.filter(pk__in=Invitation.objects.values("pk")[:29]).update(used=True)

    participation = round_participation(round=survey_round)

    for row in [*participation.side_rows, participation.total_row]:
        if row["invited"] and row["completed"] and row["completed"] <= row["invited"]:
            assert row["rate"] == round(100 * row["completed"] / row["invited"])
        else:
            assert row["rate"] is None


def _text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def test_both_pages_print_the_same_counts_when_security_invitees_answer_as_it(
    admin_client, survey_round, make_responses
):
    """Issue 18: the dashboard said 107 completed for Security (responses by the side chosen)
    and the staff page 105 (invitations used, by the side on them). In small: 7 invited as
    Security all answered, 2 of them as IT. Both pages now print invited as 7, completed,
    invited as 7 and answered as 5, under the same headings."""
    rows = [{"email": f"it{n}@example.org", "side": "it"} for n in range(10)]
    rows += [{"email": f"sec{n}@example.org", "side": "security"} for n in range(7)]
    invitees_add(round=survey_round, rows=rows)
    Invitation.objects.exclude(email__in=["it8@example.org", "it9@example.org"]).update(used=True)
    make_responses(survey_round, [("it", IT_ANSWERS)] * (8 + 2))
    make_responses(survey_round, [("security", SECURITY_ANSWERS)] * 5)

    staff = admin_client.get(reverse("survey:manage_round", kwargs={"slug": survey_round.slug}))
    dashboard = admin_client.get(reverse("reports:dashboard", kwargs={"slug": survey_round.slug}))

    assert staff.status_code == dashboard.status_code == 200
    staff_rows = staff.context["participation"].side_rows
    dashboard_rows = dashboard.context["participation"].side_rows
    assert staff_rows == dashboard_rows
    assert counts(dashboard_rows)["Security"] == (7, 7, 5)
    assert counts(dashboard_rows)["IT"] == (10, 8, 10)
    headings = "Side Invited as Completed, invited as Response rate Answered as"
    for page in (staff, dashboard):
        body = _text(page)
        assert headings in body
        assert "IT 10 8 80% 10" in body
        assert "Security 7 7 100% 5" in body
        assert "Total 17 15 88% 15" in body
        assert "answered as: the side chosen in the survey" in body
