"""Start-up rules for production: what ``check --deploy`` reports and what a web process
refuses to start without."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_REASON = (
    "SECRET_KEY is not set. With DEBUG off, every host would sign sessions, CSRF tokens and "
    "password-reset links with a key it generated for itself, so users would be logged out "
    "whenever a request reached another host. Set SECRET_KEY in the environment (the same "
    "value on every web host; e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    ") or set DEBUG=1 for development."
)


@register(Tags.security, deploy=True)
def secret_key_from_environment(**kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: the key must come from the environment, not var/."""
    if settings.SECRET_KEY_FROM_ENVIRONMENT:
        return []
    return [Error(MISSING_KEY_REASON, id="newsroom.E001")]


def refuse_to_serve_without_secret_key() -> None:
    """Called by the WSGI and ASGI entry points: a production web process without
    SECRET_KEY stops at start-up with the reason, instead of serving with a host-local key."""
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(MISSING_KEY_REASON)
