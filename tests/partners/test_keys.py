"""Who may call the API: an authorisation matrix over every way a key can be wrong, the
quota headers on every answer, and the 429 when a partner's tier is used up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from partners import usage
from partners.models import DailyUsage, Partner, PartnerAPIKey
from tests.partners.factories import api, key_for, partner, published

pytestmark = pytest.mark.django_db
STORIES = "/api/v1/stories/"


def test_a_valid_key_opens_every_resource_and_answers_carry_the_quota() -> None:
    published()
    who = partner(tier=Partner.Tier.TRIAL)
    client = api(key_for(who)[1])
    for url in [
        STORIES,
        "/api/v1/sources/",
        "/api/v1/categories/",
        "/api/v1/companies/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-RateLimit-Limit"] == "60"
        assert int(response["X-RateLimit-Reset"]) > timezone.now().timestamp()
    assert response["X-RateLimit-Remaining"] == "56"


@pytest.mark.parametrize(
    "header, status, says",
    [
        (None, 401, "not provided"),
        ("Api-Key nonsense", 401, "Invalid API key"),
        ("Api-Key abcdefgh.wrongsecretwrongsecretwrongsecr", 401, "Invalid API key"),
        # Another scheme, or none (a key pasted alone): the answer says how to send it.
        ("Bearer {key}", 401, "Authorization: Api-Key <key>"),
        ("Token {key}", 401, "Authorization: Api-Key <key>"),
        ("{key}", 401, "Authorization: Api-Key <key>"),
    ],
)
def test_a_missing_or_wrong_key_is_a_401_that_says_how_to_send_one(
    header: str | None, status: int, says: str
) -> None:
    _record, key = key_for()
    client = (
        Client()
        if header is None
        else Client(HTTP_AUTHORIZATION=header.format(key=key))
    )
    response = client.get(STORIES)
    assert response.status_code == status
    assert response["WWW-Authenticate"] == "Api-Key"
    assert says in response.json()["detail"]


def test_a_revoked_key_is_refused_and_says_so() -> None:
    record, key = key_for()
    record.revoked = True
    record.save()
    response = api(key).get(STORIES)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expired_key_is_refused_with_its_expiry() -> None:
    _record, key = key_for(expiry_date=timezone.now() - timedelta(minutes=1))
    response = api(key).get(STORIES)
    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]


def test_an_inactive_partners_keys_are_forbidden_until_it_is_active_again() -> None:
    who = partner()
    _record, key = key_for(who)
    Partner.objects.filter(pk=who.pk).update(is_active=False)
    response = api(key).get(STORIES)
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
    Partner.objects.filter(pk=who.pk).update(is_active=True)
    assert api(key).get(STORIES).status_code == 200


@pytest.mark.parametrize("name", ["api_key", "key", "token", "API_KEY"])
def test_a_key_in_the_url_is_refused_even_beside_a_good_header(name: str) -> None:
    _record, key = key_for()
    response = api(key).get(STORIES, {name: key})
    assert response.status_code == 401
    assert "never accepted in the URL" in response.json()["detail"]
    assert Client().get(STORIES, {name: key}).status_code == 401


def test_only_the_hash_of_a_key_is_stored_and_its_prefix_is_visible() -> None:
    record, key = key_for()
    stored = PartnerAPIKey.objects.get(pk=record.pk)
    assert key not in stored.hashed_key and key.split(".")[1] not in str(
        stored.__dict__
    )
    assert key.startswith(stored.prefix + ".")


def test_use_is_recorded_once_a_minute_at_most() -> None:
    record, key = key_for()
    client = api(key)
    client.get(STORIES)
    first = PartnerAPIKey.objects.get(pk=record.pk).last_used_at
    assert first is not None
    client.get(STORIES)
    assert PartnerAPIKey.objects.get(pk=record.pk).last_used_at == first


def test_a_partner_over_its_minute_quota_gets_429_with_retry_after(
    settings: Settings,
) -> None:
    settings.PARTNER_TIERS = {
        **settings.PARTNER_TIERS,
        "trial": {"minute": 3, "day": 100},
    }
    who = partner(tier=Partner.Tier.TRIAL)
    client = api(key_for(who)[1])
    remaining = [client.get(STORIES)["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = client.get(STORIES)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["X-RateLimit-Remaining"] == "0"
    assert "quota of 3 requests a minute" in refused.json()["detail"]
    # Another partner's quota is its own.
    assert api().get(STORIES).status_code == 200


def test_the_daily_quota_holds_across_minutes(settings: Settings) -> None:
    settings.PARTNER_TIERS = {
        **settings.PARTNER_TIERS,
        "trial": {"minute": 100, "day": 2},
    }
    client = api(key_for(partner(tier=Partner.Tier.TRIAL))[1])
    answers = [client.get(STORIES) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    # The refusal speaks of the quota that was used up: the day's, until midnight UTC.
    refused = answers[2]
    assert "quota of 2 requests a day" in refused.json()["detail"]
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == (
        "2",
        "0",
    )
    assert int(refused["X-RateLimit-Reset"]) % 86400 == 0
    assert int(refused["Retry-After"]) > 0


def test_usage_per_day_reaches_the_database_with_throttled_requests_apart(
    settings: Settings,
) -> None:
    settings.PARTNER_TIERS = {
        **settings.PARTNER_TIERS,
        "trial": {"minute": 2, "day": 100},
    }
    who = partner(tier=Partner.Tier.TRIAL)
    client = api(key_for(who)[1])
    for _ in range(5):
        client.get(STORIES)
    usage.flush()
    usage.flush()  # twice: nothing is counted twice
    row = DailyUsage.objects.get(partner=who, day=timezone.now().date())
    assert (row.requests, row.throttled) == (5, 3)
