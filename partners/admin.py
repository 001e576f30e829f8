"""Partners in the admin: accounts, keys (shown once), quotas used per day, webhook
endpoints and their delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from . import usage, webhooks
from .models import (
    DailyUsage,
    Partner,
    PartnerAPIKey,
    WebhookDelivery,
    WebhookEndpoint,
)
from .throttling import limits

# The library's own key model is not ours: partners' keys are PartnerAPIKey.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class KeyInline(admin.TabularInline):
    model = PartnerAPIKey
    readonly_fields = (
        "prefix",
        "name",
        "created",
        "expiry_date",
        "revoked",
        "last_used_at",
    )
    fields = readonly_fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = (
        "API keys (add one under Partners › API keys: it is shown once)"
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UsageInline(admin.TabularInline):
    model = DailyUsage
    readonly_fields = ("day", "requests", "throttled")
    fields = readonly_fields
    extra = 0
    can_delete = False
    max_num = 0
    verbose_name_plural = "Requests per day (UTC; counted within a minute)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[DailyUsage]:
        return super().get_queryset(request).order_by("-day")


class EndpointInline(admin.TabularInline):
    """A summary: endpoints are added and changed on their own page, where the URL is
    checked against the address policy."""

    model = WebhookEndpoint
    readonly_fields = (
        "url",
        "events",
        "is_active",
        "consecutive_failures",
        "disabled_reason",
    )
    fields = readonly_fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "quota", "is_active", "contact_email", "created_at"]
    list_filter = ["tier", "is_active"]
    search_fields = ["name", "contact_email"]
    inlines = [KeyInline, EndpointInline, UsageInline]

    @admin.display(description="quota")
    def quota(self, obj: Partner) -> str:
        quota = limits(obj.tier)
        day = f"{quota['day']:,}/day" if quota.get("day") else "no daily cap"
        return f"{quota['minute']:,}/min, {day}"

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        usage.flush()  # show this minute's requests too
        return super().changeform_view(request, *args, **kwargs)


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    """Keys: the full key is shown once, when it is created; only its hash is kept."""

    # (The library's admin declares these as fixed-length tuples, hence the ignores.)
    list_display = (  # type: ignore[assignment]
        "prefix",
        "name",
        "partner",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
        "last_used_at",
    )
    list_filter = ("revoked", "partner")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "partner__name")  # type: ignore[assignment]
    list_select_related = ["partner"]
    actions = ["revoke"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (
            (*fields, "last_used_at")
            if obj is None
            else (*fields, "partner", "last_used_at")
        )

    @admin.action(description="Revoke the selected keys (cannot be undone)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerAPIKey]) -> None:
        done = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, f"Revoked {done} key(s).", messages.SUCCESS)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2048, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["partner", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if problem := webhooks.url_problem(url):
            raise ValidationError(problem)
        return url

    def clean_events(self) -> list[str]:
        events = self.cleaned_data["events"] or []
        known = set(WebhookEndpoint.Event.values)
        if not isinstance(events, list) or not set(events) <= known:
            raise ValidationError(
                f"A list of events from: {', '.join(sorted(known))} (empty: all of them)."
            )
        return events


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    readonly_fields = (
        "created_at",
        "event",
        "article_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "delivered_at",
    )
    fields = readonly_fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).order_by("-created_at")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = [
        "url",
        "partner",
        "is_active",
        "consecutive_failures",
        "disabled_at",
    ]
    list_filter = ["is_active", "partner"]
    readonly_fields = [
        "signing_secret",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    ]
    actions = ["enable"]
    inlines = [DeliveryInline]

    @admin.display(description="signing secret")
    def signing_secret(self, obj: WebhookEndpoint) -> str:
        """Never shown whole after it is made (nor editable: the partner's checks would
        silently start failing)."""
        return f"{obj.secret[:10]}…" if obj.pk else "generated when you save"

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                f"The endpoint's signing secret, shown this once — give it to "
                f"{obj.partner}: {obj.secret}",
                messages.WARNING,
            )

    @admin.action(description="Re-enable the selected endpoints")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        done = webhooks.enable(queryset)
        self.message_user(request, f"Re-enabled {done} endpoint(s).", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log."""

    list_display = [
        "created_at",
        "event",
        "article_id",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Try the selected deliveries again now")
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
        )
        delivered = sum(
            1
            for pk in ids
            if (d := webhooks.deliver(pk)) is not None
            and d.status == WebhookDelivery.Status.DELIVERED
        )
        self.message_user(
            request, f"Delivered {delivered} of {len(ids)}.", messages.INFO
        )
