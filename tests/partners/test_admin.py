"""The partners' admin as the staff member who manages partners uses it, the docs pages'
content policy, and the commands an operator runs."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import Settings

from partners.models import Partner, PartnerAPIKey, WebhookDelivery, WebhookEndpoint
from tests.partners.factories import partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops() -> Client:
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_an_endpoint_made_in_the_admin_shows_its_secret_once_then_never(
    ops: Client, settings: Settings
) -> None:
    settings.PARTNER_WEBHOOK_ALLOW_PRIVATE = False
    acme = partner("Acme")
    refused = ops.post(
        "/admin/partners/webhookendpoint/add/",
        {
            "partner": acme.pk,
            "url": "http://169.254.169.254/latest/",
            "events": "[]",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200 and b"link-local" in refused.content
    made = ops.post(
        "/admin/partners/webhookendpoint/add/",
        {
            "partner": acme.pk,
            "url": "https://93.184.215.14/hook",
            "events": "[]",
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in made.content.decode()  # the message, this once
    page = ops.get(f"/admin/partners/webhookendpoint/{endpoint.pk}/change/").content
    assert endpoint.secret not in page.decode()
    assert endpoint.secret[:10].encode() in page
    # The secret is not a field of the form: posting one changes nothing.
    ops.post(
        f"/admin/partners/webhookendpoint/{endpoint.pk}/change/",
        {
            "partner": acme.pk,
            "url": "https://93.184.215.14/hook",
            "events": "[]",
            "secret": "mine",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != "mine"


def test_the_partner_page_lists_endpoints_without_a_way_around_the_address_check(
    ops: Client,
) -> None:
    acme = partner("Acme")
    WebhookEndpoint.objects.create(partner=acme, url="https://93.184.215.14/hook")
    page = ops.get(f"/admin/partners/partner/{acme.pk}/change/").content.decode()
    assert "93.184.215.14" in page
    assert 'name="webhooks-0-url"' not in page  # shown, not editable here


def test_editors_do_not_see_partners_keys_or_secrets() -> None:
    from tests.editorial.factories import chief

    client = Client()
    client.force_login(chief("boss"))
    for url in ["/admin/partners/partner/", "/admin/partners/webhookendpoint/"]:
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_pages_load_nothing_from_elsewhere(url: str) -> None:
    policy = Client().get(url)["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:])
        for part in policy.split(";")
        if part.strip()
    )
    assert directives["img-src"] == ["'self'", "data:"]
    assert "blob:" in directives["worker-src"]
    assert "'unsafe-inline'" in directives["style-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    # Elsewhere the policy stays strict.
    site = Client().get("/api/schema/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in site


def test_partner_key_prints_the_key_once_and_refuses_a_past_expiry() -> None:
    out = StringIO()
    call_command("partner_key", "Acme", "--email", "data@acme.example", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}", key)
    stored = PartnerAPIKey.objects.get()
    assert stored.is_valid(key) and key not in stored.hashed_key
    assert Partner.objects.get().tier == Partner.Tier.TRIAL
    with pytest.raises(CommandError, match="1 or more"):
        call_command("partner_key", "Acme", "--days", "-1", stdout=StringIO())


def test_partners_sweep_retries_what_is_due() -> None:
    hook = WebhookEndpoint.objects.create(partner=partner(), url="http://127.0.0.1:9/")
    WebhookDelivery.objects.create(
        endpoint=hook, event="story.published", article_id=1, payload={}
    )
    out = StringIO()
    call_command("partners_sweep", stdout=out)
    assert "attempted 1 delivery" in out.getvalue()
    assert WebhookDelivery.objects.get().attempts == 1


def test_the_partners_admin_lists_cost_the_same_queries_for_many_rows(
    ops: Client, django_assert_max_num_queries: object
) -> None:
    """No query per row on any partners list page, whatever its columns show (partner
    names, quotas, endpoints)."""
    from partners.models import DailyUsage

    def rows(n: int) -> None:
        for i in range(n):
            who = partner(f"P{Partner.objects.count()}")
            PartnerAPIKey.objects.create_key(partner=who, name=f"k{i}")
            hook = WebhookEndpoint.objects.create(
                partner=who, url=f"https://93.184.215.{i + 1}/h"
            )
            WebhookDelivery.objects.create(
                endpoint=hook, event="story.published", article_id=i, payload={}
            )
            DailyUsage.objects.create(partner=who, day="2026-12-01", requests=i)

    pages = [
        "/admin/partners/partner/",
        "/admin/partners/partnerapikey/",
        "/admin/partners/webhookendpoint/",
        "/admin/partners/webhookdelivery/",
    ]
    rows(2)
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(50) as few:  # type: ignore[operator]
            assert ops.get(url).status_code == 200
        counts[url] = len(few)
    rows(8)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):  # type: ignore[operator]
            assert ops.get(url).status_code == 200
