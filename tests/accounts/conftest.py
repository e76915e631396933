"""Single sign-on fixtures: a browser (a requests session) that signs in through the OpenID
provider of tests/oidc (``oidc_provider`` and ``sso`` are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from tests.oidc.provider import HTTP_TIMEOUT, provider_sign_in


@pytest.fixture
def sign_in(live_server, sso) -> Callable[..., requests.Response]:
    """``sign_in("leader")``: a fresh browser (requests session) signs in through the
    provider, starting at the app's single sign-on link (``next`` defaults to /reports/);
    returns the app's last answer, redirects followed. ``browser=`` reuses a session."""

    def run(
        login: str, *, next_url: str = "/reports/", browser: requests.Session | None = None
    ) -> requests.Response:
        browser = browser or requests.Session()
        start = f"{live_server.url}/oidc/authenticate/?next={next_url}"
        callback = provider_sign_in(browser, start, login)
        response = browser.get(callback, timeout=HTTP_TIMEOUT)
        response.browser = browser
        return response

    return run
