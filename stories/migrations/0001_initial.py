# The story-cluster models move here from `articles` (they were created by articles 0004 and
# 0008). This migration only tells Django's state where they live now; the tables are renamed
# by 0002, so no row is copied or lost.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("articles", "0008_term_day"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StoryCluster",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("canonical_chosen", models.BooleanField(default=False, verbose_name="canonical chosen by an editor")),
                        ("manual", models.BooleanField(default=False, verbose_name="edited by an editor")),
                        ("article_count", models.PositiveIntegerField(default=0)),
                        ("source_count", models.PositiveIntegerField(default=0)),
                        ("first_seen", models.DateTimeField(blank=True, null=True)),
                        ("last_seen", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("canonical", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="articles.article", verbose_name="canonical article")),
                    ],
                    options={
                        "ordering": ["-last_seen"],
                        "db_table": "articles_storycluster",
                    },
                ),
                migrations.CreateModel(
                    name="ArticleTerm",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("term", models.CharField(max_length=64)),
                        ("published_at", models.DateTimeField()),
                        ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="articles.article")),
                    ],
                    options={
                        "db_table": "articles_articleterm",
                        "indexes": [models.Index(fields=["term", "published_at", "article"], name="articleterm_covering")],
                        "constraints": [models.UniqueConstraint(fields=("article", "term"), name="articleterm_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="TermDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("term", models.CharField(max_length=64)),
                        ("day", models.DateField()),
                        ("articles", models.IntegerField(default=0)),
                    ],
                    options={
                        "db_table": "articles_termday",
                        "constraints": [models.UniqueConstraint(fields=("term", "day"), name="termday_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
