"""The HTTP methods a page accepts, checked before its CSRF check."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

View = Callable[..., HttpResponse]


def methods_allowed(*allowed: str) -> Callable[[View], View]:
    """Answer methods other than ``allowed`` (e.g. ``"GET", "HEAD"``) with 405 and an
    ``Allow`` header before the CSRF check, then check CSRF as usual.

    CsrfViewMiddleware checks in ``process_view``, before any view decorator runs, so a PUT
    to a page got the CSRF failure page instead of 405. The middleware is told to skip the
    view (``csrf_exempt``) and ``csrf_protect`` checks it after the method check: a POST
    without a valid token still fails (``settings.CSRF_FAILURE_VIEW``).
    """

    def decorator(view: View) -> View:
        return csrf_exempt(require_http_methods(list(allowed))(csrf_protect(view)))

    return decorator
