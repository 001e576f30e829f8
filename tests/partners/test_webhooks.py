"""Webhooks: a partner's endpoint is told about every publication, correction and take-down,
signed so it can check the sender, retried with backoff while it fails, and disabled (its
contact told) when it keeps failing. The receiving end is a real local HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django import Settings

from articles.models import Article
from editorial import services
from partners import changes, webhooks
from partners.admin import EndpointForm
from partners.models import StoryChange, WebhookDelivery, WebhookEndpoint
from tests.editorial.factories import chief, story
from tests.partners.factories import api, partner
from tests.partners.receiver import Receiver

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def receiver(settings: Settings) -> Iterator[Receiver]:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    with Receiver().running() as running:
        yield running


def endpoint(url: str, **fields: object) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(partner=partner(), url=url, **fields)


def publish(
    django_capture_on_commit_callbacks, title: str = "Helios buys Lumen"
) -> Article:
    with django_capture_on_commit_callbacks(execute=True):
        article = story(S.APPROVED, title=title)
        return services.article_publish(article=article, editor=chief(f"c{article.pk}"))


def test_a_publication_is_posted_signed_with_its_event_id(
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    hook = endpoint(receiver.url)
    article = publish(django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    sent = receiver.received[0]
    body = json.loads(sent.body)
    assert body["event"] == "story.published"
    assert (
        body["story"]["id"] == article.pk
        and body["story"]["title"] == "Helios buys Lumen"
    )
    assert sent.headers["X-Newsroom-Event-Id"] == body["event_id"]
    # The README's recipe: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.
    assert webhooks.verify(
        hook.secret,
        signature=sent.headers["X-Newsroom-Signature"],
        timestamp=sent.headers["X-Newsroom-Timestamp"],
        body=sent.body,
    )
    assert not webhooks.verify(
        "whsec_someone-else",
        signature=sent.headers["X-Newsroom-Signature"],
        timestamp=sent.headers["X-Newsroom-Timestamp"],
        body=sent.body,
    )
    assert not webhooks.verify(
        hook.secret,
        signature=sent.headers["X-Newsroom-Signature"],
        timestamp=sent.headers["X-Newsroom-Timestamp"],
        body=sent.body + b" ",
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "delivered",
        1,
        200,
    )


def test_the_signature_recipe_in_the_readme_verifies_a_delivery(
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    """The verification code partners copy from the README, run on a real delivery."""
    import hashlib
    import hmac
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    recipe = re.search(r"```python\n(# Verify a Newsroom webhook.*?)```", readme, re.S)
    assert recipe, "the README's webhook recipe"
    namespace: dict[str, object] = {"hashlib": hashlib, "hmac": hmac}
    exec(recipe.group(1), namespace)  # noqa: S102 — our own README's code
    hook = endpoint(receiver.url)
    publish(django_capture_on_commit_callbacks)
    sent = receiver.received[0]
    assert namespace["verify"](hook.secret, sent.headers, sent.body)  # type: ignore[operator]
    assert not namespace["verify"](hook.secret, sent.headers, sent.body + b"x")  # type: ignore[operator]


def test_a_correction_and_a_takedown_are_events_too(
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    endpoint(receiver.url)
    article = publish(django_capture_on_commit_callbacks)
    boss = chief("boss")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_edit(
            article=article.pk,
            editor=boss,
            version=article.version,
            changes={"summary": "Corrected."},
            correction="Fixed the price.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(
            article=article.pk, editor=boss, reason="a test takedown"
        )
    events = [json.loads(r.body) for r in receiver.received]
    assert [e["event"] for e in events] == [
        "story.published",
        "story.updated",
        "story.unpublished",
    ]
    assert events[1]["story"]["summary"] == "Corrected."
    # The same tombstone as the feed's, word for word (times written alike).
    feed = api().get("/api/v1/stories/").json()["results"]
    assert events[2]["story"] == next(t for t in feed if t["id"] == article.pk)
    assert set(events[2]["story"]) == {"id", "unpublished_at", "updated_at"}
    assert events[0]["created_at"].endswith("Z") and "." in events[0]["created_at"]
    assert len({e["event_id"] for e in events}) == 3


def test_an_endpoint_hears_only_the_events_it_chose(
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    endpoint(receiver.url, events=["story.unpublished"])
    article = publish(django_capture_on_commit_callbacks)
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(
            article=article.pk, editor=chief("b"), reason="a test takedown"
        )
    assert [json.loads(r.body)["event"] for r in receiver.received] == [
        "story.unpublished"
    ]


def test_a_failing_endpoint_is_retried_with_growing_waits_then_delivered(
    receiver: Receiver,
    settings: Settings,
    django_capture_on_commit_callbacks,
) -> None:
    settings.PARTNER_WEBHOOK_BACKOFF = 30
    receiver.answers = [500, 503]
    endpoint(receiver.url)
    publish(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "pending",
        1,
        500,
    )
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=14) < first_wait <= timedelta(seconds=30)
    assert webhooks.deliver_due() == 0  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.deliver_due()
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - timezone.now()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert timedelta(seconds=29) < second_wait <= timedelta(seconds=60)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    # The same event each time: a receiver can drop a repeat by its id.
    assert len({r.headers["X-Newsroom-Event-Id"] for r in receiver.received}) == 1


def test_backoff_grows_to_its_cap_with_jitter(settings: Settings) -> None:
    settings.PARTNER_WEBHOOK_BACKOFF, settings.PARTNER_WEBHOOK_BACKOFF_CAP = 30, 3600
    waits = [webhooks.backoff(n).total_seconds() for n in range(1, 12)]
    assert 15 <= waits[0] <= 30 and 30 <= waits[1] <= 60
    assert all(1800 <= w <= 3600 for w in waits[-3:])
    assert len({round(w, 3) for w in waits}) > 5  # jittered, not a fixed schedule


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_contact_told(
    receiver: Receiver,
    settings: Settings,
    django_capture_on_commit_callbacks,
) -> None:
    settings.PARTNER_WEBHOOK_MAX_ATTEMPTS = 2
    settings.PARTNER_WEBHOOK_DISABLE_AFTER = 2
    receiver.answers = [500] * 10
    hook = endpoint(receiver.url)
    for n in range(2):
        publish(django_capture_on_commit_callbacks, title=f"Story {n}")
        WebhookDelivery.objects.filter(status="pending").update(
            next_attempt_at=timezone.now()
        )
        webhooks.deliver_due()
    hook.refresh_from_db()
    assert not hook.is_active and hook.disabled_at is not None
    assert "2 deliveries in a row failed" in hook.disabled_reason
    assert (
        list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"] * 2
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [hook.partner.contact_email]
    assert hook.url in mail.outbox[0].subject and "updated_since" in mail.outbox[0].body
    # Nothing more is sent to it.
    sent = len(receiver.received)
    publish(django_capture_on_commit_callbacks, title="After")
    assert len(receiver.received) == sent


def test_a_webhook_url_must_pass_the_address_policy(settings: Settings) -> None:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = False
    who = partner()
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
        "ftp://hooks.example/x",
    ]:
        form = EndpointForm(
            {
                "partner": who.pk,
                "url": url,
                "events": "[]",
                "secret": "s",
                "is_active": True,
            }
        )
        assert not form.is_valid(), url
        assert "url" in form.errors, url


def test_delivery_time_rechecks_the_address_policy(
    settings: Settings,
    django_capture_on_commit_callbacks,
) -> None:
    """DNS can change after the endpoint was saved: a delivery to a private address is
    refused at send time too (and retried, then given up, like any failure)."""
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = False
    endpoint("http://127.0.0.1:9/hook")
    publish(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and "private, loopback" in delivery.last_error


def test_an_announcement_lost_with_its_message_is_made_by_the_sweep(
    receiver: Receiver,
) -> None:
    endpoint(receiver.url)
    article = story(S.APPROVED)
    services.article_publish(
        article=article, editor=chief()
    )  # its on_commit never runs
    assert StoryChange.objects.get(article_id=article.pk).pending
    assert changes.announce_pending(older_than=timedelta(0)) == 1
    assert changes.announce_pending(older_than=timedelta(0)) == 0  # announced once
    webhooks.deliver_due()
    assert [json.loads(r.body)["event"] for r in receiver.received] == [
        "story.published"
    ]
    assert changes.announce(article.pk) is None  # idempotent


def test_a_delivery_is_attempted_once_when_two_workers_and_the_sweep_race_for_it(
    receiver: Receiver,
) -> None:
    """A retry message redelivered early, a second worker and the sweep may all ask for
    the same delivery at once: only the one that claims it posts; the others find it
    taken (the claim is a compare-and-set, and the lease keeps it until recorded)."""
    hook = endpoint(receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=hook, event="story.published", article_id=1, payload={"x": 1}
    )
    assert webhooks._claim(delivery.pk) is not None  # worker A holds it
    assert webhooks.deliver(delivery.pk) is None  # worker B
    assert webhooks.deliver_due() == 0  # the sweep
    assert not receiver.received
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == "pending"
