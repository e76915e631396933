"""Superusers read the trail in the admin (filters, search) and download it as CSV, as
filtered, streamed and formula-safe; nobody else sees it or downloads it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from audit.services import entry_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:audit_entry_changelist"
EXPORT = "admin:audit_entry_export"


@pytest.fixture
def trail(survey_round, leader):
    """A failed sign-in under a hostile user name, a view and a download of the round."""
    entry_record(action=Entry.Action.SIGN_IN_FAILED, by='=HYPERLINK("http://x")')
    entry_record(
        action=Entry.Action.REPORT_VIEWED, by=leader, round=survey_round, subject="dashboard"
    )
    entry_record(
        action=Entry.Action.EXPORT_DOWNLOADED, by=leader, round=survey_round, subject="gaps.csv"
    )


def rows_of(response) -> list[dict[str, str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_superusers_read_the_trail_with_filters_and_search(admin_client, trail, survey_round):
    page = admin_client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    body = page.content.decode()
    for shown in ("dashboard", "gaps.csv", "Spring 2027", "Download these entries as CSV"):
        assert shown in body
    for filtered_by in ("By action", "By account", "By round", "By when"):
        assert filtered_by in body
    viewed = admin_client.get(reverse(CHANGELIST), {"action__exact": "report_viewed"})
    assert viewed.context["cl"].result_count == 1
    found = admin_client.get(reverse(CHANGELIST), {"q": "gaps"})
    assert found.context["cl"].result_count == 1
    of_round = admin_client.get(reverse(CHANGELIST), {"round__id__exact": survey_round.pk})
    assert of_round.context["cl"].result_count == 2


def test_the_trail_cannot_be_added_changed_or_deleted_by_hand(admin_client, trail):
    entry = Entry.objects.first()
    assert admin_client.get(reverse("admin:audit_entry_add")).status_code == 403
    delete = reverse("admin:audit_entry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:audit_entry_change", args=[entry.pk])
    assert admin_client.post(change, {"actor_name": "someone else"}).status_code == 403
    assert Entry.objects.get(pk=entry.pk).actor_name == entry.actor_name


def test_the_csv_is_the_filtered_list_streamed_and_formula_safe(admin_client, trail):
    everything = rows_of(admin_client.get(reverse(EXPORT)))
    assert [row["action"] for row in everything] == [
        "export_downloaded",
        "report_viewed",
        "sign_in_failed",
        "signed_in",  # the superuser's own sign-in (force_login sends the signal)
    ]
    failed = everything[2]
    assert failed["who"] == '\'=HYPERLINK("http://x")'
    assert everything[0]["round"] == "Spring 2027"
    assert everything[0]["what"] == "gaps.csv"
    assert everything[0]["when_utc"].endswith("+00:00")
    downloads = rows_of(admin_client.get(reverse(EXPORT), {"action__exact": "export_downloaded"}))
    assert [row["what"] for row in downloads] == ["gaps.csv"]
    response = admin_client.get(reverse(EXPORT))
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_bad_filter_goes_back_to_the_list(admin_client, trail):
    response = admin_client.get(reverse(EXPORT), {"nonsense__exact": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_staff_who_are_not_superusers_neither_see_nor_download_it(staff_client, trail):
    assert staff_client.get(reverse(CHANGELIST)).status_code == 403
    assert staff_client.get(reverse(EXPORT)).status_code == 403
    assert "Audit trail" not in staff_client.get(reverse("admin:index")).content.decode()


def test_leaders_and_visitors_are_sent_to_the_admin_login(leader_client, trail):
    for client in (leader_client, Client()):
        for url in (reverse(CHANGELIST), reverse(EXPORT)):
            response = client.get(url)
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]
