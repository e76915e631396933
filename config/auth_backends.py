"""Authentication backends: django-axes' login throttle, for logins that come over HTTP (single
sign-on has its own backend, accounts.backends)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check before ModelBackend: a locked-out username+IP cannot log in.

    ``authenticate()`` called without a request (a management command, ``Client.login`` in
    tests) cannot be attacked over the network, so it is not throttled; axes itself would
    raise instead. Every login form passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def is_single_sign_on(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """django-axes' whitelist test (AXES_WHITELIST_CALLABLE): true for the single sign-on
    callback, whose ``authenticate()`` carries a PKCE verifier and no password.

    Its failures (a token without groups, say) are not password guesses; counted, five of
    them would lock every single sign-on user behind one office address out.
    """
    return bool(credentials) and "code_verifier" in credentials
