"""Fixtures for the audit trail tests: a round of the small instrument and the accounts that
act on it (an analyst, a staff member who is not a superuser; the leader and its
``leader_client`` are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from audit.models import Entry
from survey.models import SurveyRound
from tests.conftest import PASSWORD
from tests.factories import SurveyRoundFactory


@pytest.fixture
def survey_round(small_instrument) -> SurveyRound:
    """An open round (k = 5) of the small instrument."""
    return SurveyRoundFactory(instrument=small_instrument, slug="spring", name="Spring 2027")


@pytest.fixture
def analyst_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="analyst", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Analysts")[0])
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    """A staff account that may run rounds and even view audit entries by permission, but
    is not a superuser."""
    user = django_user_model.objects.create_user(username="clerk", password=PASSWORD)
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_entry", "change_surveyround", "view_surveyround"]
        )
    )
    client.force_login(user)
    return client


def entries(action: str | None = None, **filters):
    """Entries of the trail, oldest first (sign-ins of the fixtures' logins left out unless
    asked for)."""
    found = Entry.objects.order_by("pk")
    if action is not None:
        return found.filter(action=action, **filters)
    return found.exclude(action=Entry.Action.SIGNED_IN).filter(**filters)
