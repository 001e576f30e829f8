# The source's own headline, kept apart from the desk's, which editors may rewrite. Existing
# rows get their current title (the best record of what the source said).

from django.db import migrations, models


def copy_titles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(feed_title="").update(feed_title=models.F("title"))


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0010_desk_rulebook"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="feed_title",
            field=models.CharField(blank=True, max_length=300, verbose_name="headline at the source"),
        ),
        migrations.RunPython(copy_titles, migrations.RunPython.noop),
    ]
