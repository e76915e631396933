"""Cached round results: served from the cache until the round's responses change."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from reports.cache import KEY_PREFIX, results_cache_key, round_results_cached
from reports.selectors import round_results_version
from survey.models import Response
from survey.services.responses import responses_create_bulk
from tests.factories import SurveyRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


class Builder:
    """A build function that counts its calls and returns a fresh dict each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        return {"build": self.calls, "rows": [{"gap": 12.5, "status": "breakdown"}]}


def submit_one(survey_round, side: str = "it") -> None:
    responses_create_bulk(
        round=survey_round,
        responses=[{"side": side, "function": "", "level": "", "answers": {"a1": 4}}],
    )


def test_second_request_is_served_from_the_cache(populated_round):
    build = Builder()
    first = round_results_cached(round=populated_round, part="dashboard", build=build)
    second = round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 1
    assert second == first == {"build": 1, "rows": [{"gap": 12.5, "status": "breakdown"}]}


def test_a_submitted_response_invalidates_the_results(populated_round):
    build = Builder()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    submit_one(populated_round)
    again = round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 2
    assert again["build"] == 2


def test_deleted_responses_invalidate_the_results(populated_round):
    build = Builder()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    # Replacing an imported file deletes its responses: fewer responses, same highest id.
    Response.objects.filter(round=populated_round).order_by("pk").first().delete()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 2


def test_another_rounds_response_keeps_the_results(populated_round, small_instrument):
    other = SurveyRoundFactory(instrument=small_instrument, slug="other")
    build = Builder()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    submit_one(other)
    round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 1


def test_each_comparison_part_and_language_has_its_own_entry(populated_round):
    build = Builder()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    round_results_cached(round=populated_round, part="dashboard|level", build=build)
    round_results_cached(round=populated_round, part="dimension:a", build=build)
    with translation.override("fr"):
        round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 4


def test_results_version_counter_is_used_when_the_round_has_one(populated_round):
    populated_round.results_version = 7
    assert round_results_version(round=populated_round).startswith("c7-k5-")
    build = Builder()
    round_results_cached(round=populated_round, part="dashboard", build=build)
    populated_round.results_version = 8  # what response_submit's F() bump would do
    round_results_cached(round=populated_round, part="dashboard", build=build)
    assert build.calls == 2


def test_cache_key_is_short_and_names_round_and_version(populated_round):
    key = results_cache_key(round=populated_round, part="dashboard", version="f13-99")
    assert key.startswith(f"{KEY_PREFIX}:{populated_round.pk}:f13-99:")
    assert KEY_PREFIX.startswith("friction:results:v")
    assert len(key) < 100


def _lock_of(survey_round, part: str = "dashboard") -> tuple[str, str]:
    key = results_cache_key(
        round=survey_round, part=part, version=round_results_version(round=survey_round)
    )
    return f"{key}:building", key


def test_a_caller_waits_for_the_build_already_running(populated_round, monkeypatch):
    """While another worker holds the build lock, a miss waits for its results."""
    lock, key = _lock_of(populated_round)
    cache.add(lock, 1)
    polls = []

    def other_worker_finishes(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            cache.set(key, {"build": "other worker"})

    monkeypatch.setattr("reports.cache.time.sleep", other_worker_finishes)
    build = Builder()
    results = round_results_cached(round=populated_round, part="dashboard", build=build)
    assert results == {"build": "other worker"}
    assert build.calls == 0
    assert len(polls) == 3


def test_a_waiter_builds_itself_when_the_lock_outlives_the_wait(populated_round, monkeypatch):
    lock, _key = _lock_of(populated_round)
    cache.add(lock, 1)
    monkeypatch.setattr("reports.cache.LOCK_WAIT_SECONDS", 0.0)
    build = Builder()
    results = round_results_cached(round=populated_round, part="dashboard", build=build)
    assert results["build"] == 1
    assert cache.get(lock) is None  # released, so the next miss does not wait


def test_the_lock_is_released_when_the_build_fails(populated_round):
    lock, _key = _lock_of(populated_round)

    def broken() -> dict:
        raise RuntimeError("analysis failed")

    with pytest.raises(RuntimeError):
        round_results_cached(round=populated_round, part="dashboard", build=broken)
    assert cache.get(lock) is None


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def test_results_are_shared_through_redis_and_invalidated(populated_round, settings):
    """As on a multi-server deployment (REDIS_URL set): Django's RedisCache backend, a
    second process would read what the first stored; a new response makes a new key."""
    import os

    if not _redis_reachable(REDIS_TEST_URL):
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    redis_cache = caches["default"]
    assert type(redis_cache).__name__ == "RedisCache"
    redis_cache.clear()
    try:
        build = Builder()
        first = round_results_cached(round=populated_round, part="dashboard", build=build)
        # Stored in Redis itself, where every server of a deployment finds it.
        import redis

        stored = redis.Redis.from_url(REDIS_TEST_URL).keys("*friction:results*")
        assert len(stored) == 1
        again = round_results_cached(round=populated_round, part="dashboard", build=build)
        assert build.calls == 1
        assert again == first
        submit_one(populated_round)
        round_results_cached(round=populated_round, part="dashboard", build=build)
        assert build.calls == 2
    finally:
        redis_cache.clear()
