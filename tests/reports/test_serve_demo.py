"""`make run` ends with a framed block that says where to click (serve_demo), instead of
burying the survey link and the password under install and migration lines."""

from __future__ import annotations

import re

import pytest

from reports.management.commands.serve_demo import Command, framed


def test_framed_lines_share_one_width():
    block = framed(["short", "a longer line"]).splitlines()
    assert block[0] == block[-1] == "+" + "-" * 15 + "+"
    assert {len(line) for line in block} == {17}
    assert block[1] == "| short         |"


@pytest.mark.django_db
def test_the_banner_gives_a_working_survey_link_dashboard_and_login(monkeypatch, settings, client):
    monkeypatch.delenv("LEADER_PASSWORD", raising=False)
    settings.SURVEY_BASE_URL = "http://127.0.0.1:8123"
    banner = Command()._prepare()
    lines = banner.splitlines()
    assert lines[0] == lines[-1]
    assert lines[0].startswith("+--")
    assert lines[-2].startswith("| Ctrl+C stops the server.")
    survey = re.search(r"http://127\.0\.0\.1:8123(/s/[^/ ]+/)", banner)
    dashboard = re.search(r"http://127\.0\.0\.1:8123(/reports/demo/)", banner)
    password = re.search(r"Password:  (\S+)", banner)
    assert survey
    assert dashboard
    assert password
    assert "User name: leader" in banner
    assert client.get(survey.group(1)).status_code == 200
    assert client.login(username="leader", password=password.group(1))
    assert client.get(dashboard.group(1)).status_code == 200
    # The next start keeps the password and says so; the demo is not seeded twice.
    again = Command()._prepare()
    assert "unchanged" in again
    assert password.group(1) not in again
    assert client.login(username="leader", password=password.group(1))
