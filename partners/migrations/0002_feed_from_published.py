# The change feed starts with every story readers can see now, at the time we published it
# (pending: the next sweep announces each one, which fills in its related stories).

from django.db import migrations
from django.db.models import F, Q


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    StoryChange = apps.get_model("partners", "StoryChange")
    visible = Article.objects.filter(status="published").filter(
        Q(cluster__isnull=True) | Q(cluster__canonical_id=F("pk"))
    )
    StoryChange.objects.bulk_create(
        (
            StoryChange(article_id=pk, changed_at=when or created, pending=True)
            for pk, when, created in visible.values_list(
                "pk", "published_at_site", "created_at"
            ).iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("articles", "0012_story_slug"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
