"""What the provider's claims grant (pure), and discovery of its endpoints (a real provider,
a dead port, a provider that names another issuer)."""

from __future__ import annotations

import pytest

from accounts.oidc import (
    ROUND_STAFF_GROUP,
    ProviderUnavailable,
    granted_groups,
    provider_endpoints,
    provider_groups,
    username_for,
)


def test_a_subject_becomes_a_user_name_no_local_account_can_take():
    assert username_for("248289761001") == "oidc:248289761001"
    long_sub = "x" * 200
    assert username_for(long_sub).startswith("oidc:sha256:")
    assert len(username_for(long_sub)) <= 150
    assert username_for(long_sub) != username_for("y" * 200)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"groups": ["Leaders", "Other"]}, ["Leaders", "Other"]),
        ({"groups": "Leaders"}, ["Leaders"]),
        ({"groups": []}, []),
        ({}, None),
        ({"groups": None}, None),
        ({"groups": [{"name": "Leaders"}]}, None),
        ({"roles": ["Leaders"]}, None),
    ],
)
def test_the_groups_claim_is_read_or_found_missing(claims, expected):
    assert provider_groups(claims, "groups") == expected


def test_provider_groups_map_to_ours():
    assert granted_groups(["Leaders", "Staff", "Other"], staff_group="Staff") == {
        "Leaders",
        ROUND_STAFF_GROUP,
    }
    assert granted_groups(["Analysts"], staff_group="Staff") == {"Analysts"}
    assert granted_groups(["Staff"], staff_group="IT Ops") == set()
    assert granted_groups(["leaders", "Round staff"], staff_group="Staff") == set()


def test_discovery_reads_the_providers_endpoints(settings, oidc_provider):
    settings.OIDC_ISSUER = oidc_provider.issuer

    endpoints = provider_endpoints()

    assert endpoints.issuer == oidc_provider.issuer
    assert endpoints.authorization == f"{oidc_provider.issuer}/auth"
    assert endpoints.token == f"{oidc_provider.issuer}/token"
    assert endpoints.jwks == f"{oidc_provider.issuer}/jwks"
    assert endpoints.userinfo == f"{oidc_provider.issuer}/me"


def test_discovery_refuses_a_document_naming_another_issuer(settings, oidc_provider):
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    settings.OIDC_ISSUER = oidc_provider.issuer.replace("127.0.0.1", "localhost")

    with pytest.raises(ProviderUnavailable, match="names issuer"):
        provider_endpoints()


def test_discovery_of_an_unreachable_provider_raises_a_clear_error(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"

    with pytest.raises(ProviderUnavailable, match=r"discovery at http://127.0.0.1:9/\.well-known"):
        provider_endpoints()
