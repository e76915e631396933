"""App config for the survey: rounds, invitations, respondents and their answers."""

from django.apps import AppConfig
from django.conf import settings


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = "Survey rounds and responses"

    def ready(self) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            # With a broker, load the task and Celery's Redis producer now (imports only, no
            # connection): otherwise a server's first Send click waits for them (~1 s).
            from config.celery import app
            from survey import tasks  # noqa: F401

            app.amqp.producer_pool  # noqa: B018
            app.connection_for_write().transport  # noqa: B018
