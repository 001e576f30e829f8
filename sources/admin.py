from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_and_delete
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import fetching, services
from .models import FetchAttempt, Source
from .normalize import says_something

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A tuple, so that both ``fields`` and ``readonly_fields`` accept it as it is.
FETCH_ATTEMPT_FIELDS = (
    "started_at",
    "outcome",
    "http_status",
    "duration_ms",
    "bytes_received",
    "entries_found",
    "new_count",
    "updated_count",
    "duplicate_count",
    "error",
)


class FetchAttemptInline(admin.TabularInline):
    model = FetchAttempt
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-started_at"]
    fields = FETCH_ATTEMPT_FIELDS
    readonly_fields = FETCH_ATTEMPT_FIELDS
    verbose_name_plural = _("recent fetches")
    # Set by get_formset, which the admin calls before get_queryset.
    _source_id: int | None

    def get_queryset(self, request: HttpRequest) -> QuerySet[FetchAttempt]:
        if self._source_id is None:  # an unsaved source has no fetches
            return super().get_queryset(request).none()
        recent = FetchAttempt.objects.filter(source_id=self._source_id).values("pk")[
            :20
        ]
        return super().get_queryset(request).filter(pk__in=recent)

    def get_formset(
        self, request: HttpRequest, obj: Source | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
        self._source_id = obj.pk if obj else None
        return super().get_formset(request, obj, **kwargs)


def _published(sources: QuerySet[Source]) -> int:
    """How many published stories the ``sources`` carry (they go with them)."""
    from articles.models import Article

    return Article.objects.filter(
        source__in=sources, status=Article.Status.PUBLISHED
    ).count()


class AsksWhyOnDelete(admin.ModelAdmin):
    """A model admin whose delete can take published stories off the site: its
    confirmation page then asks why (``takedown`` says what goes and names the button;
    templates/admin/takedown_delete_confirmation.html), a post without a reason that
    says something comes back to the page with the message, and the service's refusal
    (a reason too long, a story published meanwhile) is a message, not a 500. The
    reason reaches ``delete_model`` as ``request.POST["reason"]``."""

    delete_confirmation_template = "admin/takedown_delete_confirmation.html"

    def takedown(self, request: HttpRequest, obj: Any) -> tuple[str, str] | None:
        """What deleting ``obj`` takes off the site and the button's words; None: nothing."""
        return None

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        takedown = self.takedown(request, obj) if obj is not None else None
        context = dict(extra_context or {})
        if takedown is not None:
            reason = request.POST.get("reason", "")
            if request.method == "POST" and not says_something(reason):
                # Unless Django refuses the delete anyway (a permission lacking for what
                # goes with it): its refusal, not a request for a reason it would refuse.
                *_rest, perms_needed, protected = self.get_deleted_objects(
                    [obj], request
                )
                if not perms_needed and not protected:
                    self.message_user(
                        request, _("A reason is required."), messages.ERROR
                    )
                    return HttpResponseRedirect(request.get_full_path())
            context.update(takedown=takedown[0], takedown_button=takedown[1])
        try:  # even with nothing on the site when asked: a story may be published since
            return super().delete_view(request, object_id, context)
        except ValidationError as exc:  # too long, or published meanwhile
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SourceForm(forms.ModelForm):
    def clean_feed_url(self) -> str:
        """An address the fetcher would refuse is refused here, with how to allow it when
        it is on the editor's own machine or network: it was accepted, and its first
        fetch failed a minute later with "refused to connect". A host that does not
        resolve now may tomorrow: the fetch reports that."""
        url: str = self.cleaned_data["feed_url"]
        if "feed_url" not in self.changed_data:
            return url
        try:
            fetching.check_url(url)
        except fetching.BlockedAddress as exc:
            raise ValidationError(str(exc) + fetching.how_to_allow(url, exc)) from exc
        except fetching.InvalidFeedURL as exc:
            raise ValidationError(str(exc)) from exc
        except fetching.FetchError:
            pass
        return url


@admin.register(Source)
class SourceAdmin(AsksWhyOnDelete):
    form = SourceForm
    # Django 6 makes https the default scheme for bare domains; ask for it now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Deleting a source takes its articles with it, each saying who did it; published
    # stories come off the site with it, so the confirmation page asks why.
    def takedown(self, request: HttpRequest, obj: Any) -> tuple[str, str] | None:
        from articles.models import Article

        on_the_site = Article.objects.filter(
            source=obj, status=Article.Status.PUBLISHED
        )
        titles = list(on_the_site.values_list("title", flat=True)[:6])
        if not titles:
            return None
        published = len(titles) if len(titles) < 6 else on_the_site.count()
        named = ", ".join(f"“{title}”" for title in titles[:5])
        more = f" and {published - 5} more" if published > 5 else ""
        return (
            f"{published} of the stories of “{obj}” "
            f"{'is' if published == 1 else 'are'} on the site ({named}{more}): deleting "
            f"the source takes {'it' if published == 1 else 'them'} off, with all of its "
            "articles.",
            "Delete the source and its stories",
        )

    def delete_model(self, request: HttpRequest, obj: Source) -> None:
        services.sources_delete(
            sources=[obj], by=request.user, reason=request.POST.get("reason", "")
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        services.sources_delete(sources=list(queryset), by=request.user)

    @admin.action(description=_("Delete selected sources"), permissions=["delete"])
    def delete_selected(
        self, request: HttpRequest, queryset: QuerySet[Source]
    ) -> HttpResponse | None:
        """Django's "delete selected", for sources none of whose stories are on the site:
        one that has published stories is deleted on its own page, which asks why."""
        if _published(queryset):
            self.message_user(
                request,
                _(
                    "Some of these sources have stories on the site: delete each of "
                    "those on its own page, which asks why they come off it."
                ),
                messages.ERROR,
            )
            return None
        return confirm_and_delete(self, request, queryset)

    list_display = [
        "name",
        "health_badge",
        "last_success",
        "consecutive_failures",
        "last_error_short",
        "entries_per_day_display",
        "next_fetch",
        "active",
    ]
    list_filter = ["health", "active", "default_category"]
    search_fields = ["name", "feed_url", "site_url", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["fetch_now", "enable", "disable", "delete_selected"]
    inlines = [FetchAttemptInline]
    readonly_fields = [
        "health_badge",
        "feed_title",
        "last_fetched_at",
        "last_success_at",
        "last_new_entry_at",
        "last_http_status",
        "consecutive_failures",
        "last_error",
        "last_error_at",
        "entries_per_day_display",
        "etag",
        "last_modified",
        "redirect_to",
        "redirect_count",
        "disabled_reason",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "feed_url",
                    "site_url",
                    "default_category",
                    "trust",
                ]
            },
        ),
        (
            _("Schedule"),
            {
                "fields": [
                    "active",
                    "disabled_reason",
                    "fetch_interval",
                    "next_fetch_at",
                ]
            },
        ),
        (
            _("Health"),
            {
                "fields": [
                    "health_badge",
                    "last_success_at",
                    "last_fetched_at",
                    "last_new_entry_at",
                    "consecutive_failures",
                    "last_error",
                    "last_error_at",
                    "last_http_status",
                    "entries_per_day_display",
                    "feed_title",
                ]
            },
        ),
        (
            _("HTTP state"),
            {
                "classes": ["collapse"],
                "fields": ["etag", "last_modified", "redirect_to", "redirect_count"],
            },
        ),
    ]

    class Media:
        css = {"all": ["admin-newsroom.css"]}

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, obj: Source) -> str:
        return format_html(
            '<span class="nr-badge nr-health-{}" title="{}">{}</span>',
            obj.health,
            self._why(obj),
            obj.get_health_display(),
        )

    @staticmethod
    def _why(obj: Source) -> str:
        """Why the source is not fetched, or why its last fetch failed."""
        if not obj.active and obj.disabled_reason:
            return str(_("Off: %(reason)s") % {"reason": obj.disabled_reason})
        return obj.last_error

    @admin.display(description=_("last success"), ordering="last_success_at")
    def last_success(self, obj: Source) -> str:
        if obj.last_success_at is None:
            return "never"
        if timezone.now() - obj.last_success_at < timedelta(minutes=1):
            return str(_("just now"))
        return _("%(time)s ago") % {"time": timesince(obj.last_success_at)}

    @admin.display(description=_("last error / why off"))
    def last_error_short(self, obj: Source) -> str:
        why = self._why(obj)
        return why if len(why) < 90 else why[:88] + "…"

    @admin.display(description=_("entries/day"), ordering="entries_per_day")
    def entries_per_day_display(self, obj: Source) -> str:
        # Over the time the feed's document covers, up to a week (sources.scheduling).
        return f"{obj.entries_per_day:.1f}"

    @admin.display(description=_("next fetch"), ordering="next_fetch_at")
    def next_fetch(self, obj: Source) -> StrOrPromise:
        if not obj.active or obj.next_fetch_at is None:
            return "—"
        if obj.next_fetch_at <= timezone.now():
            return _("due")
        return _("in %(time)s") % {"time": timesince(timezone.now(), obj.next_fetch_at)}

    @admin.action(description=_("Fetch now"), permissions=["change"])
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        from .tasks import fetch_source

        active = list(queryset.filter(active=True).values_list("pk", flat=True))
        for pk in active:
            fetch_source.delay(pk)
        skipped = queryset.count() - len(active)
        if (
            fetch_source.app.conf.task_always_eager
        ):  # no worker: each fetch ran just now
            done = ngettext(
                "Fetched %d source: its health and last error below say how it went.",
                "Fetched %d sources: their health and last errors below say how it went.",
                len(active),
            )
        else:
            done = ngettext(
                "Fetch queued for %d source.",
                "Fetch queued for %d sources.",
                len(active),
            )
        if active:
            self.message_user(request, done % len(active), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d disabled source was not fetched: enable it first.",
                    "%d disabled sources were not fetched: enable them first.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Enable (poll again from now)"), permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_enable(source=source)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Enabled %d source.", "Enabled %d sources.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Disable"), permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_disable(source=source, reason=f"disabled by {request.user}")
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Disabled %d source.", "Disabled %d sources.", count) % count,
            messages.SUCCESS,
        )


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "source",
        "outcome",
        "http_status",
        "duration_ms",
        "new_count",
        "updated_count",
        "error_kind",
        "error",
    ]
    list_filter = ["outcome", "error_kind"]
    list_select_related = ["source"]
    search_fields = ["source__name", "error"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
