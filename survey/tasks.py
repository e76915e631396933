"""Celery tasks of the survey app: the daily retention purge (its schedule is in settings)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from audit.services import SCHEDULED_TASK
from survey.services.retention import expired_purge


@shared_task(name="retention.purge_expired")
def purge_expired() -> dict[str, int | bool]:
    """Run :func:`survey.services.retention.expired_purge`, as ``manage.py purge_expired``
    does; returns its counts (drafts, addresses, entries, rounds, days)."""
    return asdict(expired_purge(by=SCHEDULED_TASK))
