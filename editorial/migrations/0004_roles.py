# The desk roles gain what the rulebook added: chief editors may correct a published story
# silently; both roles see the public corrections.

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [("editorial", "view_correction")],
    "Chief editors": [("editorial", "view_correction"), ("articles", "correct_silently")],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in permissions
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0003_corrections_and_lasting_audit"),
        ("articles", "0010_desk_rulebook"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
