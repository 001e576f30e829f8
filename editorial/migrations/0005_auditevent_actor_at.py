# "Undo my last action" looks up an editor's latest events.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0004_roles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "-at"], name="auditevent_actor_at"),
        ),
    ]
