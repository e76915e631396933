"""Who may open the leader pages and how: anonymous users are sent to log in, accounts
outside the Leaders group get a 403, and methods other than GET and HEAD a 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reports.pages import dashboard_url, dimension_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["round_list", "dashboard", "export"])
def test_anonymous_user_is_sent_to_log_in(client, survey_round, name):
    kwargs = {"round_list": {}, "dashboard": {"slug": "autumn"}}.get(
        name, {"slug": "autumn", "kind": "summary"}
    )
    response = client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["round_list", "dashboard", "export"])
def test_user_outside_leaders_gets_a_friendly_403(plain_client, survey_round, name):
    kwargs = {"round_list": {}, "dashboard": {"slug": "autumn"}}.get(
        name, {"slug": "autumn", "kind": "summary"}
    )
    response = plain_client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 403
    assert "reports/403.html" in [t.name for t in response.templates]
    assert b"Leaders group" in response.content


def test_superuser_sees_the_round_list(client, django_user_model, survey_round):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-long-1")
    client.force_login(admin)
    response = client.get(reverse("reports:round_list"))
    assert response.status_code == 200
    assert survey_round.name.encode() in response.content


def test_unknown_round_is_404(leader_client, db):
    assert leader_client.get("/reports/nope/").status_code == 404


NEW_PAGES = [("dimension", {"slug": "autumn", "code": "a"}), ("methodology", {})]


@pytest.mark.parametrize(("name", "kwargs"), NEW_PAGES)
def test_new_pages_send_anonymous_users_to_log_in(client, survey_round, name, kwargs):
    response = client.get(reverse(f"reports:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), NEW_PAGES)
def test_new_pages_refuse_users_outside_leaders(plain_client, survey_round, name, kwargs):
    assert plain_client.get(reverse(f"reports:{name}", kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_report_pages_answer_other_methods_405_with_allow(leader_client, survey_round, method):
    """Found by fresh-user trials: other methods answered 200 (or 403 "page expired")."""
    for url in (
        dashboard_url(survey_round),
        reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "summary"}),
        reverse("reports:round_list"),
    ):
        response = getattr(leader_client, method)(url)
        assert response.status_code == 405, url
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_a_405_is_a_page_of_ours_with_its_allow_header(leader_client, survey_round, caplog):
    """Found by a fresh-user trial: a PUT to a report page answered 405 with an empty body.
    The page says what happened, in the reader's language, and keeps the Allow header;
    Django's log line for it is written once."""
    url = dimension_url(survey_round, "a")
    with caplog.at_level("WARNING", logger="django.request"):
        response = leader_client.put(url)
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        f"Method Not Allowed (PUT): {url}"
    ]
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "<h1" in content
    assert "This page cannot do that" in content
    french = leader_client.delete(dashboard_url(survey_round), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 405
    assert "Cette page ne peut pas faire cela" in french.content.decode()
    # HEAD gets the headers only, as for any page.
    assert leader_client.head(dashboard_url(survey_round)).status_code == 200


def test_a_stray_post_from_a_browser_is_405_not_page_expired(survey_round, leader):
    """With CSRF checks on, as in a browser: the safe-only report views answer 405."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = client.post(dashboard_url(survey_round))
    assert response.status_code == 405
