"""The stories list's filters (django-filter). Unknown parameters and malformed values are
refused with a 400 that names what is allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from articles.models import Article


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 10})
class ImportanceFilter(django_filters.NumberFilter):
    """An importance, 1 to 10."""

    field_class = forms.IntegerField  # type: ignore[assignment]  # whole numbers only


class TimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, in UTC. Times before 1970 mean 1970 and times past 9998 mean
    9998 (either end of the calendar would overflow when converted to UTC)."""

    default_error_messages = {
        "invalid": "An ISO 8601 date-time, e.g. 2026-12-01T09:00:00Z (write + as %2B).",
    }

    def clean(self, value: Any) -> Any:
        when = super().clean(value)
        if when is None:
            return when
        if when.year < 1970:
            return EARLIEST
        if when.year > 9998:
            return LATEST
        return when.astimezone(UTC)


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


@extend_schema_field({"type": "string", "format": "date-time"})
class TimeFilter(django_filters.IsoDateTimeFilter):
    field_class = TimeField


@extend_schema_field({"type": "string", "format": "date-time"})
class ChangeFeedTimeFilter(TimeFilter):
    """A time on the change feed (the view applies it there, not to articles)."""

    def filter(self, qs: Any, value: Any) -> Any:
        return qs


class StoryFilter(django_filters.FilterSet):
    updated_since = ChangeFeedTimeFilter(
        help_text="Changes at or after this time (ISO 8601), tombstones included.",
    )
    published_since = TimeFilter(
        field_name="published_at_site",
        lookup_expr="gte",
        help_text="Stories we published at or after this time (ISO 8601).",
    )
    category = django_filters.CharFilter(
        field_name="category__slug",
        help_text="A category's slug (/api/v1/categories/).",
    )
    sentiment = django_filters.ChoiceFilter(
        choices=Article.Sentiment.choices,
        error_messages={
            "invalid_choice": "One of: "
            + ", ".join(Article.Sentiment.values)
            + " (not %(value)s)."
        },
    )
    company = django_filters.CharFilter(
        field_name="companies__slug", help_text="A company's slug (/api/v1/companies/)."
    )
    ticker = django_filters.CharFilter(
        field_name="companies__ticker",
        lookup_expr="iexact",
        help_text="A ticker symbol.",
    )
    source = django_filters.CharFilter(
        field_name="source__slug", help_text="A source's slug (/api/v1/sources/)."
    )
    importance_min = ImportanceFilter(
        field_name="importance", lookup_expr="gte", min_value=1, max_value=10
    )
    importance_max = ImportanceFilter(
        field_name="importance", lookup_expr="lte", min_value=1, max_value=10
    )
    q = django_filters.CharFilter(
        method="full_text",
        max_length=200,
        help_text="Words to find (full-text search on PostgreSQL).",
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def full_text(
        self, queryset: QuerySet[Article], name: str, value: str
    ) -> QuerySet[Article]:
        value = value.strip()
        return queryset.matching(value) if value else queryset  # type: ignore[attr-defined]


# Parameters that choose stories (not the feed position): with any of them, the list holds
# the matching stories plus every tombstone.
STORY_FILTERS = frozenset(StoryFilter.base_filters) - {"updated_since"}
