"""Foreign keys whose column already leads a composite index lose their own single-column index:
it served no query the composite one does not, and every import paid to keep it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0010_fingerprint_public'),
    ]

    operations = [
        migrations.AlterField(
            model_name='authorship',
            name='person',
            field=models.ForeignKey(blank=True, db_index=False, help_text='Empty only for a corporate author (a consortium or group) named as printed.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='authorships', to='publications.person'),
        ),
        migrations.AlterField(
            model_name='authorship',
            name='publication',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='authorships', to='publications.publication'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='journal',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='publications', to='publications.journal'),
        ),
        migrations.AlterField(
            model_name='publicationconcept',
            name='concept',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='publications.concept'),
        ),
        migrations.AlterField(
            model_name='publicationconcept',
            name='publication',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='concepts', to='publications.publication'),
        ),
    ]
