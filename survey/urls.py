"""Respondent URLs: everything a respondent sees lives under /s/<token>/."""

from __future__ import annotations

from django.urls import path

from survey import views

app_name = "survey"
urlpatterns = [
    path("s/<str:token>/", views.welcome, name="welcome"),
    path("s/<str:token>/profile/", views.profile, name="profile"),
    path("s/<str:token>/page/<int:n>/", views.page, name="page"),
    path("s/<str:token>/review/", views.review, name="review"),
    path("s/<str:token>/submit/", views.submit, name="submit"),
    path("s/<str:token>/thanks/", views.thanks, name="thanks"),
]
