"""The desk in the Django admin: the same rulebook and services as the review queue.

Actions are offered to those the rulebook lets do them and run through the audited,
version-checked services; the change form is read-only for anyone who may not edit that
story now (a published story needs the publish permission), and a published story's change
needs a correction note. The AI proposal, and any newer one held beside an edited copy, show
read-only above the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_and_delete
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin import ArticleAdmin
from articles.models import Article
from enrichment.admin import EnrichmentInline
from sources.admin import AsksWhyOnDelete
from stories.models import ArticleTerm

from . import actions, services
from .actions import PUBLISH
from .exceptions import ActionRefused
from .forms import LinesField, versioned_ids
from .models import AuditEvent, Correction
from .services.base import desk_time

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django_stubs_ext import StrOrPromise

EDITABLE = list(Article.EDITORIAL_FIELDS)


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-at", "-pk"]
    fields = ("at", "actor_label", "what", "what_changed", "note")
    readonly_fields = fields
    verbose_name_plural = _("history (every decision and edit)")

    @admin.display(description=_("what"))
    def what(self, obj: AuditEvent) -> str:
        return obj.description

    @admin.display(description=_("changes"))
    def what_changed(self, obj: AuditEvent) -> str:
        return format_changes(obj)

    @admin.display(description=_("who"))
    def actor_label(self, obj: AuditEvent) -> str:
        return obj.actor_label


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("at", "note", "fields", "actor")
    readonly_fields = fields
    verbose_name_plural = _("public corrections")


def format_changes(event: AuditEvent) -> str:
    """An event's field changes as "name: old → new" lines, long texts shortened."""

    def short(value: Any) -> str:
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        return text if len(text) <= 80 else text[:79] + "…"

    rows = [
        (name.replace("_", " "), short(values[0]), short(values[1]))
        for name, values in event.changes.items()
        if isinstance(values, list) and len(values) == 2 and name != "edited_fields"
    ]
    return format_html_join("", "{}: {} → {}<br>", rows) if rows else ""


class DeskArticleForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    takeaways = LinesField(
        required=False,
        label=_("Key takeaways"),
        help_text=_("One per line, at most 5."),
    )
    correction = forms.CharField(
        max_length=500,
        required=False,
        label=_("Correction note"),
        help_text=_(
            "Published stories only: shown to readers under the story, dated "
            '(e.g. "corrected the figure in the summary").'
        ),
    )
    silent = forms.BooleanField(
        required=False,
        label=_("Silent fix"),
        help_text=_("A typo: no public note (needs the silent-correction permission)."),
    )

    class Meta:
        model = Article
        fields = EDITABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version

    # Set by DeskArticleAdmin.get_form: the rulebook's answer depends on who saves.
    editor: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a ModelForm's clean() returns cleaned_data
        if not self.instance.pk:
            return data
        loaded = data.get("loaded_version")
        if loaded is None:
            raise ValidationError(
                _("This form lost the version it was loaded at; reload the page.")
            )
        current = Article.objects.select_related("cluster").get(pk=self.instance.pk)
        if current.version != loaded:
            conflict = services.edit_conflict(
                current,
                loaded,
                fields=tuple(n for n in self.changed_data if n in EDITABLE),
            )
            theirs = "; ".join(f"{k}: {v!r}" for k, v in conflict.theirs.items())
            raise ValidationError(
                f"{conflict} {('Their values: ' + theirs + '.') if theirs else ''} "
                "Copy your changes, reload the page and apply them again."
            )
        changes = {n: data[n] for n in self.changed_data if n in EDITABLE and n in data}
        if changes:
            # What the service would refuse shows here, as messages on the form; the
            # editor's input stays in it.
            try:
                services.edit_check(
                    article=current,
                    editor=self.editor,
                    changes=changes,
                    correction=data.get("correction", ""),
                    silent=data.get("silent", False),
                )
            except ValidationError as exc:
                self._add_errors(exc)
            except ActionRefused as exc:
                raise ValidationError(str(exc)) from exc
        return data

    def _add_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            raise exc
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


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

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Changed when the importance is: a row someone else saved since the list was
        loaded has a newer version, but if this editor left it alone it is not theirs to
        save (nor to report a conflict on)."""
        before = initial if isinstance(initial, list | tuple) else [initial, None]
        after = data if isinstance(data, list | tuple) else [data, None]
        return self.fields[0].has_changed(before[0], after[0])


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

    editor: Any = None

    def clean_importance(self) -> Any:
        importance, version = self.cleaned_data["importance"]
        if not version:
            raise ValidationError(_("This row lost its version; reload the list."))
        self.loaded_version = version
        if self.instance.pk and importance != self.instance.importance:
            current = Article.objects.select_related("cluster").get(pk=self.instance.pk)
            if current.version != version:
                # Who did what, as the queue and the change form say it.
                conflict = services.edit_conflict(
                    current, version, fields=("importance",)
                )
                raise ValidationError(
                    _("%(what)s; nothing was saved: reload the list.")
                    % {"what": conflict.what}
                )
            try:
                services.edit_check(
                    article=current,
                    editor=self.editor,
                    changes={"importance": importance},
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
            except ActionRefused as exc:
                raise ValidationError(str(exc)) from exc
        return importance


def _without(entries: list[Any], prefix: str) -> list[Any]:
    """The admin's nested list of what a deletion takes with it, without the entries that
    start with ``prefix``."""
    kept: list[Any] = []
    for entry in entries:
        if isinstance(entry, list):
            kept.append(_without(entry, prefix))
        elif not str(entry).startswith(prefix):
            kept.append(entry)
    return [entry for entry in kept if entry != []]


def _reason_problem(reason: str) -> str:
    """What is wrong with a reason typed on an admin page ("" when nothing is)."""
    if not services.gives_a_reason(reason):
        return str(_("A reason is required."))
    try:
        services.note_kept(reason)
    except ValidationError as exc:
        return _message(exc)
    return ""


class DeskArticleAdmin(AsksWhyOnDelete, ArticleAdmin):
    form = DeskArticleForm
    list_editable = ["importance"]

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[Any, int], set[str], list[Any]]:
        """What a deletion takes with it, without clustering's search index (dozens of
        "Article term: aurali" lines no one deletes on purpose)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        meta = ArticleTerm._meta
        counts.pop(str(meta.verbose_name_plural), None)
        deleted = _without(deleted, f"{capfirst(meta.verbose_name)}: ")
        return deleted, counts, perms_needed, protected

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return type(
            "ChangelistImportanceForm",
            (ChangelistImportanceForm,),
            {"editor": request.user},
        )

    def get_form(
        self,
        request: HttpRequest,
        obj: Article | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        # django-stubs types get_form's form class narrowly; the subclass only adds the user.
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    list_display = [
        "title",
        "source",
        "status",
        "story",
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
        "published_unreviewed",
        ("published_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["source", "category", "enrichment", "cluster"]
    actions = [
        "approve",
        "reject",
        "publish",
        "unpublish",
        "archive",
        "rerun_enrichment",
        "delete_selected",
    ]
    inlines = [EnrichmentInline, CorrectionInline, AuditEventInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Article | None = None
    ) -> list[str]:
        return [
            *super().get_readonly_fields(request, obj),
            "ai_proposal",
            "newer_proposal",
        ]

    def get_fieldsets(
        self, request: HttpRequest, obj: Article | None = None
    ) -> list[tuple[StrOrPromise | None, _FieldOpts]]:
        # New tuples and dicts: the inherited fieldsets are the class attribute itself.
        (name, options), *rest = super().get_fieldsets(request, obj)
        fieldsets: list[tuple[StrOrPromise | None, _FieldOpts]] = [
            (name, {**options, "fields": [*options["fields"], "loaded_version"]}),
            (
                _("AI proposal (read-only)"),
                {"fields": ["ai_proposal", "newer_proposal"]},
            ),
            *rest,
        ]
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            fieldsets.append((_("Correction"), {"fields": ["correction", "silent"]}))
        return fieldsets

    def has_change_permission(
        self, request: HttpRequest, obj: Article | None = None
    ) -> bool:
        # Whoever the rulebook would refuse sees the story read-only (the services refuse
        # them anyway): a published story is changed only by those who may publish.
        if obj is not None and not actions.can(request.user, "edit", obj):
            return False
        return super().has_change_permission(request, obj)

    def view_on_site(self, obj: Article) -> str | None:
        """ "View on site" for a story readers can see; any other is a 404 there."""
        if obj.status != Article.Status.PUBLISHED:
            return None
        return obj.get_absolute_url()

    def has_delete_permission(
        self, request: HttpRequest, obj: Article | None = None
    ) -> bool:
        # A published story is deleted only by those who may take it off the site: the
        # others saw the reason page, then a bare 403 from the service.
        if obj is not None and not actions.can(request.user, "delete", obj):
            return False
        return super().has_delete_permission(request, obj)

    # -- columns ------------------------------------------------------------------------------
    @admin.display(description=_("AI importance"), ordering="enrichment__importance")
    def ai_importance(self, obj: Article) -> Any:
        enrichment = obj.enrichment  # selected with the row (list_select_related)
        return enrichment.importance if enrichment is not None else None

    @admin.display(description=_("story"))
    def story(self, obj: Article) -> str:
        cluster = obj.cluster  # selected with the row (list_select_related)
        if cluster is None or cluster.canonical_id == obj.pk:
            count = cluster.source_count if cluster is not None else 1
            return _("%(n)d sources") % {"n": count} if count > 1 else ""
        url = reverse("admin:articles_article_change", args=[cluster.canonical_id])
        return format_html('<a href="{}">{}</a>', url, _("a report of a story"))

    @admin.display(description=_("age"), ordering="published_at")
    def age(self, obj: Article) -> str:
        return timesince(obj.published_at, timezone.now()).split(",")[0]

    @admin.display(description=_("warnings"))
    def warnings(self, obj: Article) -> str:
        enrichment = obj.enrichment  # selected with the row (list_select_related)
        count = len(enrichment.warnings) if enrichment is not None else 0
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
            "<p><strong>{}</strong> ({} · prompt {})</p><p>{}</p><p>{}</p><ul>{}</ul>"
            "<p>Sentiment: {} · importance {}: {} · category: {}</p><p>{}</p><ul>{}</ul>"
            "<p>Edited by the desk: {}</p>",
            proposal.backend,
            proposal.model,
            proposal.prompt_version,
            proposal.summary,
            f"Analysis: {proposal.analysis}" if proposal.analysis else "",
            format_html_join("", "<li>{}</li>", ((t,) for t in proposal.takeaways)),
            proposal.sentiment,
            proposal.importance,
            f"as scored {desk_time(proposal.created_at)}: {proposal.importance_reason}"
            if proposal.importance_reason
            else "",
            proposal.category,
            "Companies: "
            + ", ".join(
                f"{c.get('name', '')} ({c.get('sentiment', 'neutral')})"
                for c in proposal.companies
            )
            if proposal.companies
            else "",
            warnings,
            ", ".join(obj.edited_fields) or "nothing",
        )

    @admin.display(description=_("newer AI proposal"))
    def newer_proposal(self, obj: Article) -> str:
        differences = services.proposal_differences(obj)
        if not differences:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((d.label, d.ours, d.theirs) for d in differences),
        )
        queue = f"{reverse('editorial:queue')}?open={obj.pk}"
        return format_html(
            "<p>Held beside the edited copy. Take fields or keep ours in the "
            '<a href="{}">review queue</a>.</p><table><tr><th></th><th>our copy</th>'
            "<th>AI's new proposal</th></tr>{}</table>",
            queue,
            rows,
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
            if name in EDITABLE
        }
        if not changes:
            return
        version = form.cleaned_data.get("loaded_version") or getattr(
            form, "loaded_version", None
        )
        if not version:  # the forms refuse a missing version; never guess one
            return
        try:
            services.article_edit(
                article=obj.pk,
                editor=request.user,
                version=version,
                changes=changes,
                correction=form.cleaned_data.get("correction", ""),
                silent=form.cleaned_data.get("silent", False),
            )
            request._desk_saved = getattr(request, "_desk_saved", 0) + 1  # type: ignore[attr-defined]
        except (ActionRefused, ValidationError) as exc:
            # Refused between the form's check and the write (someone else saved meanwhile).
            refused = getattr(request, "_desk_refused", [])
            refused.append(f"{_short(obj.title)}: {_message(exc)}")
            request._desk_refused = refused  # type: ignore[attr-defined]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_desk_refused", None):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(request, "_desk_refused", None) and not getattr(
            request, "_desk_shown_again", False
        ):
            # Show the form again with what the editor typed: checked again, it now
            # explains the conflict beside their text (the list would lose it).
            request._desk_refused = []  # type: ignore[attr-defined]
            request._desk_shown_again = True  # type: ignore[attr-defined]
            return self.change_view(request, str(obj.pk))
        return super().response_change(request, obj)

    def message_user(
        self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any
    ) -> None:
        """The list's "changed successfully" becomes the refusals when a row was refused
        at the write (the editor must not read that it was saved)."""
        level = kwargs.get("level", args[0] if args else messages.INFO)
        refused = getattr(request, "_desk_refused", None)
        if refused and level == messages.SUCCESS:
            for problem in refused[:10]:
                super().message_user(request, problem, messages.ERROR)
            request._desk_refused = []  # type: ignore[attr-defined]
            saved = getattr(request, "_desk_saved", 0)
            if saved:
                super().message_user(
                    request,
                    f"The other {saved} change(s) were saved.",
                    messages.SUCCESS,
                )
            return
        super().message_user(request, message, *args, **kwargs)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        if not change:
            super().save_related(request, form, formsets, change)
            return
        # Companies were set by article_edit (audited): no form.save_m2m() here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # -- deleting is a takedown: through the service, so it is audited; a published story
    # needs a reason, asked on the confirmation page (one story) or the reason page (several)
    def takedown(self, request: HttpRequest, obj: Any) -> tuple[str, str] | None:
        if obj.status != Article.Status.PUBLISHED or not actions.may(
            request.user, "delete"
        ):
            return None  # nothing goes off the site, or the service's 403
        return f"“{obj}” is on the site: deleting it takes it off.", "Delete for good"

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.article_delete(
            article=obj.pk, editor=request.user, note=request.POST.get("reason", "")
        )

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> None:
        for article in queryset.only("pk", "title"):
            try:
                services.article_delete(article=article.pk, editor=request.user)
            except ValidationError as exc:  # published by someone else since the check
                self.message_user(
                    request, f"{_short(article.title)}: {_message(exc)}", messages.ERROR
                )

    @admin.action(description=_("Delete selected articles"), permissions=["delete"])
    def delete_selected(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        """Django's "delete selected", unless a published story is among them: then the
        reason page first, and each deletion with the reason."""
        on_the_site = queryset.filter(status=Article.Status.PUBLISHED).exists()
        if not on_the_site and "apply" not in request.POST:
            return confirm_and_delete(self, request, queryset)
        return self._asking_why(
            request,
            queryset,
            action="delete_selected",
            label="Deleted",
            button=_("Delete for good"),
            question=_("Delete these stories? Those published come off the site."),
            # Published stories only for those who may take them off the site.
            beyond=frozenset()
            if request.user.has_perm(PUBLISH)
            else frozenset({Article.Status.PUBLISHED}),
            call=lambda a, reason: services.article_delete(
                article=a.pk, editor=request.user, note=reason, version=a.version
            ),
        )

    # -- workflow actions --------------------------------------------------------------------
    def _each(
        self,
        request: HttpRequest,
        queryset: Iterable[Article],
        label: str,
        call: Callable[[Article], Any],
    ) -> None:
        done, problems = 0, []
        for article in queryset:
            try:
                call(article)
                done += 1
            except (ActionRefused, ValidationError) as exc:
                problems.append(f"{_short(article.title)}: {_message(exc)}")
        if done:
            stories = ngettext("%(n)d story", "%(n)d stories", done) % {"n": done}
            self.message_user(request, f"{label}: {stories}.", messages.SUCCESS)
        self._problems(request, problems)

    def _problems(self, request: HttpRequest, problems: list[str]) -> None:
        """The first ten refusals, each on its own line, and how many more there were."""
        for problem in problems[:10]:
            self.message_user(request, problem, messages.ERROR)
        if len(problems) > 10:
            more = len(problems) - 10
            self.message_user(
                request,
                ngettext(
                    "… and %(n)d more story was left as it is.",
                    "… and %(n)d more stories were left as they are.",
                    more,
                )
                % {"n": more},
                messages.ERROR,
            )

    @admin.action(description=_("Approve"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(
            request,
            queryset,
            "Approved",
            lambda a: services.article_approve(article=a.pk, editor=request.user),
        )

    REASON_PAGE_LISTS = 100  # stories named on the reason page; the rest are counted

    def _asking_why(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        *,
        action: str,
        label: str,
        button: StrOrPromise,
        question: StrOrPromise,
        call: Callable[[Article, str], Any],
        beyond: frozenset[str] = frozenset(),
    ) -> HttpResponse | None:
        """A decision that needs a reason: a page that asks for it (kept in each story's
        history) and says which selected stories the decision applies to, then the decision
        on each of them with that reason."""
        reason = request.POST.get("reason", "")
        if "apply" in request.POST:
            problem = _reason_problem(reason)
            if problem:
                self.message_user(request, problem, messages.ERROR)
            else:
                # Only the stories the page said it acts on, as the page showed them: one
                # changed since (published, approved by a colleague meanwhile) is left as
                # it is, and said so; one changed while this runs is an EditConflict.
                shown = versioned_ids(
                    ",".join(request.POST.getlist("applies")).split(",")
                )
                chosen: list[Article] = []
                changed: list[Article] = []
                for article in queryset.filter(pk__in=shown):
                    same = article.version == shown[article.pk]
                    (chosen if same else changed).append(article)
                self._each(request, chosen, label, lambda a: call(a, reason))
                self._problems(
                    request,
                    [
                        f"{_short(a.title)}: changed since this page was shown (now "
                        f"{a.get_status_display()}); left as it is."
                        for a in changed
                    ],
                )
                if not chosen and not changed:
                    self.message_user(
                        request,
                        "None of the stories this page named is selected any more: "
                        "nothing was changed.",
                        messages.WARNING,
                    )
                return None
        decision = actions.REGISTRY.get(action)
        starts = (
            decision.from_states if decision else frozenset(Article.Status)
        ) - beyond
        # "Select all N" sends the changelist's filter (and the page's boxes), not N ids:
        # so does this page, and the stories it acts on go back as one field (a field per
        # story stopped at DATA_UPLOAD_MAX_NUMBER_FIELDS: a 400 from 500 stories).
        across = request.POST.get("select_across") == "1"
        listed = list(queryset[: self.REASON_PAGE_LISTS])
        applies = queryset.filter(status__in=starts).values_list("pk", "version")
        # Ticked boxes go back as they came (up to "Show all", 200); "Select all N" sends
        # the filter, and the boxes of the stories named here only so Django sees a choice.
        boxes = (
            [a.pk for a in listed]
            if across
            else list(queryset.values_list("pk", flat=True))
        )
        return TemplateResponse(
            request,
            "editorial/admin_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": question,
                "action": action,
                "button": button,
                "articles": [(a, a.status in starts) for a in listed],
                "more": queryset.count() - len(listed),
                "across": across,
                "applies": ",".join(f"{pk}.{version}" for pk, version in applies),
                "boxes": boxes,
                "reason": reason,
                "reason_chars": services.REASON_CHARS,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Reject (asks for a reason)"), permissions=["reject"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        return self._asking_why(
            request,
            queryset,
            action="reject",
            label="Rejected",
            button=_("Reject"),
            question=_("Reject these articles?"),
            call=lambda a, reason: services.article_reject(
                article=a.pk, editor=request.user, reason=reason, version=a.version
            ),
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        """Publish the selected stories, except those taken off the site: each goes back
        only by the queue's "Publish again", which says why it came off and asks."""
        held = services.taken_down(
            queryset.select_related(None).only("status", "cluster_id")
        )
        self._problems(
            request,
            [
                f"{_short(title)}: taken off the site; publish it again from the "
                "review queue, which says why it came off."
                for title in queryset.filter(pk__in=held).values_list(
                    "title", flat=True
                )
            ],
        )
        self._each(
            request,
            queryset.exclude(pk__in=held),
            "Published",
            lambda a: services.article_publish(article=a.pk, editor=request.user),
        )

    @admin.action(
        description=_("Unpublish (asks for a reason)"), permissions=["unpublish"]
    )
    def unpublish(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        return self._asking_why(
            request,
            queryset,
            action="unpublish",
            label="Unpublished",
            button=_("Unpublish"),
            question=_("Take these stories off the site?"),
            call=lambda a, reason: services.article_unpublish(
                article=a.pk, editor=request.user, reason=reason, version=a.version
            ),
        )

    @admin.action(
        description=_("Archive (asks a reason for published stories)"),
        permissions=["archive"],
    )
    def archive(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> HttpResponse | None:
        def archive(article: Article, reason: str = "") -> Any:
            return services.article_archive(
                article=article.pk,
                editor=request.user,
                reason=reason,
                version=article.version,
            )

        on_the_site = queryset.filter(status=Article.Status.PUBLISHED).exists()
        if not on_the_site and "apply" not in request.POST:
            self._each(request, queryset, "Archived", archive)
            return None
        return self._asking_why(  # some are on the site: archiving takes them off it
            request,
            queryset,
            action="archive",
            label="Archived",
            button=_("Archive"),
            question=_("Archive these stories? Those published come off the site."),
            call=archive,
        )

    @admin.action(description=_("Re-run enrichment"), permissions=["rerun"])
    def rerun_enrichment(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> None:
        self._each(
            request,
            queryset,
            "Enrichment queued",
            lambda a: services.article_rerun_enrichment(
                article=a.pk, editor=request.user
            ),
        )

    # The admin offers an action to those the rulebook lets do it; the service then checks
    # each story's state.
    def has_approve_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "approve")

    def has_reject_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "reject")

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "publish")

    def has_unpublish_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "unpublish")

    def has_archive_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "archive")

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "rerun")


def _short(title: str) -> str:
    return Truncator(title).chars(60)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


admin.site.unregister(Article)
admin.site.register(Article, DeskArticleAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The history, read-only for everyone; an edit can be reverted as a new edit."""

    actions = ["revert"]
    list_display = [
        "at",
        "actor_label",
        "action",
        "article_link",
        "from_state",
        "to_state",
        "note",
    ]
    list_filter = ["action"]
    search_fields = ["label", "note", "actor_name"]
    date_hierarchy = "at"

    @admin.display(description=_("who"), ordering="actor_name")
    def actor_label(self, obj: AuditEvent) -> str:
        return obj.actor_label

    @admin.display(description=_("story"), ordering="label")
    def article_link(self, obj: AuditEvent) -> str:
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.article_id, obj.label)

    @admin.action(
        description=_("Revert these edits (as new, audited edits)"),
        permissions=["revert"],
    )
    def revert(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> None:
        for event in queryset.order_by("-at"):
            try:
                services.article_revert(event=event, editor=request.user)
                self.message_user(request, f"Reverted: {event}", messages.SUCCESS)
            except (ActionRefused, ValidationError, Article.DoesNotExist) as exc:
                self.message_user(request, f"{event}: {_message(exc)}", messages.ERROR)

    def has_revert_permission(self, request: HttpRequest) -> bool:
        return actions.may(request.user, "revert")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
