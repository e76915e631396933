"""The Celery app: named "config", configured from the CELERY_* settings, in-process without
REDIS_URL, and every task of the beat schedule exists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def test_the_app_is_config_and_runs_tasks_in_process_without_redis():
    assert app.main == "config"
    assert not settings.REDIS_URL
    assert app.conf.task_always_eager is True


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry
    assert app.tasks["sending.job_run"].acks_late is True
    assert app.tasks["sending.job_run"].reject_on_worker_lost is True


def test_with_redis_url_the_broker_is_redis_and_tasks_are_queued():
    code = (
        "import django; django.setup(); from config.celery import app; "
        "print(app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        "CELERY_QUEUE": "friction-mail",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["redis://127.0.0.1:6379/12", "False", "friction-mail"]
