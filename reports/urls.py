"""Leader URLs: the round list, a round's dashboard and its CSV downloads."""

from __future__ import annotations

from django.urls import path, re_path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/export/(?P<kind>responses|summary)\.csv$",
        views.export,
        name="export",
    ),
]
