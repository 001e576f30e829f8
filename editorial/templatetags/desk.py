"""The desk's template filters."""

from __future__ import annotations

from datetime import datetime

from django import template

from ..services.base import desk_time

register = template.Library()


@register.filter
def when(value: datetime | None, zone: str = "") -> str:
    """A moment on the desk (``services.base.desk_time``): the year only when it is not
    this one; ``zone`` "T" adds the time zone's name ("2 Dec 10:42 UTC")."""
    return "" if value is None else desk_time(value, zone)
