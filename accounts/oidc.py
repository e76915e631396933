"""The OpenID Connect provider as the app sees it: its discovery document and what its claims
grant (our user name for a ``sub``, our groups for its groups).

mozilla-django-oidc does the protocol (PKCE, state, nonce, token, signature) but reads the
provider's endpoints from settings; this module finds them once through discovery
(``<OIDC_ISSUER>/.well-known/openid-configuration``), so a deployment sets the issuer only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings

from reports.permissions import ANALYSTS_GROUP, LEADERS_GROUP

logger = logging.getLogger(__name__)

# Our group that lets its members run rounds (see accounts.services.round_staff_group).
ROUND_STAFF_GROUP = "Round staff"
# The provider's group names (fixed) that map to ours; the staff group's name is a setting.
PROVIDER_GROUPS = {"Leaders": LEADERS_GROUP, "Analysts": ANALYSTS_GROUP}
# Every group single sign-on grants or withdraws; groups an administrator adds by hand to an
# account stay as they are.
MANAGED_GROUPS = (LEADERS_GROUP, ANALYSTS_GROUP, ROUND_STAFF_GROUP)
USERNAME_PREFIX = "oidc:"
DISCOVERY_PATH = "/.well-known/openid-configuration"
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")


class ProviderUnavailable(Exception):
    """The provider cannot be used now: unreachable, or its discovery document is unusable.
    The message says which, for the log; users see a page of ours (accounts.views)."""


@dataclass(frozen=True)
class ProviderEndpoints:
    """The endpoints of the provider's discovery document that the sign-in uses (URLs)."""

    issuer: str
    authorization: str
    token: str
    jwks: str
    userinfo: str


def provider_endpoints() -> ProviderEndpoints:
    """The endpoints of the provider at ``settings.OIDC_ISSUER``, from its discovery document.

    Fetched once per process and issuer (a failure is not remembered: the next sign-in tries
    again), with ``settings.OIDC_TIMEOUT`` seconds to answer. Raises ``ProviderUnavailable``
    when the provider cannot be reached, answers with an error, or its document lacks an
    endpoint or names another issuer (OpenID Connect Discovery 1.0, section 4.3).
    """
    return _discover(settings.OIDC_ISSUER, settings.OIDC_TIMEOUT)


@lru_cache(maxsize=4)
def _discover(issuer: str, timeout: float) -> ProviderEndpoints:
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        answer = requests.get(url, timeout=timeout)
        answer.raise_for_status()
        document = answer.json()
    except requests.RequestException as error:
        raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
    except ValueError as error:
        raise ProviderUnavailable(f"discovery at {url} did not return JSON") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"discovery at {url} did not return a JSON object")
    missing = [key for key in REQUIRED_ENDPOINTS if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"discovery at {url} names no {', '.join(missing)}")
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(
            f"discovery at {url} names issuer {document.get('issuer')!r}, not OIDC_ISSUER"
        )
    return ProviderEndpoints(
        issuer=document["issuer"],
        authorization=document["authorization_endpoint"],
        token=document["token_endpoint"],
        jwks=document["jwks_uri"],
        userinfo=document["userinfo_endpoint"],
    )


def username_for(sub: str) -> str:
    """Our user name for the provider's subject identifier ``sub``: ``oidc:<sub>``.

    A local account cannot take such a name (Django's user-name rules refuse ``:``), so a
    signed-in user never lands in a local account; a ``sub`` longer than Django's 150
    characters becomes ``oidc:sha256:<hex>``.
    """
    username = USERNAME_PREFIX + sub
    if len(username) <= 150:
        return username
    return f"{USERNAME_PREFIX}sha256:{hashlib.sha256(sub.encode()).hexdigest()}"


def provider_groups(claims: Mapping[str, Any], claim: str) -> list[str] | None:
    """The provider's group names in ``claims[claim]`` (a list, or one string), or None when
    the claim is absent or not a list of names: then nobody can tell which groups apply."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return value
    return None


def granted_groups(groups: Iterable[str], *, staff_group: str) -> set[str]:
    """Our groups (of ``MANAGED_GROUPS``) for the provider's group names: ``Leaders`` and
    ``Analysts`` map to ours, ``staff_group`` to the round staff; other names grant nothing."""
    held = set(groups)
    granted = {ours for theirs, ours in PROVIDER_GROUPS.items() if theirs in held}
    if staff_group in held:
        granted.add(ROUND_STAFF_GROUP)
    return granted
