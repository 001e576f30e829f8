"""The contract: the OpenAPI schema at /api/schema/ is valid and says what the API really
answers — schemathesis calls the live API with a valid key and checks every answer against
the schema (no 5xx, status codes, headers and bodies as documented) — and the docs pages are
served from this site."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer
from schemathesis.specs.openapi.checks import positive_data_acceptance

from articles.models import Category, Company
from editorial import services
from tests.editorial.factories import chief, reported, story
from tests.partners.factories import key_for, partner

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def partner_key(settings: Settings) -> Iterator[str]:
    settings.PARTNER_TIERS = {
        tier: {"minute": 100_000, "day": None}
        for tier in ("trial", "standard", "premium")
    }
    helios = Company.objects.create(name="Helios", slug="helios", ticker="HLS")
    boss = chief("contract-chief")
    for n in range(3):
        lead = story(
            "approved",
            title=f"Story {n}",
            category=Category.objects.get(slug="markets"),
        )
        lead.companies.add(helios)
        reported(lead)
        services.article_publish(article=lead.pk, editor=boss)
    gone = story("approved", title="Taken down")
    services.article_publish(article=gone.pk, editor=boss)
    services.article_unpublish(article=gone.pk, editor=boss, reason="a test takedown")
    yield key_for(partner())[1]


@TRANSACTIONAL
def test_the_api_answers_as_its_schema_says(
    live_server: LiveServer, partner_key: str
) -> None:
    """Every operation, with generated parameters (valid and not), against the running
    server. (Driven by hand rather than schemathesis' pytest plugin, whose lazy loader does
    not run on this pytest.)"""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    headers = {"Authorization": f"Api-Key {partner_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # A cursor is opaque: any string fits the schema, only ours decode (400
            # otherwise), so "valid data is accepted" cannot hold for a made-up one.
            made_up_cursor = "cursor" in (case.query or {})
            # A webhook URL must also resolve to a public address, which no schema says
            # (and this machine resolves nothing): a made-up one may rightly be refused.
            made_up_url = isinstance(case.body, dict) and "url" in case.body
            case.call_and_validate(
                headers=headers,
                excluded_checks=[positive_data_acceptance]
                if made_up_cursor or made_up_url
                else None,
            )

        check()


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_documents_every_resource() -> None:
    body = Client().get("/api/schema/?format=json").json()
    assert body["openapi"].startswith("3.")
    paths = set(body["paths"])
    assert {
        "/api/v1/stories/",
        "/api/v1/stories/{id}/",
        "/api/v1/sources/",
        "/api/v1/categories/",
        "/api/v1/companies/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/ping/",
        "/api/v1/webhooks/{id}/deliveries/",
    } <= paths
    parameters = {
        p["name"] for p in body["paths"]["/api/v1/stories/"]["get"]["parameters"]
    }
    assert {
        "updated_since",
        "published_since",
        "category",
        "sentiment",
        "company",
        "ticker",
        "source",
        "importance_min",
        "importance_max",
        "q",
        "cursor",
    } <= parameters
    assert body["components"]["securitySchemes"]["PartnerKey"]["in"] == "header"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_are_served_from_this_site(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in html and "fonts.googleapis" not in html
