"""Behind the TLS proxy (BEHIND_PROXY, config/proxy.py): every request comes from the
proxy's address, so login throttling counts failures per address the proxy saw."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from config.proxy import client_address

ROOT = Path(__file__).resolve().parent.parent
PROXY = "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        # A client may send its own X-Forwarded-For; nginx appends the real address last.
        ("10.9.9.9, 203.0.113.5", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("not-an-address", PROXY),
        ("", PROXY),
    ],
)
def test_the_client_is_the_last_address_the_proxy_added(forwarded_for, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == expected


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_is_per_client_not_for_everyone(django_user_model, settings):
    settings.AXES_CLIENT_IP_CALLABLE = "config.proxy.client_address"
    django_user_model.objects.create_user("leader", password="a-long-pass-phrase")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = attacker.post(login, {"username": "leader", "password": "wrong"})
    assert last.status_code == 429
    # The leader, through the same proxy from another address, still logs in.
    leader = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    ok = leader.post(login, {"username": "leader", "password": "a-long-pass-phrase"})
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("behind_proxy", "expected"), [("1", "config.proxy.client_address"), ("0", "None")]
)
def test_behind_proxy_switches_the_address_login_throttling_reads(behind_proxy, expected):
    code = "import config.settings as s; print(s.AXES_CLIENT_IP_CALLABLE)"
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "BEHIND_PROXY": behind_proxy},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected
