"""Sign-ins, failed sign-ins and sign-outs into the trail, from Django's own auth signals.

Django sends them for every login that goes through ``django.contrib.auth`` — the login
form, single sign-on (OIDC) and the admin alike — so one receiver covers them all, beside
django-axes, which listens to the same signals for its throttle. A failed attempt keeps the
user name that was typed, never a password or any other credential.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from audit.models import Entry
from audit.services import entry_record


def _method(user: Any) -> dict[str, str]:
    """Which backend let the user in (``login()`` sets ``user.backend``): the password form
    (ModelBackend) or single sign-on (an OIDC backend)."""
    backend = str(getattr(user, "backend", "") or "")
    return {"backend": backend.rsplit(".", 1)[-1]} if backend else {}


def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record a successful sign-in of ``user``."""
    entry_record(action=Entry.Action.SIGNED_IN, by=user, detail=_method(user))


def sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs) -> None:
    """Record a failed sign-in under the user name tried ("" when none was typed, as with
    single sign-on); the rest of ``credentials`` is never read."""
    field = get_user_model().USERNAME_FIELD
    tried = credentials.get(field, credentials.get("username", ""))
    entry_record(action=Entry.Action.SIGN_IN_FAILED, by=tried if isinstance(tried, str) else "")


def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record a sign-out (``user`` is None when nobody was signed in: nothing to record)."""
    if user is not None:
        entry_record(action=Entry.Action.SIGNED_OUT, by=user)


def connect() -> None:
    """Connect the receivers (``AuditConfig.ready``), once each."""
    user_logged_in.connect(signed_in, dispatch_uid="audit.signed_in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit.sign_in_failed")
    user_logged_out.connect(signed_out, dispatch_uid="audit.signed_out")
