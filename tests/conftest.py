"""Fixtures shared by the whole suite: the small instrument, responses made in bulk, a
round populated with known answers (on the ``survey_round`` of the app's own conftest), a
leader and the OpenID provider of the single sign-on tests (tests/oidc)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import pytest
from django.contrib.auth.models import Group

from assessment.models import Instrument, Item
from survey.models import Answer, Response, SurveyRound
from tests.factories import DimensionFactory, InstrumentFactory, ItemFactory
from tests.oidc.provider import RunningProvider, configure_sso, provider_start


@pytest.fixture
def small_instrument(db):
    """A 5-point instrument with two dimensions of three Likert items (one reverse-scored
    each) and one comment item each: codes a1..a3, a_comment, b1..b3, b_comment."""
    return small_instrument_create()


def small_instrument_create() -> Instrument:
    """The instrument of the ``small_instrument`` fixture, for fixtures of a wider scope."""
    instrument = InstrumentFactory(slug="small", title="Small instrument")
    for order, code in enumerate(["a", "b"]):
        dimension = DimensionFactory(
            instrument=instrument, code=code, name=f"Dimension {code.upper()}", order=order
        )
        for n in (1, 2, 3):
            ItemFactory(dimension=dimension, code=f"{code}{n}", order=n, reverse_scored=(n == 3))
        ItemFactory(
            dimension=dimension,
            code=f"{code}_comment",
            order=9,
            kind="text",
            text="Anything to add?",
        )
    return instrument


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory
):
    """On SQLite, when a test runs a real Celery worker (marker ``worker``), the test database
    is a file: an in-memory database cannot be opened by the worker's process."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and any(
        item.get_closest_marker("worker") for item in request.session.items
    ):
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a round of another test may reuse a primary key
    and a results version, and must not be served that test's cached results."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request with Accept-Language (or a
    language button) leaves its language active in the thread, which would translate the
    messages of the next test's code run outside a request."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _exact_figures_unless_perturbed(request, settings):
    """Tests of pages and of the arithmetic read exact figures (the cell-key method's bounds
    set to 0); tests marked ``perturbed`` read them as the product ships them."""
    if request.node.get_closest_marker("perturbed") is None:
        settings.FRICTION_COUNT_BOUND = 0
        settings.FRICTION_SUM_BOUND = 0


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


IT_ANSWERS = {"a1": 5, "a2": 4, "a3": 1, "b1": 4, "b2": 4, "b3": 2}


SECURITY_ANSWERS = {"a1": 2, "a2": 2, "a3": 4, "b1": 4, "b2": 3, "b3": 2}


@pytest.fixture
def populated_round(survey_round, make_responses) -> SurveyRound:
    """The app's ``survey_round`` (tests/reports and tests/survey each define one) with 6 IT
    and 5 Security respondents (answers above, plus a comment) and 2 'other'.

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


# --- accounts (tests/audit, tests/reports) -------------------------------------------------

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def leader(django_user_model, db):
    """A member of the Leaders group: username "boss", password ``PASSWORD``."""
    user = django_user_model.objects.create_user(username="boss", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Leaders")[0])
    return user


@pytest.fixture
def leader_client(client, leader):
    """The test client, logged in as the ``leader``."""
    client.force_login(leader)
    return client


# --- single sign-on (tests/accounts, tests/browser) ---------------------------------------


@pytest.fixture(scope="session")
def oidc_provider(live_server) -> Iterator[RunningProvider]:
    """The provider for the whole session, its client redirecting to the live server."""
    provider = provider_start(f"{live_server.url}/oidc/callback/")
    yield provider
    provider.stop()


@pytest.fixture
def sso(settings, oidc_provider: RunningProvider, transactional_db) -> RunningProvider:
    """The app configured for the session's provider, as the environment would
    (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)."""
    configure_sso(settings, oidc_provider.issuer)
    return oidc_provider
