"""Quotas per partner tier (``PARTNER_TIERS``): requests per minute and per day, counted
with atomic increments in the cache (``counters``) — Redis in production, so every web
process shares the count (DRF's own throttles keep a list per client and lose counts under
concurrency).

A refused request is a 429 with ``Retry-After``; every answer carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (Unix seconds) for the per-minute quota
— or, on a 429 the daily quota caused, for that one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from . import counters, usage
from .models import PartnerAPIKey

WINDOWS = {"minute": 60, "day": 86400}


@dataclass
class RateLimit:
    limit: int
    remaining: int
    reset: int  # Unix seconds when the window starts again


def limits(tier: str) -> dict[str, int | None]:
    tiers = cast(dict[str, dict[str, int | None]], settings.PARTNER_TIERS)
    return tiers.get(tier) or tiers["trial"]


def _hit(key: str, seconds: int) -> int:
    return counters.incr(key, timeout=seconds + 5)


class PartnerTierThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, PartnerAPIKey):
            return True  # unauthenticated: refused by the permission, not counted here
        partner = key.partner
        now = time.time()
        allowed = True
        for window, seconds in WINDOWS.items():
            limit = limits(partner.tier).get(window)
            if not limit:
                continue
            bucket = int(now // seconds)
            count = _hit(f"partners:rate:{partner.pk}:{window}:{bucket}", seconds)
            reset = (bucket + 1) * seconds
            if window == "minute":
                request.rate_limit = RateLimit(limit, max(0, limit - count), reset)  # type: ignore[attr-defined]
            if count > limit:
                # The quota headers and the message speak of the quota that was used up.
                request.rate_limit = RateLimit(limit, 0, reset)  # type: ignore[attr-defined]
                request.rate_window = window  # type: ignore[attr-defined]
                self.retry_after = max(1.0, reset - now)
                allowed = False
                break
        usage.count(partner.pk, throttled=not allowed)
        return allowed

    def wait(self) -> float | None:
        return self.retry_after
