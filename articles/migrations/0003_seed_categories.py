from django.db import migrations

# The site's starting categories; the enrichment prompt lists them and the offline backend's
# keyword rules target them. Editors can rename or add more in the admin.
CATEGORIES = [
    ("Markets", "markets"), ("Business", "business"), ("Technology", "technology"),
    ("Energy", "energy"), ("Economy", "economy"), ("Health", "health"),
    ("Politics", "politics"), ("World", "world"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    for position, (name, slug) in enumerate(CATEGORIES):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_enrichment")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
