"""Tests of invitation tokens: entropy, url-safety, hashing and lookup by hash."""

from __future__ import annotations

import hashlib
import re

import pytest

from survey.models import Invitation
from survey.tokens import (
    TOKEN_BYTES,
    invitation_get_by_token,
    token_create,
    token_hash,
    token_is_well_formed,
)
from tests.factories import InvitationFactory


def test_token_create_is_url_safe_and_carries_at_least_128_bits():
    token = token_create()
    assert TOKEN_BYTES * 8 >= 128
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    # base64 carries 6 bits per character
    assert len(token) * 6 >= 128
    assert token_is_well_formed(token)


def test_token_create_never_repeats():
    tokens = {token_create() for _ in range(2000)}
    assert len(tokens) == 2000


def test_token_hash_is_sha256_hex():
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(token_create()))


@pytest.mark.django_db
def test_invitation_get_by_token_finds_the_invitation_by_hash():
    token = token_create()
    invitation = InvitationFactory(token_hash=token_hash(token))
    found = invitation_get_by_token(token=token)
    assert found == invitation
    assert found.round.instrument.pk == invitation.round.instrument_id


@pytest.mark.django_db
def test_invitation_get_by_token_unknown_token_is_none():
    InvitationFactory()
    assert invitation_get_by_token(token=token_create()) is None


@pytest.mark.django_db
def test_invitation_get_by_token_joins_round_and_instrument_in_one_query(
    django_assert_num_queries,
):
    token = token_create()
    InvitationFactory(token_hash=token_hash(token))
    with django_assert_num_queries(1):
        found = invitation_get_by_token(token=token)
        assert found.round.instrument.scale_points == 5


@pytest.mark.parametrize(
    "token", ["", "short", "has space in it....", "../../etc/passwd", "x" * 129, "é" * 43]
)
@pytest.mark.django_db
def test_invitation_get_by_token_malformed_token_is_none_without_a_query(
    token, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert invitation_get_by_token(token=token) is None


@pytest.mark.django_db
def test_the_plain_token_is_never_stored(token_and_invitation):
    token, invitation = token_and_invitation
    assert invitation.token_hash == token_hash(token)
    assert not Invitation.objects.filter(token_hash=token).exists()
    stored = [str(v) for v in Invitation.objects.values_list(flat=False).get(pk=invitation.pk)]
    assert all(token not in value for value in stored)
