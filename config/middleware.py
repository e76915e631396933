"""Response-header middleware that Django and django-csp do not provide: Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) to every response.

    The app needs no camera, microphone, location, payment or USB access; denying them
    means an injected script could not ask for them either.
    """
    policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response

    return middleware
