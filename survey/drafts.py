"""A respondent's draft, kept apart: the profile and answers saved between pages live in their
own table under an opaque handle, encrypted, with no column that ties them to the invitation
or its email address. Pure (no Django): the server's secret comes in as bytes.

The handle is HMAC-SHA256 of the invitation's id under the server's draft secret; the key is
HKDF-SHA256 (RFC 5869) of that secret for the handle; the draft is encrypted and
authenticated with Fernet (AES-128-CBC with HMAC-SHA256). All three come from the
``cryptography`` package. Without the secret, which is derived from ``SECRET_KEY`` and never
stored in the database, nobody holding the database (a dump, a backup, its administrator)
can read a draft or tell whose it is; the application, which holds the secret, finds the
draft of the link being answered. Handles depend on the invitation, not on its link, so a
reminder's fresh link resumes the same draft.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_INFO = b"friction survey drafts v1"


def draft_secret(secret_key: str) -> bytes:
    """The draft secret (32 bytes) derived from Django's ``SECRET_KEY`` (HKDF-SHA256, its own
    ``info``, so it reveals nothing of ``SECRET_KEY`` and is used for nothing else)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SECRET_INFO).derive(
        secret_key.encode("utf-8")
    )


def draft_handle(invitation_id: int, *, secret: bytes) -> str:
    """The opaque handle (64 hex characters) of an invitation's draft."""
    message = f"draft:{int(invitation_id)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _fernet(handle: str, secret: bytes) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"draft key:" + handle.encode()
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def draft_seal(draft: dict[str, Any], *, handle: str, secret: bytes) -> str:
    """``draft`` (JSON-serialisable) encrypted for ``handle``. Raises TypeError for a value
    JSON cannot hold."""
    data = json.dumps(draft, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _fernet(handle, secret).encrypt(data).decode("ascii")


def draft_open(sealed: str, *, handle: str, secret: bytes) -> dict[str, Any]:
    """The draft ``sealed`` holds: a new dict; ``{}`` when empty, or when it was sealed for
    another handle or secret or was tampered with (it then reads as never started instead of
    failing the respondent's page)."""
    if not sealed:
        return {}
    try:
        data = _fernet(handle, secret).decrypt(sealed.encode("ascii"))
    except (InvalidToken, ValueError):
        return {}
    value = json.loads(data)
    return value if isinstance(value, dict) else {}
