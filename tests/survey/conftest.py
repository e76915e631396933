"""Fixtures for the survey tests: an open round of the small instrument and invitations, and
a real Celery worker with an SMTP server for the background mail tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from assessment.models import Item
from survey.models import Invitation
from survey.services.invitations import invitations_issue
from survey.tokens import token_hash
from tests.factories import ItemFactory, SurveyRoundFactory
from tests.survey.background import (
    REDIS_URL,
    CeleryWorker,
    SmtpServer,
    app_restore,
    app_use_broker,
    database_url,
    queue_delete,
    redis_problem,
)
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


@dataclass
class MailWorker:
    """The session's real Celery worker, the SMTP server it sends to, its Redis queue."""

    worker: CeleryWorker
    smtp: SmtpServer
    queue: str


@pytest.fixture(scope="session")
def mail_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[MailWorker]:
    """A Celery worker subprocess (solo pool) on the test database, taking tasks from Redis
    DB 12 on a queue of its own, sending to an SMTP server on 127.0.0.1 (tests send it their
    tasks through ``worker_queue``). Without Redis: skipped, failed in CI."""
    from django.db import connection

    problem = redis_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: the background mail tests need it.")
        pytest.skip(f"{problem}: start redis-server to run the background mail tests.")
    queue = f"test-mail-{secrets.token_hex(4)}"
    if connection.vendor == "postgresql":
        # The test database only: no fsync per commit for the worker's connections (each
        # email is one commit; the product keeps PostgreSQL's durable default).
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            name = connection.settings_dict["NAME"]
            cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    with SmtpServer() as smtp:
        worker = CeleryWorker(
            env={
                "DATABASE_URL": database_url(connection.settings_dict),
                "REDIS_URL": REDIS_URL,
                "CELERY_QUEUE": queue,
                "EMAIL_BACKEND": "smtp",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port),
                "EMAIL_TIMEOUT": "10",
                "EMAIL_RATE_PER_MINUTE": "0",
                "EMAIL_BATCH_SIZE": "20",
                "EMAIL_CLAIM_TIMEOUT": "3",
                "EMAIL_RETRY_DELAY": "0.3",
                "EMAIL_MAX_RETRIES": "3",
                "SURVEY_BASE_URL": "http://testserver",
                "LOG_LEVEL": "INFO",
            },
            log=tmp_path_factory.mktemp("worker") / "worker.log",
            name=queue,
        )
        try:
            worker.start()
            yield MailWorker(worker=worker, smtp=smtp, queue=queue)
        finally:
            worker.stop()
            queue_delete(queue)


@pytest.fixture
def worker_queue(mail_worker) -> Iterator[MailWorker]:
    """During one test, this process's tasks go to the session's worker through Redis
    instead of running in-process; the SMTP server starts empty and accepting everyone."""
    from config.celery import app

    mail_worker.smtp.clear()
    before = app_use_broker(app, broker_url=REDIS_URL, queue=mail_worker.queue)
    try:
        yield mail_worker
    finally:
        app_restore(app, before)
        mail_worker.smtp.clear()
