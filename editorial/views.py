"""The review queue: one page, keyboard-driven with htmx, usable without JavaScript.

Every action is a real form POST with CSRF; with htmx the view answers with just the changed
row or panel (template partials of one template) and an ``HX-Trigger`` event that refreshes
the per-state counts. The work is done by editorial.services, like the admin's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from articles.models import Article, Category
from sources.models import Source
from stories.models import StoryCluster
from stories.related import related

from . import services
from .exceptions import EditConflict, InvalidTransition, NotAllowed
from .models import AuditEvent

S = Article.Status
PENDING = [S.IN_REVIEW, S.APPROVED, S.FAILED, S.NEW]
PAGE_SIZE = 50
PRESENCE_SECONDS = 90  # "being reviewed by X" fades by itself when the editor leaves

review_required = permission_required("articles.review_article", raise_exception=True)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def _filtered(request: HttpRequest) -> QuerySet[Article]:
    status = request.GET.get("status") or S.IN_REVIEW
    articles = (
        Article.objects.filter(status=status)
        if status != "all"
        else (Article.objects.filter(status__in=PENDING))
    )
    if category := request.GET.get("category"):
        articles = articles.filter(category__slug=category)
    if sentiment := request.GET.get("sentiment"):
        articles = articles.filter(sentiment=sentiment)
    if source := request.GET.get("source"):
        articles = articles.filter(source__slug=source)
    if (minimum := request.GET.get("min")) and minimum.isdigit():
        articles = articles.filter(importance__gte=int(minimum))
    return (
        articles.select_related("source", "category", "enrichment", "cluster")
        .defer("content", "text", "cluster_signature", "enrichment__raw_reply")
        .order_by(
            F("enrichment__importance").desc(nulls_last=True), "-published_at", "-pk"
        )
    )


def _counts() -> dict[str, int]:
    counts = dict(
        Article.objects.filter(status__in=[*PENDING, S.ENRICHING])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in [*PENDING, S.ENRICHING]}


def _presence(ids: list[int], me: Any) -> dict[int, str]:
    seen = cache.get_many([f"presence:{pk}" for pk in ids])
    return {
        int(key.split(":")[1]): name
        for key, name in seen.items()
        if name and name != me.get_username()
    }


def _mark_presence(article: Article, user: Any) -> None:
    cache.set(f"presence:{article.pk}", user.get_username(), PRESENCE_SECONDS)


def _panel_context(
    article: Article, request: HttpRequest, **extra: Any
) -> dict[str, Any]:
    cluster_mates: list[Article] = []
    if article.cluster_id:
        cluster_mates = list(
            Article.objects.filter(cluster_id=article.cluster_id)
            .exclude(pk=article.pk)
            .select_related("source")
            .only("id", "title", "url", "published_at", "source__name", "cluster_id")
        )
    merge_targets = (
        Article.objects.filter(pk__in=related(article))
        .exclude(cluster_id=article.cluster_id)
        .select_related("source")
        .only("id", "title", "source__name", "cluster_id")[:8]
    )
    proposal = article.enrichment
    cluster_proposal = None
    if article.cluster_id:
        cluster_proposal = (
            Article.objects.filter(cluster_id=article.cluster_id, status=S.PUBLISHED)
            .exclude(pk=article.pk)
            .select_related("enrichment")
            .first()
        )
    return {
        "article": article,
        "proposal": proposal,
        "cluster_proposal": cluster_proposal.enrichment if cluster_proposal else None,
        "mates": cluster_mates,
        "merge_targets": merge_targets,
        "categories": Category.objects.all(),
        "sentiments": Article.Sentiment.choices,
        "takeaways_text": "\n".join(article.takeaways or []),
        "history": AuditEvent.objects.filter(article=article).select_related("actor")[
            :8
        ],
        "reviewing": _presence([article.pk], request.user).get(article.pk),
        "can_publish": request.user.has_perm("articles.publish_article"),
        **extra,
    }


@require_GET
@login_required
@review_required
def queue(request: HttpRequest) -> HttpResponse:
    """Pending stories by AI importance, then recency; one story open beside the list."""
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    open_pk = request.GET.get("open")
    opened = None
    if open_pk and open_pk.isdigit():
        opened = (
            Article.objects.select_related("source", "category", "enrichment")
            .filter(pk=int(open_pk))
            .first()
        )
    elif rows:
        opened = Article.objects.select_related("source", "category", "enrichment").get(
            pk=rows[0].pk
        )
    presence = _presence([a.pk for a in rows], request.user)
    for row in rows:
        row.reviewing = presence.get(row.pk, "")  # type: ignore[attr-defined]
    if opened and opened.pk not in presence:
        _mark_presence(opened, request.user)
    context = {
        "page": page,
        "rows": rows,
        "counts": _counts(),
        "filters": request.GET,
        "categories": Category.objects.all(),
        "sources": Source.objects.only("name", "slug"),
        "statuses": [
            ("in_review", "In review"),
            ("approved", "Approved"),
            ("failed", "Failed"),
            ("new", "New"),
            ("all", "All pending"),
        ],
        "opened": opened,
        **(_panel_context(opened, request) if opened else {}),
    }
    template = "editorial/queue.html"
    if request.htmx and request.htmx.target == "queue-list":
        template += "#queue-list"
    return render(request, template, context)


@require_GET
@login_required
@review_required
def story(request: HttpRequest, pk: int) -> HttpResponse:
    """The story panel (htmx) or the queue page with the story open."""
    if not request.htmx:
        return redirect(f"{reverse('editorial:queue')}?open={pk}")
    article = get_object_or_404(
        Article.objects.select_related("source", "category", "enrichment"), pk=pk
    )
    _mark_presence(article, request.user)
    return render(
        request, "editorial/queue.html#panel", _panel_context(article, request)
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _answer(
    request: HttpRequest,
    article: Article,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """htmx: the refreshed panel plus a counts event; otherwise back to the queue."""
    if not request.htmx:
        target = f"{reverse('editorial:queue')}?open={article.pk}"
        return redirect(target)
    article = Article.objects.select_related("source", "category", "enrichment").get(
        pk=article.pk
    )
    context = _panel_context(
        article, request, message=message, error=error, **(extra or {})
    )
    response = render(request, "editorial/queue.html#panel", context, status=status)
    trigger_client_event(
        response,
        "queue-changed",
        {
            "article": article.pk,
            "status": article.status,
            "importance": article.importance,
            "counts": _counts(),
            "message": message or error,
        },
    )
    return response


def _run(
    request: HttpRequest, article: Article, action: Any, done: str
) -> HttpResponse:
    try:
        action()
    except EditConflict as exc:
        return _answer(request, article, error=str(exc), status=409)
    except NotAllowed as exc:
        return _answer(request, article, error=str(exc), status=403)
    except (InvalidTransition, ValueError) as exc:
        return _answer(request, article, error=str(exc), status=409)
    return _answer(request, article, message=done)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@require_POST
@login_required
@review_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """approve / reject / publish / submit, dispatched on the ``decision`` field."""
    article = get_object_or_404(Article, pk=pk)
    user, version = request.user, _version(request)
    decision = request.POST.get("decision", "")
    actions = {
        "approve": (
            lambda: services.article_approve(
                article=article, editor=user, version=version
            ),
            "Approved.",
        ),
        "reject": (
            lambda: services.article_reject(
                article=article,
                editor=user,
                reason=request.POST.get("reason", ""),
                version=version,
            ),
            "Rejected.",
        ),
        "publish": (
            lambda: services.article_publish(
                article=article, editor=user, version=version
            ),
            "Published.",
        ),
        "submit": (
            lambda: services.article_submit(article=article, editor=user),
            "Back in review.",
        ),
        "rerun": (
            lambda: services.article_rerun_enrichment(article=article, editor=user),
            "Enrichment queued again.",
        ),
    }
    if decision not in actions:
        return _answer(
            request, article, error=f"unknown decision {decision!r}", status=400
        )
    action, done = actions[decision]
    return _run(request, article, action, done)


@require_POST
@login_required
@review_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the editorial copy (or just the importance) on the version it was made on."""
    article = get_object_or_404(Article, pk=pk)
    version = _version(request)
    changes: dict[str, Any] = {}
    for name in ("summary", "analysis", "sentiment"):
        if name in request.POST:
            changes[name] = request.POST[name].strip()
    if "takeaways" in request.POST:
        changes["takeaways"] = [
            line.strip()
            for line in request.POST["takeaways"].splitlines()
            if line.strip()
        ]
    if "importance" in request.POST:
        value = request.POST["importance"]
        changes["importance"] = int(value) if value.isdigit() else None
    if "category" in request.POST:
        value = request.POST["category"]
        changes["category"] = int(value) if value.isdigit() else None
    if version is None:
        return _answer(
            request, article, error="the form lost its version; reload", status=400
        )
    try:
        services.article_edit(
            article=article, editor=request.user, version=version, changes=changes
        )
    except EditConflict as exc:
        # Keep what the editor typed: the panel is re-rendered with their text and the
        # other editor's changes beside it.
        return _answer(
            request,
            article,
            error=str(exc),
            status=409,
            extra={"draft": request.POST, "theirs": exc.theirs},
        )
    except (NotAllowed, InvalidTransition, ValueError) as exc:
        return _answer(request, article, error=str(exc), status=409)
    return _answer(request, article, message="Saved.")


@require_POST
@login_required
@review_required
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    return _run(
        request,
        article,
        lambda: services.article_undo(article=article, editor=request.user),
        "Undone.",
    )


@require_POST
@login_required
@review_required
def split(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    return _run(
        request,
        article,
        lambda: services.article_split(article=article, editor=request.user),
        "Split into its own story.",
    )


@require_POST
@login_required
@review_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this story into the story of the article picked as target."""
    article = get_object_or_404(Article, pk=pk)
    target_pk = request.POST.get("target", "")
    target = (
        Article.objects.filter(pk=int(target_pk)).first()
        if target_pk.isdigit()
        else None
    )
    if target is None or target.cluster_id is None or article.cluster_id is None:
        return _answer(request, article, error="pick a story to merge into", status=400)
    source_cluster = StoryCluster.objects.get(pk=article.cluster_id)
    target_cluster = StoryCluster.objects.get(pk=target.cluster_id)
    return _run(
        request,
        article,
        lambda: services.cluster_merge(
            source=source_cluster, target=target_cluster, editor=request.user
        ),
        f"Merged into “{target.title[:60]}”.",
    )


@require_POST
@login_required
@review_required
def bulk_approve(request: HttpRequest) -> HttpResponse:
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    approved, problems = 0, []
    for article in Article.objects.filter(pk__in=ids):
        try:
            services.article_approve(article=article, editor=request.user)
            approved += 1
        except (InvalidTransition, NotAllowed, EditConflict) as exc:
            problems.append(str(exc))
    response = redirect(reverse("editorial:queue"))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
    trigger_client_event(
        response,
        "queue-changed",
        {
            "counts": _counts(),
            "message": f"Approved {approved} stories."
            + (f" {len(problems)} could not be approved." if problems else ""),
        },
    )
    return response
