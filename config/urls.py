"""Root URLs: the survey for respondents, reports for leaders, accounts and admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("survey.urls")),
    path("reports/", include("reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
