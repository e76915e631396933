"""``/healthz`` (config/health.py): the database, the cache and the broker, for a load
balancer; 200 when every configured one answers, 503 otherwise; nothing secret in the body."""

from __future__ import annotations

import os
import time

import pytest

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"
# Nothing listens on port 1: the connection is refused at once. The password must never
# reach the body.
DEAD_REDIS_URL = "redis://:hunter2-secret@127.0.0.1:1/13"


def redis_required(url: str = REDIS_TEST_URL) -> None:
    """Skip the test when Redis does not answer at ``url``; in CI (CI=true) fail it."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not running at {url}")


def _redis_everywhere(settings, url: str) -> None:
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }


@pytest.mark.django_db
def test_every_check_up_is_200_with_its_latency(client, settings):
    redis_required()
    _redis_everywhere(settings, REDIS_TEST_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["status"] == "up"
        assert isinstance(check["latency_ms"], float)
    assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert body["checks"]["broker"]["backend"] == "redis"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_without_redis_the_broker_is_not_configured_and_that_is_healthy(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"status": "not configured"}
    assert response.json()["checks"]["cache"]["backend"] == "LocMemCache"


@pytest.mark.django_db
def test_a_dead_redis_is_503_at_once_and_the_body_names_no_host_or_password(client, settings):
    _redis_everywhere(settings, DEAD_REDIS_URL)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert response.json()["status"] == "failing"
    assert checks["database"]["status"] == "up"
    assert checks["cache"]["status"] == checks["broker"]["status"] == "down"
    assert checks["broker"]["error"] == "ConnectionError"
    body = response.content.decode()
    for secret in ("hunter2", "127.0.0.1", "redis://", "refused"):
        assert secret not in body


@pytest.mark.django_db
def test_the_broker_is_celerys_when_it_has_its_own_redis(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = DEAD_REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


@pytest.mark.django_db
def test_a_probe_over_http_by_address_is_answered_not_redirected(client, settings):
    """With SECURE_HTTPS every other page redirects to HTTPS and only ALLOWED_HOSTS are
    served; a load balancer probes http://<address>/healthz."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["friction.example.org"]
    settings.REDIS_URL = ""
    assert client.get("/", HTTP_HOST="friction.example.org").status_code == 301
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_only_reads(client, settings):
    settings.REDIS_URL = ""
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
    # Only the exact path: anything below it is an ordinary (missing) page.
    assert client.get("/healthz/x").status_code == 404
