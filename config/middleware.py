"""Middleware that Django and django-csp do not provide: Permissions-Policy, request ids."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.logging_filters import current_request_id


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


# An id the proxy made (nginx's $request_id: 32 hex digits; or a UUID) is kept; anything
# else a client sends is replaced, so a log line never carries text a client chose.
REQUEST_ID_FORMAT = re.compile(r"[0-9a-fA-F-]{16,64}")


def request_id(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give each request an id (``request.request_id``), sent back as ``X-Request-ID`` and
    added to every log line written while it is served (``config.logging_filters.
    RequestFields``), so an error in the application log can be found in the access log
    and at the proxy.

    The id is the request's ``X-Request-ID`` header when it is 16–64 hex digits and dashes
    (as nginx's ``$request_id`` or a UUID), else a new random UUID (32 hex digits).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if REQUEST_ID_FORMAT.fullmatch(given) else uuid.uuid4().hex
        reset = current_request_id.set(request.request_id)
        try:
            response = get_response(request)
        finally:
            current_request_id.reset(reset)
        response["X-Request-ID"] = request.request_id
        return response

    return middleware
