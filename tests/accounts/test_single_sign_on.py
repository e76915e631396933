"""Single sign-on against a real OpenID provider (tests/oidc/provider.js): who gets in, which
groups they get, and the page each failure shows. Nothing of the protocol is mocked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import user_login_failed

from tests.factories import SurveyRoundFactory
from tests.oidc.provider import HTTP_TIMEOUT, configure_sso, provider_sign_in, provider_start


def test_a_leader_signs_in_through_the_provider_and_reaches_the_reports(sign_in, live_server):
    response = sign_in("leader")

    assert response.status_code == 200
    assert response.url == f"{live_server.url}/reports/"
    user = User.objects.get(username="oidc:leader")
    assert list(user.groups.values_list("name", flat=True)) == ["Leaders"]
    assert (user.email, user.first_name, user.last_name) == ("lea@example.org", "Lea", "Leader")
    assert not user.has_usable_password()
    assert not user.is_staff


def test_the_authorization_request_carries_a_pkce_challenge_and_the_groups_scope(sso, live_server):
    start = requests.get(
        f"{live_server.url}/oidc/authenticate/", allow_redirects=False, timeout=HTTP_TIMEOUT
    )

    assert start.status_code == 302
    location = start.headers["Location"]
    assert location.startswith(f"{sso.issuer}/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid email profile groups"]
    assert query["redirect_uri"] == [f"{live_server.url}/oidc/callback/"]


def test_an_analyst_gets_the_analysts_group(sign_in):
    response = sign_in("analyst")

    assert response.status_code == 200
    user = User.objects.get(username="oidc:analyst")
    assert list(user.groups.values_list("name", flat=True)) == ["Analysts"]


def test_staff_run_rounds_but_do_not_see_the_reports(sign_in, live_server):
    survey_round = SurveyRoundFactory()

    response = sign_in("staff", next_url=f"/manage/rounds/{survey_round.slug}/")

    assert response.status_code == 200
    assert survey_round.name in response.text
    user = User.objects.get(username="oidc:staff")
    assert user.is_staff
    assert user.has_perm("survey.change_surveyround")
    assert list(user.groups.values_list("name", flat=True)) == ["Round staff"]
    reports = response.browser.get(f"{live_server.url}/reports/", timeout=HTTP_TIMEOUT)
    assert reports.status_code == 403


def test_an_account_without_a_matching_group_gets_the_403_page_on_the_reports(sign_in):
    response = sign_in("other")

    assert response.status_code == 403
    assert "These reports are for leaders" in response.text
    assert not User.objects.get(username="oidc:other").groups.exists()


def test_groups_are_synced_at_every_sign_in(sign_in):
    """Removed from Leaders at the provider: no access at the next sign-in. A group an
    administrator added by hand (not one single sign-on manages) stays."""
    user = User.objects.create_user("oidc:other", is_staff=True)
    user.groups.add(
        Group.objects.get_or_create(name="Leaders")[0],
        Group.objects.get_or_create(name="Board")[0],
    )

    response = sign_in("other")

    assert response.status_code == 403
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["Board"]
    assert not user.is_staff
    assert User.objects.filter(username__startswith="oidc:").count() == 1


def test_accounts_are_matched_by_subject_never_by_email(sign_in, django_user_model):
    local = django_user_model.objects.create_user(
        "lea", email="lea@example.org", password="a-local-password-1"
    )
    local.groups.add(Group.objects.get_or_create(name="Analysts")[0])

    sign_in("leader")

    assert User.objects.filter(email="lea@example.org").count() == 2
    assert list(local.groups.values_list("name", flat=True)) == ["Analysts"]
    assert local.check_password("a-local-password-1")


def test_a_token_without_groups_creates_no_account_and_says_why(sign_in, live_server):
    failed = []

    def record(sender, credentials, request, **kwargs):
        failed.append(credentials)

    user_login_failed.connect(record)
    try:
        response = sign_in("nogroups")
    finally:
        user_login_failed.disconnect(record)

    assert response.status_code == 403
    assert "did not say which groups you are in" in response.text
    assert 'href="/oidc/authenticate/"' in response.text
    assert not User.objects.exists()
    assert len(failed) == 1  # the audit trail hears of it, as of a failed password log-in
    reports = response.browser.get(f"{live_server.url}/reports/", timeout=HTTP_TIMEOUT)
    assert reports.url.endswith("/accounts/login/?next=/reports/")


def test_single_sign_on_failures_do_not_lock_anyone_out(sign_in, settings):
    """django-axes counts password guesses; a token without groups is none, and counting it
    would lock everyone behind one office address out of single sign-on."""
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        assert sign_in("nogroups").status_code == 403

    assert sign_in("leader").status_code == 200


@pytest.mark.parametrize("tamper", ["changed", "other browser"])
def test_a_wrong_or_expired_state_gets_a_page_and_a_way_to_try_again(sign_in, live_server, tamper):
    browser = requests.Session()
    callback = provider_sign_in(browser, f"{live_server.url}/oidc/authenticate/", "leader")
    if tamper == "changed":
        query = parse_qs(urlsplit(callback).query)
        query["state"] = ["x" + query["state"][0][1:]]
        callback = f"{callback.split('?')[0]}?{urlencode(query, doseq=True)}"
    else:  # a session that never started this sign-in, as after the session expired
        browser = requests.Session()

    response = browser.get(callback, timeout=HTTP_TIMEOUT)

    assert response.status_code == 400
    assert "This sign-in has expired" in response.text
    assert "Start it again" in response.text
    assert 'href="/oidc/authenticate/"' in response.text
    assert not User.objects.exists()
    reports = browser.get(f"{live_server.url}/reports/", timeout=HTTP_TIMEOUT)
    assert reports.url.endswith("/accounts/login/?next=/reports/")


def test_an_unreachable_provider_gets_a_page_of_ours(settings, live_server, transactional_db):
    configure_sso(settings, "http://127.0.0.1:9")  # discard port: connection refused

    response = requests.get(f"{live_server.url}/oidc/authenticate/", timeout=HTTP_TIMEOUT)

    assert response.status_code == 503
    assert "The single sign-on service cannot be reached" in response.text
    assert 'href="/oidc/authenticate/"' in response.text


def test_a_provider_down_before_the_token_exchange_gets_a_page_and_no_account(
    settings, live_server, transactional_db
):
    provider = provider_start(f"{live_server.url}/oidc/callback/")
    try:
        configure_sso(settings, provider.issuer)
        browser = requests.Session()
        callback = provider_sign_in(browser, f"{live_server.url}/oidc/authenticate/", "leader")
    finally:
        provider.stop()

    response = browser.get(callback, timeout=HTTP_TIMEOUT)

    assert response.status_code == 503
    assert "The single sign-on service cannot be reached" in response.text
    assert not User.objects.exists()


def test_a_sign_in_the_provider_refuses_gets_a_page_and_no_account(sign_in, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"  # the token endpoint answers 401

    response = sign_in("leader")

    assert response.status_code == 403
    assert "The sign-in did not complete" in response.text
    assert 'href="/oidc/authenticate/"' in response.text
    assert not User.objects.exists()


def test_a_disabled_account_cannot_sign_in(sign_in, live_server):
    User.objects.create_user("oidc:leader", is_active=False)

    response = sign_in("leader")

    assert response.status_code == 403
    assert "your account here is disabled" in response.text
    reports = response.browser.get(f"{live_server.url}/reports/", timeout=HTTP_TIMEOUT)
    assert reports.url.endswith("/accounts/login/?next=/reports/")
