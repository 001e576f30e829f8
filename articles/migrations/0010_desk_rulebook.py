# The article's desk fields: which copy fields editors changed, a newer proposal held beside
# the copy, who scheduled the publication; and the silent-correction permission.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_move_stories_and_enrichment'),
        ('enrichment', '0002_rename_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='article',
            options={'ordering': ['-published_at', '-pk'], 'permissions': [('review_article', 'Can review articles: edit, approve and reject'), ('publish_article', 'Can publish, unpublish, schedule and archive articles'), ('correct_silently', 'Can correct a published story without a public correction note')]},
        ),
        migrations.AddField(
            model_name='article',
            name='edited_fields',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='Copy fields an editor changed since the copy was filled by the AI.', verbose_name='fields edited by the desk'),
        ),
        migrations.AddField(
            model_name='article',
            name='pending_enrichment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='enrichment.enrichment', verbose_name='newer AI proposal, not taken yet'),
        ),
        migrations.AddField(
            model_name='article',
            name='scheduled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scheduled by'),
        ),
    ]
