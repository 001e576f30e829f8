"""Webhooks: each story event POSTed to the partners' endpoints, signed, retried with
exponential backoff and jitter, logged, and an endpoint that keeps failing disabled (its
partner's contact is told).

The signature is HMAC-SHA256 over ``"<timestamp>.<body>"`` with the endpoint's secret, sent
as ``X-Newsroom-Signature: sha256=<hex>`` beside ``X-Newsroom-Timestamp`` (Unix seconds);
the receiver recomputes it and refuses old timestamps (README, "Verify a webhook"). Every
delivery carries the event id, the same for every endpoint told about one event, so a
receiver that sees an event twice (a retry after a lost answer) can drop the second.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx2
from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from articles.models import Article
from sources.fetching import FetchError, check_url
from sources.guard import guarded_client

from .models import Partner, StoryChange, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# The event a partner sends itself to test its endpoint (``POST /webhooks/<id>/ping/``).
PING = "ping"
# How much of an endpoint's answer is read (only its status matters).
ANSWER_BYTES = 4096
# A claimed delivery is someone's for this long (then the sweep may try it again).
LEASE = timedelta(seconds=60)


# --------------------------------------------------------------------------------------------
# Signing (the recipe the README gives partners)
# --------------------------------------------------------------------------------------------
def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` with the endpoint's secret."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str, *, signature: str, timestamp: str, body: bytes, tolerance: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


# Endpoints one partner may register.
MAX_ENDPOINTS = 10
# What turning an endpoint (back) on sets: its failures, and why it was disabled, forgotten.
ENABLED = {
    "is_active": True,
    "consecutive_failures": 0,
    "disabled_at": None,
    "disabled_reason": "",
}


class TooManyEndpoints(Exception):
    pass


def make_room(partner: Partner) -> None:
    """Inside the caller's transaction, before it adds an endpoint: refuse a partner that
    has MAX_ENDPOINTS already. Counted under the partner's row lock, so two requests at
    once cannot both pass."""
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    if WebhookEndpoint.objects.filter(partner=partner).count() >= MAX_ENDPOINTS:
        raise TooManyEndpoints(
            f"You have {MAX_ENDPOINTS} endpoints, the most a partner may have: delete one "
            "first."
        )


def enable(endpoints: QuerySet[WebhookEndpoint]) -> int:
    """Turn endpoints (back) on, as the partner or our staff ask."""
    return endpoints.update(**ENABLED)


def url_problem(url: str) -> str:
    """Why ``url`` cannot be a webhook endpoint (the feeds' address policy, with
    PARTNER_WEBHOOK_ALLOW_PRIVATE), or "" when it can. Asked by the admin's form and the
    API's serializer; each delivery checks again where it connects."""
    try:
        check_url(
            url, allow_private=settings.PARTNER_WEBHOOK_ALLOW_PRIVATE, what="webhook"
        )
    except FetchError as exc:
        return str(exc)
    return ""


# --------------------------------------------------------------------------------------------
# Queueing an event
# --------------------------------------------------------------------------------------------
def payload(
    event: str, *, event_id: uuid.UUID, change: StoryChange, story: Article | None
) -> dict[str, Any]:
    from .serializers import StorySerializer, TombstoneSerializer

    body: dict[str, Any] = {
        "event": event,
        "event_id": str(event_id),
        "created_at": _now(),
    }
    if story is not None:
        body["story"] = StorySerializer(
            story, context={"change": change, "base_url": settings.SITE_URL}
        ).data
    else:
        # The feed's tombstone, word for word.
        change.unpublished_at = change.unpublished_at or change.changed_at
        body["story"] = TombstoneSerializer(change).data
    return _as_sent(body)


def _now() -> str:
    """Now, written as the API writes times."""
    return serializers.DateTimeField().to_representation(timezone.now())


def _as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as the JSON it will be sent as (stored so; times as the API writes them)."""
    return json.loads(JSONRenderer().render(body))


def queue_event(event: str, *, change: StoryChange, story: Article | None) -> int:
    """One delivery per active endpoint that wants ``event``; sent once this commits."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True, partner__is_active=True)
        if e.wants(event)
    ]
    if not endpoints:
        return 0
    event_id = uuid.uuid4()
    body = payload(event, event_id=event_id, change=change, story=story)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            event=event,
            article_id=change.article_id,
            payload=body,
        )
        for endpoint in endpoints
    )
    ids = [d.pk for d in deliveries]

    # A function, not a functools.partial: Django's robust on_commit logs a failure by the
    # callback's __qualname__, which a partial lacks.
    def send() -> None:
        send_soon(ids)

    transaction.on_commit(send, robust=True)
    return len(ids)


# --------------------------------------------------------------------------------------------
# Delivering
# --------------------------------------------------------------------------------------------
def backoff(attempt: int) -> timedelta:
    """Wait before attempt ``attempt + 1``: exponential from PARTNER_WEBHOOK_BACKOFF, capped
    at PARTNER_WEBHOOK_BACKOFF_CAP, with "full jitter" in its upper half (so receivers
    coming back from an outage are not hit by every retry at once)."""
    base = settings.PARTNER_WEBHOOK_BACKOFF * 2 ** (attempt - 1)
    ceiling = min(settings.PARTNER_WEBHOOK_BACKOFF_CAP, base)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt (compare-and-set: a second worker or the sweep
    finds it taken)."""
    now = timezone.now()
    # The attempt is counted as it is claimed: one that dies half-way (a killed worker, a
    # time limit) still counts, so a hostile endpoint cannot be retried for ever.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint__partner").get(
        pk=delivery_id
    )


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a due delivery and record it; returns the delivery, or None
    when it was not due (delivered, given up, or someone else's attempt)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not (endpoint.is_active and endpoint.partner.is_active):
        _give_up(delivery, "the endpoint (or its partner) is no longer active")
        return delivery
    try:
        status, error = _attempt(endpoint, delivery)
    except Exception as exc:  # a time limit, a bug: recorded as a failed attempt
        logger.exception("webhook %s: attempt failed", delivery.event_id)
        status, error = None, f"internal error while sending ({type(exc).__name__})"
    _record(delivery, status=status, error=error)
    return delivery


def _attempt(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> tuple[int | None, str]:
    """POST the delivery once, signed: (the status code, or None; what went wrong, or "")."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",  # nothing to decompress: the body is not read
        "User-Agent": "Newsroom-Webhooks/1",
        "X-Newsroom-Event": delivery.event,
        "X-Newsroom-Event-Id": str(delivery.event_id),
        "X-Newsroom-Timestamp": str(timestamp),
        "X-Newsroom-Signature": sign(endpoint.secret, timestamp, body),
    }
    status, error = None, ""
    seconds = settings.PARTNER_WEBHOOK_TIMEOUT
    try:
        check_url(  # the scheme and host; the addresses are checked again as we connect
            endpoint.url,
            allow_private=settings.PARTNER_WEBHOOK_ALLOW_PRIVATE,
            what="webhook",
        )
        with (
            guarded_client(
                seconds=seconds, allow_private=settings.PARTNER_WEBHOOK_ALLOW_PRIVATE
            ) as client,
            client.stream(
                "POST", endpoint.url, content=body, headers=headers
            ) as answer,
        ):
            status = answer.status_code
            # Only the status matters: read a little of the body, undecoded, and stop.
            for chunk in answer.iter_raw(chunk_size=ANSWER_BYTES):
                if len(chunk) >= ANSWER_BYTES:
                    break
        if not 200 <= status < 300:
            error = f"the endpoint answered {status}"
    except FetchError as exc:
        error = str(exc)
    except httpx2.TimeoutException:
        error = f"no complete answer within {seconds:g} s"
    except httpx2.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
    return status, error


def ping(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a signed ``ping`` event to ``endpoint`` now, once, and log it: how a partner
    checks its receiver and its signature code. A failed ping is not retried and does not
    count towards disabling the endpoint; it takes PARTNER_WEBHOOK_TIMEOUT at most."""
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event=PING,
        article_id=0,
        payload=_as_sent(
            {
                "event": PING,
                "event_id": str(event_id),
                "created_at": _now(),
                "story": None,
            }
        ),
        attempts=1,
        # Logged as failed until it is known: an interrupted ping is never picked up as due.
        status=WebhookDelivery.Status.FAILED,
        last_error="interrupted before the endpoint answered",
    )
    try:
        status, error = _attempt(endpoint, delivery)
    except Exception as exc:
        logger.exception("webhook ping %s failed", event_id)
        status, error = None, f"internal error while sending ({type(exc).__name__})"
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    delivery.status = (
        WebhookDelivery.Status.FAILED if error else WebhookDelivery.Status.DELIVERED
    )
    delivery.delivered_at = None if error else timezone.now()
    delivery.save()
    return delivery


def _record(delivery: WebhookDelivery, *, status: int | None, error: str) -> None:
    now = timezone.now()
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    endpoint = delivery.endpoint
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.save()
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return
    if delivery.attempts >= settings.PARTNER_WEBHOOK_MAX_ATTEMPTS:
        _give_up(delivery, error)
        return
    wait = backoff(delivery.attempts)
    delivery.next_attempt_at = now + wait
    delivery.save()
    logger.info(
        "webhook %s to %s failed (%s); attempt %d in %.0f s",
        delivery.event_id,
        endpoint.url,
        error,
        delivery.attempts + 1,
        wait.total_seconds(),
    )
    # Without a broker, or for a wait the broker would not keep (a message waiting longer
    # than its visibility timeout is delivered twice), partners.sweep retries it when due.
    if not _eager() and wait.total_seconds() < settings.CELERY_VISIBILITY_TIMEOUT / 2:
        from .tasks import deliver_webhook

        deliver_webhook.apply_async((delivery.pk,), countdown=wait.total_seconds())


def _give_up(delivery: WebhookDelivery, error: str) -> None:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.last_error = error[:500]
    delivery.save()
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.consecutive_failures >= settings.PARTNER_WEBHOOK_DISABLE_AFTER:
        disable(
            endpoint,
            reason=f"{endpoint.consecutive_failures} deliveries in a row failed; the last: {error}",
        )


def disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """Stop sending to an endpoint that keeps failing, drop what was waiting for it, and
    tell the partner's contact."""
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason[:500]
    )
    if not updated:
        return
    endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="the endpoint was disabled"
    )
    partner = endpoint.partner
    logger.warning(
        "webhook endpoint %s of %s disabled: %s", endpoint.url, partner, reason
    )
    last = (
        endpoint.deliveries.filter(status=WebhookDelivery.Status.DELIVERED)
        .exclude(event=PING)
        .order_by("-delivered_at")
        .values_list("delivered_at", flat=True)
        .first()
    )
    since = (
        f"set to {last:%Y-%m-%dT%H:%M:%SZ} (the last event it accepted)"
        if last
        else "set to when you registered it"
    )
    api = settings.SITE_URL.rstrip("/") + "/api/v1"
    send_mail(
        subject=f"Newsroom: your webhook endpoint {endpoint.url} was disabled",
        message=(
            f"Hello {partner.name},\n\n"
            f"We stopped sending story events to {endpoint.url} (endpoint "
            f"{endpoint.pk}): {reason}.\n\n"
            f"Nothing is lost: pull what you missed from {api}/stories/ with updated_since "
            f"{since}. Once the endpoint answers again, turn it back on with\n\n"
            f'    PATCH {api}/webhooks/{endpoint.pk}/  {{"is_active": true}}\n\n'
            "(or ask us to).\n"
        ),
        from_email=None,
        recipient_list=[partner.contact_email],
        fail_silently=True,
    )


def deliver_due(*, limit: int = 200, budget: float = 40.0) -> int:
    """The sweep: attempt every delivery that is due (retries whose message was lost, and
    every retry without a broker), within ``budget`` seconds so the sweep's other work and
    its next run are not held up by slow endpoints."""
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .exclude(event=PING)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    started = time.monotonic()
    done = 0
    for pk in ids:
        if time.monotonic() - started > budget:
            break
        deliver(pk)
        done += 1
    return done


def _eager() -> bool:
    """Tasks run in-process (no broker): Celery's own setting, which the app reads from
    CELERY_TASK_ALWAYS_EAGER (and tests may set on the app)."""
    return bool(current_app.conf.task_always_eager)


def send_soon(ids: list[int]) -> None:
    """Deliver these now, away from the caller: a Celery task each with a broker; without
    one (eager tasks, the embedded setup) in a background thread, so a slow endpoint never
    holds the editor's request that published the story."""
    from .tasks import deliver_webhook

    if not _eager():
        for pk in ids:
            deliver_webhook.delay(pk)
        return
    if not settings.PARTNER_WEBHOOKS_IN_BACKGROUND:
        for pk in ids:
            deliver(pk)
        return

    def run() -> None:
        try:
            for pk in ids:
                try:
                    deliver(pk)
                except Exception:  # the sweep tries again (the delivery is still due)
                    logger.exception("webhook delivery %s failed in the background", pk)
        finally:
            connections.close_all()

    threading.Thread(target=run, name="webhooks", daemon=True).start()
