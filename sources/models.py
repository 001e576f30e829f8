from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .normalize import without_unsafe_characters


def _default_interval() -> int:
    from django.conf import settings

    return settings.FEED_DEFAULT_INTERVAL


class SourceQuerySet(models.QuerySet["Source"]):
    def active(self) -> SourceQuerySet:
        """Sources that are polled."""
        return self.filter(active=True)

    def due(self, now: datetime | None = None) -> SourceQuerySet:
        """Active sources whose next fetch time has come and that no worker holds."""
        now = now or timezone.now()
        return self.active().filter(
            Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now),
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        )

    def failing(self) -> SourceQuerySet:
        """Active sources whose last fetch failed."""
        return self.active().filter(health=Source.Health.FAILING)


class ShownText(models.Model):
    """A model whose ``shown_text`` fields every page and feed shows (a source's, a
    company's or a category's name): saved by any path, the admin included, without what
    they may not carry (``without_unsafe_characters``: a U+FFFE in a name made every feed
    unreadable XML)."""

    shown_text: tuple[str, ...] = ("name",)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        for field in self.shown_text:
            setattr(self, field, without_unsafe_characters(getattr(self, field)))
        super().save(*args, **kwargs)


class Source(ShownText):
    class Health(models.TextChoices):
        PENDING = "pending", _("pending")
        OK = "ok", _("ok")
        NOT_MODIFIED = "not_modified", _("not modified")
        FAILING = "failing", _("failing")
        DISABLED = "disabled", _("disabled")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    feed_url = models.URLField(_("feed URL"), max_length=2048, unique=True)
    site_url = models.URLField(_("site URL"), max_length=2048, blank=True)
    feed_title = models.CharField(_("title in the feed"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=500, blank=True)
    trust = models.FloatField(
        _("trust weight"),
        default=0.5,
        help_text=_(
            "0 to 1: how much this source's coverage counts toward importance."
        ),
    )
    default_category = models.CharField(
        _("default category"),
        max_length=100,
        blank=True,
        help_text=_(
            "Category name given to this source's articles until an editor decides."
        ),
    )

    # Schedule
    fetch_interval = models.PositiveIntegerField(
        _("fetch interval (seconds)"),
        default=_default_interval,
        help_text=_("The shortest interval between two fetches of this feed."),
    )
    next_fetch_at = models.DateTimeField(_("next fetch"), null=True, blank=True)
    entries_per_day = models.FloatField(_("entries per day"), default=0.0)

    # HTTP state (conditional GET, RFC 9110 §13)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    redirect_to = models.URLField(max_length=2048, blank=True)
    redirect_count = models.PositiveSmallIntegerField(default=0)

    # Health
    health = models.CharField(
        _("health"), max_length=20, choices=Health.choices, default=Health.PENDING
    )
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_new_entry_at = models.DateTimeField(_("last new entry"), null=True, blank=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failures"), default=0
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_error_kind = models.CharField(max_length=40, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    # Fetch lease: one worker at a time per source, see sources.services.source_fetch.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()
    # Who is deleting it, set by the admin before it does: its articles go with it, and
    # their history (kept by the desk, which listens) says who took them down.
    deleted_by: Any = None
    # Why, when its articles include published stories (they come off the site with it).
    deleted_reason: str = ""
    # The stories its articles were in, noted by the desk as it is deleted, to count their
    # reports again once they are gone.
    stories_left: frozenset[int] = frozenset()
    # The other sources deleted in the same action (the admin's "delete selected").
    deleted_with: frozenset[int] = frozenset()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["active", "next_fetch_at"], name="source_due_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trust__gte=0) & Q(trust__lte=1), name="source_trust_0_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:sources_source_change", args=[self.pk])

    @property
    def is_due(self) -> bool:
        return self.active and (
            self.next_fetch_at is None or self.next_fetch_at <= timezone.now()
        )

    @property
    def since_last_success(self) -> timedelta | None:
        if self.last_success_at is None:
            return None
        return timezone.now() - self.last_success_at


class FetchAttemptQuerySet(models.QuerySet["FetchAttempt"]):
    def failed(self) -> FetchAttemptQuerySet:
        """Attempts that ended in an error."""
        return self.filter(outcome=FetchAttempt.Outcome.ERROR)


class FetchAttempt(models.Model):
    """One fetch of one source: the history behind its health."""

    class Outcome(models.TextChoices):
        OK = "ok", _("ok")
        NOT_MODIFIED = "not_modified", _("not modified (304)")
        UNCHANGED = "unchanged", _("unchanged body")
        ERROR = "error", _("error")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(_("when"), default=timezone.now)
    url = models.URLField(max_length=2048)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveIntegerField(default=0)
    entries_found = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_kind = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True)

    objects = FetchAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["source", "-started_at"], name="attempt_source_idx")
        ]

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"
