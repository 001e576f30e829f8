"""What partners receive: a published story with where it came from, what the desk made of
it, and who wrote each AI field (provenance) — never the source's own text."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, Category, Company
from sources.models import Source

from .models import WebhookDelivery, WebhookEndpoint
from .webhooks import url_problem

# The fields an AI proposal fills, and the name of each in the desk's edited_fields.
AI_FIELDS = Article.PROPOSED_FIELDS


class SourceSerializer(serializers.ModelSerializer[Source]):
    class Meta:
        model = Source
        fields = ["name", "slug", "site_url"]


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["name", "slug", "description"]


class CompanySerializer(serializers.ModelSerializer[Company]):
    class Meta:
        model = Company
        fields = ["name", "slug", "ticker"]


class StoryCompanySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    slug = serializers.SlugField()
    ticker = serializers.CharField(allow_blank=True)
    sentiment = serializers.ChoiceField(
        choices=Article.Sentiment.choices,
        allow_null=True,
        help_text="The AI's reading of the story for this company; null when it gave none.",
    )


class OtherSourceSerializer(serializers.Serializer[Any]):
    # A field named like DRF's own Field.source attribute (the stubs type that one).
    source = serializers.CharField(source="source.name")  # type: ignore[assignment]
    url = serializers.URLField(help_text="The outlet's own report.")
    published_at = serializers.DateTimeField()


class CorrectionSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    note = serializers.CharField()


class FieldProvenanceSerializer(serializers.Serializer[Any]):
    backend = serializers.CharField(
        allow_null=True,
        help_text='"claude" (Anthropic\'s model), "offline" (rules on our servers) or '
        '"cluster" (reused from another report of the story); null when no AI proposed it.',
    )
    model = serializers.CharField(allow_null=True)
    prompt_version = serializers.CharField(allow_null=True)
    edited_by_desk = serializers.BooleanField(
        help_text="An editor changed the AI's value (or wrote it)."
    )


class ProvenanceSerializer(serializers.Serializer[Any]):
    summary = FieldProvenanceSerializer()
    analysis = FieldProvenanceSerializer()
    takeaways = FieldProvenanceSerializer()
    sentiment = FieldProvenanceSerializer()
    importance = FieldProvenanceSerializer()
    category = FieldProvenanceSerializer()
    companies = FieldProvenanceSerializer()


class ImageSerializer(serializers.Serializer[Any]):
    url = serializers.URLField()
    credit = serializers.CharField()


class StorySerializer(serializers.ModelSerializer[Article]):
    """A published story: our copy (never the source's text), where it came from, and
    who wrote each AI field."""

    # (The context carries what a page loaded once for all its stories: ``base_url`` (this
    # site), ``change`` or ``changes`` (the change feed rows: updated time, related
    # stories), ``others`` (other outlets' reports per story), ``visible`` (which related
    # stories readers may see).)

    url = serializers.SerializerMethodField(help_text="The story on our site.")
    takeaways = serializers.ListField(
        child=serializers.CharField(),
        help_text="Up to 5 key takeaways, each a sentence: 3 to 5, or fewer (even none) "
        "when the source's text is a blurb too short for three.",
    )
    original_url = serializers.URLField(
        source="url", help_text="The source's own article."
    )
    source = SourceSerializer()  # type: ignore[assignment]
    other_sources = serializers.SerializerMethodField()
    original_published_at = serializers.DateTimeField(
        source="published_at", help_text="When the source published it."
    )
    published_at = serializers.DateTimeField(
        source="published_at_site", help_text="When we published it."
    )
    updated_at = serializers.SerializerMethodField(
        help_text="When something partners see last changed (the change feed's order)."
    )
    importance_reason = serializers.SerializerMethodField()
    category = CategorySerializer(allow_null=True)
    companies = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField(
        help_text="Ids of related published stories, best first."
    )
    corrections = serializers.SerializerMethodField()
    provenance = serializers.SerializerMethodField()
    reviewed = serializers.SerializerMethodField(
        help_text="Whether an editor has read the copy: true when an editor published it "
        "or has changed it since; false when an automated step published it unread. It "
        "can turn true later (a correction, a republication), never false again while "
        "the story stays published."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "original_url",
            "title",
            "source",
            "other_sources",
            "author",
            "original_published_at",
            "published_at",
            "updated_at",
            "summary",
            "analysis",
            "takeaways",
            "sentiment",
            "importance",
            "importance_reason",
            "category",
            "companies",
            "image",
            "related",
            "corrections",
            "provenance",
            "reviewed",
        ]

    @cached_property
    def _nested(self) -> dict[str, Any]:
        """The nested serializers the method fields use, built once per serializer (a
        page's stories share one: building fields is the costly part of serializing)."""
        return {
            "other_sources": OtherSourceSerializer(many=True),
            "companies": StoryCompanySerializer(many=True),
            "corrections": CorrectionSerializer(many=True),
            "time": serializers.DateTimeField(),
        }

    def _change(self, article: Article) -> Any:
        if "change" in self.context:
            return self.context["change"]
        return self.context.get("changes", {}).get(article.pk)

    def get_url(self, article: Article) -> str:
        return self.context["base_url"].rstrip("/") + article.get_absolute_url()

    @extend_schema_field(OtherSourceSerializer(many=True))
    def get_other_sources(self, article: Article) -> Any:
        others = self.context.get("others")
        reports = others.get(article.pk, []) if others is not None else _others(article)
        return self._nested["other_sources"].to_representation(reports)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated_at(self, article: Article) -> Any:
        change = self._change(article)
        when = change.changed_at if change is not None else article.published_at_site
        return None if when is None else self._nested["time"].to_representation(when)

    @extend_schema_field(OpenApiTypes.STR)
    def get_importance_reason(self, article: Article) -> str:
        proposal = article.enrichment
        if proposal is None or "importance" in article.edited_fields:
            return ""
        return proposal.importance_reason

    @extend_schema_field(StoryCompanySerializer(many=True))
    def get_companies(self, article: Article) -> Any:
        proposal = article.enrichment
        readings = proposal.company_sentiments if proposal else None
        return self._nested["companies"].to_representation(
            [
                {
                    "name": c.name,
                    "slug": c.slug,
                    "ticker": c.ticker,
                    "sentiment": c.reading_in(readings),
                }
                for c in article.companies.all()
            ]
        )

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, article: Article) -> Any:
        if not article.image_url:
            return None
        return {"url": article.image_url, "credit": article.source.name}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_related(self, article: Article) -> list[int]:
        change = self._change(article)
        ids = list(change.related) if change is not None else []
        visible = self.context.get("visible")
        if visible is None:
            visible = set(
                Article.objects.visible()
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
        return [pk for pk in ids if pk in visible][:6]

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, article: Article) -> Any:
        notes = sorted(article.corrections.all(), key=lambda c: (c.at, c.pk))
        return self._nested["corrections"].to_representation(notes)

    def get_reviewed(self, article: Article) -> bool:
        return not article.published_unreviewed

    @extend_schema_field(ProvenanceSerializer())
    def get_provenance(self, article: Article) -> Any:
        proposal = article.enrichment
        edited = set(article.edited_fields)
        return {
            field: {
                "backend": proposal.backend if proposal else None,
                "model": proposal.model if proposal else None,
                "prompt_version": proposal.prompt_version if proposal else None,
                "edited_by_desk": field in edited or proposal is None,
            }
            for field in AI_FIELDS
        }


class TombstoneSerializer(serializers.Serializer[Any]):
    """A story readers could see and no longer can (unpublished, archived, deleted): take
    it down too."""

    id = serializers.IntegerField(source="article_id")
    unpublished_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(source="changed_at")


class NotMatchingSerializer(serializers.Serializer[Any]):
    """With filters: a published story that changed and does not match them (any more).
    Drop it if you hold it; otherwise ignore it."""

    id = serializers.IntegerField(source="article_id")
    updated_at = serializers.DateTimeField(source="changed_at")
    matches_filters = serializers.SerializerMethodField()

    def get_matches_filters(self, change: Any) -> bool:
        return False


def _others(article: Article) -> list[Article]:
    return list(
        Article.objects.other_reports(article).only(
            "id", "url", "published_at", "source__name"
        )
    )


# --------------------------------------------------------------------------------------------
# Webhooks (a partner's own endpoints)
# --------------------------------------------------------------------------------------------
class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    """An endpoint we POST story events to. Its signing secret is shown once, when it is
    created."""

    url = serializers.URLField(
        max_length=2048,
        help_text="Where we POST events: http(s), on a public address.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        required=False,
        allow_empty=True,
        max_length=len(WebhookEndpoint.Event.choices),
        help_text="The events to send; empty or absent: every event.",
    )
    is_active = serializers.BooleanField(
        required=False,
        help_text="False: no events are sent. Setting it back to true re-enables an "
        "endpoint we disabled after repeated failures.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = [
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]

    def validate_url(self, url: str) -> str:
        if problem := url_problem(url):
            raise serializers.ValidationError(problem)
        return url

    def validate_events(self, events: list[str]) -> list[str]:
        return sorted(set(events))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A misspelt field ("evnts") would silently subscribe to every event: refuse it.
        writable = {name for name, f in self.fields.items() if not f.read_only}
        unknown = sorted(set(self.initial_data) - writable)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        f"Not a field you can set. You can set: {', '.join(sorted(writable))}."
                    ]
                    for name in unknown
                }
            )
        url = attrs.get("url")
        partner = self.context.get("partner")
        if url and partner is not None:
            others = WebhookEndpoint.objects.filter(partner=partner, url=url)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError(
                    {"url": ["You already have an endpoint at this URL."]}
                )
        return attrs


class NewWebhookEndpointSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Check X-Newsroom-Signature with it. Shown now and never again: store it.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    @extend_schema_field(OpenApiTypes.INT)
    def get_story_id(self, delivery: WebhookDelivery) -> int | None:
        return delivery.article_id or None

    story_id = serializers.SerializerMethodField(help_text="null for a ping.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "story_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ]
