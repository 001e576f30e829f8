"""Failed logins are throttled (django-axes): a guessed password stops working after a few
tries, and the lock is visible to administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
LIMIT = 5


@pytest.fixture
def alice() -> User:
    return User.objects.create_user(
        "alice", password="correct horse battery", is_staff=True
    )


def attempt(client: Client, username: str, password: str, forwarded: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        headers=headers,
    )
    return response.status_code


def test_after_five_wrong_passwords_even_the_right_one_is_refused(
    client: Client, alice: User
) -> None:
    """Issue: 60 wrong passwords in 21 s, then the right one worked."""
    for _ in range(LIMIT - 1):
        assert attempt(client, "alice", "wrong") == 200  # the form again, with an error
    assert attempt(client, "alice", "wrong") == 429  # the fifth locks

    response = client.post(
        LOGIN, {"username": "alice", "password": "correct horse battery"}
    )

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_for_that_user_from_that_address_only(
    client: Client, alice: User
) -> None:
    User.objects.create_user("bob", password="bob's own password", is_staff=True)
    for _ in range(LIMIT):
        attempt(client, "alice", "wrong")

    assert attempt(client, "bob", "bob's own password") == 302  # bob signs in
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(other, "alice", "correct horse battery") == 302


def test_a_made_up_forwarded_address_does_not_reset_the_count(
    client: Client, alice: User
) -> None:
    """Without a proxy in front, X-Forwarded-For is the client's own claim."""
    for n in range(LIMIT):
        attempt(client, "alice", "wrong", forwarded=f"203.0.113.{n}")

    assert attempt(client, "alice", "correct horse battery", forwarded="1.2.3.4") == 429


def test_a_successful_login_resets_the_count(client: Client, alice: User) -> None:
    for _ in range(LIMIT - 1):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", "correct horse battery") == 302
    client.logout()
    for _ in range(LIMIT - 1):
        attempt(client, "alice", "wrong")

    assert attempt(client, "alice", "correct horse battery") == 302


def test_administrators_see_the_lock_in_the_admin(client: Client, alice: User) -> None:
    for _ in range(LIMIT):
        attempt(client, "alice", "wrong")
    admin = User.objects.create_superuser("root", password="root's long password")
    client.force_login(admin)

    page = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert page.status_code == 200
    assert "alice" in page.content.decode()


def test_behind_the_proxy_the_lock_is_the_clients_not_everyones(
    client: Client, alice: User, settings: Any
) -> None:
    """An attack: axes counted the proxy's address (its ipware settings needed a package we
    did not have), so five wrong guesses from anywhere locked alice out for everyone."""
    settings.TRUSTED_PROXIES = 1
    for n in range(LIMIT):
        # The attacker writes a new address into the header each time: the proxy appends
        # the real one, and that is what counts.
        attempt(client, "alice", "wrong", forwarded=f"10.9.9.{n}, 198.51.100.66")

    assert (
        attempt(client, "alice", "correct horse battery", forwarded="198.51.100.66")
        == 429
    )
    assert (
        attempt(Client(), "alice", "correct horse battery", forwarded="203.0.113.10")
        == 302
    )


def test_guessing_during_a_lock_does_not_extend_it(
    client: Client, alice: User, settings: Any
) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        attempt(client, "alice", "wrong")
    first = AccessAttempt.objects.get(username="alice").attempt_time
    attempt(client, "alice", "wrong")  # during the lock

    assert AccessAttempt.objects.get(username="alice").attempt_time == first
    AccessAttempt.objects.update(attempt_time=first - timedelta(minutes=16))
    assert attempt(client, "alice", "correct horse battery") == 302


@pytest.mark.parametrize(
    ("forwarded", "counted"),
    [
        ("198.51.100.66", "198.51.100.66"),
        ("198.51.100.66:5678", "198.51.100.66"),  # a proxy that appends the port
        ("[2001:db8:1:2::7]:443", "2001:db8:1:2::"),
        # One host has 2^64 IPv6 addresses: a /64 is one address to the throttle.
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::"),
        ("::ffff:198.51.100.66", "198.51.100.66"),
        ("unknown", "10.0.0.2"),  # not an address: the proxy's (safe, if coarse)
    ],
)
def test_the_address_the_throttle_counts(
    forwarded: str, counted: str, settings: Any
) -> None:
    from django.test import RequestFactory

    from newsroom.clients import client_address

    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().post(
        "/", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {forwarded}", REMOTE_ADDR="10.0.0.2"
    )

    assert client_address(request) == counted


def test_rotating_ipv6_addresses_in_one_64_does_not_escape_the_lock(
    client: Client, alice: User, settings: Any
) -> None:
    """An attack: 30 guesses from 30 addresses of one /64 were all evaluated."""
    settings.TRUSTED_PROXIES = 1
    for n in range(1, LIMIT + 1):
        attempt(client, "alice", "wrong", forwarded=f"2001:db8:1:2::{n:x}")

    assert (
        attempt(client, "alice", "correct horse battery", forwarded="2001:db8:1:2::99")
        == 429
    )
