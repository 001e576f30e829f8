"""The editor dashboard: the desk's queue, throughput, AI spend and AI-vs-editor agreement.

Every figure is aggregated in the database, so the page costs the same handful of queries
whatever the size of the archive. The charts are inline SVG drawn by the template from the
geometry the pure helpers below compute: no JavaScript, nothing inline that the CSP forbids.
Days are UTC days, the same days the enrichment budget (``articles.models.BudgetDay``) uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

from articles.models import Article, Enrichment
from articles.services import budget_status
from sources.models import Source

from .models import AuditEvent

DAYS = 14
DECISIONS = ("approve", "reject", "publish")
# The decisions that accept the editorial copy: the values an editor signs off on.
ACCEPTING = ("approve", "publish")
FAILING_SOURCES_SHOWN = 20

CHART_WIDTH = 640
PAIR_WIDTH = 400  # the two agreement charts share a row
CHART_HEIGHT = 200
# Room for the y tick labels (left), the axis title (top) and the day labels (bottom).
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 8, 22, 24


# --------------------------------------------------------------------------------------------
# Chart geometry: pure functions, no database
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One stacked part of a bar."""

    value: float
    css_class: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    title: str

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


@dataclass(frozen=True)
class Series:
    """One line of a line chart; None marks a day without data (a gap in the line)."""

    name: str
    css_class: str
    values: tuple[float | None, ...]
    titles: tuple[str, ...]


def nice_ceiling(value: float, *, minimum: float = 0) -> float:
    """The smallest of 1, 2, 4, 6, 8 × 10ⁿ at or above ``value`` (so halves stay round);
    1 for nothing at all."""
    value = max(value, minimum)
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if step * magnitude >= value * (1 - 1e-9):
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _frame(width: int, height: int) -> dict[str, float]:
    return {
        "width": width,
        "height": height,
        "x0": MARGIN_LEFT,
        "x1": width - MARGIN_RIGHT,
        "y0": MARGIN_TOP,
        "y1": height - MARGIN_BOTTOM,
        "plot_height": height - MARGIN_BOTTOM - MARGIN_TOP,
        "label_y": height - 8,
    }


def _ticks(
    frame: dict[str, float], y_max: float, fmt: Callable[[float], str]
) -> list[dict[str, Any]]:
    plot = frame["y1"] - frame["y0"]
    return [
        {
            "y": round(frame["y1"] - plot * share, 1),
            "label": fmt(y_max * share),
            "x": frame["x0"] - 6,
        }
        for share in (0, 0.5, 1)
    ]


def _x_labels(
    labels: Sequence[str], centres: Sequence[float], width: int
) -> list[dict]:
    # About 56 px per "14 Mar"; thin the labels out rather than let them collide.
    every = max(1, math.ceil(len(labels) / max(1, (width - MARGIN_LEFT) // 56)))
    last = len(labels) - 1
    return [
        {"x": round(x, 1), "text": text}
        for i, (text, x) in enumerate(zip(labels, centres, strict=True))
        if (last - i) % every == 0  # always label the latest day
    ]


def bar_chart(
    bars: Sequence[Bar],
    *,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    y_max: float | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    y_label: str = "",
) -> dict[str, Any]:
    """Geometry of a (stacked) bar chart: one bar per item, segments stacked bottom up."""
    frame = _frame(width, height)
    top = y_max or nice_ceiling(max((b.total for b in bars), default=0))
    plot_h = frame["y1"] - frame["y0"]
    slot = (frame["x1"] - frame["x0"]) / max(1, len(bars))
    bar_w = slot * 0.7
    drawn = []
    for i, bar in enumerate(bars):
        x = frame["x0"] + i * slot + (slot - bar_w) / 2
        base, rects = frame["y1"], []
        for segment in bar.segments:
            h = plot_h * min(segment.value, top) / top if top else 0
            if h <= 0:
                continue
            base -= h
            rects.append(
                {"y": round(base, 1), "height": round(h, 1), "css": segment.css_class}
            )
        drawn.append(
            {
                "x": round(x, 1),
                "width": round(bar_w, 1),
                "slot_x": round(frame["x0"] + i * slot, 1),
                "slot_width": round(slot, 1),
                "rects": rects,
                "title": bar.title,
            }
        )
    centres = [frame["x0"] + (i + 0.5) * slot for i in range(len(bars))]
    return {
        **frame,
        "y_label": y_label,
        "ticks": _ticks(frame, top, y_format),
        "bars": drawn,
        "labels": _x_labels([b.label for b in bars], centres, width),
    }


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    y_max: float | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    y_label: str = "",
) -> dict[str, Any]:
    """Geometry of a line chart: each series as polylines broken where a value is None,
    with a dot (and its tooltip) on every known value."""
    frame = _frame(width, height)
    known = [v for s in series for v in s.values if v is not None]
    top = y_max or nice_ceiling(max(known, default=0))
    plot_h = frame["y1"] - frame["y0"]
    step = (frame["x1"] - frame["x0"]) / max(1, len(labels))
    centres = [frame["x0"] + (i + 0.5) * step for i in range(len(labels))]
    drawn = []
    for line in series:
        segments: list[list[str]] = [[]]
        dots = []
        for x, value, title in zip(centres, line.values, line.titles, strict=True):
            if value is None:
                if segments[-1]:
                    segments.append([])  # a gap: the line starts again after it
                continue
            y = frame["y1"] - plot_h * min(value, top) / top
            segments[-1].append(f"{x:.1f},{y:.1f}")
            dots.append({"x": round(x, 1), "y": round(y, 1), "title": title})
        drawn.append(
            {
                "name": line.name,
                "css": line.css_class,
                "polylines": [" ".join(s) for s in segments if len(s) > 1],
                "dots": dots,
            }
        )
    return {
        **frame,
        "y_label": y_label,
        "ticks": _ticks(frame, top, y_format),
        "series": drawn,
        "labels": _x_labels(labels, centres, width),
    }


def progress_bar(
    *, spent: Decimal, reserved: Decimal, limit: Decimal, width: int = CHART_WIDTH
) -> dict[str, Any]:
    """Geometry of the budget bar: spent, then reserved, against the day's limit."""
    scale = width / float(limit) if limit > 0 else 0
    spent_w = min(width, float(spent) * scale)
    reserved_w = min(width - spent_w, float(reserved) * scale)
    return {
        "width": width,
        "height": 24,
        "spent_width": round(spent_w, 1),
        "reserved_x": round(spent_w, 1),
        "reserved_width": round(reserved_w, 1),
        "percent": round(100 * (spent + reserved) / limit) if limit > 0 else 100,
        "exhausted": spent + reserved >= limit,
    }


def usd(value: float | Decimal) -> str:
    """Dollars and cents; tenths of a cent for the small sums a single call costs."""
    sign, value = "-" if value < 0 else "", abs(float(value))
    return f"{sign}${value:,.{2 if value >= 0.1 or value == 0 else 4}f}"


def percent(value: float) -> str:
    return f"{100 * value:.0f}%"


# --------------------------------------------------------------------------------------------
# Figures: one aggregate query each
# --------------------------------------------------------------------------------------------
def _window(today: date) -> tuple[list[date], datetime]:
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    return days, datetime.combine(days[0], time.min, tzinfo=UTC)


def _day_label(day: date) -> str:
    return date_format(day, "j M")


def queue_figures() -> dict[str, Any]:
    """Articles per state, and the age (since ingestion) of those waiting for review."""
    rows = {
        row["status"]: row
        for row in Article.objects.order_by()
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
            Article.objects.awaiting_review()
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
    rows = {
        row["day"]: row
        for row in AuditEvent.objects.filter(action__in=DECISIONS, at__gte=start)
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
    per_day: dict[date, dict[str, dict[str, Any]]] = {}
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


def _agreement(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
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

    An article counts once, on the day of its latest approve or publish, with its current
    editorial values against the proposal it was filled from.
    """
    latest_decision = (
        AuditEvent.objects.filter(article=OuterRef("pk"), action__in=ACCEPTING)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    decided = AuditEvent.objects.filter(action__in=ACCEPTING, at__gte=start)
    both_importances = Q(importance__isnull=False, enrichment__importance__isnull=False)
    ai_sentiment = Q(enrichment__sentiment__gt="")
    # Only when the article has a category: a proposal whose category the site does not
    # have leaves the article without one, and that is no editor's override.
    both_categories = Q(enrichment__category__gt="", category__isnull=False)
    rows = {
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
