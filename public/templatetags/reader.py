"""Filters of the reader pages: ``{% load reader %}``. Each is a function of ``public.text``."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.http import HttpRequest
from django.utils.http import urlencode

from public import text

register = template.Library()


@register.filter
def excerpt(value: str, limit: int) -> str:
    """``{{ story.summary|excerpt:220 }}``: cut at a sentence or a word, never mid-word."""
    return text.excerpt(value or "", int(limit))


@register.filter
def card_summary(value: str) -> str:
    """``{{ story.summary|card_summary }}``: a card's few lines of the summary, its first
    sentence whole when it runs a little over."""
    return text.excerpt(value or "", text.CARD_CHARS, stretch=text.CARD_STRETCH)


@register.filter
def clean_url(value: str) -> str:
    """``{{ other.url|clean_url }}``: an outlet's link without its tracking parameters."""
    return text.clean_url(value or "")


@register.filter
def ago(value: datetime | None) -> str:
    """``{{ story.published_at|ago }}``: "3 hours ago", "1 day ago", then "24 Nov"."""
    return text.ago(value)


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """This page's address as search engines should know it: the parameters this page
    reads (its filters, window, cursor or search), not a campaign's or anyone's made-up
    ones ("/?utm_source=spam", "/?q=buy-cheap-pills" named themselves canonical)."""
    request: HttpRequest = context["request"]
    reads: frozenset[str] = getattr(request, "public_reads", frozenset())
    kept = sorted((k, str(v)) for k, v in request.GET.items() if k in reads and v)
    query = f"?{urlencode(kept)}" if kept else ""
    return request.build_absolute_uri(request.path + query)
