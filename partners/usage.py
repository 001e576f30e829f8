"""Requests per partner and day: counted in the cache (Redis in production, shared by every
web process; one atomic increment per request), written to ``DailyUsage`` by the sweep."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from . import counters
from .models import DailyUsage, Partner

KEEP = 3 * 24 * 3600  # counters outlive a few missed sweeps


def _key(kind: str, partner_id: int, day: date) -> str:
    return f"partners:usage:{kind}:{day:%Y%m%d}:{partner_id}"


def _incr(key: str) -> None:
    counters.incr(key, timeout=KEEP)


def count(partner_id: int, *, throttled: bool = False) -> None:
    """One request by the partner (throttled: it got a 429)."""
    day = timezone.now().date()
    _incr(_key("requests", partner_id, day))
    if throttled:
        _incr(_key("throttled", partner_id, day))


def flush() -> int:
    """Move the counted requests into DailyUsage (today and yesterday). Each counter is
    decreased by what was read, so a request counted meanwhile is kept for the next flush;
    returns the rows written."""
    today = timezone.now().date()
    written = 0
    partners = list(Partner.objects.values_list("pk", flat=True))
    for day in (today - timedelta(days=1), today):
        keys = {
            _key(kind, pk, day): (kind, pk)
            for pk in partners
            for kind in ("requests", "throttled")
        }
        found = {k: v for k, v in cache.get_many(list(keys)).items() if v}
        deltas: dict[int, dict[str, int]] = {}
        for key, value in found.items():
            kind, pk = keys[key]
            counters.decr(key, int(value))
            deltas.setdefault(pk, {"requests": 0, "throttled": 0})[kind] += int(value)
        for pk, delta in deltas.items():
            DailyUsage.objects.get_or_create(partner_id=pk, day=day)
            DailyUsage.objects.filter(partner_id=pk, day=day).update(
                requests=F("requests") + delta["requests"],
                throttled=F("throttled") + delta["throttled"],
            )
            written += 1
    return written
