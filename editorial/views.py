"""The review queue: one row per story, keyboard-driven with htmx, usable without JavaScript.

Every action is a real form POST with CSRF that names the story it acts on (its id in the
URL, the version it was loaded at in the form); with htmx the view answers with the panel
(a template partial) and an ``HX-Trigger`` event that refreshes the counts and moves the
queue on. What each button may do is asked of the rulebook (``editorial.actions``); the
work is done by ``editorial.services``, like the admin's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from articles.models import Article, Category
from sources.models import Source
from stories.models import PairOpinion, StoryCluster
from stories.related import related

from . import actions, services
from .exceptions import ActionRefused, EditConflict, StoryGone
from .forms import (
    ANALYSIS_CHARS,
    SUMMARY_CHARS,
    CopyForm,
    MergeForm,
    RejectForm,
    ScheduleForm,
    TakedownForm,
    TakeForm,
    VersionedForm,
    number,
    versioned_ids,
)
from .models import AuditEvent
from .services.base import desk_time

S = Article.Status
PENDING = [S.IN_REVIEW, S.APPROVED, S.FAILED, S.NEW]
PAGE_SIZE = 50
PRESENCE_SECONDS = 90  # "being reviewed by X" fades by itself when the editor leaves
# Decisions after which the queue moves on to the next story.
ADVANCING = frozenset({"approve", "reject", "publish", "schedule", "merge"})
# Actions that change the list's rows themselves, not only a row's state: a split adds a
# story, a merge removes one and adds a source to another, a new lead renames one, an undo
# may do any of these. The queue loads its list again after them.
RESHAPING = frozenset({"split", "merge", "canonical", "undo"})
# A report's own buttons, in its story's panel.
REPORT_ACTIONS = frozenset({"split", "canonical"})
# What the queue's list is swapped into: the list itself, or the slot that holds it.
LIST_TARGETS = frozenset({"queue-list", "queue-list-slot"})

review_required = permission_required(actions.REVIEW, raise_exception=True)


def on_a_story(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A desk view for story ``pk``: a story deleted since the editor loaded it (a chief's
    takedown) is answered with who deleted it and when (``_gone``), not a bare 404. A
    deletion after this check is caught where the story is locked (``services.gone``)."""

    @wraps(view)
    def checked(request: HtmxHttpRequest, pk: int) -> HttpResponse:
        if not Article.objects.filter(pk=pk).exists():
            return _gone(request, pk)
        return view(request, pk)

    return checked


def on_a_report(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A desk view for report ``pk``, posted from its story's panel (``in_panel``): when that
    story was deleted since (and the report handed its lead), the story the editor was
    looking at is what is gone; the report's own change of version would only confuse."""

    @wraps(view)
    def checked(request: HtmxHttpRequest, pk: int) -> HttpResponse:
        deleted = _panel_deleted(request, pk)
        return view(request, pk) if deleted is None else _gone(request, deleted)

    return on_a_story(checked)


PANEL = ("source", "category", "enrichment", "pending_enrichment", "cluster")
STATUS_FILTERS = [
    ("in_review", "In review"),
    ("approved", "Approved"),
    ("scheduled", "Scheduled"),
    ("failed", "Failed"),
    ("new", "New"),
    ("all", "All pending"),
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("archived", "Archived"),
]


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (``request.htmx``); for typing."""

    htmx: HtmxDetails


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def _stories(request: HttpRequest) -> QuerySet[Article]:
    """The leading article of each story in the filtered state, by AI importance."""
    status = _param(request, "status") or S.IN_REVIEW
    leads = Article.objects.leading()
    if status == "all":
        articles = leads.filter(status__in=PENDING)
    elif status == "scheduled":
        articles = leads.filter(status=S.APPROVED, publish_at__isnull=False)
    else:
        articles = leads.filter(status=status)
    if category := _param(request, "category"):
        articles = articles.filter(category__slug=category)
    if sentiment := _param(request, "sentiment"):
        articles = articles.filter(sentiment=sentiment)
    if source := _param(request, "source"):
        articles = articles.filter(source__slug=source)
    if (minimum := number(_param(request, "min"))) is not None:
        articles = articles.filter(importance__gte=minimum)
    return (
        articles.select_related("source", "category", "enrichment", "cluster")
        .defer("content", "text", "cluster_signature", "enrichment__raw_reply")
        .order_by(
            F("enrichment__importance").desc(nulls_last=True), "-published_at", "-pk"
        )
    )


def _counts() -> dict[str, int]:
    """Stories per state (one per story, as the queue lists them)."""
    states = [*PENDING, S.ENRICHING]
    counts = dict(
        Article.objects.leading()
        .filter(status__in=states)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in states}


def _presence(ids: list[int], me: Any) -> dict[int, str]:
    seen = cache.get_many([f"presence:{pk}" for pk in ids])
    return {
        int(key.split(":")[1]): name
        for key, name in seen.items()
        if name and name != me.get_username()
    }


def _mark_presence(article: Article, user: Any) -> None:
    """Show others that ``user`` has this story open, and no longer the one before it (an
    editor moving through the queue with `j` leaves no trail of "being reviewed")."""
    name = user.get_username()
    mine = f"presence-of:{user.pk}"
    previous = cache.get(mine)
    if previous and previous != article.pk:
        key = f"presence:{previous}"
        if cache.get(key) == name:
            cache.delete(key)
    cache.set(f"presence:{article.pk}", name, PRESENCE_SECONDS)
    cache.set(mine, article.pk, PRESENCE_SECONDS)


def _param(request: HttpRequest, name: str) -> str:
    """A query parameter, or "" when it is not text a database takes (NUL bytes)."""
    value = request.GET.get(name, "").strip()
    return "" if "\x00" in value else value


# The queue's own query parameters (what a form's ``back`` may carry).
QUEUE_PARAMETERS = ("status", "category", "sentiment", "source", "min", "page")


def _posted_filters(request: HttpRequest) -> QueryDict | None:
    """The queue filters a form was sent with: its hidden ``back``, or else the query of the
    queue page it was sent from (the Referer); only the queue's own parameters. None when
    neither says."""
    queue = reverse("editorial:queue")
    if "back" in request.POST:
        sent = QueryDict(request.POST.get("back", "")[:2000])
    else:
        referer = request.META.get("HTTP_REFERER", "")
        if not referer or not url_has_allowed_host_and_scheme(
            referer,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            return None
        parts = urlsplit(referer)
        if parts.path != queue:
            return None
        sent = QueryDict(parts.query[:2000])
    kept = QueryDict(mutable=True)
    for name in QUEUE_PARAMETERS:
        value = sent.get(name, "").strip()
        if value and "\x00" not in value:
            kept[name] = value
    return kept


def _back_to_queue(request: HttpRequest, pk: int) -> str:
    """The queue page the form was sent from (its filters kept), with the story open."""
    kept = _posted_filters(request) or QueryDict(mutable=True)
    kept["open"] = str(pk)
    return f"{reverse('editorial:queue')}?{kept.urlencode()}"


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _panel_context(
    article: Article, request: HttpRequest, **extra: Any
) -> dict[str, Any]:
    user = request.user
    reports: list[Article] = []
    joined_by: list[PairOpinion] = []
    if article.cluster_id:
        reports = list(
            Article.objects.filter(cluster_id=article.cluster_id)
            .exclude(pk=article.pk)
            .select_related("source")
            .only(
                "id",
                "title",
                "url",
                "status",
                "version",
                "published_at",
                "source__name",
                "cluster_id",
            )
            .order_by("published_at")
        )
        if article.cluster is not None and article.cluster.canonical_id == article.pk:
            article.cluster.canonical = article  # the reports' story status, no query
        for report in reports:
            report.cluster = article.cluster
            report.allowed = actions.allowed(user, report)  # type: ignore[attr-defined]
        if reports:  # why they are one story, when a second opinion joined them
            joined_by = list(
                PairOpinion.objects.within(article.cluster_id)
                .filter(same_event=True)
                .order_by("created_at")
            )
    history = list(AuditEvent.objects.for_article(article)[:10])
    undo_event = services.last_undoable(user)
    undo_article = (
        Article.objects.only("pk", "version", "title")
        .filter(pk=undo_event.article_id)
        .first()
        if undo_event
        else None
    )
    if undo_article is None:  # deleted since it was read: nothing left to undo
        undo_event = None
    return {
        "article": article,
        "allowed": actions.allowed(user, article),
        "proposal": article.enrichment,
        "pending": article.pending_enrichment,
        "differences": services.proposal_differences(article),
        "reports": reports,
        "joined_by": joined_by,
        "categories": Category.objects.all(),
        "sentiments": Article.Sentiment.choices,
        "takeaways_text": "\n".join(article.takeaways or []),
        "summary_chars": SUMMARY_CHARS,
        "analysis_chars": ANALYSIS_CHARS,
        "history": history,
        "rejected_because": next((e for e in history if e.action == "reject"), None)
        if article.status == S.REJECTED
        else None,
        "taken_down": services.last_takedown(article),
        "corrections": article.corrections.all(),
        "reviewing": _presence([article.pk], user).get(article.pk),
        "undo_event": undo_event,
        "undo_article": undo_article,
        **extra,
    }


@require_safe
@login_required
@review_required
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """Pending stories by AI importance, then recency; one story open beside the list."""
    if request.htmx and request.htmx.target in LIST_TARGETS:
        # The list alone (the queue loads it again after a story action): no panel, and
        # no one marked as reviewing a story they have not opened.
        return render(
            request, "editorial/queue.html#queue-list", _list_context(request)
        )
    open_pk = number(_param(request, "open"))
    opened, gone = None, ""
    if open_pk is not None:
        opened = Article.objects.select_related(*PANEL).filter(pk=open_pk).first()
        if opened is None and (refusal := services.gone(open_pk)).recorded:
            gone = refusal.notice  # a link to a story deleted since: say so, no other
    return render(
        request, "editorial/queue.html", _queue_context(request, opened, gone=gone)
    )


def _list_context(request: HtmxHttpRequest) -> dict[str, Any]:
    """The list: a page of the filtered stories, who else is reviewing each, and what the
    pager and the bulk approval need."""
    page = Paginator(_stories(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    presence = _presence([a.pk for a in rows], request.user)
    # Stories taken off the site wait among the approved: the row says so (one query).
    held = services.taken_down(rows)
    for row in rows:
        row.reviewing = presence.get(row.pk, "")  # type: ignore[attr-defined]
        row.taken_down = row.pk in held  # type: ignore[attr-defined]
    return {
        "page": page,
        "rows": rows,
        # Filters kept by the pager links.
        "filter_query": _without(request, "page", "open"),
        # Bulk approve where there is something to approve.
        "bulk": actions.may(request.user, "approve")
        and (_param(request, "status") or S.IN_REVIEW) in (S.IN_REVIEW, "all"),
    }


def _queue_context(
    request: HtmxHttpRequest,
    opened: Article | None,
    *,
    gone: str = "",
    unsaved: list[tuple[str, str]] | None = None,
    **panel: Any,
) -> dict[str, Any]:
    """The whole page: the filtered stories, the counts and the open story's panel (the
    first story's when none is asked for; none, and ``gone``, when the one asked for was
    deleted)."""
    context = _list_context(request)
    rows = context["rows"]
    if opened is None and rows and not gone:
        opened = Article.objects.select_related(*PANEL).filter(pk=rows[0].pk).first()
    if opened and not any(row.pk == opened.pk and row.reviewing for row in rows):
        _mark_presence(opened, request.user)
    return {
        **context,
        "counts": _counts(),
        "filters": request.GET,
        "categories": Category.objects.all(),
        "sources": Source.objects.only("name", "slug"),
        "statuses": STATUS_FILTERS,
        "status": _param(request, "status") or S.IN_REVIEW,
        "may_approve": actions.may(request.user, "approve"),
        "opened": opened,
        "gone": gone,
        "unsaved": unsaved or [],
        **(_panel_context(opened, request, **panel) if opened else {}),
    }


@require_safe
@login_required
@review_required
def story(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The story panel (htmx) or the queue page with the story open."""
    if not request.htmx:
        return redirect(f"{reverse('editorial:queue')}?open={pk}")
    article = Article.objects.select_related(*PANEL).filter(pk=pk).first()
    if article is None:
        return _gone(request, pk)
    _mark_presence(article, request.user)
    response = render(
        request, "editorial/queue.html#panel", _panel_context(article, request)
    )
    response["X-Story"] = str(article.pk)
    return response


@require_safe
@login_required
@review_required
def merge_picker(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Candidate stories to merge this one into: related stories first, then those whose
    headline matches ``q``; one row each (title, sources, time)."""
    article = Article.objects.select_related("cluster").filter(pk=pk).first()
    if article is None:
        return _gone(request, pk)
    recent = Article.objects.leading().exclude(status=S.ARCHIVED)
    if article.cluster_id:
        recent = recent.exclude(cluster_id=article.cluster_id)
    recent = recent.exclude(pk=article.pk)
    query = _param(request, "q")[:200]
    if query:
        since = timezone.now() - timedelta(days=14)
        found = list(
            recent.filter(title__icontains=query, published_at__gte=since)
            .select_related("source", "cluster")
            .order_by("-published_at")[:12]
        )
    else:
        # The most similar stories first (related() ranks them), one row per story.
        ranked = related(article)
        lead_of = dict(
            Article.objects.filter(pk__in=ranked).values_list(
                "pk", "cluster__canonical_id"
            )
        )
        order = list(dict.fromkeys(lead_of.get(pk) or pk for pk in ranked))
        leads = {
            a.pk: a
            for a in recent.filter(pk__in=order).select_related("source", "cluster")
        }
        found = [leads[pk] for pk in order if pk in leads][:12]
    if not actions.may(request.user, "publish"):
        # Adding reports to a published story is a chief editor's call.
        found = [c for c in found if c.status != S.PUBLISHED]
    context = {"article": article, "candidates": found, "q": query}
    if (
        not request.htmx
    ):  # the picker as a page of its own, for a browser without scripts
        # The queue's filters: from its link, or kept in ``back`` by a search here.
        sent = (
            QueryDict(request.GET.get("back", "")[:2000])
            if "back" in request.GET
            else request.GET
        )
        back = QueryDict(mutable=True)
        for name in QUEUE_PARAMETERS:
            value = sent.get(name, "").strip()
            if value and "\x00" not in value:
                back[name] = value
        context |= {"full_page": True, "filter_query": back.urlencode()}
        return render(request, "editorial/merge.html", context)
    return render(request, "editorial/queue.html#merge-picker", context)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _answer(
    request: HtmxHttpRequest,
    article_pk: int,
    *,
    message: str = "",
    error: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    action: str = "",
    acted_on: int | None = None,
    extra: dict[str, Any] | None = None,
    reload: bool = False,
) -> HttpResponse:
    """htmx: the story's refreshed panel plus a counts event. Without JavaScript: back to
    the queue after a success; the queue page itself, with the error and what the editor
    typed, after a refusal or invalid input (nothing they wrote is lost)."""
    article = Article.objects.select_related(*PANEL).filter(pk=article_pk).first()
    if article is None and acted_on is not None:
        article = Article.objects.select_related(*PANEL).filter(pk=acted_on).first()
    if article is None:
        return _gone(request, article_pk, error)
    lead_id = article.cluster.canonical_id if article.cluster else None
    if action in RESHAPING and not error and lead_id not in (None, article.pk):
        # The story's reports moved (an undone new lead, a report put back): the panel
        # shows the story the list has a row for, its lead.
        lead = Article.objects.select_related(*PANEL).filter(pk=lead_id).first()
        article = lead or article
    panel = {
        "message": message,
        "error": error,
        "errors": errors or {},
        **(extra or {}),
    }
    if not request.htmx:
        if not error:
            messages.success(request, message)
            return redirect(_back_to_queue(request, article.pk))
        return _queue_page(request, article, status=status, **panel)
    context = _panel_context(article, request, **panel)
    response = render(request, "editorial/queue.html#panel", context, status=status)
    response["X-Story"] = str(article.pk)
    trigger_client_event(
        response,
        "queue-changed",
        {
            "article": acted_on or article.pk,
            "status": article.status,
            "importance": article.importance,
            # The row's "publishes …" badge (a scheduled story read "approved" alone).
            "publishes": desk_time(article.publish_at, "T")
            if article.publish_at
            else "",
            "pending": article.pending_enrichment_id is not None,
            "counts": _counts(),
            "message": message or error,
            "refused": bool(error),
            "advance": bool(action in ADVANCING and not error),
            "reload": bool(action in RESHAPING and not error) or reload,
        },
    )
    return response


def _queue_page(
    request: HtmxHttpRequest, opened: Article | None, *, status: int, **panel: Any
) -> HttpResponse:
    """Without JavaScript, the answer to a refused post: the queue page as the editor had it
    filtered (the form's ``back``), ``opened`` open with the refusal."""
    posted = _posted_filters(request)
    if posted is not None:
        request.GET = posted  # type: ignore[assignment]
    page = _queue_context(request, opened, **panel)
    return render(request, "editorial/queue.html", page, status=status)


def _in_panel(request: HttpRequest) -> int | None:
    """The story whose panel a form was posted from, when it is not the one the form acts
    on (a report's "Make lead", the Undo of an earlier action): ``in_panel``. Not ``show``,
    the story a successful answer shows: this one answers a refusal where it was made."""
    return number(request.POST.get("in_panel", ""))


def _panel_deleted(request: HttpRequest, pk: int) -> int | None:
    """The story whose panel a report's form was posted from, when it was deleted since
    (and report ``pk`` handed its lead): what the editor was looking at is what is gone."""
    panel = _in_panel(request)
    if panel in (None, pk) or Article.objects.filter(pk=panel).exists():
        return None
    return panel


def _gone(request: HtmxHttpRequest, pk: int, message: str = "") -> HttpResponse:
    """The answer for a story deleted since the editor loaded it: htmx, a panel that says
    who deleted it and when (410, which the queue swaps in) and the list loaded again
    without its row; without JavaScript, the queue with that message. Posted from the
    panel of another story that is still there (a deleted report's "Make lead"), that
    story's panel with the message. A story whose deletion nobody recorded (an id that
    never was one) is a plain 404."""
    if not message:
        refusal = services.gone(pk)
        if not refusal.recorded:
            raise Http404("No such story.")
        message = str(refusal)
    panel = _in_panel(request)
    if panel not in (None, pk) and Article.objects.filter(pk=panel).exists():
        return _answer(request, panel, error=message, status=410, reload=True)
    unsaved = _unsaved(request)  # it cannot be saved: shown to copy, so no edit is lost
    if not request.htmx:  # nothing else open: the first row is not the deleted story
        return _queue_page(request, None, status=410, gone=message, unsaved=unsaved)
    response = render(
        request,
        "editorial/queue.html#panel",
        {"gone": message, "unsaved": unsaved},
        status=410,
    )
    response["X-Story"] = str(pk)
    # Into the panel's slot whatever the form aimed at (the merge picker sits in the panel).
    response["HX-Retarget"] = "#panel-slot"
    response["HX-Reswap"] = "innerHTML"
    trigger_client_event(
        response,
        "queue-changed",
        {
            "article": pk,
            "counts": _counts(),
            "message": message,
            "refused": True,
            "reload": True,
        },
    )
    return response


def _run(
    request: HtmxHttpRequest,
    pk: int,
    call: Callable[[], Any],
    *,
    done: str,
    action: str,
    show: int | None = None,
    edited: dict[str, Any] | None = None,
) -> HttpResponse:
    """Run one service call and answer with the panel: the message, or the refusal (403 /
    409) or the field errors (422) beside what the editor typed. ``edited``: the copy an
    edit posted (its form is shown again as typed, merged after a conflict)."""
    draft = edited is not None
    kept = _kept(request, draft=draft)
    try:
        call()
    except StoryGone as exc:
        return _gone(request, exc.pk, str(exc))
    except EditConflict as exc:
        deleted = _panel_deleted(request, pk) if action in REPORT_ACTIONS else None
        if deleted is not None:
            # The report changed because its story's lead was deleted: say that.
            return _gone(request, deleted)
        # The text typed is kept in its form, when the change made meanwhile left the
        # form there (a reject after another editor's reject has none): else shown to copy.
        typed = _unsaved(request)
        current = Article.objects.filter(pk=pk).first()
        form_there = current is not None and action in actions.allowed(
            request.user, current
        )
        if typed and not form_there:
            kept = {**kept, "unsaved": typed}
        if edited is not None and current is not None:
            saved = services.left_as_loaded(exc, edited)
            kept = {**kept, "draft": _merged_draft(request, current, saved)}
        return _answer(
            request,
            show or pk,
            error=str(exc) if typed and form_there else exc.untyped,
            status=exc.status,
            extra={**kept, "theirs": exc.theirs} if draft else kept,
        )
    except ActionRefused as exc:
        return _answer(
            request, show or pk, error=str(exc), status=exc.status, extra=kept
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return _answer(
            request,
            show or pk,
            error="; ".join(m for ms in errors.values() for m in ms),
            errors=errors,
            status=422,
            extra=kept,
        )
    return _answer(request, show or pk, message=done, action=action, acted_on=pk)


# Fields an editor types into (the copy, a reason, a note, a time), in the forms' order;
# the rest are buttons.
TYPED = (
    "title",
    "summary",
    "analysis",
    "takeaways",
    "correction",
    "reason",
    "note",
    "publish_at",
)
TYPED_LABELS = {"title": "Headline", "publish_at": "Publication time"}


def _merged_draft(
    request: HttpRequest, current: Article, saved: list[str]
) -> QueryDict:
    """The copy form shown again after a conflict, on the current version: what the
    editor typed, but the value saved since for each field in ``saved``, which they left
    as loaded (``services.left_as_loaded``). Saving it again changes only what they
    changed (it put back the other editor's summary, which the form still held as
    loaded: a stranger's find)."""
    draft = request.POST.copy()
    draft["version"] = str(current.version)
    shown = {  # each field as the panel's copy form shows it
        "title": current.title,
        "summary": current.summary,
        "analysis": current.analysis,
        "takeaways": "\n".join(current.takeaways),
        "sentiment": current.sentiment,
        "importance": "" if current.importance is None else str(current.importance),
        "category": "" if current.category_id is None else str(current.category_id),
    }
    for name in saved:
        draft[name] = shown[name]
    return draft


def _unsaved(request: HttpRequest) -> list[tuple[str, str]]:
    """What the editor typed, labelled as the forms label it, for a panel to show back
    when the form it was typed into is not there any more."""
    return [
        (
            TYPED_LABELS.get(name, name.replace("_", " ").capitalize()),
            request.POST[name],
        )
        for name in TYPED
        if request.POST.get(name, "").strip()
    ]


def _kept(request: HttpRequest, *, draft: bool) -> dict[str, Any]:
    """What the editor typed, for the panel to show again after a refusal: ``posted`` fills
    the small forms (a reject reason, a schedule time, a correction note), ``draft`` the
    copy form."""
    return {"posted": request.POST, **({"draft": request.POST} if draft else {})}


def _invalid(
    request: HtmxHttpRequest, pk: int, form: Any, *, draft: bool = False
) -> HttpResponse:
    errors = {name: list(messages) for name, messages in form.errors.items()}

    def label(name: str) -> str:
        field = form.fields.get(name)
        return (
            str(field.label or name).replace("_", " ").capitalize() if field else name
        )

    return _answer(
        request,
        pk,
        error=" ".join(
            f"{label(name)}: {m}" if name != "__all__" else m
            for name, ms in errors.items()
            for m in ms
        ),
        errors=errors,
        status=422 if "version" not in errors else 400,
        extra=_kept(request, draft=draft),
    )


# The decisions that take more than a version: a reason (required to reject; to take a
# published story off the site, the service asks for one).
DECISION_FORMS = {
    "reject": RejectForm,
    "unpublish": TakedownForm,
    "archive": TakedownForm,
}


@require_POST
@login_required
@review_required
@on_a_story
def decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """approve / reject / publish / submit / unpublish / archive / rerun, dispatched on the
    ``decision`` field, on the version in the form."""
    decision = request.POST.get("decision", "")
    form: Any = DECISION_FORMS.get(decision, VersionedForm)(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    user, version = request.user, form.cleaned_data["version"]
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "approve": (
            lambda: services.article_approve(article=pk, editor=user, version=version),
            "Approved.",
        ),
        "reject": (
            lambda: services.article_reject(
                article=pk,
                editor=user,
                version=version,
                reason=form.cleaned_data.get("reason", ""),
            ),
            "Rejected.",
        ),
        "publish": (
            lambda: services.article_publish(article=pk, editor=user, version=version),
            "Published.",
        ),
        "publish_again": (  # a story taken off the site: its own button, which says why
            lambda: services.article_publish(
                article=pk, editor=user, version=version, again=True
            ),
            "Published again.",
        ),
        "submit": (
            lambda: services.article_submit(article=pk, editor=user, version=version),
            "Back in review.",
        ),
        "unpublish": (
            lambda: services.article_unpublish(
                article=pk,
                editor=user,
                version=version,
                reason=form.cleaned_data.get("reason", ""),
            ),
            "Taken off the site.",
        ),
        "archive": (
            lambda: services.article_archive(
                article=pk,
                editor=user,
                version=version,
                reason=form.cleaned_data.get("reason", ""),
            ),
            "Archived.",
        ),
        "rerun": (
            lambda: services.article_rerun_enrichment(
                article=pk, editor=user, version=version
            ),
            "The AI is writing a new proposal; your edits are kept.",
        ),
        "unschedule": (
            lambda: services.article_unschedule(
                article=pk, editor=user, version=version
            ),
            "Scheduled publication cancelled.",
        ),
    }
    if decision not in calls:
        return _answer(request, pk, error=f"unknown decision {decision!r}", status=400)
    call, done = calls[decision]
    return _run(request, pk, call, done=done, action=decision)


@require_POST
@login_required
@review_required
@on_a_story
def schedule(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    when = form.cleaned_data["publish_at"]
    return _run(
        request,
        pk,
        lambda: services.article_schedule_publish(
            article=pk,
            editor=request.user,
            version=form.cleaned_data["version"],
            publish_at=when,
        ),
        # The zone, as the panel names it: the editor typed the time in their own.
        done=f"Approved; publishes {desk_time(when, 'T')}.",
        action="schedule",
    )


@require_POST
@login_required
@review_required
@on_a_story
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save the editorial copy (or just the importance) on the version it was made on."""
    form = CopyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form, draft=True)
    data, changes = form.cleaned_data, form.changes()
    return _run(
        request,
        pk,
        lambda: services.article_edit(
            article=pk,
            editor=request.user,
            version=data["version"],
            changes=changes,
            correction=data.get("correction", ""),
            silent=data.get("silent", False),
        ),
        done="Saved.",
        action="edit",
        edited=changes,
    )


@require_POST
@login_required
@review_required
@on_a_story
def take(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take one field, or all, from the AI's newer proposal into the copy."""
    form = TakeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    field = form.cleaned_data.get("field") or None
    return _run(
        request,
        pk,
        lambda: services.proposal_take(
            article=pk,
            editor=request.user,
            version=form.cleaned_data["version"],
            fields=[field] if field else None,
            correction=form.cleaned_data.get("correction", ""),
            silent=form.cleaned_data.get("silent", False),
        ),
        done=f"Took the AI's {field}." if field else "Took the AI's proposal.",
        action="proposal_take",
    )


@require_POST
@login_required
@review_required
@on_a_story
def dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    return _run(
        request,
        pk,
        lambda: services.proposal_dismiss(
            article=pk, editor=request.user, version=form.cleaned_data["version"]
        ),
        done="Kept our copy.",
        action="proposal_dismiss",
    )


@require_POST
@login_required
@review_required
@on_a_story
def undo(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Undo the editor's last action on this article; the panel shows ``show`` (the story
    the editor was looking at) when given."""
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    show = number(request.POST.get("show", ""))
    return _run(
        request,
        pk,
        lambda: services.article_undo(
            article=pk, editor=request.user, version=form.cleaned_data["version"]
        ),
        done="Undone.",
        action="undo",
        show=show,
    )


@require_POST
@login_required
@review_required
@on_a_report
def split(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Split report ``pk`` out of its story; the panel stays on the story (``show``)."""
    report = Article.objects.select_related("cluster").filter(pk=pk).first()
    if report is None:
        return _gone(request, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    show = report.cluster.canonical_id if report.cluster is not None else pk
    return _run(
        request,
        pk,
        lambda: services.article_split(
            article=pk, editor=request.user, version=form.cleaned_data["version"]
        ),
        done=f"“{services.short_title(report.title)}” is now a story of its own.",
        action="split",
        show=show if show != pk else None,
    )


@require_POST
@login_required
@review_required
@on_a_report
def lead(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Make report ``pk`` the one that leads its story."""
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    return _run(
        request,
        pk,
        lambda: services.story_choose_lead(
            article=pk, editor=request.user, version=form.cleaned_data["version"]
        ),
        done="This report now leads the story.",
        action="canonical",
    )


@require_POST
@login_required
@review_required
@on_a_story
def merge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Merge this story into the one picked in the merge picker."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, pk, form)
    target = Article.objects.filter(pk=form.cleaned_data["target"]).first()
    if target is None:
        error = services.merge_target_gone(form.cleaned_data["target"])
        return _answer(request, pk, error=error, errors={"target": [error]}, status=422)
    lead_of = (
        StoryCluster.objects.filter(pk=target.cluster_id)
        .values_list("canonical_id", flat=True)
        .first()
        if target.cluster_id is not None
        else None
    )
    return _run(
        request,
        pk,
        lambda: services.story_merge(
            article=pk,
            target=target,
            editor=request.user,
            version=form.cleaned_data["version"],
        ),
        done=f"Merged into “{services.short_title(target.title)}”.",
        action="merge",
        show=lead_of or target.pk,
    )


@require_POST
@login_required
@review_required
def bulk_approve(request: HtmxHttpRequest) -> HttpResponse:
    """Approve the ticked stories, each on the version its row was loaded at
    (``<id>.<version>``)."""
    back = _posted_filters(request)
    queue_url = reverse("editorial:queue") + (f"?{back.urlencode()}" if back else "")
    picked = list(versioned_ids(request.POST.getlist("ids")).items())
    if not picked:
        message = "Tick the stories to approve first."
        response: HttpResponse = redirect(queue_url)
        if request.htmx:
            response = HttpResponse(status=204)
        else:
            messages.info(request, message)
        trigger_client_event(response, "queue-changed", {"message": message})
        return response
    approved, problems = 0, []
    group = uuid.uuid4()  # one action: its rows share an id in the history
    for pk, version in picked:
        try:
            services.article_approve(
                article=pk, editor=request.user, version=version, group=group
            )
            approved += 1
        except ActionRefused as exc:
            problems.append(str(exc))
    message = f"Approved {approved} stories." + (
        f" {len(problems)} could not be approved: {problems[0]}" if problems else ""
    )
    response = redirect(queue_url)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
    else:
        (messages.warning if problems else messages.success)(request, message)
    trigger_client_event(
        response, "queue-changed", {"counts": _counts(), "message": message}
    )
    return response
