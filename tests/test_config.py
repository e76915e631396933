"""Settings read from the environment, the home page, and the account URLs we expose."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_LEVEL", "bogus", "LOG_LEVEL must be DEBUG, INFO"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text"),
        ("CONN_MAX_AGE", "abc", "CONN_MAX_AGE must be a whole number"),
        ("DATABASE_URL", "garbage", "DATABASE_URL is not a database URL"),
        ("FRICTION_DIVIDED_RWG", "x", "FRICTION_DIVIDED_RWG must be a number"),
        ("SURVEY_BASE_URL", "notaurl", "SURVEY_BASE_URL must be an absolute http"),
        ("OIDC_ISSUER", "login.example.org", "OIDC_ISSUER must be an https:// URL"),
        ("OIDC_ISSUER", "https://login.example.org", "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    ],
)
def test_a_bad_environment_value_is_named_in_the_error(variable, value, message):
    env = {**os.environ, variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_log_level_is_case_insensitive():
    env = {**os.environ, "LOG_LEVEL": "debug"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_home_page_points_respondents_and_leaders_the_right_way(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Open the personal link from your invitation" in page.content.decode()
    assert 'href="/accounts/login/"' in page.content.decode()


@pytest.mark.django_db
def test_password_reset_is_not_offered(client):
    assert client.get("/accounts/password_reset/").status_code == 404


@pytest.mark.django_db
def test_create_leader_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("LEADER_PASSWORD", "short")
    with pytest.raises(CommandError, match="too weak"):
        call_command("create_leader", stdout=StringIO())
    assert not User.objects.filter(username="leader").exists()


@pytest.mark.django_db
def test_create_leader_prints_a_working_random_password(monkeypatch, client):
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    out = StringIO()
    call_command("create_leader", stdout=out)
    password = next(
        line.split(": ", 1)[1]
        for line in out.getvalue().splitlines()
        if line.startswith("Password")
    )
    assert client.login(username="leader", password=password)
    assert client.get("/reports/").status_code == 200


def _password(out: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Password"))


@pytest.mark.django_db
def test_create_leader_keeps_the_password_on_the_next_start(monkeypatch, client):
    """Every `make run` used to set a new password and log leaders out."""
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    out = StringIO()
    call_command("create_leader", stdout=out)
    password = _password(out.getvalue())
    again = StringIO()
    call_command("create_leader", stdout=again)
    assert password not in again.getvalue()
    assert "unchanged" in again.getvalue()
    assert client.login(username="leader", password=password)


@pytest.mark.django_db
def test_leader_password_given_in_the_environment_replaces_the_old_one(monkeypatch, client):
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    out = StringIO()
    call_command("create_leader", stdout=out)
    monkeypatch.setenv("LEADER_PASSWORD", "a-long-enough-passphrase-42")
    again = StringIO()
    call_command("create_leader", stdout=again)
    assert "from LEADER_PASSWORD" in again.getvalue()
    assert not client.login(username="leader", password=_password(out.getvalue()))
    assert client.login(username="leader", password="a-long-enough-passphrase-42")
