"""Respondent URLs (filled in by the survey views)."""

app_name = "survey"
urlpatterns: list = []
