"""Fixtures for the reports tests: analysts, plain users and rounds of the small instrument
(the leader, ``leader_client``, ``make_responses`` and ``populated_round`` are in
tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from survey.models import SurveyRound
from tests.conftest import IT_ANSWERS, SECURITY_ANSWERS
from tests.factories import SurveyRoundFactory


@pytest.fixture
def analyst(django_user_model, db):
    group, _ = Group.objects.get_or_create(name="Analysts")
    user = django_user_model.objects.create_user(username="analyst", password="a-long-pass-phrase")
    user.groups.add(group)
    return user


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def plain_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="staff", password="a-long-pass-phrase")
    client.force_login(user)
    return client


@pytest.fixture
def survey_round(small_instrument) -> SurveyRound:
    return SurveyRoundFactory(
        instrument=small_instrument, slug="autumn", name="Autumn round", min_group_size=5
    )


@pytest.fixture
def lopsided_round(survey_round, make_responses):
    """30 IT respondents beside 2 Security respondents (k = 5) and no 'other'."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 30 + [("security", SECURITY_ANSWERS)] * 2)
    return survey_round
