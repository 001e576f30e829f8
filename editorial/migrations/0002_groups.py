"""The two desk roles, created with their permissions (checked server-side by every action).

Editors review: edit the copy, approve, reject, re-run enrichment, correct story clusters.
Chief editors also publish, unpublish, schedule, archive and manage sources.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    ("articles", "view_article"), ("articles", "change_article"),
    ("articles", "review_article"), ("articles", "view_enrichment"),
    ("articles", "view_category"), ("articles", "view_company"),
    ("articles", "change_company"), ("articles", "add_company"),
    ("articles", "view_storycluster"), ("sources", "view_source"),
    ("sources", "view_fetchattempt"), ("editorial", "view_auditevent"),
]
CHIEF = EDITOR + [
    ("articles", "publish_article"), ("sources", "add_source"),
    ("sources", "change_source"), ("sources", "delete_source"),
    ("articles", "change_category"), ("articles", "add_category"),
]


MOVED = {"enrichment": ("enrichment",), "storycluster": ("stories",)}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in (("Editors", EDITOR), ("Chief editors", CHIEF)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([
            # Models that later moved to their own app (articles 0009) are found under
            # either label, whichever order a fresh database applies the migrations in.
            Permission.objects.get(
                content_type__app_label__in=[app, *MOVED.get(codename.split("_", 1)[1], ())],
                codename=codename,
            )
            for app, codename in perms
        ])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_audit"),
        ("articles", "0007_workflow"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
