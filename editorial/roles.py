"""The desk's two roles and the permissions each holds.

Editors review: edit the copy, approve, reject, re-run enrichment, correct story clusters.
Chief editors also publish, unpublish, schedule, archive, correct published stories and
manage sources. Migrations create the groups (a test checks they match these lists);
``roles_sync`` puts them back as declared here (tests call it after a transactional test
flushed the tables).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps

EDITORS = "Editors"
CHIEF_EDITORS = "Chief editors"

EDITOR_PERMISSIONS = [
    ("articles", "view_article"),
    ("articles", "change_article"),
    ("articles", "review_article"),
    ("articles", "view_category"),
    ("articles", "view_company"),
    ("articles", "change_company"),
    ("articles", "add_company"),
    ("enrichment", "view_enrichment"),
    ("stories", "view_storycluster"),
    ("sources", "view_source"),
    ("sources", "view_fetchattempt"),
    ("editorial", "view_auditevent"),
    ("editorial", "view_correction"),
]
CHIEF_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    ("articles", "publish_article"),
    ("articles", "correct_silently"),
    ("sources", "add_source"),
    ("sources", "change_source"),
    ("sources", "delete_source"),
    ("articles", "change_category"),
    ("articles", "add_category"),
]
ROLES = {EDITORS: EDITOR_PERMISSIONS, CHIEF_EDITORS: CHIEF_PERMISSIONS}


def roles_sync(apps: Any = global_apps) -> None:
    """Create the desk's groups with exactly the permissions declared above."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in permissions
            ]
        )
