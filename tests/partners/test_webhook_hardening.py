"""Hostile webhook endpoints cannot hold a worker, eat its memory, outlive the retry limit or
slip past the address policy, and a slow endpoint never holds the editor who published.
Each endpoint is a real socket server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.utils import timezone
from pytest_django import Settings

from partners import webhooks
from partners.models import WebhookDelivery, WebhookEndpoint
from sources.fetching import BlockedAddress, check_url
from sources.guard import guarded_client
from tests.partners.factories import api, partner, published
from tests.partners.receiver import Receiver

pytestmark = pytest.mark.django_db


@contextmanager
def hostile(behaviour: str) -> Iterator[str]:
    """A server that reads the request, then: ``drip`` — sends a status line and one
    header byte every 0.2 s, for ever; ``endless`` — a 200 whose body never ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if behaviour == "drip":
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not stop.is_set():
                    conn.sendall(b"a")
                    time.sleep(0.2)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                chunk = b"x" * 65536
                while not stop.is_set():
                    conn.sendall(chunk)
        except OSError:
            pass  # the client gave up: as it should
        finally:
            conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        stop.set()
        server.close()


@pytest.fixture
def private_ok(settings: Settings) -> Settings:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = (
        True  # our hostile servers are on 127.0.0.1
    )
    settings.PARTNER_WEBHOOK_TIMEOUT = 1.5
    return settings


def _delivery(url: str) -> WebhookDelivery:
    hook = WebhookEndpoint.objects.create(partner=partner(), url=url)
    return WebhookDelivery.objects.create(
        endpoint=hook, event="story.published", article_id=1, payload={"x": 1}
    )


def _deliver_to(behaviour: str) -> tuple[WebhookDelivery, float]:
    """One delivery attempt to a hostile endpoint, and the seconds it took."""
    with hostile(behaviour) as url:
        delivery = _delivery(url)
        started = time.monotonic()
        webhooks.deliver(delivery.pk)
        return delivery, time.monotonic() - started


def test_headers_dripped_a_byte_at_a_time_cannot_hold_a_worker(
    private_ok: Settings,
) -> None:
    delivery, took = _deliver_to("drip")
    assert took < 4, f"held for {took:.1f} s"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "no complete answer within 1.5 s"


def test_an_endless_answer_is_not_read_only_its_status_counts(
    private_ok: Settings,
) -> None:
    delivery, took = _deliver_to("endless")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    assert took < 1.5


def test_a_ping_to_a_dripping_endpoint_ends_within_the_timeout(
    private_ok: Settings,
) -> None:
    client = api()
    with hostile("drip") as url:
        created = client.post(
            "/api/v1/webhooks/", {"url": url}, content_type="application/json"
        ).json()
        started = time.monotonic()
        pinged = client.post(
            f"/api/v1/webhooks/{created['id']}/ping/", content_type="application/json"
        )
        answer = pinged.json()
        assert pinged.status_code == 200, answer
        assert time.monotonic() - started < 4
    assert answer["status"] == "failed" and "within 1.5 s" in answer["last_error"]
    # Never picked up again by the sweep.
    assert webhooks.deliver_due() == 0


def test_an_attempt_that_dies_half_way_still_counts_and_is_recorded(
    private_ok: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A time limit or a bug inside the attempt: counted, recorded, retried later —
    never an attempt that did not happen (so the retry limit is reached)."""
    from celery.exceptions import SoftTimeLimitExceeded

    def dies(*_: object) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(webhooks, "_attempt", dies)
    delivery = _delivery("http://127.0.0.1:9/hook")
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == "pending"
    assert "internal error while sending (SoftTimeLimitExceeded)" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


def test_the_address_is_checked_where_the_connection_is_made(
    settings: Settings,
) -> None:
    """A name that resolves to a private address when we connect is refused there, even
    if it passed an earlier check (DNS rebinding)."""
    with Receiver().running() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        with (
            pytest.raises(BlockedAddress, match="private, loopback"),
            guarded_client(seconds=2, allow_private=False) as client,
        ):
            client.post(url, content=b"{}")
        assert not receiver.received
        with guarded_client(seconds=2, allow_private=True) as client:
            assert client.post(url, content=b"{}").status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "::ffff:10.0.0.1",  # IPv4-mapped
    ],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(
    address: str, settings: Settings
) -> None:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(BlockedAddress):
        check_url(f"http://[{address}]/hook", allow_private=False, what="webhook")
    answer = api().post(
        "/api/v1/webhooks/",
        {"url": f"http://[{address}]/hook"},
        content_type="application/json",
    )
    assert answer.status_code == 400


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # a thread: own connection
def test_without_a_broker_a_slow_endpoint_never_holds_the_editor(
    private_ok: Settings, django_capture_on_commit_callbacks
) -> None:
    private_ok.PARTNER_WEBHOOKS_IN_BACKGROUND = True
    with hostile("drip") as url:
        WebhookEndpoint.objects.create(partner=partner(), url=url)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            published()
        assert time.monotonic() - started < 1.0
        # The delivery is made in the background, within its timeout.
        for thread in threading.enumerate():
            if thread.name == "webhooks":
                thread.join(timeout=5)
                assert not thread.is_alive()
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and "within 1.5 s" in delivery.last_error


def test_hostile_requests_are_400s_not_500s() -> None:
    client = api()
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/webhooks/", deep, content_type="application/json")
    assert answer.status_code == 400 and "nested too deeply" in answer.json()["detail"]
    for path in ["/api/v1/stories/%00/", "/api/v1/companies/%00/"]:
        nul = client.get(path)
        assert nul.status_code == 400, path
    assert client.get("/api/v1/stories.json").status_code == 404
    for when in ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"]:
        assert (
            client.get("/api/v1/stories/", {"updated_since": when}).status_code == 200
        )
    import base64

    bad = base64.b64encode(b"p=\x00x").decode()
    assert client.get("/api/v1/companies/", {"cursor": bad}).status_code == 400


def test_companies_of_unpublished_stories_are_not_listed() -> None:
    from articles.models import Company
    from tests.editorial.factories import story

    shown = published("Helios buys Lumen")
    helios = Company.objects.create(name="Helios", slug="helios")
    shown.companies.add(helios)
    secret = story("in_review", title="Not out yet")
    secret.companies.add(Company.objects.create(name="Auralis", slug="auralis"))
    listed = [c["slug"] for c in api().get("/api/v1/companies/").json()["results"]]
    assert listed == ["helios"]
    assert api().get("/api/v1/companies/auralis/").status_code == 404


def test_the_http_client_of_the_guard_uses_no_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    with (
        Receiver().running() as receiver,
        guarded_client(seconds=2, allow_private=True) as client,
    ):
        # (A client that honoured the variables would fail to connect through :9.)
        assert client.post(receiver.url, content=b"{}").status_code == 200


def test_with_the_broker_down_the_publication_stands_and_the_sweep_delivers_later(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sending the deliveries fails after the commit (Redis restarting): the story is
    published all the same, the failure is logged by name, and the delivery waits for the
    sweep."""

    def broker_down(ids: list[int]) -> None:
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(webhooks, "send_soon", broker_down)
    WebhookEndpoint.objects.create(partner=partner(), url="http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        story = published()
    assert api().get(f"/api/v1/stories/{story.pk}/").status_code == 200
    assert "send" in caplog.text and "Redis is restarting" in caplog.text
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
