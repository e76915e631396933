"""App config for the instrument: what is asked and how it is scored."""

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment instruments"
