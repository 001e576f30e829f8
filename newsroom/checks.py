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


WEAK_KEY_REASON = (
    "SECRET_KEY is too weak: use at least 40 random characters, not the README's "
    "placeholder (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
)
MIN_KEY_LENGTH = 40


_PLACEHOLDER_WORDS = (
    "change",
    "insecure",
    "secret",
    "example",
    "placeholder",
    "password",
)


def _weak(value: str) -> bool:
    """Short, made of few characters ("0123456789" four times), or a placeholder ("change-me",
    "django-insecure-..."): what a random 50-character token never is."""
    folded = value.casefold()
    return (
        len(value) < MIN_KEY_LENGTH
        or len(set(value)) < 20
        or any(word in folded for word in _PLACEHOLDER_WORDS)
    )


@register(Tags.security, deploy=True)
def secret_key_from_environment(**kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: the key comes from the environment, and is not a placeholder;
    nor is the metrics token."""
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        return [Error(MISSING_KEY_REASON, id="newsroom.E001")]
    problems: list[CheckMessage] = []
    if _weak(settings.SECRET_KEY):
        problems.append(Error(WEAK_KEY_REASON, id="newsroom.E002"))
    if settings.METRICS_TOKEN and _weak(settings.METRICS_TOKEN):
        problems.append(
            Error(
                "METRICS_TOKEN is too weak: use at least 40 random characters.",
                id="newsroom.E003",
            )
        )
    return problems


def refuse_to_serve_without_secret_key() -> None:
    """Called by the WSGI and ASGI entry points: a production web process without a real
    SECRET_KEY stops at start-up with the reason, instead of serving with a host-local key
    or one anybody can read in the README."""
    if settings.DEBUG:
        return
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(MISSING_KEY_REASON)
    if _weak(settings.SECRET_KEY):
        raise ImproperlyConfigured(WEAK_KEY_REASON)
    if settings.METRICS_TOKEN and _weak(settings.METRICS_TOKEN):
        raise ImproperlyConfigured(
            "METRICS_TOKEN is too weak: use at least 40 random characters."
        )


@register()
def fetch_lease_outlasts_the_fetch(**kwargs: Any) -> list[CheckMessage]:
    """A lease shorter than the fetch task's hard time limit runs out while the fetch is
    still going: the next tick records it as lost and starts a second fetch of the source."""
    from sources.tasks import fetch_source

    limit = fetch_source.time_limit or settings.CELERY_TASK_TIME_LIMIT
    if limit >= settings.FEED_LEASE_SECONDS:
        return [
            Error(
                f"FEED_LEASE_SECONDS ({settings.FEED_LEASE_SECONDS}) must be longer than the "
                f"fetch task's hard time limit ({limit} s): a fetch still running would be "
                "recorded as lost and fetched a second time at once.",
                id="newsroom.E004",
            )
        ]
    return []
