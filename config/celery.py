"""The Celery app: background mail and scheduled work, configured from Django's settings.

Start a worker with ``.venv/bin/celery -A config worker -l info`` and the scheduler with
``.venv/bin/celery -A config beat -l info`` (docs/configuration.md). Every ``CELERY_*``
setting of config/settings.py configures it; tasks live in each app's ``tasks.py``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
