"""Who is calling: a partner's API key, sent as ``Authorization: Api-Key <key>`` and never
accepted in the URL (a key in a query string ends up in logs, proxies and browser history;
CryptoPanic still takes its token that way)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework_api_key.permissions import KeyParser

from .models import Partner, PartnerAPIKey

# Query parameters that look like a key: refused outright, so the mistake is seen at once.
KEY_PARAMETERS = frozenset(
    {"api_key", "apikey", "key", "token", "auth_token", "access_token"}
)
# last_used_at is written at most this often per key (not one write per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PartnerPrincipal:
    """``request.user`` for a partner's request: authenticated, and not a person."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, partner: Partner) -> None:
        self.partner = partner

    def __str__(self) -> str:
        return f"partner {self.partner.name}"

    def has_perm(self, *_: Any) -> bool:
        return False


class PartnerKeyAuthentication(BaseAuthentication):
    keyword = "Api-Key"
    parser = KeyParser()

    def authenticate(
        self, request: Request
    ) -> tuple[PartnerPrincipal, PartnerAPIKey] | None:
        sent_in_url = KEY_PARAMETERS & {name.lower() for name in request.query_params}
        if sent_in_url:
            raise exceptions.AuthenticationFailed(
                "API keys are never accepted in the URL: send the key in the "
                "Authorization header (Authorization: Api-Key <key>), and revoke this one "
                "if the URL was shared or logged."
            )
        key = self.parser.get(request._request)
        if key is None:
            sent = request._request.headers.get("Authorization", "").strip()
            if sent:  # a key sent another way: Bearer, Token, or the bare key
                raise exceptions.AuthenticationFailed(
                    "Send the key as Authorization: Api-Key <key> (the word Api-Key, a "
                    "space, then the key)."
                )
            return None  # → 401 with WWW-Authenticate: Api-Key
        prefix, dot, _secret = key.strip().partition(".")
        found = (
            PartnerAPIKey.objects.select_related("partner")
            .filter(prefix=prefix)
            .first()
            if dot and prefix
            else None
        )
        if found is None or not found.is_valid(key.strip()):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if found.revoked:
            raise exceptions.AuthenticationFailed("This API key was revoked.")
        if found.has_expired:
            assert found.expiry_date is not None  # has_expired says so
            raise exceptions.AuthenticationFailed(
                f"This API key expired on {found.expiry_date:%Y-%m-%d %H:%M} UTC."
            )
        if not found.partner.is_active:
            raise exceptions.PermissionDenied(
                "This partner account is suspended: its keys are refused until it is "
                "active again."
            )
        _touch(found)
        return PartnerPrincipal(found.partner), found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def _touch(key: PartnerAPIKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        PartnerAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
