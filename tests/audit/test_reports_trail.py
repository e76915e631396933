"""Who viewed which round's reports and who downloaded which export: every report page and
download records one entry (the page or file, the round, the account); refused requests
record nothing; ``export_csv`` records the command line and its OS user."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import Entry
from audit.services import command_line_actor
from tests.audit.conftest import entries

pytestmark = pytest.mark.django_db

PAGES = [
    ("reports:dashboard", {}, "dashboard"),
    ("reports:dimension", {"code": "a"}, "dimension a"),
    ("reports:comments", {"code": "a"}, "comments a"),
    ("reports:trend", {}, "trend"),
    ("reports:executive_summary", {}, "executive summary"),
    ("reports:perceptions", {}, "perceptions"),
    ("reports:drivers", {}, "drivers"),
]


@pytest.mark.parametrize(("name", "kwargs", "page"), PAGES, ids=[p[2] for p in PAGES])
def test_each_report_page_records_who_viewed_which_round(
    leader_client, leader, populated_round, name, kwargs, page
):
    url = reverse(name, kwargs={"slug": populated_round.slug, **kwargs})
    assert leader_client.get(url).status_code == 200
    (entry,) = entries(Entry.Action.REPORT_VIEWED)
    assert (entry.actor, entry.actor_name, entry.round, entry.subject) == (
        leader,
        "boss",
        populated_round,
        page,
    )
    assert entry.round_name == populated_round.name


def test_a_refused_or_missing_page_records_nothing(client, leader_client, populated_round):
    missing = reverse("reports:dimension", kwargs={"slug": populated_round.slug, "code": "zz"})
    assert leader_client.get(missing).status_code == 404
    leader_client.logout()
    dashboard = reverse("reports:dashboard", kwargs={"slug": populated_round.slug})
    assert client.get(dashboard).status_code == 302  # to the login page
    assert not entries(Entry.Action.REPORT_VIEWED).exists()


def test_a_download_records_the_file_the_round_and_the_comparison(leader_client, populated_round):
    url = reverse("reports:export", kwargs={"slug": populated_round.slug, "kind": "gaps"})
    response = leader_client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    (entry,) = entries(Entry.Action.EXPORT_DOWNLOADED)
    assert (entry.actor_name, entry.round, entry.subject) == ("boss", populated_round, "gaps.csv")
    assert entry.detail == {"comparison": "side: it vs security"}


def test_a_refused_download_records_nothing(leader_client, populated_round):
    responses = reverse(
        "reports:export", kwargs={"slug": populated_round.slug, "kind": "responses"}
    )
    assert leader_client.get(responses).status_code == 403  # leaders get no row-level file
    summary = reverse("reports:export", kwargs={"slug": populated_round.slug, "kind": "summary"})
    assert leader_client.get(summary + "?level=manager").status_code == 400  # a filter
    assert not entries(Entry.Action.EXPORT_DOWNLOADED).exists()


def test_an_analyst_downloading_responses_is_recorded(analyst_client, populated_round):
    url = reverse("reports:export", kwargs={"slug": populated_round.slug, "kind": "responses"})
    assert analyst_client.get(url).status_code == 200
    (entry,) = entries(Entry.Action.EXPORT_DOWNLOADED)
    assert (entry.actor_name, entry.subject, entry.detail) == ("analyst", "responses.csv", {})


def test_export_csv_records_the_command_line_and_the_os_user(populated_round, tmp_path):
    call_command(
        "export_csv",
        populated_round.slug,
        kind="summary",
        output=str(tmp_path / "summary.csv"),
        stderr=io.StringIO(),
    )
    (entry,) = entries(Entry.Action.EXPORT_DOWNLOADED)
    assert entry.actor is None
    assert entry.actor_name == f"command line ({getpass.getuser()})"
    assert (entry.round, entry.subject) == (populated_round, "summary.csv")


def test_the_command_line_without_an_os_user_is_still_named(monkeypatch):
    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert command_line_actor() == "command line"
