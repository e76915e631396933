"""Tests of reports.participation: invited, completed and answered by group, each defined
once and published by the cell-key method (small hand-built frames, no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.disclosure import INVITATIONS, RESPONSES, published_total
from reports.participation import NOT_GIVEN, participation_table, response_rate
from reports.vocabulary import EXACT, Protection

K = 5
SIDES = ["it", "security", "other"]
PERTURBED = Protection(secret=20_260_501, count_bound=2 * K, sum_bound=60.0)


def invitations(*groups: tuple[str, str, int, int]) -> pd.DataFrame:
    """Invitations from (side, level, invited, used) groups, ids 1, 2, ... in order."""
    rows = []
    for side, level, invited, used in groups:
        rows += [(side, level, number < used) for number in range(invited)]
    return pd.DataFrame(
        [(n, side, level, used) for n, (side, level, used) in enumerate(rows, start=1)],
        columns=["invitation_id", "side", "level", "used"],
    )


def responses(*groups: tuple[str, int]) -> pd.DataFrame:
    """Responses from (side chosen, count) groups, ids 1, 2, ... in order."""
    sides = [side for side, count in groups for _ in range(count)]
    return pd.DataFrame({"response_id": range(1, len(sides) + 1), "side": sides}).astype(
        {"response_id": "int64"}
    )


def two_security_invitees_answer_as_it() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Issue 18's round in small: 7 invited as Security all answer, 2 of them as IT; 8 of 10
    invited as IT answer as IT; 1 of 3 invited without a side answers as Other."""
    invited = invitations(("it", "manager", 10, 8), ("security", "", 7, 7), (NOT_GIVEN, "", 3, 1))
    answered = responses(("it", 8 + 2), ("security", 5), ("other", 1))
    return invited, answered


def test_completed_counts_invitations_by_their_side_and_answered_the_side_chosen():
    """The dashboard said 5 completed for Security (the side chosen) and the staff page 7
    (the invitations used): now each count has its own name and both are in the table."""
    invited, answered = two_security_invitees_answer_as_it()

    table = participation_table(
        invited, answered, by="side", groups=SIDES, min_group_size=K, protection=EXACT
    )

    rows = {row.group: row for row in table.rows}
    assert list(rows) == ["it", "security", "other", NOT_GIVEN]
    counts = {g: (r.invited, r.completed, r.answered) for g, r in rows.items()}
    assert counts == {
        "it": (10, 8, 10),
        "security": (7, 7, 5),
        "other": (None, None, None),  # nobody invited, 1 answered: "fewer than k" both
        NOT_GIVEN: (None, None, None),
    }
    assert [row.answered_applies for row in table.rows] == [True, True, True, False]
    assert (rows["it"].rate, rows["security"].rate) == (80, 100)
    total = table.total
    assert (total.invited, total.completed, total.answered, total.rate) == (20, 16, 16, 80)
    assert table.answers


def test_a_table_by_level_has_no_answered_column():
    invited, answered = two_security_invitees_answer_as_it()

    table = participation_table(
        invited,
        answered,
        by="level",
        groups=["individual", "manager", "executive"],
        min_group_size=K,
        protection=EXACT,
    )

    counts = {row.group: (row.invited, row.completed) for row in table.rows}
    assert counts == {
        "individual": (None, None),
        "manager": (10, 8),
        "executive": (None, None),
        NOT_GIVEN: (10, 8),
    }
    assert not table.answers
    assert not any(row.answered_applies or row.answered is not None for row in table.rows)
    assert table.total.answered is None


def test_a_code_not_listed_comes_after_the_listed_ones():
    invited = invitations(("it", "", 5, 5), ("contractor", "", 6, 0))

    table = participation_table(
        invited, responses(("it", 5)), by="side", groups=SIDES, min_group_size=K, protection=EXACT
    )

    assert [row.group for row in table.rows] == [*SIDES, "contractor"]
    assert table.rows[-1].invited == 6


@pytest.mark.perturbed
def test_the_same_records_publish_the_same_figure_in_every_table():
    """Perturbed, a count is fixed by the records it counts and their kind: the 10 invited
    as IT are the 10 managers, so both tables print one figure; completed counts used
    invitations by the invitations' keys and answered counts responses by theirs."""
    invited, answered = two_security_invitees_answer_as_it()
    by_side = participation_table(
        invited, answered, by="side", groups=SIDES, min_group_size=K, protection=PERTURBED
    )
    by_level = participation_table(
        invited, answered, by="level", groups=["manager"], min_group_size=K, protection=PERTURBED
    )
    it, manager = by_side.rows[0], by_level.rows[0]

    assert (it.invited, it.completed) == (manager.invited, manager.completed)
    assert by_side.total.invited == by_level.total.invited
    used_it = invited.loc[invited["used"] & (invited["side"] == "it"), "invitation_id"]
    assert it.completed == published_total(used_it, K, PERTURBED, INVITATIONS)
    chose_it = answered.loc[answered["side"] == "it", "response_id"]
    assert it.answered == published_total(chose_it, K, PERTURBED, RESPONSES)
    assert abs(it.answered - 10) <= PERTURBED.count_bound


@pytest.mark.parametrize(
    ("invited", "completed", "rate"),
    [(80, 60, 75), (3, 2, 67), (None, 5, None), (10, None, None), (0, 0, None), (5, 6, None)],
)
def test_response_rate_is_a_whole_percentage_of_shown_counts(invited, completed, rate):
    assert response_rate(invited, completed) == rate
