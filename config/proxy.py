"""Behind a reverse proxy (``BEHIND_PROXY``): the address of the client the proxy served."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as the proxy in front of us saw it: the last entry of
    ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for`` appends the address it was
    connected from; earlier entries are whatever the client sent), else ``REMOTE_ADDR``.

    Login throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) counts failures per user
    name and address: behind a proxy ``REMOTE_ADDR`` is the proxy's for everyone, so five
    failures from anywhere would lock the account out for every address.
    """
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
