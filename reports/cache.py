"""Round results kept in Django's cache, keyed by the round's results version (used by
:mod:`reports.results` only).

The dashboard of a large round takes seconds to compute and changes only when responses
arrive or leave, so its results (plain lists, dicts and numbers: no forms, no requests) are
cached under a key naming the round, what was computed, the comparison, the language and
the round's *results version*. A new version means a new key, so a submitted, imported or
deleted response makes every old entry unreachable at once, on every server sharing the
cache (local memory by default, Redis when ``REDIS_URL`` is set; see config/settings.py);
old entries simply expire.

The results version is ``SurveyRound.results_version`` when the model has that counter
(bumped in the same transaction as each write of responses); until then it is a fingerprint
of the round's responses, their count and highest id, read with one indexed query, which
changes with every insert and delete.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import translation

from reports.selectors import round_results_version
from survey.models import SurveyRound

# Bumped when cached results change shape (v2: alpha_note; v3: the figures' separators), so
# no worker reads an old one.
KEY_PREFIX = "friction:results:v3"
# Entries of an old version are never read again; the timeout only bounds how long they
# occupy the cache. A day also bounds staleness should a write ever skip the version.
TIMEOUT_SECONDS = 24 * 60 * 60
_MISSING = object()
T = TypeVar("T")
# One build per key at a time: a build of a 100,000-respondent round peaks at hundreds of MB,
# so workers that miss together wait for the first one's results instead of building too.
# A waiter builds itself after LOCK_WAIT_SECONDS (the builder may have died); the lock
# expires after LOCK_SECONDS whatever happens.
LOCK_SECONDS = 300
LOCK_WAIT_SECONDS = 60.0
LOCK_POLL_SECONDS = 0.2


def results_cache_key(
    *,
    round: SurveyRound,
    part: str,
    version: str,
    language: str | None = None,
) -> str:
    """The cache key of ``part`` of ``round``: ``part`` names what was computed and for what
    (e.g. ``"results|side|it|security|level=manager"``).

    Names the round's id, the results ``version``, the part and the language (labels inside
    presented results are translated), hashed to a fixed length safe for every backend.
    """
    language = language or translation.get_language() or ""
    detail = f"{part}|{language}"
    digest = hashlib.sha256(detail.encode("utf-8")).hexdigest()[:32]
    return f"{KEY_PREFIX}:{round.pk}:{version}:{digest}"


def round_results_cached(
    *,
    round: SurveyRound,
    part: str,
    build: Callable[[], T],
    version: str | None = None,
    timeout: int = TIMEOUT_SECONDS,
) -> T:
    """Return ``build()``'s results for ``part`` of ``round`` from the cache, building and
    storing them on a miss.

    ``build`` takes no argument and returns a picklable value (plain data and frames; no
    forms, querysets or requests) that depends on the round's responses. The version is read
    *before* building, so results stored while a response arrives sit under the older key
    and are rebuilt on the next request.
    Costs one query (the version) on a hit, until ``SurveyRound.results_version`` exists;
    none when the caller passes the ``version`` it read for several parts of one request
    (:func:`reports.selectors.round_results_version`).
    """
    key = results_cache_key(
        round=round,
        part=part,
        version=version or round_results_version(round=round),
    )
    results = cache.get(key, _MISSING)
    if results is not _MISSING:
        return results
    lock = f"{key}:building"
    if not cache.add(lock, 1, LOCK_SECONDS):
        results = _wait_for(key)
        if results is not _MISSING:
            return results
    try:
        results = build()
        cache.set(key, results, timeout)
    finally:
        cache.delete(lock)
    return results


def _wait_for(key: str) -> Any:
    """The results another worker is building under ``key``, once stored; ``_MISSING`` if
    they do not appear within LOCK_WAIT_SECONDS."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(LOCK_POLL_SECONDS)
        results = cache.get(key, _MISSING)
        if results is not _MISSING:
            return results
    return _MISSING
