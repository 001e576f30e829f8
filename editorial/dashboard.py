"""The editor dashboard: the desk's queue, throughput, AI spend and AI-vs-editor agreement.

Every figure is aggregated in the database, so the page costs the same handful of queries
whatever the size of the archive. The charts are inline SVG drawn by the template from the
geometry the pure helpers below compute: no JavaScript, nothing inline that the CSP forbids.
Days are UTC days, the same days the enrichment budget (``articles.models.BudgetDay``) uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Avg, Count, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Abs, Lower, TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from articles.models import Article
from enrichment.budget import budget_status
from enrichment.models import Enrichment
from sources.models import Source

from .charts import (
    PAIR_WIDTH,
    Bar,
    Segment,
    Series,
    bar_chart,
    line_chart,
    nice_ceiling,
    percent,
    progress_bar,
    usd,
)
from .models import AuditEvent

DAYS = 14
DECISIONS = ("approve", "reject", "publish")
# The decisions that accept the editorial copy: the values an editor signs off on.
ACCEPTING = ("approve", "publish")
# A publication nobody reviewed (the demo's setup publishes its first stories unread) is no
# editor's decision: it would count as one, and as full agreement with the AI.
# (has_key first: without the key the comparison is NULL, and NOT NULL drops the row.)
UNREVIEWED_PUBLICATION = Q(
    action="publish",
    changes__has_key="published_unreviewed",
    changes__published_unreviewed__1=True,
)
FAILING_SOURCES_SHOWN = 20


def _window(today: date) -> tuple[list[date], datetime]:
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    return days, datetime.combine(days[0], time.min, tzinfo=UTC)


def _day_label(day: date) -> str:
    return date_format(day, "j M")


def queue_figures() -> dict[str, Any]:
    """Stories per state (one per story, counted by its lead report), and the age (since
    ingestion) of those waiting for review."""
    rows: dict[str, Mapping[str, Any]] = {
        row["status"]: row
        for row in Article.objects.leading()
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
    }
    states = [
        {"value": value, "label": label, "count": rows.get(value, {}).get("n", 0)}
        for value, label in Article.Status.choices
    ]
    waiting = rows.get(Article.Status.IN_REVIEW, {"n": 0, "oldest": None})
    median = None
    if waiting["n"]:
        middle = (waiting["n"] - 1) // 2
        pair = list(
            Article.objects.leading()
            .awaiting_review()
            .order_by("created_at", "pk")
            .values_list("created_at", flat=True)[middle : middle + 2]
        )
        median = (
            pair[0]
            if waiting["n"] % 2 or len(pair) == 1
            else pair[0] + (pair[1] - pair[0]) / 2
        )
    return {
        "size": waiting["n"],
        "oldest": waiting["oldest"],
        "median": median,
        "states": states,
    }


def reviewed_figures(*, days: list[date], start: datetime) -> dict[str, Any]:
    """Editorial decisions (approve, reject, publish) per day."""
    # Mapping, not the TypedDict django-stubs infers: it misses the **-expanded counts.
    rows: dict[date, Mapping[str, Any]] = {
        row["day"]: row
        for row in AuditEvent.objects.filter(action__in=DECISIONS, at__gte=start)
        .exclude(UNREVIEWED_PUBLICATION)
        .annotate(day=TruncDate("at", tzinfo=UTC))
        .order_by()
        .values("day")
        .annotate(
            stories=Count("article", distinct=True),
            **{action: Count("pk", filter=Q(action=action)) for action in DECISIONS},
        )
    }
    bars = []
    for day in days:
        row = rows.get(day, {"stories": 0, **dict.fromkeys(DECISIONS, 0)})
        bars.append(
            Bar(
                label=_day_label(day),
                segments=tuple(Segment(row[a], f"bar-{a}") for a in DECISIONS),
                title=ngettext(
                    "%(day)s: %(approve)d approved, %(reject)d rejected, "
                    "%(publish)d published (%(stories)d story)",
                    "%(day)s: %(approve)d approved, %(reject)d rejected, "
                    "%(publish)d published (%(stories)d stories)",
                    row["stories"],
                )
                % {**row, "day": _day_label(day)},
            )
        )
    # At least 2, so the middle tick is a whole number of decisions.
    top = nice_ceiling(max((b.total for b in bars), default=0), minimum=2)
    return {
        "total": sum(b.total for b in bars),
        "today": bars[-1].total,
        "chart": bar_chart(bars, y_max=top, y_label=_("decisions")),
    }


def spend_figures(*, days: list[date], start: datetime) -> dict[str, Any]:
    """Today's budget, and enrichment cost and calls per day and backend."""
    budget = budget_status(days[-1])
    per_day: dict[date, dict[str, Mapping[str, Any]]] = {}
    totals: dict[str, dict[str, Any]] = {}
    for row in (
        Enrichment.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .values("day", "backend")
        .annotate(cost=Sum("cost_usd"), calls=Count("pk"))
    ):
        per_day.setdefault(row["day"], {})[row["backend"]] = row
        total = totals.setdefault(
            row["backend"], {"backend": row["backend"], "cost": Decimal(0), "calls": 0}
        )
        total["cost"] += row["cost"] or 0
        total["calls"] += row["calls"]
    bars = []
    for day in days:
        backends = per_day.get(day, {})
        paid = sum(float(r["cost"] or 0) for b, r in backends.items() if b == "claude")
        other = sum(float(r["cost"] or 0) for b, r in backends.items() if b != "claude")
        detail = ", ".join(
            ngettext(
                "%(backend)s %(calls)d call %(cost)s",
                "%(backend)s %(calls)d calls %(cost)s",
                r["calls"],
            )
            % {"backend": b, "calls": r["calls"], "cost": usd(r["cost"] or 0)}
            for b, r in sorted(backends.items())
        )
        bars.append(
            Bar(
                label=_day_label(day),
                segments=(Segment(paid, "bar-claude"), Segment(other, "bar-other")),
                title=f"{_day_label(day)}: {usd(paid + other)}"
                + (f" ({detail})" if detail else ""),
            )
        )
    return {
        "budget": {key: usd(value) for key, value in budget.items()},
        "reserving": budget["reserved"] > 0,
        "bar": progress_bar(
            spent=budget["spent"], reserved=budget["reserved"], limit=budget["limit"]
        ),
        "backends": [
            {**t, "cost": usd(t["cost"])}
            for t in sorted(totals.values(), key=lambda t: (-t["cost"], t["backend"]))
        ],
        "chart": bar_chart(bars, y_format=usd, y_label=_("USD")),
    }


def _agreement(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Mean importance difference and override shares over some days' aggregate rows."""

    def ratio(part: str, whole: str) -> float | None:
        total = sum(r[whole] for r in rows)
        return sum(r[part] for r in rows) / total if total else None

    judged = sum(r["judged"] for r in rows)
    return {
        "articles": sum(r["articles"] for r in rows),
        # The daily means weighted by their counts give the mean over all the articles.
        "mad": sum(r["mad"] * r["judged"] for r in rows if r["judged"]) / judged
        if judged
        else None,
        "sentiment": ratio("sentiment_overrides", "sentiments"),
        "category": ratio("category_overrides", "categories"),
    }


def agreement_figures(*, days: list[date], start: datetime) -> dict[str, Any]:
    """How far editors moved the AI's proposal, per day of the editor's decision.

    An article counts once, on the day of its latest approve or publish (an editor's: not a
    publication nobody reviewed), with its current editorial values against the proposal
    it was filled from.
    """
    latest_decision = (
        AuditEvent.objects.filter(article=OuterRef("pk"), action__in=ACCEPTING)
        .exclude(UNREVIEWED_PUBLICATION)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    decided = AuditEvent.objects.filter(action__in=ACCEPTING, at__gte=start).exclude(
        UNREVIEWED_PUBLICATION
    )
    both_importances = Q(importance__isnull=False, enrichment__importance__isnull=False)
    ai_sentiment = Q(enrichment__sentiment__gt="")
    # Only when the article has a category: a proposal whose category the site does not
    # have leaves the article without one, and that is no editor's override.
    both_categories = Q(enrichment__category__gt="", category__isnull=False)
    rows: dict[date, Mapping[str, Any]] = {
        row["day"]: row
        for row in Article.objects.filter(
            pk__in=decided.values("article_id"), enrichment__isnull=False
        )
        .annotate(decided_at=Subquery(latest_decision))
        .filter(decided_at__gte=start)
        .annotate(
            day=TruncDate("decided_at", tzinfo=UTC),
            editor_category=Lower("category__name"),
            ai_category=Lower("enrichment__category"),
        )
        .order_by()
        .values("day")
        .annotate(
            articles=Count("pk"),
            judged=Count("pk", filter=both_importances),
            mad=Avg(Abs(F("importance") - F("enrichment__importance"))),
            sentiments=Count("pk", filter=ai_sentiment),
            sentiment_overrides=Count(
                "pk", filter=ai_sentiment & ~Q(sentiment=F("enrichment__sentiment"))
            ),
            categories=Count("pk", filter=both_categories),
            category_overrides=Count(
                "pk", filter=both_categories & ~Q(editor_category=F("ai_category"))
            ),
        )
    }
    daily = [_agreement([rows[day]] if day in rows else []) for day in days]
    labels = [_day_label(day) for day in days]

    def series(name: str, key: str, fmt: Callable[[float], str]) -> Series:
        values = tuple(d[key] for d in daily)
        return Series(
            name,
            f"line-{key}",
            values,
            tuple(
                f"{label}: {fmt(v) if v is not None else _('no decisions')}"
                for label, v in zip(labels, values, strict=True)
            ),
        )

    mad = series(_("importance difference"), "mad", lambda v: _("%.1f points") % v)
    top = nice_ceiling(
        max((v for v in mad.values if v is not None), default=0), minimum=2
    )
    latest_day = max(rows, default=None)
    return {
        "latest_day": latest_day,
        "latest": _agreement([rows[latest_day]] if latest_day else []),
        "period": _agreement(list(rows.values())),
        "mad_chart": line_chart(
            labels,
            [mad],
            width=PAIR_WIDTH,
            y_max=top,
            y_format=lambda v: f"{v:.1f}",
            y_label=_("points"),
        ),
        "override_chart": line_chart(
            labels,
            [
                series(_("sentiment overridden"), "sentiment", percent),
                series(_("category overridden"), "category", percent),
            ],
            width=PAIR_WIDTH,
            y_max=1,
            y_format=percent,
            y_label=_("overridden"),
        ),
    }


def failing_sources() -> dict[str, Any]:
    """The failing sources, the worst first (one query: a row past the limit says 'more')."""
    rows = list(
        Source.objects.failing()
        .order_by("-consecutive_failures", "name")
        .only("pk", "name", "last_error", "last_error_at", "consecutive_failures")[
            : FAILING_SOURCES_SHOWN + 1
        ]
    )
    return {
        "sources": rows[:FAILING_SOURCES_SHOWN],
        "more": len(rows) > FAILING_SOURCES_SHOWN,
    }


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------
@require_GET
@login_required
@permission_required("articles.review_article", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    days, start = _window(now.astimezone(UTC).date())
    return render(
        request,
        "editorial/dashboard.html",
        {
            "now": now,
            "first_day": days[0],
            "queue": queue_figures(),
            "reviewed": reviewed_figures(days=days, start=start),
            "spend": spend_figures(days=days, start=start),
            "agreement": agreement_figures(days=days, start=start),
            "failing": failing_sources(),
        },
    )
