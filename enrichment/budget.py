"""The daily enrichment budget: a call reserves its worst-case cost before it is made and
settles the real cost after, under a row lock, so concurrent workers cannot overspend."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import BudgetDay


class BudgetExhausted(Exception):
    """The day's enrichment budget cannot cover another call."""


def today() -> date:
    """The budget's day: UTC."""
    return timezone.now().astimezone(UTC).date()


def budget_status(day: date | None = None) -> dict[str, Decimal]:
    """Spent, reserved and remaining USD for the day (UTC)."""
    row = BudgetDay.objects.filter(day=day or today()).first()
    spent = row.spent_usd if row else Decimal(0)
    reserved = row.reserved_usd if row else Decimal(0)
    limit = Decimal(str(settings.ENRICHMENT_DAILY_BUDGET_USD))
    return {
        "limit": limit,
        "spent": spent,
        "reserved": reserved,
        "remaining": limit - spent - reserved,
    }


@transaction.atomic
def budget_reserve(*, amount: Decimal) -> date:
    """Hold ``amount`` of today's budget; raises BudgetExhausted when it does not fit."""
    day = today()
    BudgetDay.objects.get_or_create(day=day)
    row = BudgetDay.objects.select_for_update().get(day=day)
    limit = Decimal(str(settings.ENRICHMENT_DAILY_BUDGET_USD))
    if row.spent_usd + row.reserved_usd + amount > limit:
        raise BudgetExhausted(
            f"daily enrichment budget of ${limit} reached "
            f"(${row.spent_usd:.4f} spent, ${row.reserved_usd:.4f} reserved)"
        )
    row.reserved_usd += amount
    row.save(update_fields=["reserved_usd"])
    return day


@transaction.atomic
def budget_settle(*, day: date, reserved: Decimal, spent: Decimal) -> None:
    """Release a reservation and record what was really spent."""
    BudgetDay.objects.filter(day=day).update(
        reserved_usd=F("reserved_usd") - reserved, spent_usd=F("spent_usd") + spent
    )
