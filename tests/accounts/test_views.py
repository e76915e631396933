"""The log-in page, local accounts beside single sign-on, and password change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.oidc.provider import configure_sso

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-7"
SSO_LINK = "Sign in with single sign-on"


@pytest.fixture
def leader(django_user_model):
    user = django_user_model.objects.create_user("boss", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Leaders")[0])
    return user


def test_the_login_page_offers_single_sign_on_only_when_it_is_configured(client, settings):
    assert SSO_LINK not in client.get(reverse("login")).content.decode()

    configure_sso(settings, "http://127.0.0.1:9")
    page = client.get(reverse("login") + "?next=/reports/1/").content.decode()

    assert SSO_LINK in page
    assert 'href="/oidc/authenticate/?next=/reports/1/"' in page
    assert 'name="password"' in page  # the local form stays beside it


def test_single_sign_on_pages_are_404_when_it_is_not_configured(client):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_local_accounts_log_in_while_the_provider_is_down(client, settings, leader):
    """Password log-ins never wait for the provider: its backend is not asked."""
    configure_sso(settings, "http://127.0.0.1:9")

    page = client.post(
        reverse("login"), {"username": "boss", "password": PASSWORD, "next": "/reports/"}
    )

    assert page.status_code == 302
    assert page.url == "/reports/"
    assert client.get("/reports/").status_code == 200


def test_a_leader_changes_their_own_password(client, leader):
    client.force_login(leader)
    reports = client.get("/reports/").content.decode()
    assert 'href="/accounts/password_change/"' in reports

    done = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase-8",
            "new_password2": "another-long-phrase-8",
        },
        follow=True,
    )

    assert done.redirect_chain == [("/accounts/password_change/done/", 302)]
    assert "Your password has been changed" in done.content.decode()
    leader.refresh_from_db()
    assert leader.check_password("another-long-phrase-8")
    assert Client().login(username="boss", password="another-long-phrase-8")


def test_a_wrong_old_password_changes_nothing(client, leader):
    client.force_login(leader)

    page = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "another-long-phrase-8",
            "new_password2": "another-long-phrase-8",
        },
    )

    assert page.status_code == 200
    assert "incorrectly" in page.content.decode()
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)


def test_single_sign_on_accounts_see_no_password_change(client, django_user_model):
    user = django_user_model.objects.create_user("oidc:someone")  # no usable password
    user.groups.add(Group.objects.get_or_create(name="Leaders")[0])
    client.force_login(user)

    assert "/accounts/password_change/" not in client.get("/reports/").content.decode()
    page = client.get(reverse("password_change")).content.decode()
    assert "change your password there" in page
    assert 'name="new_password1"' not in page


def test_password_change_needs_a_login(client):
    page = client.get(reverse("password_change"))

    assert page.status_code == 302
    assert page.url.startswith("/accounts/login/")
