"""Fixtures for the reports tests: leaders, plain users and rounds with bulk-made responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest
from django.contrib.auth.models import Group

from assessment.models import Item
from survey.models import Answer, Response, SurveyRound
from tests.factories import SurveyRoundFactory

ResponseSpec = tuple[str, dict[str, int | str]]


def responses_bulk(
    survey_round: SurveyRound,
    specs: Iterable[ResponseSpec],
    *,
    function: str = "infrastructure",
    level: str = "individual",
    submitted_on: dt.date = dt.date(2026, 11, 2),
    attributes: Iterable[dict[str, str]] | None = None,
) -> list[Response]:
    """Create one Response per (side, {item_code: value or comment}) with bulk_create;
    ``attributes``: one ``Response.attributes`` dict per spec (default: none)."""
    specs = list(specs)
    extra = list(attributes) if attributes is not None else [{} for _ in specs]
    items = {
        item.code: item
        for item in Item.objects.filter(dimension__instrument_id=survey_round.instrument_id)
    }
    likert = Item.objects.filter(
        dimension__instrument_id=survey_round.instrument_id, kind=Item.Kind.LIKERT
    ).order_by("dimension__order", "dimension_id", "order", "pk")
    responses = Response.objects.bulk_create(
        [
            Response(
                round=survey_round,
                side=side,
                function=function,
                level=level,
                submitted_on=submitted_on,
                attributes=profile,
                # The copy survey.services.responses.responses_write keeps for the responses export.
                likert_answers=[
                    values.get(item.code) if isinstance(values.get(item.code), int) else None
                    for item in likert
                ],
            )
            for (side, values), profile in zip(specs, extra, strict=True)
        ]
    )
    answers = [
        Answer(
            response=response,
            item=items[code],
            value=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for response, (_, values) in zip(responses, specs, strict=True)
        for code, value in values.items()
    ]
    Answer.objects.bulk_create(answers)
    return responses


@pytest.fixture
def make_responses() -> Callable[..., list[Response]]:
    return responses_bulk


@pytest.fixture
def leaders_group(db) -> Group:
    group, _ = Group.objects.get_or_create(name="Leaders")
    return group


@pytest.fixture
def leader(django_user_model, leaders_group):
    user = django_user_model.objects.create_user(username="boss", password="a-long-pass-phrase")
    user.groups.add(leaders_group)
    return user


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


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


IT_ANSWERS = {"a1": 5, "a2": 4, "a3": 1, "b1": 4, "b2": 4, "b3": 2}
SECURITY_ANSWERS = {"a1": 2, "a2": 2, "a3": 4, "b1": 4, "b2": 3, "b3": 2}


@pytest.fixture
def populated_round(survey_round, make_responses) -> SurveyRound:
    """6 IT and 5 Security respondents (answers above, plus a comment), 2 'other'.

    Dimension a: IT 100·(4.67−1)/4 ≈ 91.7 (items 5, 4, and 1 reversed to 5), Security 25.0
    (2, 2, 4 reversed to 2): gap +66.7. Dimension b: IT 75.0, Security 66.7: gap +8.3.
    """
    make_responses(
        survey_round,
        [("it", {**IT_ANSWERS, "a_comment": '=HYPERLINK("x")'})] * 6
        + [("security", SECURITY_ANSWERS)] * 5
        + [("other", IT_ANSWERS)] * 2,
    )
    return survey_round


@pytest.fixture
def lopsided_round(survey_round, make_responses):
    """30 IT respondents beside 2 Security respondents (k = 5) and no 'other'."""
    make_responses(survey_round, [("it", IT_ANSWERS)] * 30 + [("security", SECURITY_ANSWERS)] * 2)
    return survey_round
