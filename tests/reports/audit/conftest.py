"""The rounds of the disclosure audit, each planted and read once for the module's tests
(the collection is plain data; the round itself is rolled back afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction

from survey.models import SurveyRound
from survey.services.demo import DEMO_SLUG
from tests.conftest import small_instrument_create
from tests.factories import SurveyRoundFactory
from tests.reports.audit.collect import Collection, collect
from tests.reports.audit.plant import K, plant_round


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """Database access for a fixture of a wider scope than a test, undone afterwards.

    pytest-django creates the test database only for the databases its ``django_db`` tests
    name: a test using such a fixture must be marked ``django_db`` too, or the fixture
    would reach the development database. Refused then, before connecting."""
    name = str(connection.settings_dict["NAME"])
    # A file named by TEST NAME too (a SQLite file when a real worker runs, tests/conftest.py).
    test_name = str(connection.settings_dict.get("TEST", {}).get("NAME") or "")
    if not (name.startswith(("file:memorydb", "test_")) or name in (":memory:", test_name)):
        raise RuntimeError(f"{name} is not a test database: mark the test django_db.")
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture(scope="module")
def planted_collection(django_db_setup, django_db_blocker) -> Collection:
    """Every figure the product publishes for the planted round (tests/reports/audit/plant.py)."""
    with rolled_back(django_db_blocker):
        survey_round = SurveyRoundFactory(
            instrument=small_instrument_create(), slug="planted", min_group_size=K
        )
        return collect(round=plant_round(survey_round))


@pytest.fixture(scope="module")
def demo_collection(django_db_setup, django_db_blocker) -> Collection:
    """Every figure the product publishes for the demo round of ``seed_demo``."""
    with rolled_back(django_db_blocker):
        call_command("load_instrument", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        return collect(round=SurveyRound.objects.get(slug=DEMO_SLUG))
