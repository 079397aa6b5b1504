"""Finer samples for large result sets (publications.counting): beside 1 in 8, 64, 512 and
4,096, the records in 1 in 16, 32, 128, 256, 1,024 and 2,048, so that the counts and facets
of a set of 8,000 results or more are computed over 500 to 1,000 of its records, where they
were over 375 to 3,000. The facets' statement costs about 25 µs per sampled record, so the
costliest sets cost a third as much, and the least precise estimates rest on more records.

Full-text indexes of the public records in the new samples of 1 in 16 to 1 in 256, as migration
0014 made for the others, and with the filtered columns as migration 0022 gave them, so that a
sample is searched directly. The samples of 1 in 1,024 and 2,048 are searched through the
1-in-512 sample's index, at most four times their records.

Each index is built CONCURRENTLY (outside a transaction): readers and writers are not locked
out while it is built (a few seconds each at a million publications).
"""

from django.db import migrations

PUBLIC = "visibility = 'public' AND workflow_state = 'validated'"
FIELDS = "search_vector, output_type, language, status, peer_reviewed, open_access"
BUCKETS = {16: 256, 32: 128, 128: 32, 256: 16}  # 1 in n: the buckets below this


def built(n: int, below: int) -> list[str]:
    name = f"publication_sample{n}_search_gin"
    return [
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",  # left invalid by an interrupted build
        f"CREATE INDEX CONCURRENTLY {name} ON publications_publication USING gin ({FIELDS}) "
        f"WHERE {PUBLIC} AND (hashint8(id) & 4095) < {below}",
    ]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("publications", "0025_search_vector_in_row")]

    operations = [
        migrations.RunSQL(
            [statement for n, below in BUCKETS.items() for statement in built(n, below)],
            [f"DROP INDEX CONCURRENTLY publication_sample{n}_search_gin" for n in BUCKETS],
        ),
    ]
