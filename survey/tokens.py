"""Invitation tokens: creation, hashing and lookup by hash (only hashes are ever stored)."""

from __future__ import annotations

import hashlib
import re
import secrets

from survey.models import Invitation

# 32 random bytes = 256 bits of entropy, 43 url-safe base64 characters.
TOKEN_BYTES = 32
# Accept any plausible url-safe token; anything else is malformed and never reaches the DB.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def token_create() -> str:
    """Return a new url-safe token carrying 256 random bits (from `secrets`)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest (64 lowercase hex characters) of ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_is_well_formed(token: str) -> bool:
    """Return True when ``token`` has the shape of a token we could have issued."""
    return bool(TOKEN_RE.fullmatch(token))


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """Return the invitation whose hash matches ``token`` (round and instrument joined),
    or None for a malformed or unknown token. One query; never raises for bad input."""
    if not isinstance(token, str) or not token_is_well_formed(token):
        return None
    return (
        Invitation.objects.select_related("round__instrument")
        .filter(token_hash=token_hash(token))
        .first()
    )
