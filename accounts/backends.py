"""The single sign-on authentication backend: mozilla-django-oidc's, matching accounts by the
provider's ``sub`` (never by email, which an organisation may give to someone else) and
syncing their groups at every sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.oidc import granted_groups, provider_endpoints, provider_groups, username_for
from accounts.services import oidc_user_sync

# Why a sign-in was refused, left on the request for the callback view's page (Django's
# authenticate() turns PermissionDenied into None and a user_login_failed signal).
REFUSAL_ATTRIBUTE = "sso_refusal"
NO_GROUPS = "no_groups"


class OIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect sign-in (authorization code with PKCE) against ``settings.OIDC_ISSUER``.

    The provider's endpoints come from discovery when a sign-in needs them, not when the
    backend is built: Django builds one for every request of a signed-in user. Claims are the
    ID token's, overridden by the userinfo endpoint's (some providers put groups in only one
    of them). A token without the groups claim (``settings.OIDC_GROUPS_CLAIM``) is refused
    before any account is created. Raises ``accounts.oidc.ProviderUnavailable`` and
    ``requests.RequestException`` when the provider cannot be used.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view passes a nonce: a password log-in is none of our business.
        if request is None or "nonce" not in kwargs:
            return None
        endpoints = provider_endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = endpoints.issuer
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature and the nonce; OpenID Connect Core 3.1.3.7 also
        wants the issuer and the audience checked."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != self.issuer or self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued by another issuer or client.")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: otherwise the answer is not about this user.
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        return {**payload, **userinfo}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if provider_groups(claims, settings.OIDC_GROUPS_CLAIM) is None:
            setattr(self.request, REFUSAL_ATTRIBUTE, NO_GROUPS)
            raise PermissionDenied("The provider's token has no groups claim.")
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(username=username_for(claims["sub"]))

    def create_user(self, claims: dict[str, Any]) -> User:
        return self._sync(claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return self._sync(claims)

    def _sync(self, claims: dict[str, Any]) -> User:
        groups = provider_groups(claims, settings.OIDC_GROUPS_CLAIM) or []
        return oidc_user_sync(
            username=username_for(claims["sub"]),
            email=str(claims.get("email") or ""),
            name=str(claims.get("name") or ""),
            groups=granted_groups(groups, staff_group=settings.OIDC_STAFF_GROUP),
        )
