"""Sign-ins, failed sign-ins and sign-outs are recorded from Django's auth signals, so local
and single sign-on logins alike; django-axes keeps throttling; no password is ever kept."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import Entry
from tests.audit.conftest import entries
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_sign_in_on_the_login_page_is_recorded_with_its_method(leader):
    page = Client().post(reverse("login"), {"username": "boss", "password": PASSWORD})
    assert page.status_code == 302
    (entry,) = entries(Entry.Action.SIGNED_IN)
    assert (entry.actor, entry.actor_name, entry.round) == (leader, "boss", None)
    assert entry.detail == {"backend": "ModelBackend"}


def test_a_failed_sign_in_keeps_the_user_name_tried_never_the_password(leader):
    page = Client().post(reverse("login"), {"username": "bosss", "password": "Hunter2-secret"})
    assert page.status_code == 200
    (entry,) = entries(Entry.Action.SIGN_IN_FAILED)
    assert (entry.actor, entry.actor_name) == (None, "bosss")
    row = str(Entry.objects.filter(pk=entry.pk).values().get())
    assert "Hunter2-secret" not in row


def test_a_failed_single_sign_on_records_no_name(leader):
    """An OIDC backend authenticates from the request, with no user name: the attempt is
    recorded without one, and none of the credentials (a code, a nonce) are kept."""
    request = RequestFactory().get("/oidc/callback/")
    assert authenticate(request, code="oidc-code-XYZ", nonce="nonce-ABC") is None
    (entry,) = entries(Entry.Action.SIGN_IN_FAILED)
    assert (entry.actor_name, entry.detail) == ("", {})
    assert "XYZ" not in str(Entry.objects.values().get())


def test_a_sign_in_by_another_backend_names_it(leader):
    """What the SSO helper's backend does: ``login()`` sets ``user.backend``, and the
    ``user_logged_in`` signal reaches the trail the same way."""
    leader.backend = "mozilla_django_oidc.auth.OIDCAuthenticationBackend"
    user_logged_in.send(sender=type(leader), request=RequestFactory().get("/"), user=leader)
    (entry,) = entries(Entry.Action.SIGNED_IN)
    assert entry.detail == {"backend": "OIDCAuthenticationBackend"}


def test_a_sign_out_is_recorded(leader_client, leader):
    assert leader_client.post(reverse("logout")).status_code == 302
    (entry,) = entries(Entry.Action.SIGNED_OUT)
    assert entry.actor == leader


def test_axes_still_locks_out_and_every_attempt_is_recorded(leader):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = client.post(reverse("login"), {"username": "boss", "password": "wrong"})
    assert last.status_code == 429
    locked = client.post(reverse("login"), {"username": "boss", "password": PASSWORD})
    assert locked.status_code == 429
    failed = entries(Entry.Action.SIGN_IN_FAILED)
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
    assert set(failed.values_list("actor_name", flat=True)) == {"boss"}
    assert not entries(Entry.Action.SIGNED_IN).exists()
