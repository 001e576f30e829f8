"""The partner API (``/api/v1/``): published stories as a change feed, and the sources,
categories and companies they refer to. Thin: the rules live in ``changes``, the
queryset readers may see in ``Article.objects.visible()``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    APIException,
    NotFound,
    ParseError,
    Throttled,
    UnsupportedMediaType,
    ValidationError,
)
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from articles.models import Article, Category, Company
from editorial.models import Correction
from sources.models import Source

from . import webhooks
from .changes import generation, settled_before
from .filters import STORY_FILTERS, StoryFilter
from .models import Partner, StoryChange, WebhookEndpoint
from .pagination import ChangeFeedPage, ChangeFeedPagination
from .serializers import (
    CategorySerializer,
    CompanySerializer,
    NewWebhookEndpointSerializer,
    NotMatchingSerializer,
    SourceSerializer,
    StorySerializer,
    TombstoneSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
)


class JSONBody(JSONParser):
    """JSON bodies; one nested too deep for the decoder is a 400, not a 500."""

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error: nested too deeply.") from None


class PartnerAPIMixin:
    # (Not a docstring: drf-spectacular would show it as every view's description.)
    # Keys, quotas and the headers every answer carries (quota, caching).

    parser_classes: Sequence[type[BaseParser]] = [JSONBody]

    # Only the parameters a view declares are accepted (a typo is a 400, not ignored).
    allowed_parameters: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        has_body = (request.META.get("CONTENT_LENGTH") or "0") not in ("", "0")
        if request.method in ("POST", "PUT", "PATCH") and has_body:
            # Only JSON bodies (a form post would otherwise read as an empty body).
            media = request.content_type.split(";")[0].strip().lower()
            if media != "application/json":
                raise UnsupportedMediaType(
                    media,
                    detail=f"Send JSON (Content-Type: application/json), not {media}.",
                )
        unknown = sorted(set(request.query_params) - self.allowed_parameters)
        if unknown:
            allowed = ", ".join(sorted(self.allowed_parameters)) or "none"
            raise ParseError(
                f"Unknown query parameter(s): {', '.join(unknown)}. Allowed here: {allowed}."
            )

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        limit = getattr(request, "rate_limit", None)
        if limit is not None:
            response["X-RateLimit-Limit"] = str(limit.limit)
            response["X-RateLimit-Remaining"] = str(limit.remaining)
            response["X-RateLimit-Reset"] = str(limit.reset)
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Authorization"])
        return response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return conditional(request, response)

    def throttled(self, request: Request, wait: float) -> NoReturn:
        """A 429 that says which quota was used up, and until when."""
        limit = getattr(request, "rate_limit", None)
        window = getattr(request, "rate_window", "minute")
        detail = "Request was throttled."
        if limit is not None:
            detail = f"Over your quota of {limit.limit:,} requests a {window}."
        raise Throttled(wait=wait, detail=detail)

    def get_object(self) -> Any:
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise NotFound("Not found.") from None


KEPT_ON_304 = (
    "Cache-Control",
    "Vary",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A strong ETag (a hash of the body) on a successful GET, and a 304 — the quota
    headers still on it — when the partner already has that body."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response["ETag"] = etag
    # Weak comparison (RFC 9110 §13.1.2): a proxy that compresses the answer may hand the
    # partner W/"…" for our strong tag.
    sent = {
        t.removeprefix("W/")
        for t in parse_etags(request.headers.get("If-None-Match", ""))
    }
    if etag not in sent and "*" not in sent:
        return response
    not_modified = HttpResponseNotModified()
    not_modified["ETag"] = etag
    for name in KEPT_ON_304:
        if name in response:
            not_modified[name] = response[name]
    return not_modified


# --------------------------------------------------------------------------------------------
# Stories
# --------------------------------------------------------------------------------------------
@extend_schema(tags=["stories"])
class StoryViewSet(PartnerAPIMixin, viewsets.GenericViewSet[Article]):
    """Published stories, one per story (its lead report)."""

    serializer_class = StorySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = StoryFilter
    pagination_class = (
        ChangeFeedPagination  # the schema's description of ChangeFeedPage
    )
    lookup_value_regex = r"[^/]+"  # the view answers (JSON 404) for anything else
    allowed_parameters = frozenset(StoryFilter.base_filters) | {"cursor", "page_size"}

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.visible()

    def _loaded(self, ids: list[int]) -> dict[int, Article]:
        return (
            Article.objects.visible()
            .filter(pk__in=ids)
            .select_related("source", "category", "enrichment")
            .prefetch_related(
                "companies",
                Prefetch("corrections", queryset=Correction.objects.public()),
            )
            .in_bulk(ids)
        )

    def _context(
        self, stories: list[Article], changes: dict[int, StoryChange]
    ) -> dict[str, Any]:
        """What the serializer needs for a whole page, in three queries."""
        clusters = {a.cluster_id for a in stories if a.cluster_id}
        others: dict[int, list[Article]] = {a.pk: [] for a in stories}
        lead_of = {a.cluster_id: a.pk for a in stories if a.cluster_id}
        if clusters:
            for report in (
                Article.objects.filter(cluster_id__in=clusters)
                .exclude(pk__in=[a.pk for a in stories])
                .select_related("source")
                .only("id", "url", "published_at", "cluster_id", "source__name")
                .order_by("published_at", "pk")
            ):
                if report.cluster_id is not None:
                    others[lead_of[report.cluster_id]].append(report)
        related = {pk for c in changes.values() for pk in c.related}
        visible = (
            set(
                Article.objects.visible()
                .filter(pk__in=related)
                .values_list("pk", flat=True)
            )
            if related
            else set()
        )
        return {
            "base_url": self.request.build_absolute_uri("/"),
            "changes": changes,
            "others": others,
            "visible": visible,
        }

    @extend_schema(
        summary="The change feed of published stories",
        description=(
            "Ordered by `updated_at`, then id. Follow `next` until `has_more` is false, "
            "keep the last `next`, and poll it later: you receive every change exactly "
            "once — publication, correction, take-down. A story taken down arrives as a "
            "tombstone (`id`, `unpublished_at`): remove it. With filters, stories that "
            "match come whole, and a story that changed without matching them (any "
            "more) comes as `{id, updated_at, matches_filters: false}`: drop it if you "
            "hold it. Changes appear after "
            f"{settings.PARTNER_FEED_SETTLE_SECONDS} s (so none commits behind your cursor)."
        ),
        responses=PolymorphicProxySerializer(
            component_name="StoryChange",
            serializers=[StorySerializer, TombstoneSerializer, NotMatchingSerializer],
            resource_type_field_name=None,
        ),
    )
    def list(self, request: Request) -> HttpResponse:
        # A page followed by more is complete: it stays the same until the feed moves, so
        # it is kept for every partner who asks (the last page grows as changes settle).
        return self._kept(request, self._page)

    def _page(self, request: Request) -> tuple[dict[str, Any], bool]:
        params = request.query_params
        filters = StoryFilter(params, queryset=self.get_queryset(), request=request)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        feed = StoryChange.objects.filter(changed_at__lte=settled_before())
        if since := filters.form.cleaned_data.get("updated_since"):
            feed = feed.filter(changed_at__gte=since)
        visible_now = Article.objects.visible().values("pk")
        gone = ~Q(article_id__in=visible_now) & ~Q(
            live=False, unpublished_at=None, pending=False
        )
        # Filters choose which stories come whole. Every change still comes, so that a
        # story changed out of the filter (its importance lowered, its company removed)
        # reaches a partner who holds it: as a short "does not match" record.
        page = ChangeFeedPage(
            feed.filter(Q(article_id__in=visible_now) | gone), request
        )
        ids = [row.article_id for row in page.rows]
        still_visible: set[int] = set()
        if STORY_FILTERS & set(params) and ids:
            # One query: which of the page's stories readers see, and which match.
            seen = dict(
                Article.objects.visible()
                .filter(pk__in=ids)
                .annotate(matches=Exists(filters.qs.filter(pk=OuterRef("pk"))))
                .values_list("pk", "matches")
            )
            whole = {pk for pk, matches in seen.items() if matches}
            still_visible = set(seen) - whole
        else:
            whole = set(ids)  # what is not loaded below was taken down
        changes = {row.article_id: row for row in page.rows if row.article_id in whole}
        loaded = self._loaded(list(changes))
        context = self._context(list(loaded.values()), changes)
        # One serializer for each kind of record on the page (a serializer per story
        # would build its fields again for each: most of a page's time).
        stories_here = [loaded[pk] for pk in ids if pk in loaded]
        others = [r for r in page.rows if r.article_id in still_visible]
        gone_here = [
            r
            for r in page.rows
            if r.article_id not in loaded and r.article_id not in still_visible
        ]
        for row in gone_here:
            row.unpublished_at = row.unpublished_at or row.changed_at
        as_data = dict(
            zip(
                [a.pk for a in stories_here],
                StorySerializer(stories_here, many=True, context=context).data,
                strict=True,
            )
        )
        as_data |= dict(
            zip(
                [r.article_id for r in gone_here],
                TombstoneSerializer(gone_here, many=True).data,
                strict=True,
            )
        )
        as_data |= dict(
            zip(
                [r.article_id for r in others],
                NotMatchingSerializer(others, many=True).data,
                strict=True,
            )
        )
        results = [as_data[r.article_id] for r in page.rows]
        return page.data(results), page.has_more

    @extend_schema(
        summary="One published story, by id or slug",
        responses={
            200: StorySerializer,
            404: OpenApiResponse(description="No such published story."),
            410: TombstoneSerializer,
        },
    )
    def retrieve(self, request: Request, pk: str) -> HttpResponse:
        return self._kept(request, lambda request: self._story(request, pk))

    def _story(self, request: Request, pk: str) -> tuple[dict[str, Any], bool]:
        # An id is ASCII digits ("¹" is a digit to str.isdigit, not to int()).
        numeric = pk.isascii() and pk.isdigit() and len(pk) < 19
        found = (
            Article.objects.visible()
            .filter(Q(pk=int(pk)) if numeric else Q(slug=pk))
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            tombstone = (
                StoryChange.objects.filter(
                    article_id=int(pk), live=False, unpublished_at__isnull=False
                ).first()
                if numeric
                else None
            )
            if tombstone is not None:
                raise Gone(TombstoneSerializer(tombstone).data)
            raise Http404("No such published story.")
        loaded = self._loaded([found])
        changes = {
            c.article_id: c for c in StoryChange.objects.filter(article_id=found)
        }
        context = self._context(list(loaded.values()), changes)
        return StorySerializer(loaded[found], context=context).data, True

    def _kept(
        self,
        request: Request,
        build: Callable[[Request], tuple[dict[str, Any], bool]],
    ) -> HttpResponse:
        """The JSON answer ``build`` gives, kept for this generation of the feed when it
        says it is stable (every partner asking the same URL gets the same bytes)."""
        url = request.build_absolute_uri()
        key = f"partners:api:{generation()}:{hashlib.sha256(url.encode()).hexdigest()}"
        body = cache.get(key)
        if body is None:
            data, stable = build(request)
            body = JSONRenderer().render(data)
            if stable:
                cache.set(key, body, settings.PARTNER_CACHE_SECONDS)
        return HttpResponse(body, content_type="application/json")


class Gone(APIException):
    """410 with the tombstone as its body."""

    status_code = status.HTTP_410_GONE

    def __init__(self, tombstone: dict[str, Any]) -> None:
        super().__init__()
        self.detail = tombstone


# --------------------------------------------------------------------------------------------
# What stories refer to
# --------------------------------------------------------------------------------------------
class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 100
    invalid_cursor_message = (
        "Not a cursor this API gave out: follow the `next` link as is."
    )

    def decode_cursor(self, request: Request) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:  # DRF answers 404 for a bad cursor; it is a bad request
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from exc
        # DRF's cursor is not signed: a position with a NUL byte is not one of ours (and
        # PostgreSQL refuses it in a comparison).
        if cursor is not None and "\x00" in str(cursor.position or ""):
            raise ValidationError({"cursor": [self.invalid_cursor_message]})
        return cursor


class Reference(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Any],
):
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"
    pagination_class = ByName
    allowed_parameters = frozenset({"cursor"})


@extend_schema(tags=["reference"])
class SourceViewSet(Reference):
    """The outlets our stories come from."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer


@extend_schema(tags=["reference"])
class CategoryViewSet(Reference):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer


@extend_schema(tags=["reference"])
class CompanyViewSet(Reference):
    """Companies our stories mention."""

    serializer_class = CompanySerializer

    def get_queryset(self) -> QuerySet[Company]:
        # Only companies of stories readers can see: a company the AI linked to a story
        # still in review must not announce that story.
        return Company.objects.in_the_news()


# --------------------------------------------------------------------------------------------
# Webhooks: a partner's own endpoints
# --------------------------------------------------------------------------------------------
# How often a partner may ping its endpoints.
PING_INTERVAL = 10  # seconds


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    create=extend_schema(
        summary="Register an endpoint",
        description="Its signing secret is in this answer, and never shown again.",
        responses={201: NewWebhookEndpointSerializer},
    ),
)
class WebhookViewSet(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[WebhookEndpoint],
):
    """Where we POST your story events (published, updated, unpublished), signed with the
    endpoint's secret. Only your own endpoints are visible to your keys."""

    queryset = WebhookEndpoint.objects.none()  # (for the schema; see get_queryset)
    serializer_class = WebhookEndpointSerializer
    pagination_class = None  # at most webhooks.MAX_ENDPOINTS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.filter(partner=self._partner()).order_by(
            "created_at", "pk"
        )

    def _partner(self) -> Partner:
        return self.request.auth.partner  # type: ignore[union-attr]

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return NewWebhookEndpointSerializer
        if self.action in ("deliveries", "ping"):
            return WebhookDeliverySerializer
        return WebhookEndpointSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "partner": self._partner()}

    def get_success_headers(self, data: Any) -> dict[str, str]:
        """Location: the new endpoint's own address (not the URL it points to)."""
        return {"Location": self.request.build_absolute_uri(f"{data['id']}/")}

    def perform_create(self, serializer: Any) -> None:
        partner = self._partner()
        with transaction.atomic():
            try:
                webhooks.make_room(partner)
            except webhooks.TooManyEndpoints as exc:
                raise ValidationError({"url": [str(exc)]}) from exc
            serializer.save(partner=partner)

    def perform_update(self, serializer: Any) -> None:
        turned_on = serializer.validated_data.get("is_active")
        serializer.save(**(webhooks.ENABLED if turned_on else {}))

    @extend_schema(
        summary="Send a test event now",
        description=(
            "POSTs a signed `ping` event to the endpoint at once and answers with the "
            "attempt (status code or error). Not retried; does not count towards "
            f"disabling. At most one every {PING_INTERVAL} seconds."
        ),
        request=None,
        responses={200: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def ping(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        # One ping at a time per partner, whatever the endpoint (a ping holds a worker
        # for up to PARTNER_WEBHOOK_TIMEOUT; new endpoints must not make more).
        partner = self._partner()
        if not cache.add(f"partners:ping:{partner.pk}", 1, timeout=PING_INTERVAL):
            raise Throttled(
                wait=PING_INTERVAL,
                detail=f"One ping every {PING_INTERVAL} seconds.",
            )
        delivery = webhooks.ping(endpoint)
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(
        summary="The endpoint's latest deliveries",
        description="The last 100 attempts at telling this endpoint, newest first.",
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        recent = endpoint.deliveries.order_by("-created_at", "-pk")[:100]
        return Response(WebhookDeliverySerializer(recent, many=True).data)
