"""Root URLs: a home page, the survey for respondents, reports for leaders, staff accounts
(log-in, single sign-on, password change) and admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("", include("survey.urls")),
    path("reports/", include("reports.urls")),
    # No password reset: this deployment sends no reset mail; admins reset passwords.
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # set_language: the respondent pages' language switcher where no answers are on the page.
    path("i18n/", include("django.conf.urls.i18n")),
]
