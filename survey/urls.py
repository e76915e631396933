"""Survey URLs: respondents' pages under /s/<token>/, staff round pages under /manage/rounds/."""

from __future__ import annotations

from django.urls import path

from survey import manage_views, views

app_name = "survey"
urlpatterns = [
    path("s/<str:token>/", views.welcome, name="welcome"),
    path("s/<str:token>/profile/", views.profile, name="profile"),
    path("s/<str:token>/page/<int:n>/", views.page, name="page"),
    path("s/<str:token>/review/", views.review, name="review"),
    path("s/<str:token>/submit/", views.submit, name="submit"),
    path("s/<str:token>/thanks/", views.thanks, name="thanks"),
    # Staff pages to run a round (issue 8).
    path("manage/rounds/<slug:slug>/", manage_views.round_manage, name="manage_round"),
    path("manage/rounds/<slug:slug>/open/", manage_views.round_open_view, name="manage_open"),
    path("manage/rounds/<slug:slug>/close/", manage_views.round_close_view, name="manage_close"),
    path("manage/rounds/<slug:slug>/extend/", manage_views.round_extend_view, name="manage_extend"),
    path(
        "manage/rounds/<slug:slug>/invitees/",
        manage_views.round_invitees_view,
        name="manage_invitees",
    ),
    path("manage/rounds/<slug:slug>/email/", manage_views.round_email_view, name="manage_email"),
    path("manage/rounds/<slug:slug>/send/", manage_views.round_send_view, name="manage_send"),
    path("manage/rounds/<slug:slug>/remind/", manage_views.round_remind_view, name="manage_remind"),
    path(
        "manage/rounds/<slug:slug>/sending/",
        manage_views.round_sending_view,
        name="manage_sending",
    ),
]
