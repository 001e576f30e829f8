# Full-text search over published stories (Article.objects.matching on PostgreSQL) reads
# an index instead of computing every story's text vector on every search. The expression
# is exactly the one ArticleQuerySet.matching builds, or PostgreSQL would not use it; a
# partial index over published stories, the only ones searched. PostgreSQL only (the
# SQLite fallback matches words another way).

from django.db import migrations

VECTOR = (
    "((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')) || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(analysis, '')), 'C'))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_published_search ON articles_article "
            f"USING gin (({VECTOR})) WHERE status = 'published'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_published_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_reader_list_index")]

    operations = [migrations.RunPython(create, drop)]
