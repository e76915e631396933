"""Tests of reports.permissions: who sees the dashboards and the aggregated downloads
(Leaders, Analysts, active superusers) and who downloads responses.csv (Analysts and active
superusers only); the leader_required decorator's login redirect and friendly 403."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import HttpResponse
from django.urls import reverse

from reports.permissions import can_export, can_export_responses, is_leader, leader_required
from tests.reports.pages import export_url

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def make_user(django_user_model):
    """Call with a kind: plain, leader, analyst, superuser, inactive_superuser or
    inactive_leader."""

    def _make(kind: str):
        name = f"user-{kind}"
        if kind.endswith("superuser"):
            user = django_user_model.objects.create_superuser(name, password=PASSWORD)
        else:
            user = django_user_model.objects.create_user(name, password=PASSWORD)
        group = {"leader": "Leaders", "analyst": "Analysts"}.get(kind.removeprefix("inactive_"))
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        if kind.startswith("inactive_"):
            user.is_active = False
            user.save()
        return user

    return _make


@pytest.mark.parametrize(
    ("kind", "leader", "responses"),
    [
        ("plain", False, False),
        ("leader", True, False),
        ("analyst", True, True),
        ("superuser", True, True),
        ("inactive_superuser", False, False),
        ("inactive_leader", False, False),
    ],
)
def test_who_is_a_leader_and_who_may_export_responses(make_user, kind, leader, responses):
    user = make_user(kind)
    assert is_leader(user) is leader
    assert can_export_responses(user) is responses
    assert can_export(user, "summary") is leader
    assert can_export(user, "gaps") is leader
    assert can_export(user, "responses") is responses


def test_anonymous_users_are_neither_leaders_nor_exporters():
    anonymous = AnonymousUser()
    assert not is_leader(anonymous)
    assert not can_export_responses(anonymous)
    assert not can_export(anonymous, "summary")


def test_an_unknown_export_kind_is_refused_to_leaders(make_user):
    assert not can_export(make_user("leader"), "everything")


def test_the_groups_are_read_once_per_user_object(make_user, django_assert_num_queries):
    user = make_user("leader")
    with django_assert_num_queries(1):
        assert is_leader(user)
        assert not can_export_responses(user)
        assert can_export(user, "gaps")


def _decorated():
    calls = []

    @leader_required
    def view(request, slug):
        calls.append(slug)
        return HttpResponse("the page")

    return view, calls


def test_leader_required_sends_anonymous_users_to_log_in(rf):
    view, calls = _decorated()
    request = rf.get("/reports/autumn/?attribute=level")
    request.user = AnonymousUser()
    response = view(request, slug="autumn")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/reports/autumn/%3Fattribute%3Dlevel"
    assert calls == []


@pytest.mark.parametrize("kind", ["plain", "inactive_superuser"])
def test_leader_required_shows_others_the_friendly_403(rf, make_user, kind):
    view, calls = _decorated()
    request = rf.get("/reports/autumn/")
    request.user = make_user(kind)
    response = view(request, slug="autumn")
    assert response.status_code == 403
    assert b"Leaders group" in response.content
    assert calls == []


@pytest.mark.parametrize("kind", ["leader", "analyst", "superuser"])
def test_leader_required_lets_leaders_analysts_and_superusers_through(rf, make_user, kind):
    view, calls = _decorated()
    request = rf.get("/reports/autumn/")
    request.user = make_user(kind)
    response = view(request, slug="autumn")
    assert response.content == b"the page"
    assert calls == ["autumn"]


def test_an_inactive_superuser_is_refused_every_page_and_download(
    client, make_user, lopsided_round
):
    client.force_login(make_user("inactive_superuser"))
    for url in (
        reverse("reports:round_list"),
        reverse("reports:dashboard", kwargs={"slug": "autumn"}),
        export_url(lopsided_round, "summary"),
        export_url(lopsided_round, "responses"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


# --- Who may download what, through the pages -------------------------------------------------


def test_leaders_get_aggregated_exports_but_not_responses(leader_client, lopsided_round):
    assert leader_client.get(export_url(lopsided_round, "summary")).status_code == 200
    assert leader_client.get(export_url(lopsided_round, "gaps")).status_code == 200
    refused = leader_client.get(export_url(lopsided_round, "responses"))
    assert refused.status_code == 403
    assert b"Analysts group" in refused.content
    dashboard = leader_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    assert export_url(lopsided_round, "responses") not in dashboard.content.decode()


def test_analysts_see_the_dashboard_and_download_responses(analyst_client, lopsided_round):
    dashboard = analyst_client.get(reverse("reports:dashboard", kwargs={"slug": "autumn"}))
    assert dashboard.status_code == 200
    assert export_url(lopsided_round, "responses") in dashboard.content.decode()
    assert analyst_client.get(export_url(lopsided_round, "responses")).status_code == 200


def test_superusers_download_responses(client, django_user_model, lopsided_round):
    admin = django_user_model.objects.create_superuser("root", password="a-long-pass-phrase")
    client.force_login(admin)
    assert client.get(export_url(lopsided_round, "responses")).status_code == 200


def test_other_accounts_get_no_export(plain_client, lopsided_round):
    for kind in ("responses", "summary", "gaps"):
        assert plain_client.get(export_url(lopsided_round, kind)).status_code == 403
