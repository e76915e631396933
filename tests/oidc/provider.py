"""A real OpenID Connect provider for the tests (panva's certified oidc-provider on Node.js,
tests/oidc/provider.js): start and stop it, point the app at it, sign in at its login form.

The provider's accounts are picked by the login name typed in its built-in login form (any
password): ``leader`` (groups [Leaders]), ``analyst`` ([Analysts]), ``staff`` ([Staff]),
``other`` ([Other]) and ``nogroups`` (no groups claim). Outside CI a machine without Node.js
skips these tests with a message saying how to install it; with ``CI=true`` it fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID = "friction"
CLIENT_SECRET = "friction-test-secret"
INSTALL_HINT = "install Node.js (18 or later) and npm, e.g. `apt-get install -y nodejs npm`"
# Generous: these only stop a broken run from hanging, and a loaded machine (or a fresh
# clone's first imports) can take seconds over a request.
START_TIMEOUT = 60  # seconds for the provider to listen
HTTP_TIMEOUT = 60  # seconds for one request of the test browser


def _unavailable(reason: str) -> None:
    """Skip on a laptop; fail in CI (CI=true), where single sign-on must be tested."""
    message = f"{reason}: {INSTALL_HINT}."
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"The OpenID provider of the tests cannot run. {message}", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningProvider:
    """A provider process: its issuer URL and the client the app is registered as."""

    issuer: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _node_modules() -> None:
    """`npm ci` once, when tests/oidc/node_modules lacks the provider (a fresh clone)."""
    if (HERE / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed")
    done = subprocess.run(  # noqa: S603 - a fixed command
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        _unavailable(f"`npm ci` in tests/oidc failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def provider_start(redirect_uri: str) -> RunningProvider:
    """Start tests/oidc/provider.js on a free port with one client whose redirect URI is
    ``redirect_uri``; return once it listens. Skips (fails in CI) without Node.js."""
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed")
    _node_modules()
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIRECT_URI": redirect_uri,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
    }
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [node, "provider.js"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    listening = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # drained to the end, so the pipe never fills up
            output.append(line)
            if line.startswith("listening "):
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    if not listening.wait(START_TIMEOUT):
        RunningProvider("", process).stop()
        pytest.fail(f"The OpenID provider did not start:\n{''.join(output)}", pytrace=False)
    return RunningProvider(f"http://127.0.0.1:{port}", process)


def configure_sso(settings, issuer: str) -> None:
    """Point the app at ``issuer`` (with the test client) as config/settings.py does."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.backends.OIDCBackend",
    ]


def provider_sign_in(browser: requests.Session, start_url: str, login: str) -> str:
    """Start single sign-on at ``start_url`` (our /oidc/authenticate/), sign in at the
    provider's own login form as ``login`` and return the URL the provider sends the browser
    back to (our callback, not yet visited)."""
    form = browser.get(start_url, timeout=HTTP_TIMEOUT)
    form.raise_for_status()
    action = re.search(r'<form[^>]*action="([^"]+)"', form.text)
    assert action, f"no login form at {form.url}:\n{form.text[:500]}"
    response = browser.post(
        urljoin(form.url, action.group(1)),
        data={"prompt": "login", "login": login, "password": "any password"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    # The provider redirects through its own /auth/<uid> to our callback.
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if "/oidc/callback/" in location:
            return location
        response = browser.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise AssertionError(f"the provider did not send us back: {response.status_code}")
