# The audit log outlives what it describes (no cascade, no database constraint; the story's
# title and the actor's name kept as labels; one id per action) and corrections arrive.
# Existing rows get their labels and a group id each.

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def label_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("editorial", "AuditEvent")
    Article = apps.get_model("articles", "Article")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    titles = dict(Article.objects.values_list("pk", "title"))
    names = dict(User.objects.values_list("pk", "username"))
    for event in AuditEvent.objects.all().iterator():
        event.label = (titles.get(event.article_id) or "")[:300]
        event.actor_name = names.get(event.actor_id, "") if event.actor_id else ""
        event.group = uuid.uuid4()
        event.save(update_fields=["label", "actor_name", "group"])


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_desk_rulebook'),
        ('editorial', '0002_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(max_length=500, verbose_name='correction note')),
                ('fields', models.JSONField(blank=True, default=list, verbose_name='fields changed')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('event_group', models.UUIDField(blank=True, help_text='The audited edit it notes.', null=True, verbose_name='action id')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='actor_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='actor'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='group',
            field=models.UUIDField(null=True, verbose_name='action id'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='label',
            field=models.CharField(blank=True, help_text='Its title at the time.', max_length=300, verbose_name='story'),
        ),
        migrations.RunPython(label_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditevent',
            name='group',
            field=models.UUIDField(db_index=True, default=uuid.uuid4, verbose_name='action id'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='article',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='audit_events', to='articles.article'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['article', '-at'], name='auditevent_article_at'),
        ),
        migrations.AddField(
            model_name='correction',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='correction',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='articles.article'),
        ),
    ]
