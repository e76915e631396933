"""Fixtures for the survey tests: an open round of the small instrument and invitations."""

from __future__ import annotations

import pytest

from assessment.models import Item
from survey.models import Invitation
from survey.services.invitations import invitations_issue
from survey.tokens import token_hash
from tests.factories import ItemFactory, SurveyRoundFactory
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


@pytest.fixture
def v2_instrument(small_instrument):
    """The small instrument with instrument v2's respondent features: "Don't know" offered,
    prompts for each side, ``a1`` a meta-perception statement and ``overall`` an outcome
    statement filed under dimension B (last), which the survey asks first."""
    small_instrument.dont_know_label = "Don't know"
    small_instrument.meta_prompts = {
        "it": "How do you think security staff would answer?",
        "security": "How do you think IT staff would answer?",
    }
    small_instrument.save()
    Item.objects.filter(dimension__instrument=small_instrument, code="a1").update(
        meta_perception=True
    )
    ItemFactory(
        dimension=small_instrument.dimensions.get(code="b"),
        code="overall",
        kind=Item.Kind.OUTCOME,
        order=20,
        text="Overall, IT and security work well together here.",
    )
    return small_instrument


@pytest.fixture
def v2_round(v2_instrument):
    """An open round (Europe/London, k = 5) of ``v2_instrument``."""
    return SurveyRoundFactory(instrument=v2_instrument, name="Autumn 2026", slug="autumn")
