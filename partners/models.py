"""Partners, their API keys and usage, the change feed they pull, and their webhooks."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class Partner(models.Model):
    """An organisation that pulls our published stories (an app, a trading desk, a
    newsletter). Its tier sets its quotas (``PARTNER_TIERS``)."""

    class Tier(models.TextChoices):
        TRIAL = "trial", _("trial")
        STANDARD = "standard", _("standard")
        PREMIUM = "premium", _("premium")

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_email = models.EmailField(
        _("contact e-mail"),
        help_text=_(
            "Told when a webhook endpoint is disabled after repeated failures."
        ),
    )
    tier = models.CharField(
        _("tier"), max_length=20, choices=Tier.choices, default=Tier.TRIAL
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "An inactive partner's keys are refused (403) until it is active again."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerAPIKey(AbstractAPIKey):
    """One of a partner's keys: only its hash is stored, it is shown once, its prefix is
    visible, it may expire and be revoked (djangorestframework-api-key)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="api_keys"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"


class DailyUsage(models.Model):
    """Requests a partner made on one day (UTC), and how many of them were throttled."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("day"))
    requests = models.PositiveIntegerField(_("requests"), default=0)
    throttled = models.PositiveIntegerField(_("throttled (429)"), default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "day"], name="one_usage_row_a_day"
            )
        ]
        verbose_name_plural = _("daily usage")

    def __str__(self) -> str:
        return f"{self.partner} {self.day}: {self.requests}"


class StoryChange(models.Model):
    """The change feed partners pull: one row per story readers could see, moved to the end
    of the feed each time something they see changes (published, corrected, unpublished,
    deleted). The row outlives the article (no foreign key), so a story taken down stays
    in the feed as a tombstone.

    ``changed_at`` is written inside the desk's transaction; ``live`` and ``unpublished_at``
    once the change is announced (after the commit, see ``partners.changes``); ``pending``
    until then, so a sweep announces what a lost message left behind.
    """

    article_id = models.BigIntegerField(_("story id"), unique=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    live = models.BooleanField(_("on the site"), default=False)
    unpublished_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    pending = models.BooleanField(default=True)
    related = models.JSONField(_("related story ids"), default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["changed_at", "article_id"], name="story_change_order"
            ),
            models.Index(
                fields=["changed_at"],
                name="story_change_pending",
                condition=models.Q(pending=True),
            ),
        ]

    def __str__(self) -> str:
        return f"story {self.article_id} changed {self.changed_at:%Y-%m-%d %H:%M:%S}"


def _webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """Where a partner wants to be told about stories: we POST each event there, signed
    with the endpoint's secret."""

    class Event(models.TextChoices):
        PUBLISHED = "story.published", _("a story was published")
        UPDATED = "story.updated", _("a published story changed (a correction)")
        UNPUBLISHED = "story.unpublished", _("a story was taken down")

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=2048)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=_webhook_secret,
        help_text=_(
            "Shared with the partner: they check X-Newsroom-Signature with it. "
            "Generated for you."
        ),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Empty: every event."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["partner", "url"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint, and every attempt to deliver it (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=40)
    article_id = models.BigIntegerField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="one_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.article_id} → {self.endpoint}"
