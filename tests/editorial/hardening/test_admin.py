"""Regressions found by attacking the desk in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent
from enrichment.models import Enrichment
from tests.editorial.factories import admin_form, chief, editor, nobody, story

pytestmark = pytest.mark.django_db
S = Article.Status
CHANGELIST = "admin:articles_article_changelist"


def change_url(a):
    return reverse("admin:articles_article_change", args=[a.pk])


def changelist_post(article, importance, version):
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": article.pk,
        "form-0-importance_0": importance,
        "_save": "Save",
    }
    if version is not None:
        data["form-0-importance_1"] = version
    return data


def superuser():
    return User.objects.create_superuser("root", "r@x.org", "pw")


# ------------------------------------------------ lost updates through forged/missing versions
def test_admin_change_form_without_loaded_version_cannot_overwrite_a_newer_edit(
    client: Client,
) -> None:
    a = story()
    stale = admin_form(a)  # page opened at version 1
    services.article_edit(
        article=a,
        editor=editor("alice"),
        version=1,
        changes={"summary": "Alice's careful summary."},
    )
    client.force_login(editor("bob"))
    data = {**stale, "summary": "Bob's stale text."}
    del data["loaded_version"]
    client.post(change_url(a), data)
    a.refresh_from_db()
    assert a.summary == "Alice's careful summary.", "Alice's edit silently overwritten"


@pytest.mark.parametrize("version", [None, 0, ""])
def test_admin_list_importance_with_missing_or_zero_version_cannot_overwrite(
    client: Client, version
) -> None:
    a = story(importance=5)
    services.article_edit(
        article=a, editor=editor("alice"), version=1, changes={"importance": 9}
    )
    client.force_login(editor("bob"))
    client.post(reverse(CHANGELIST), changelist_post(a, 2, version))
    a.refresh_from_db()
    assert a.importance == 9, (
        f"Alice's importance overwritten by a row sent with version {version!r}"
    )


# ------------------------------------------------ invalid input / refusals reported as success
def test_admin_invalid_takeaways_is_a_form_error_not_a_success(client: Client) -> None:
    a = story()
    client.force_login(editor())
    six = "1\n2\n3\n4\n5\n6"
    r = client.post(change_url(a), admin_form(a, takeaways=six, summary="My rewrite."))
    msgs = [str(m) for m in get_messages(r.wsgi_request)]
    a.refresh_from_db()
    assert a.summary == "AI summary."  # nothing written (good)
    assert r.status_code == 200, (
        f"answered {r.status_code} (the editor's rewrite is gone) with messages {msgs}"
    )


def test_admin_list_refused_edit_is_not_reported_as_changed(client: Client) -> None:
    a = story(S.PUBLISHED, importance=5)
    client.force_login(editor())
    r = client.post(reverse(CHANGELIST), changelist_post(a, 2, 1))
    msgs = [str(m) for m in get_messages(r.wsgi_request)]
    a.refresh_from_db()
    assert a.importance == 5  # the service refused (good)
    assert not any("changed successfully" in m for m in msgs), msgs
    assert not LogEntry.objects.exists(), list(
        LogEntry.objects.values_list("change_message", flat=True)
    )


# ------------------------------------------------ permissions
def test_editor_sees_a_published_story_read_only_and_cannot_post(
    client: Client,
) -> None:
    a = story(S.PUBLISHED)
    client.force_login(editor())
    page = client.get(change_url(a))
    assert page.status_code == 200 and 'name="summary"' not in page.content.decode()
    r = client.post(change_url(a), admin_form(a, summary="x", correction="c"))
    assert r.status_code == 403
    a.refresh_from_db()
    assert a.summary == "AI summary."


def test_admin_fields_outside_the_copy_are_ignored(client: Client) -> None:
    a = story()
    client.force_login(chief())
    client.post(
        change_url(a), admin_form(a, status="published", version=99, summary="ok")
    )
    a.refresh_from_db()
    assert a.status == S.IN_REVIEW and a.version == 2


def test_audit_revert_as_nobody_is_refused(client: Client) -> None:
    a = story()
    services.article_edit(
        article=a, editor=editor(), version=1, changes={"summary": "Mine"}
    )
    ev = AuditEvent.objects.get()
    client.force_login(nobody())
    r = client.post(
        reverse("admin:editorial_auditevent_changelist"),
        {"action": "revert", "_selected_action": [ev.pk]},
    )
    assert r.status_code == 403
    a.refresh_from_db()
    assert a.summary == "Mine"


def test_audit_revert_of_a_published_story_by_an_editor_is_refused(
    client: Client,
) -> None:
    a = story(S.PUBLISHED)
    services.article_edit(
        article=a,
        editor=chief(),
        version=1,
        changes={"summary": "Fixed"},
        correction="fixed",
    )
    ev = AuditEvent.objects.get()
    client.force_login(editor())
    client.post(
        reverse("admin:editorial_auditevent_changelist"),
        {"action": "revert", "_selected_action": [ev.pk]},
    )
    a.refresh_from_db()
    assert a.summary == "Fixed"


def test_revert_of_an_old_edit_does_not_silently_clobber_a_newer_edit() -> None:
    """Reverting Alice's old edit writes her "before" value over Bob's newer text of the
    same field; no version is checked and nothing warns."""
    a = story(summary="v0")
    alice, bob, carol = editor("alice"), editor("bob"), editor("carol")
    services.article_edit(
        article=a, editor=alice, version=1, changes={"summary": "alice"}
    )
    old = AuditEvent.objects.get(action="edit")
    services.article_edit(
        article=a, editor=bob, version=2, changes={"summary": "bob's newer"}
    )
    try:
        services.article_revert(event=old, editor=carol)
    except Exception:
        return
    a.refresh_from_db()
    assert a.summary == "bob's newer", f"Bob's later edit replaced by {a.summary!r}"


# ------------------------------------------------ immutable records, even for a superuser
def test_audit_and_enrichment_rows_cannot_be_deleted_or_changed_by_a_superuser(
    client: Client,
) -> None:
    a = story()
    services.article_approve(article=a, editor=editor())
    ev, en = AuditEvent.objects.get(), Enrichment.objects.get()
    client.force_login(superuser())
    for model, obj in [("editorial_auditevent", ev), ("enrichment_enrichment", en)]:
        assert (
            client.get(reverse(f"admin:{model}_delete", args=[obj.pk])).status_code
            == 403
        )
        assert (
            client.post(
                reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse(f"admin:{model}_change", args=[obj.pk]),
                {"note": "x", "summary": "x"},
            ).status_code
            == 403
        )
        client.post(
            reverse(f"admin:{model}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert client.post(reverse(f"admin:{model}_add"), {}).status_code == 403
    # the inlines on the article's change form
    data = admin_form(a, summary="x")
    data.update(
        {
            "audit_events-TOTAL_FORMS": 1,
            "audit_events-INITIAL_FORMS": 1,
            "audit_events-0-id": ev.pk,
            "audit_events-0-article": a.pk,
            "audit_events-0-DELETE": "on",
            "audit_events-0-note": "tampered",
            "enrichments-TOTAL_FORMS": 1,
            "enrichments-INITIAL_FORMS": 1,
            "enrichments-0-id": en.pk,
            "enrichments-0-article": a.pk,
            "enrichments-0-DELETE": "on",
            "enrichments-0-summary": "tampered",
        }
    )
    client.post(change_url(a), data)
    ev.refresh_from_db()
    en.refresh_from_db()
    assert ev.note == "" and en.summary != "tampered"
    assert (
        AuditEvent.objects.filter(pk=ev.pk).exists()
        and Enrichment.objects.filter(pk=en.pk).exists()
    )


# ------------------------------------------------ deleted rows
def test_deleted_article_and_user_leave_every_page_working(client: Client) -> None:
    ed, boss = editor(), chief()
    a, b = story(), story(S.PUBLISHED)
    services.article_edit(article=a, editor=ed, version=1, changes={"summary": "Mine"})
    services.article_edit(
        article=b,
        editor=boss,
        version=1,
        changes={"summary": "Fix"},
        correction="fixed",
    )
    events = list(AuditEvent.objects.all())
    root = superuser()
    client.force_login(root)
    assert (
        client.post(
            reverse("admin:articles_article_delete", args=[a.pk]),
            {"post": "yes", "reason": "legal"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("admin:auth_user_delete", args=[boss.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("admin:auth_user_delete", args=[ed.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    # The history outlives both, and now also says who deleted the story.
    assert AuditEvent.objects.count() == len(events) + 1
    events = list(AuditEvent.objects.all())
    assert AuditEvent.objects.get(action="delete").actor_name == root.get_username()
    pages = [
        reverse("editorial:queue") + f"?open={a.pk}",
        reverse("editorial:queue") + f"?open={b.pk}&status=all",
        reverse("editorial:dashboard"),
        reverse(CHANGELIST),
        change_url(b),
        reverse("admin:editorial_auditevent_changelist"),
        reverse("admin:enrichment_enrichment_changelist"),
        *[reverse("admin:editorial_auditevent_change", args=[e.pk]) for e in events],
        *[
            reverse("admin:enrichment_enrichment_change", args=[e.pk])
            for e in Enrichment.objects.all()
        ],
    ]
    client.raise_request_exception = False
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, (page, r.status_code)
    r = client.post(
        reverse("admin:editorial_auditevent_changelist"),
        {"action": "revert", "_selected_action": [events[0].pk]},
    )
    assert r.status_code == 302
