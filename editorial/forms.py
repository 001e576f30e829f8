"""The shapes of what editors send from the review queue. Invalid input comes back to the
panel as field messages (a 4xx), never a server error."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Category

from .services.copy import MAX_TAKEAWAYS, TAKEAWAY_CHARS
from .services.schedule import MAX_SCHEDULE_AHEAD


def number(value: str) -> int | None:
    """A positive id or number written in ASCII digits ("²" is a digit to Python, not to
    int()), and no longer than a bigint's (a 500 in the query)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def versioned_ids(values: list[str]) -> dict[int, int]:
    """``{id: version}`` from a page's ``<id>.<version>`` values (the queue's ticked rows,
    the admin's reason page); anything else is left out, so acts on nothing."""
    pairs: dict[int, int] = {}
    for value in values:
        pk_text, _dot, version_text = value.partition(".")
        pk, version = number(pk_text), number(version_text)
        if pk is not None and version is not None:
            pairs[pk] = version
    return pairs


class LinesField(forms.CharField):
    """A list of short texts edited as lines of a textarea (the takeaways)."""

    widget = forms.Textarea

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(line) for line in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            lines = [str(line) for line in value]
        else:
            lines = str(value or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class VersionedForm(forms.Form):
    """Every action names the version of the story it was made on."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


SUMMARY_CHARS = 4000
ANALYSIS_CHARS = 10000


class CopyForm(VersionedForm):
    """The editorial copy. Only the fields present in the request are changed, so a number
    key can send just the importance."""

    title = forms.CharField(max_length=300, required=False)
    # A brief and its analysis, with room to spare; without a limit a 2 MB "summary" was
    # saved and published (found attacking the queue), and every feed carried it.
    summary = forms.CharField(
        max_length=SUMMARY_CHARS, required=False, widget=forms.Textarea
    )
    analysis = forms.CharField(
        max_length=ANALYSIS_CHARS, required=False, widget=forms.Textarea
    )
    takeaways = forms.CharField(
        required=False,
        widget=forms.Textarea,
        help_text=_("One per line, at most %(n)d.") % {"n": MAX_TAKEAWAYS},
    )
    sentiment = forms.ChoiceField(
        choices=[("", "—"), *Article.Sentiment.choices], required=False
    )
    importance = forms.IntegerField(min_value=1, max_value=10, required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    correction = forms.CharField(
        max_length=500,
        required=False,
        label=_("Correction note (shown to readers)"),
        help_text=_(
            'For a published story, e.g. "corrected the figure in the summary".'
        ),
    )
    silent = forms.BooleanField(
        required=False, label=_("Silent fix (a typo; no public note)")
    )

    COPY = (
        "title",
        "summary",
        "analysis",
        "takeaways",
        "sentiment",
        "importance",
        "category",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Fields the request does not carry are not part of this edit.
            for name in self.COPY:
                if name not in self.data:
                    del self.fields[name]

    def clean_takeaways(self) -> list[str]:
        lines = [
            line.strip()
            for line in self.cleaned_data.get("takeaways", "").splitlines()
            if line.strip()
        ]
        if len(lines) > MAX_TAKEAWAYS:
            raise forms.ValidationError(
                _("At most %(n)d takeaways (got %(got)d).")
                % {"n": MAX_TAKEAWAYS, "got": len(lines)}
            )
        if any(len(line) > TAKEAWAY_CHARS for line in lines):
            raise forms.ValidationError(
                _("Keep each takeaway under %(n)d characters.") % {"n": TAKEAWAY_CHARS}
            )
        return lines

    def clean_title(self) -> str:
        title = self.cleaned_data.get("title", "").strip()
        if "title" in self.fields and not title:
            raise forms.ValidationError(_("A story needs a headline."))
        return title

    def changes(self) -> dict[str, Any]:
        """The copy fields this edit sets."""
        return {
            name: self.cleaned_data[name] for name in self.COPY if name in self.fields
        }


class RejectForm(VersionedForm):
    reason = forms.CharField(max_length=2000)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the story is rejected."))
        return reason


class TakedownForm(VersionedForm):
    """Unpublish or archive: the reason the story comes off the site (the service asks
    for it when the story is published; archiving an unpublished one needs none)."""

    reason = forms.CharField(max_length=2000, required=False)


class ScheduleForm(VersionedForm):
    """A publication time as the editor's browser shows it: ``tz`` (filled in by the
    queue's script) names their time zone; without it the site's zone applies."""

    publish_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label=_("Publish at"),
        # Found by a stranger: with no time given, the queue said "Pick a time in the
        # future", as if the time given were past.
        error_messages={
            "required": _("Give the date and the time to publish at."),
            "invalid": _("Give the date and the time to publish at."),
        },
    )
    tz = forms.CharField(required=False, widget=forms.HiddenInput)

    def full_clean(self) -> None:
        zone = _zone(self.data.get("tz", "")) if self.is_bound else None
        if zone is None:
            super().full_clean()
            return
        with timezone.override(zone):
            super().full_clean()

    def clean_publish_at(self) -> Any:
        value = self.cleaned_data["publish_at"]
        now = timezone.now()
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # the end of year 9999 west of Greenwich
            value = None
        if value is None or value > now + MAX_SCHEDULE_AHEAD:
            raise forms.ValidationError(
                _("Pick a time within the next %(days)d days.")
                % {"days": MAX_SCHEDULE_AHEAD.days}
            )
        if value <= now:
            raise forms.ValidationError(_("Pick a time in the future."))
        return value


class TakeForm(VersionedForm):
    """Take one field (or, without ``field``, all) from the AI's newer proposal."""

    field = forms.ChoiceField(
        choices=[(f, f) for f in Article.PROPOSED_FIELDS], required=False
    )
    correction = forms.CharField(max_length=500, required=False)
    silent = forms.BooleanField(required=False)


class MergeForm(VersionedForm):
    target = forms.IntegerField(min_value=1)


def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
