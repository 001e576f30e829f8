# The tables take the app's name (articles_enrichment → enrichment_enrichment, ...), so a
# newcomer finds them where the models are. A rename keeps every row, index and key.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("enrichment", "0001_initial"),
        ("articles", "0009_move_stories_and_enrichment"),
    ]

    operations = [
        migrations.AlterModelTable(name="enrichment", table=None),
        migrations.AlterModelTable(name="budgetday", table=None),
        migrations.AlterModelTable(name="enrichmentbatch", table=None),
    ]
