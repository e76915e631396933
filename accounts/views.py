"""Staff sign-in pages: the log-in page (local form, and the single sign-on link when it is
configured), the two single sign-on steps, their failure page, and password change.

The single sign-on steps are mozilla-django-oidc's views with the provider's endpoint from
discovery and every failure turned into a page of ours that says what happened and offers
to try again: never a 500, never the library's error.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.backends import NO_GROUPS, REFUSAL_ATTRIBUTE
from accounts.oidc import ProviderUnavailable, provider_endpoints

logger = logging.getLogger(__name__)

# Each way a sign-in can fail: HTTP status, heading, what to do.
FAILURES: dict[str, tuple[int, Any, Any]] = {
    "unreachable": (
        503,
        _("The single sign-on service cannot be reached"),
        _(
            "Your organisation's sign-in service did not answer. Try again in a few minutes; "
            "if it keeps happening, tell the person who runs the assessment."
        ),
    ),
    NO_GROUPS: (
        403,
        _("Your groups are unknown"),
        _(
            "Your organisation's sign-in did not say which groups you are in; ask the "
            "administrator of your organisation's sign-in to send the groups claim to this "
            "application. No account was created."
        ),
    ),
    "state": (
        400,
        _("This sign-in has expired"),
        _(
            "The sign-in did not match one started in this browser, or took too long. "
            "Start it again."
        ),
    ),
    "refused": (
        403,
        _("The sign-in did not complete"),
        _(
            "The single sign-on service did not confirm who you are, or your account here is "
            "disabled. Try again; if it keeps happening, tell the person who runs the "
            "assessment."
        ),
    ),
}


def _failure(request: HttpRequest, reason: str) -> HttpResponse:
    status, heading, message = FAILURES[reason]
    return render(
        request,
        "accounts/sso_failed.html",
        {"heading": heading, "message": message},
        status=status,
    )


def _require_sso() -> None:
    if not settings.OIDC_ISSUER:
        raise Http404("Single sign-on is not configured.")


class LoginView(auth_views.LoginView):
    """Django's log-in page, with the single sign-on link when ``OIDC_ISSUER`` is set."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(single_sign_on=bool(settings.OIDC_ISSUER), **kwargs)


class SignInStartView(OIDCAuthenticationRequestView):
    """Send the browser to the provider (with state, nonce and a PKCE challenge)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads the endpoint here; discovery waits for a request that needs it.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_sso()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints().authorization
        except ProviderUnavailable as error:
            logger.warning("Single sign-on could not start: %s", error)
            return _failure(request, "unreachable")
        return super().get(request)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: exchange the code, check the tokens, sign
    the user in (accounts.backends.OIDCBackend), or show why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_sso()
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            logger.warning("Single sign-on callback with an unknown or expired state.")
            return _failure(request, "state")
        try:
            return super().get(request)
        except (ProviderUnavailable, requests.ConnectionError, requests.Timeout) as error:
            logger.warning("Single sign-on could not finish: %s", error)
            return _failure(request, "unreachable")
        except (requests.RequestException, SuspiciousOperation) as error:
            logger.warning("Single sign-on was refused: %s", error)
            return _failure(request, "refused")

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSAL_ATTRIBUTE, None) or "refused"
        logger.warning("Single sign-on refused (%s).", reason)
        return _failure(self.request, reason)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change for local accounts; single sign-on accounts are told that
    their password is their organisation's (they have no usable password here)."""

    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
