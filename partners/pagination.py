"""The change feed's keyset pagination: ordered by when a story last changed, then its id.

A cursor is the position after the last story a partner received. ``next`` is always
given — at the end of the feed it is where to poll from next time — so a partner that keeps
following it receives every change exactly once: a story corrected while they page moves
to the end of the feed and reaches them there, changed. Only settled changes are served
(``PARTNER_FEED_SETTLE_SECONDS``), so a change committed late cannot land behind a cursor.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_SIZE, MAX_SIZE = 50, 100


def encode(changed_at: datetime, article_id: int) -> str:
    micros = (changed_at - EPOCH) // timedelta(microseconds=1)
    return (
        base64.urlsafe_b64encode(f"{micros}.{article_id}".encode()).decode().rstrip("=")
    )


def decode(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; a 400 for anything we did not write."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode(
            "ascii"
        )
        micros, _dot, pk = text.partition(".")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 17 or len(pk) > 18:
            raise ValueError(text)
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError) as exc:
        raise ValidationError(
            {
                "cursor": [
                    "Not a cursor this API gave out: follow the `next` link as is."
                ]
            }
        ) from exc


def page_size(request: Request) -> int:
    raw = request.query_params.get("page_size", "")
    if not raw:
        return DEFAULT_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_SIZE:
        raise ValidationError({"page_size": [f"A whole number from 1 to {MAX_SIZE}."]})
    return int(raw)


class ChangeFeedPage:
    """One page of StoryChange rows after the request's cursor."""

    def __init__(self, rows: QuerySet[Any], request: Request) -> None:
        self.request = request
        self.size = page_size(request)
        cursor = request.query_params.get("cursor", "")
        if cursor:
            at, pk = decode(cursor)
            rows = rows.filter(
                Q(changed_at__gt=at) | Q(changed_at=at, article_id__gt=pk)
            )
            self.position: tuple[datetime, int] | None = (at, pk)
        else:
            self.position = None
        found = list(rows.order_by("changed_at", "article_id")[: self.size + 1])
        self.has_more = len(found) > self.size
        self.rows = found[: self.size]
        if self.rows:
            last = self.rows[-1]
            self.position = (last.changed_at, last.article_id)

    def next_link(self) -> str:
        url = self.request.build_absolute_uri()
        if self.position is None:  # nothing yet: poll the same address again
            return url
        return replace_query_param(url, "cursor", encode(*self.position))

    def data(self, results: list[Any]) -> dict[str, Any]:
        return {"next": self.next_link(), "has_more": self.has_more, "results": results}


class ChangeFeedPagination(BasePagination):
    """How the schema describes a ChangeFeedPage (the view pages by hand)."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "has_more", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "description": "Where to continue; at the end, where to poll next.",
                },
                "has_more": {"type": "boolean"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "From a `next` link, as is.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Stories per page, 1 to {MAX_SIZE} (default {DEFAULT_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            },
        ]
