"""Leaders and staff choose their language (issue 17): the login page, the reports and the
staff pages end with a language form that posts to Django's set_language view and comes
back to the same page, query string included, in the language chosen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.reports.pages import dashboard_url

pytestmark = pytest.mark.django_db

LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español")]


def language_form(html: str) -> str:
    """The page's one language form (``<form ... class="language-switcher ...">``)."""
    forms = re.findall(r'<form[^>]*class="language-switcher[^"]*".*?</form>', html, re.S)
    assert len(forms) == 1, f"{len(forms)} language forms"
    return forms[0]


def assert_switcher(html: str, next_url: str, current: str) -> None:
    form = language_form(html)
    assert f'action="{reverse("set_language")}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<input type="hidden" name="next" value="{next_url}">' in form
    # A labelled control, each language named in its own language and tagged with it.
    assert re.search(r'<label for="site-language">[^<]+</label>', form)
    assert '<select id="site-language" name="language"' in form
    for code, name in LANGUAGES:
        selected = " selected" if code == current else ""
        assert f'<option value="{code}" lang="{code}"{selected}>{name}</option>' in form
    assert '<button type="submit"' in form  # works without a script


def test_the_login_page_offers_the_languages(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert_switcher(html, reverse("login"), current="de")


def test_the_dashboard_offers_the_languages_and_keeps_its_query(leader_client, populated_round):
    path = dashboard_url(populated_round) + "?level=manager&amp;x=1"
    response = leader_client.get(path.replace("&amp;", "&"))
    assert response.status_code == 200
    assert_switcher(response.content.decode(), path, current="en")


def test_a_staff_page_offers_the_languages(client, django_user_model, populated_round):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    path = reverse("survey:manage_round", kwargs={"slug": populated_round.slug})
    assert_switcher(client.get(path).content.decode(), path, current="en")


def test_choosing_french_returns_to_the_dashboard_in_french(
    leader_client, populated_round, settings
):
    target = dashboard_url(populated_round) + "?level=manager"
    response = leader_client.post(reverse("set_language"), {"language": "fr", "next": target})

    assert response.status_code == 302
    assert response["Location"] == target
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    html = leader_client.get(target, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in html
    assert "Rapports" in html  # the navigation, in French
    assert_switcher(html, target.replace("&", "&amp;"), current="fr")
    assert ">Langue</label>" in language_form(html)
    assert ">Changer</button>" in language_form(html)


def test_a_foreign_next_is_not_followed(leader_client):
    response = leader_client.post(
        reverse("set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "language-switcher" not in html
