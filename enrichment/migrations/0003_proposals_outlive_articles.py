# An AI proposal outlives its article: no cascade and no database constraint.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_desk_rulebook'),
        ('enrichment', '0002_rename_tables'),
    ]

    operations = [
        migrations.AlterField(
            model_name='enrichment',
            name='article',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='enrichments', to='articles.article'),
        ),
    ]
