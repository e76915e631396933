"""The single sign-on account's sync: groups granted and withdrawn, staff, one transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from accounts.oidc import ROUND_STAFF_GROUP
from accounts.services import oidc_user_sync, round_staff_group

pytestmark = pytest.mark.django_db


def _names(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_a_new_account_gets_its_groups_and_no_usable_password():
    user = oidc_user_sync(
        username="oidc:1", email="a@example.org", name="Ada King Lovelace", groups={"Leaders"}
    )

    assert _names(user) == ["Leaders"]
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Ada", "King Lovelace")
    assert not user.is_staff


def test_a_later_sign_in_withdraws_managed_groups_and_keeps_the_others():
    user = User.objects.create_user("oidc:1", password="kept-as-it-is-1")
    user.groups.add(Group.objects.create(name="Board"), Group.objects.get(name="Analysts"))

    oidc_user_sync(username="oidc:1", email="", name="", groups={"Leaders", ROUND_STAFF_GROUP})
    user.refresh_from_db()
    assert _names(user) == ["Board", "Leaders", ROUND_STAFF_GROUP]
    assert user.is_staff
    assert user.check_password("kept-as-it-is-1")

    oidc_user_sync(username="oidc:1", email="", name="", groups=set())
    user.refresh_from_db()
    assert _names(user) == ["Board"]
    assert not user.is_staff


def test_the_round_staff_group_may_run_rounds_and_nothing_else():
    group = round_staff_group()

    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "add_surveyround",
        "change_surveyround",
        "view_surveyround",
    ]
    user = oidc_user_sync(username="oidc:2", email="", name="", groups={ROUND_STAFF_GROUP})
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    assert user.has_perm("survey.change_surveyround")
    assert not user.has_perm("survey.delete_surveyround")
    assert not user.has_perm("auth.change_user")
