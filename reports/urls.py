"""Leader URLs: the round list, the methodology page, a round's dashboard, its dimension
views and its CSV downloads; the trend, executive summary and comment pages."""

from __future__ import annotations

from django.urls import path, re_path

from reports.views import comments, dashboard, exports, over_time, relations

app_name = "reports"
urlpatterns = [
    path("", dashboard.round_list, name="round_list"),
    # Before the round's slug: a round cannot be called "methodology".
    path("methodology/", dashboard.methodology, name="methodology"),
    path("<slug:slug>/", dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/dimension/<slug:code>/", dashboard.dimension, name="dimension"),
    path(
        "<slug:slug>/dimension/<slug:code>/comments/",
        comments.comments,
        name="comments",
    ),
    path("<slug:slug>/trend/", over_time.trend, name="trend"),
    path("<slug:slug>/perceptions/", relations.perceptions, name="perceptions"),
    path("<slug:slug>/drivers/", relations.drivers, name="drivers"),
    path("<slug:slug>/summary/", over_time.executive_summary, name="executive_summary"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/export/(?P<kind>responses|summary|gaps|dont_know|perceptions|mirror_pairs)\.csv$",
        exports.export,
        name="export",
    ),
]
