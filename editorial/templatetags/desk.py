"""The desk's template filters."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def when(value: datetime | None, zone: str = "") -> str:
    """A moment on the desk: "2 Dec 10:42" this year, "3 Mar 2019 14:05" another (the
    feeds carry years-old items, and a panel that said "3 Mar" called them this year's);
    ``zone`` "T" adds the time zone's name ("2 Dec 10:42 UTC")."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    same_year = local.year == timezone.localtime().year
    pattern = "j M H:i" if same_year else "j M Y H:i"
    return format_date(local, f"{pattern} {zone}".strip())
