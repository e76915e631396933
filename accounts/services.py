"""Writes to staff accounts: the account of a single sign-on user, synced at every sign-in."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from accounts.oidc import MANAGED_GROUPS, ROUND_STAFF_GROUP

# What the round staff may do: the staff round page (/manage/rounds/<slug>/) needs
# survey.change_surveyround with is_staff; view and add let them find and create rounds in
# the admin.
ROUND_STAFF_PERMISSIONS = ("add_surveyround", "change_surveyround", "view_surveyround")


def round_staff_group() -> Group:
    """The "Round staff" group with the permissions to run rounds, created on first use
    (and its permissions restored if an administrator removed one)."""
    group, _ = Group.objects.get_or_create(name=ROUND_STAFF_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="survey", codename__in=ROUND_STAFF_PERMISSIONS
        )
    )
    return group


@transaction.atomic
def oidc_user_sync(*, username: str, email: str, name: str, groups: Iterable[str]) -> User:
    """Create or update the single sign-on account ``username`` (``oidc:<sub>``) and give it
    exactly ``groups`` among ``MANAGED_GROUPS``; other groups are left alone.

    ``name`` is the provider's display name (first word: first name). Members of the round
    staff are staff (``is_staff``), others not. A new account has an unusable password: it
    signs in through the provider only. One transaction: an account never exists without
    its groups. Returns the user.
    """
    groups = set(groups) & set(MANAGED_GROUPS)
    user, created = User.objects.select_for_update().get_or_create(username=username)
    if created:
        user.set_unusable_password()
    first_name, _, last_name = name.strip().partition(" ")
    user.email = email if len(email) <= 254 else ""  # the column's length; no address is longer
    user.first_name, user.last_name = first_name[:150], last_name[:150]
    user.is_staff = ROUND_STAFF_GROUP in groups
    user.save()

    granted = [
        round_staff_group()
        if group == ROUND_STAFF_GROUP
        else Group.objects.get_or_create(name=group)[0]
        for group in sorted(groups)
    ]
    user.groups.remove(*user.groups.filter(name__in=MANAGED_GROUPS).exclude(name__in=groups))
    user.groups.add(*granted)
    return user
