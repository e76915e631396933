"""App config for the survey: rounds, invitations, respondents and their answers."""

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = "Survey rounds and responses"
