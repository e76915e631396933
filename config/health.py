"""``/healthz``: whether the database, the cache and the broker answer, for a load balancer.

Answered by a middleware placed before Django's SecurityMiddleware: a load balancer probes
over plain HTTP and by address, so the probe must get past neither the HTTPS redirect
(``SECURE_HTTPS``) nor the ``ALLOWED_HOSTS`` check. No login; the body names each check,
its state, latency and backend kind, never a host name, port, URL or error message.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers
from redis.backoff import NoBackoff
from redis.retry import Retry

HEALTH_PATH = "/healthz"
# A broker that does not answer within this many seconds is down (one attempt, no retry).
BROKER_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


def database_check() -> str:
    """Run ``SELECT 1`` on the default database; returns its vendor ("postgresql",
    "sqlite"). Raises the driver's error when the database cannot be reached."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def cache_check() -> str:
    """Store, read back and delete a key of its own in the default cache; returns the
    backend's class name ("RedisCache", "LocMemCache"). Raises when the cache fails or
    returns something else than was stored."""
    cache = caches["default"]
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise LookupError("the cache did not return the value stored")
    return type(cache).__name__


def broker_url() -> str:
    """The Redis URL of the Celery broker (``CELERY_BROKER_URL`` when it is a Redis URL,
    else ``REDIS_URL``); empty when there is none."""
    for url in (getattr(settings, "CELERY_BROKER_URL", "") or "", settings.REDIS_URL):
        if url.startswith(("redis://", "rediss://", "unix://")):
            return url
    return ""


def broker_check(url: str) -> str:
    """PING the Redis at ``url`` once, giving up after BROKER_TIMEOUT_SECONDS; returns
    "redis". Raises redis.RedisError when it does not answer."""
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()
    return "redis"


def _timed(name: str, check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        backend = check()
    except Exception as error:
        # The reason goes to the log, where operators look; only its type to the probe.
        logger.warning("Health check %s failed: %s: %s", name, type(error).__name__, error)
        outcome = {"status": "down", "error": type(error).__name__}
    else:
        outcome = {"status": "up", "backend": backend}
    outcome["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


def health_report() -> dict[str, Any]:
    """Run every check. Returns ``{"status": "ok" | "failing", "checks": {name: {"status":
    "up" | "down" | "not configured", "latency_ms": float, "backend" | "error": str}}}``
    for ``database``, ``cache`` and ``broker``; "ok" when every configured check is up."""
    url = broker_url()
    checks = {
        "database": _timed("database", database_check),
        "cache": _timed("cache", cache_check),
        "broker": (
            _timed("broker", lambda: broker_check(url)) if url else {"status": "not configured"}
        ),
    }
    failing = any(check["status"] == "down" for check in checks.values())
    return {"status": "failing" if failing else "ok", "checks": checks}


def health(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer GET and HEAD ``/healthz`` with :func:`health_report` as JSON: 200 when it is
    "ok", 503 otherwise, never cached. Every other request passes through."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH:
            return get_response(request)
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        report = health_report()
        response = JsonResponse(report, status=200 if report["status"] == "ok" else 503)
        add_never_cache_headers(response)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return middleware
