"""Partners manage their own webhook endpoints through the API: register one (its secret
shown once), test it with a signed ping, read its delivery log, pause and re-enable it,
delete it — and never see or touch another partner's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from partners import webhooks
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.webhooks import MAX_ENDPOINTS
from tests.partners.factories import api, key_for, partner, published
from tests.partners.receiver import Receiver

pytestmark = pytest.mark.django_db
HOOKS = "/api/v1/webhooks/"


@pytest.fixture
def receiver(settings: Settings) -> Iterator[Receiver]:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    with Receiver().running() as running:
        yield running


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(
        path,
        data=json.dumps(data) if data is not None else "",
        content_type="application/json",
    )


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(path, data=json.dumps(data), content_type="application/json")


def test_a_partner_registers_an_endpoint_and_sees_its_secret_once(
    receiver: Receiver,
) -> None:
    client = api()
    created = post(client, HOOKS, {"url": receiver.url, "events": ["story.published"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert body["url"] == receiver.url and body["events"] == ["story.published"]
    assert body["is_active"] is True
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.secret == body["secret"]

    listed = client.get(HOOKS).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"{HOOKS}{body['id']}/").json()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:9/hook", "refused to connect to 127.0.0.1"),
        ("http://10.1.2.3/hook", "private"),
        ("http://[::1]/hook", "loopback"),
        ("ftp://partner.example/hook", "only http and https"),
        ("not a url", "Enter a valid URL"),
    ],
)
def test_an_endpoint_must_be_a_public_http_address(url: str, says: str) -> None:
    answer = post(api(), HOOKS, {"url": url})
    assert answer.status_code == 400
    assert says in " ".join(answer.json()["url"])
    assert not WebhookEndpoint.objects.exists()


def test_unknown_events_and_fields_of_the_wrong_type_are_refused() -> None:
    client = api()
    answer = post(client, HOOKS, {"url": "https://93.184.215.14/h", "events": ["x"]})
    assert answer.status_code == 400
    assert "events" in answer.json()
    answer = post(client, HOOKS, {"url": "https://93.184.215.14/h", "events": "all"})
    assert answer.status_code == 400
    broken = client.post(HOOKS, data="{", content_type="application/json")
    assert broken.status_code == 400
    form = client.post(HOOKS, data={"url": "https://93.184.215.14/h"})
    assert form.status_code == 415
    assert not WebhookEndpoint.objects.exists()


def test_a_partner_never_sees_or_touches_another_partners_endpoints(
    receiver: Receiver,
) -> None:
    theirs = WebhookEndpoint.objects.create(partner=partner("Rival"), url=receiver.url)
    client = api()
    assert client.get(HOOKS).json() == []
    path = f"{HOOKS}{theirs.pk}/"
    assert client.get(path).status_code == 404
    assert patch(client, path, {"is_active": False}).status_code == 404
    assert client.delete(path).status_code == 404
    assert post(client, f"{path}ping/").status_code == 404
    assert client.get(f"{path}deliveries/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and not receiver.received


def test_a_ping_reaches_the_endpoint_signed_and_says_how_it_went(
    receiver: Receiver,
) -> None:
    client = api()
    secret = post(client, HOOKS, {"url": receiver.url}).json()["secret"]
    hook = WebhookEndpoint.objects.get()
    answer = post(client, f"{HOOKS}{hook.pk}/ping/")
    assert answer.status_code == 200
    result = answer.json()
    assert (result["event"], result["status"], result["last_status_code"]) == (
        "ping",
        "delivered",
        200,
    )
    sent = receiver.received[0]
    assert json.loads(sent.body)["event"] == "ping"
    assert sent.headers["X-Newsroom-Event-Id"] == result["event_id"]
    assert webhooks.verify(
        secret,
        signature=sent.headers["X-Newsroom-Signature"],
        timestamp=sent.headers["X-Newsroom-Timestamp"],
        body=sent.body,
    )
    # A second ping at once is refused with when to try again; nothing is sent.
    again = post(client, f"{HOOKS}{hook.pk}/ping/")
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    assert len(receiver.received) == 1


def test_a_failed_ping_is_reported_and_does_not_count_towards_disabling(
    receiver: Receiver, settings: Settings
) -> None:
    settings.PARTNER_WEBHOOK_DISABLE_AFTER = 1
    client = api()
    post(client, HOOKS, {"url": receiver.url})
    hook = WebhookEndpoint.objects.get()
    receiver.answers = [500]
    result = post(client, f"{HOOKS}{hook.pk}/ping/").json()
    assert (result["status"], result["last_status_code"]) == ("failed", 500)
    assert result["last_error"] == "the endpoint answered 500"
    hook.refresh_from_db()
    assert hook.is_active and hook.consecutive_failures == 0


def test_the_delivery_log_shows_what_was_sent(
    receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    client = api()
    post(client, HOOKS, {"url": receiver.url})
    hook = WebhookEndpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        story = published()
    log = client.get(f"{HOOKS}{hook.pk}/deliveries/").json()
    assert [(d["event"], d["story_id"], d["status"]) for d in log] == [
        ("story.published", story.pk, "delivered")
    ]


def test_pausing_stops_events_and_turning_on_again_forgets_the_failures(
    receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    client = api()
    post(client, HOOKS, {"url": receiver.url})
    hook = WebhookEndpoint.objects.get()
    path = f"{HOOKS}{hook.pk}/"
    assert patch(client, path, {"is_active": False}).json()["is_active"] is False
    with django_capture_on_commit_callbacks(execute=True):
        published("Paused")
    assert not receiver.received

    # Disabled by us after failures: the partner turns it back on themselves.
    webhooks.disable(hook, reason="3 deliveries in a row failed")
    WebhookEndpoint.objects.filter(pk=hook.pk).update(consecutive_failures=3)
    again = patch(client, path, {"is_active": True}).json()
    assert again["is_active"] is True
    assert (again["consecutive_failures"], again["disabled_reason"]) == (0, "")
    with django_capture_on_commit_callbacks(execute=True):
        published("Back on")
    assert [json.loads(r.body)["story"]["title"] for r in receiver.received] == [
        "Back on"
    ]


def test_read_only_fields_cannot_be_written() -> None:
    client = api()
    hook = post(client, HOOKS, {"url": "https://93.184.215.14/h"})
    assert hook.status_code == 201, hook.content
    path = f"{HOOKS}{hook.json()['id']}/"
    answer = patch(client, path, {"consecutive_failures": 99, "secret": "mine"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"consecutive_failures", "secret"}
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.consecutive_failures == 0 and endpoint.secret != "mine"
    assert (
        client.put(path, data="{}", content_type="application/json").status_code == 405
    )


def test_deleting_an_endpoint_stops_its_events(
    receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    client = api()
    post(client, HOOKS, {"url": receiver.url})
    hook = WebhookEndpoint.objects.get()
    assert client.delete(f"{HOOKS}{hook.pk}/").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        published()
    assert not receiver.received and not WebhookDelivery.objects.exists()


def test_a_partner_has_at_most_a_few_endpoints(receiver: Receiver) -> None:
    _, key = key_for(partner("Busy"))
    client = api(key)
    for n in range(MAX_ENDPOINTS):
        assert post(client, HOOKS, {"url": f"{receiver.url}/{n}"}).status_code == 201
    refused = post(client, HOOKS, {"url": f"{receiver.url}/more"})
    assert refused.status_code == 400
    assert "delete one first" in refused.json()["url"][0]
    assert WebhookEndpoint.objects.count() == MAX_ENDPOINTS
