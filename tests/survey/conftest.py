"""Fixtures for the survey tests: an open round of the small instrument and invitations."""

from __future__ import annotations

import pytest

from survey.models import Invitation
from survey.services.invitations import invitations_issue
from survey.tokens import token_hash
from tests.factories import SurveyRoundFactory
from tests.survey.mail import FailingBackend


@pytest.fixture
def survey_round(small_instrument):
    """An open round (Europe/London, k = 5) of the two-dimension small instrument."""
    return SurveyRoundFactory(instrument=small_instrument, name="Spring 2026", slug="spring")


@pytest.fixture
def issue(survey_round):
    """Issue one invitation to the round; returns ``(token, invitation)``."""

    def _issue(*, survey_round=survey_round, **prefill):
        (token,) = invitations_issue(round=survey_round, count=1, **prefill)
        return token, Invitation.objects.get(token_hash=token_hash(token))

    return _issue


@pytest.fixture
def token_and_invitation(issue):
    return issue()


@pytest.fixture
def mail_fails_after(settings):
    """Call with n: the mail server accepts n more messages, then fails."""

    def _fails_after(n: int) -> None:
        FailingBackend.allowed = n
        settings.EMAIL_BACKEND = "tests.survey.mail.FailingBackend"

    return _fails_after
