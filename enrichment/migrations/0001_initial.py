# The enrichment models move here from `articles` (created by articles 0002). This migration
# only tells Django's state where they live now; the tables are renamed by 0002, so no row is
# copied or lost.

import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("articles", "0008_term_day"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BudgetDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True)),
                        ("spent_usd", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=12)),
                        ("reserved_usd", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=12)),
                    ],
                    options={"db_table": "articles_budgetday"},
                ),
                migrations.CreateModel(
                    name="EnrichmentBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("batch_id", models.CharField(max_length=100, unique=True)),
                        ("status", models.CharField(choices=[("submitted", "submitted"), ("ended", "ended")], default="submitted", max_length=20)),
                        ("model", models.CharField(max_length=100)),
                        ("prompt_version", models.CharField(max_length=20)),
                        ("article_ids", models.JSONField(default=list)),
                        ("applied", models.PositiveIntegerField(default=0)),
                        ("failed", models.PositiveIntegerField(default=0)),
                        ("reserved_usd", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=12)),
                        ("submitted_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"ordering": ["-submitted_at"], "db_table": "articles_enrichmentbatch"},
                ),
                migrations.CreateModel(
                    name="Enrichment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(choices=[("ok", "ok"), ("failed", "failed")], max_length=10)),
                        ("backend", models.CharField(max_length=20, verbose_name="backend")),
                        ("model", models.CharField(max_length=100, verbose_name="model")),
                        ("prompt_version", models.CharField(max_length=20, verbose_name="prompt version")),
                        ("input_hash", models.CharField(db_index=True, help_text="Hash of content, prompt version and model: the idempotency key.", max_length=64)),
                        ("via_batch", models.BooleanField(default=False)),
                        ("summary", models.TextField(blank=True)),
                        ("analysis", models.TextField(blank=True)),
                        ("takeaways", models.JSONField(blank=True, default=list)),
                        ("sentiment", models.CharField(blank=True, choices=[("bullish", "bullish"), ("bearish", "bearish"), ("neutral", "neutral")], max_length=10)),
                        ("company_sentiments", models.JSONField(blank=True, default=dict)),
                        ("importance", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("importance_reason", models.CharField(blank=True, max_length=300)),
                        ("category", models.CharField(blank=True, max_length=100)),
                        ("companies", models.JSONField(blank=True, default=list)),
                        ("warnings", models.JSONField(blank=True, default=list, help_text="Companies or numbers in the proposal that the article does not state.", verbose_name="grounding warnings")),
                        ("input_tokens", models.PositiveIntegerField(default=0)),
                        ("output_tokens", models.PositiveIntegerField(default=0)),
                        ("cache_write_tokens", models.PositiveIntegerField(default=0)),
                        ("cache_read_tokens", models.PositiveIntegerField(default=0)),
                        ("cost_usd", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=10)),
                        ("latency_ms", models.PositiveIntegerField(default=0)),
                        ("attempts", models.PositiveSmallIntegerField(default=1)),
                        ("raw_reply", models.TextField(blank=True)),
                        ("error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrichments", to="articles.article")),
                        ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["-created_at"], "get_latest_by": "created_at", "db_table": "articles_enrichment"},
                ),
            ],
            database_operations=[],
        ),
    ]
