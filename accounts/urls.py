"""Staff account URLs: log in and out, change a password, and single sign-on.

No password reset: this deployment sends no reset mail; an administrator resets passwords.
The single sign-on callback is ``/oidc/callback/``: the redirect URI registered at the
provider (docs/configuration.md, "Single sign-on").
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The names are mozilla-django-oidc's: its backend builds the redirect URI from them.
    path("oidc/authenticate/", views.SignInStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views.SignInCallbackView.as_view(), name="oidc_authentication_callback"),
]
