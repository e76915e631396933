"""Root URLs: a home page, the survey for respondents, reports for leaders, login and admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("", include("survey.urls")),
    path("reports/", include("reports.urls")),
    # Login and logout only: this deployment sends no password-reset mail; admins reset passwords.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
