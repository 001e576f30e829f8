# The tables take the app's name (articles_storycluster → stories_storycluster, ...), so a
# newcomer finds them where the models are. A rename keeps every row, index and key.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("stories", "0001_initial"),
        ("articles", "0009_move_stories_and_enrichment"),
    ]

    operations = [
        migrations.AlterModelTable(name="storycluster", table=None),
        migrations.AlterModelTable(name="articleterm", table=None),
        migrations.AlterModelTable(name="termday", table=None),
    ]
