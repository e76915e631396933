"""Middleware that Django and django-csp do not provide: Permissions-Policy, request ids and
the 405 page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

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


def method_not_allowed_page(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give a bodiless 405 (Django's ``require_http_methods`` and its kin answer an empty
    ``HttpResponseNotAllowed``) our page ``templates/405.html``, in the reader's language,
    keeping its ``Allow`` header. Django has no ``handler405``; a 405 that has a body
    (``/healthz`` answers before this middleware) is left as it is.

    Placed after the locale, authentication and message middleware, so the page is
    rendered as any other: translated, with the signed-in navigation. Django's log line
    for the 405 ("Method Not Allowed (PUT): …") is written once, as before.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        # In place: the Allow header (and the note that Django has logged it) stay.
        response.content = render_to_string("405.html", request=request)
        response["Content-Type"] = "text/html; charset=utf-8"
        return response

    return middleware
