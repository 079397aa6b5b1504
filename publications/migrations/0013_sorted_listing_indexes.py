"""Indexes for the listing and the API sorted oldest first and by title (public records only)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0012_oai_tombstones'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='publication',
            index=models.Index(models.OrderBy(models.F('date'), nulls_last=True), models.F('title'), models.F('id'), condition=models.Q(('visibility', 'public'), ('workflow_state', 'validated')), name='publication_public_oldest_idx'),
        ),
        migrations.AddIndex(
            model_name='publication',
            index=models.Index(django.db.models.functions.text.Lower('title'), models.F('id'), condition=models.Q(('visibility', 'public'), ('workflow_state', 'validated')), name='publication_public_title_idx'),
        ),
    ]
