"""Tests of the create_leader command and the migration that creates the groups."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_create_leader() -> str:
    out = io.StringIO()
    call_command("create_leader", stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"^Password: (\S+)$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def test_migration_creates_leaders_and_analysts_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Leaders", "Analysts"}


def test_create_leader_prints_a_working_random_password_and_the_login_url(monkeypatch, settings):
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    settings.SURVEY_BASE_URL = "https://survey.example.org"
    output = run_create_leader()
    password = printed_password(output)
    user = authenticate(username="leader", password=password)
    assert user is not None
    assert user.groups.filter(name="Leaders").exists()
    assert "https://survey.example.org/accounts/login/" in output


def test_create_leader_twice_keeps_the_first_password(monkeypatch):
    """A restart used to set a new password and log every leader out (issue 16)."""
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    first = printed_password(run_create_leader())
    second_output = run_create_leader()
    assert first not in second_output
    assert "unchanged" in second_output
    assert authenticate(username="leader", password=first) is not None
    assert get_user_model().objects.filter(username="leader").count() == 1


def test_create_leader_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEADER_PASSWORD", "correct-horse-battery")
    output = run_create_leader()
    assert "correct-horse-battery" not in output
    assert authenticate(username="leader", password="correct-horse-battery") is not None
