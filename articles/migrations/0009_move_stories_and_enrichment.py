# Story clusters and enrichment became apps of their own (stories 0001, enrichment 0001 take
# over the models' state). Here the article's two foreign keys are pointed at the models'
# new homes and the old state entries are dropped; nothing changes in the database. The
# content types follow the models, so permissions granted on them (and admin log entries)
# keep working.

import django.db.models.deletion
from django.db import migrations, models

MOVED = [
    ("stories", "storycluster"),
    ("stories", "articleterm"),
    ("stories", "termday"),
    ("enrichment", "enrichment"),
    ("enrichment", "budgetday"),
    ("enrichment", "enrichmentbatch"),
]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        old = ContentType.objects.filter(app_label="articles", model=model).first()
        if old is None:
            continue
        # A content type already created under the new label has nothing pointing at it yet
        # that matters more than the old one's permissions: keep the old row, relabelled.
        ContentType.objects.filter(app_label=app_label, model=model).delete()
        old.app_label = app_label
        old.save(update_fields=["app_label"])


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        ContentType.objects.filter(app_label=app_label, model=model).update(
            app_label="articles"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0008_term_day"),
        ("stories", "0001_initial"),
        ("enrichment", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="cluster",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="articles", to="stories.storycluster"),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="enrichment",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="enrichment.enrichment", verbose_name="current AI proposal"),
                ),
                migrations.DeleteModel(name="ArticleTerm"),
                migrations.DeleteModel(name="TermDay"),
                migrations.DeleteModel(name="StoryCluster"),
                migrations.DeleteModel(name="Enrichment"),
                migrations.DeleteModel(name="BudgetDay"),
                migrations.DeleteModel(name="EnrichmentBatch"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
