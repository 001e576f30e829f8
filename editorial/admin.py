"""The desk in the Django admin: workflow actions, the AI proposal beside the copy, the audit
trail, and optimistic locking on every save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from articles.admin import ArticleAdmin
from articles.models import Article
from enrichment.admin import EnrichmentInline

from . import services
from .exceptions import EditConflict, InvalidTransition, NotAllowed
from .models import AuditEvent

EDITABLE = [f for f in services.EDITABLE_FIELDS if f != "title"]


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-at", "-pk"]
    fields = ["at", "actor", "action", "from_state", "to_state", "changes", "note"]
    readonly_fields = fields
    verbose_name_plural = _("history (every decision and edit)")


class DeskArticleForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = ["title", *EDITABLE]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        loaded = data.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = (
                Article.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != loaded:
                try:
                    raise services.edit_conflict(
                        Article.objects.get(pk=self.instance.pk),
                        loaded,
                        fields=tuple(
                            n
                            for n in self.changed_data
                            if n in services.EDITABLE_FIELDS
                        ),
                    )
                except EditConflict as conflict:
                    theirs = "; ".join(
                        f"{k}: {v!r}" for k, v in conflict.theirs.items()
                    )
                    raise ValidationError(
                        f"{conflict} {('Their values: ' + theirs + '.') if theirs else ''} "
                        "Copy your changes, reload the page and apply them again."
                    ) from conflict
        return data


class VersionedImportanceWidget(forms.MultiWidget):
    """The importance input plus, hidden beside it, the version the row was loaded with."""

    def __init__(self) -> None:
        super().__init__(
            [
                forms.NumberInput(
                    attrs={"min": 1, "max": 10, "class": "vIntegerField"}
                ),
                forms.HiddenInput(),
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        return list(value) if isinstance(value, list | tuple) else [value, None]


class VersionedImportanceField(forms.MultiValueField):
    widget = VersionedImportanceWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields=[
                forms.IntegerField(min_value=1, max_value=10, required=False),
                forms.IntegerField(required=False),
            ],
            require_all_fields=False,
            required=False,
            **kwargs,
        )

    def compress(self, data_list: list[Any]) -> tuple[Any, Any]:
        return (data_list[0], data_list[1]) if data_list else (None, None)


class ChangelistImportanceForm(forms.ModelForm):
    """A changelist row whose importance edit carries the version it was loaded with, so
    editing importance in the list goes through the same conflict check as everywhere."""

    importance = VersionedImportanceField()

    class Meta:
        model = Article
        fields = ["importance"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["importance"] = [
                self.instance.importance,
                self.instance.version,
            ]

    def clean_importance(self) -> Any:
        importance, version = self.cleaned_data["importance"]
        self.loaded_version = version
        return importance


class DeskArticleAdmin(ArticleAdmin):
    form = DeskArticleForm
    list_editable = ["importance"]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return ChangelistImportanceForm

    list_display = [
        "title",
        "source",
        "status",
        "ai_importance",
        "importance",
        "sentiment",
        "category",
        "age",
        "warnings",
        "enrichment_state",
    ]
    list_filter = [
        "status",
        "category",
        "sentiment",
        "source",
        "importance",
        "waiting_for_budget",
        ("published_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["source", "category", "enrichment"]
    actions = [
        "approve",
        "reject",
        "publish",
        "unpublish",
        "archive",
        "rerun_enrichment",
    ]
    inlines = [EnrichmentInline, AuditEventInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Article | None = None
    ) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "ai_proposal"]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets.insert(1, (_("AI proposal (read-only)"), {"fields": ["ai_proposal"]}))
        fieldsets[0][1]["fields"] = [*fieldsets[0][1]["fields"], "loaded_version"]
        return fieldsets

    # -- columns ------------------------------------------------------------------------------
    @admin.display(description=_("AI importance"), ordering="enrichment__importance")
    def ai_importance(self, obj: Article) -> Any:
        return obj.enrichment.importance if obj.enrichment_id else None

    @admin.display(description=_("age"), ordering="published_at")
    def age(self, obj: Article) -> str:
        return timesince(obj.published_at, timezone.now()).split(",")[0]

    @admin.display(description=_("warnings"))
    def warnings(self, obj: Article) -> str:
        count = len(obj.enrichment.warnings) if obj.enrichment_id else 0
        return (
            format_html('<span class="nr-badge nr-health-failing">{}</span>', count)
            if count
            else ""
        )

    @admin.display(description=_("AI proposal"))
    def ai_proposal(self, obj: Article) -> str:
        proposal = obj.enrichment
        if proposal is None:
            return "—"
        warnings = format_html_join(
            "",
            '<li class="nr-warning">{}</li>',
            ((w["message"],) for w in proposal.warnings),
        )
        return format_html(
            "<p><strong>{}</strong> ({} · prompt {})</p><p>{}</p><ul>{}</ul>"
            "<p>Sentiment: {} · importance {}: {} · category: {}</p><ul>{}</ul>",
            proposal.backend,
            proposal.model,
            proposal.prompt_version,
            proposal.summary,
            format_html_join("", "<li>{}</li>", ((t,) for t in proposal.takeaways)),
            proposal.sentiment,
            proposal.importance,
            proposal.importance_reason,
            proposal.category,
            warnings,
        )

    # -- saving goes through the audited, version-checked service ---------------------------
    def save_model(
        self, request: HttpRequest, obj: Article, form: Any, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        if not changes:
            return
        version = (
            form.cleaned_data.get("loaded_version")
            or getattr(form, "loaded_version", None)
            or Article.objects.get(pk=obj.pk).version
        )
        try:
            services.article_edit(
                article=obj, editor=request.user, version=version, changes=changes
            )
        except (EditConflict, NotAllowed, ValueError) as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        if not change:
            super().save_related(request, form, formsets, change)
            return
        # Companies were set by article_edit (audited): no form.save_m2m() here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # -- workflow actions --------------------------------------------------------------------
    def _each(
        self, request: HttpRequest, queryset: QuerySet[Article], label: str, call: Any
    ) -> None:
        done, problems = 0, []
        for article in queryset:
            try:
                call(article)
                done += 1
            except (InvalidTransition, NotAllowed, EditConflict, ValueError) as exc:
                problems.append(f"{article.title[:60]}: {exc}")
        if done:
            self.message_user(request, f"{label}: {done} articles.", messages.SUCCESS)
        for problem in problems[:10]:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description=_("Approve"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(
            request,
            queryset,
            "Approved",
            lambda a: services.article_approve(article=a, editor=request.user),
        )

    @admin.action(description=_("Reject (asks for a reason)"), permissions=["review"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            self._each(
                request,
                queryset,
                "Rejected",
                lambda a: services.article_reject(
                    article=a, editor=request.user, reason=reason
                ),
            )
            return None
        if "apply" in request.POST:
            self.message_user(
                request, _("A reason is required to reject."), messages.ERROR
            )
        return TemplateResponse(
            request,
            "editorial/admin_reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject articles"),
                "articles": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(
            request,
            queryset,
            "Published",
            lambda a: services.article_publish(article=a, editor=request.user),
        )

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(
            request,
            queryset,
            "Unpublished",
            lambda a: services.article_unpublish(article=a, editor=request.user),
        )

    @admin.action(description=_("Archive"), permissions=["publish"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(
            request,
            queryset,
            "Archived",
            lambda a: services.article_archive(article=a, editor=request.user),
        )

    @admin.action(description=_("Re-run enrichment"), permissions=["review"])
    def rerun_enrichment(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> None:
        self._each(
            request,
            queryset,
            "Enrichment queued",
            lambda a: services.article_rerun_enrichment(article=a, editor=request.user),
        )

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("articles.review_article")

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("articles.publish_article")


admin.site.unregister(Article)
admin.site.register(Article, DeskArticleAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    actions = ["revert"]

    @admin.action(description=_("Revert these edits (as new, audited edits)"))
    def revert(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> None:
        if not request.user.has_perm("articles.review_article"):
            self.message_user(
                request, _("Only editors can revert edits."), messages.ERROR
            )
            return
        for event in queryset.order_by("-at"):
            try:
                services.article_revert(event=event, editor=request.user)
                self.message_user(request, f"Reverted: {event}", messages.SUCCESS)
            except (InvalidTransition, EditConflict, NotAllowed, ValueError) as exc:
                self.message_user(request, f"{event}: {exc}", messages.ERROR)

    list_display = [
        "at",
        "actor",
        "action",
        "article",
        "from_state",
        "to_state",
        "note",
    ]
    list_filter = ["action", "actor"]
    list_select_related = ["actor", "article"]
    search_fields = ["article__title", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
