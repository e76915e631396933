"""factory_boy factories shared by every test module."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings
from django.utils import timezone

from assessment.models import Dimension, Instrument, Item
from survey.drafts import draft_handle, draft_seal, draft_secret
from survey.models import Answer, Draft, Invitation, Response, Side, SurveyRound

AGREEMENT_5 = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    slug = factory.Sequence(lambda n: f"instrument-{n}")
    version = "1"
    title = factory.Sequence(lambda n: f"Instrument {n}")
    scale_points = 5
    scale_labels = factory.LazyFunction(lambda: list(AGREEMENT_5))


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension

    instrument = factory.SubFactory(InstrumentFactory)
    code = factory.Sequence(lambda n: f"dim{n}")
    name = factory.Sequence(lambda n: f"Dimension {n}")
    description = "What this dimension is about."
    guidance = "What leaders can do."
    order = factory.Sequence(lambda n: n)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    dimension = factory.SubFactory(DimensionFactory)
    code = factory.Sequence(lambda n: f"item{n}")
    text = factory.Sequence(lambda n: f"Statement number {n}.")
    kind = Item.Kind.LIKERT
    reverse_scored = False
    order = factory.Sequence(lambda n: n)


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyRound

    instrument = factory.SubFactory(InstrumentFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    timezone = "Europe/London"
    min_group_size = 5


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    round = factory.SubFactory(SurveyRoundFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    round = factory.SubFactory(SurveyRoundFactory)
    side = Side.IT
    function = "infrastructure"
    level = "individual"
    submitted_on = factory.LazyFunction(lambda: timezone.localdate())


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    item = factory.SubFactory(ItemFactory)
    value = 3


def store_draft(invitation: Invitation, draft: dict) -> Draft:
    """Store ``draft`` as the invitation's draft exactly as the services seal it (a test
    setting up a draft the respondent pages could not have produced)."""
    secret = draft_secret(settings.SECRET_KEY)
    handle = draft_handle(invitation.pk, secret=secret)
    stored, _created = Draft.objects.update_or_create(
        handle=handle,
        defaults={
            "round_id": invitation.round_id,
            "sealed": draft_seal(draft, handle=handle, secret=secret),
        },
    )
    return stored
