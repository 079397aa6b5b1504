"""An index of the publications' dates alone, for searches with a year range over a sample.

A search for a broad word between two years is counted over a sample of the public records
(publications.counting), read through that sample's full-text index (migrations 0014, 0026).
Its years need a date index beside it, and PostgreSQL puts two indexes together (BitmapAnd)
only when the conditions they stand for share no clause: the listing's date indexes hold the
public records, as the samples' do, so the planner passed over them and read the whole
collection's full-text index instead. At a million publications, "mechanisms" in articles of
2003–2005 read 134,607 entries of it, and its facets' statement took 117 ms; with this index,
the sample's 14,788 entries and the years' 39,811, and 32–41 ms.

Built CONCURRENTLY (outside a transaction): readers and writers are not locked out while it is
built (about a second at a million publications).
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("publications", "0027_concept_counts_keep_figures")]

    operations = [
        # An index left invalid by an interrupted build would make the next one fail.
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS publication_date_idx", migrations.RunSQL.noop
        ),
        AddIndexConcurrently(
            model_name="publication",
            index=models.Index(fields=["date"], name="publication_date_idx"),
        ),
    ]
