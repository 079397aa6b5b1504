"""Running counts of the public publications in all ("all", key "") and per journal ("journal",
the journal's id) in models.CollectionCount, for the home page's figures: counted, they took
about 100 ms at a million publications after every public write (the journals with a public
record, 77 ms of it).

A statement trigger on the publications adds, per statement, -1 for each public row before it
and +1 for each public row after it (an insert has no row before, a delete none after), summed
per key: a statement that changes neither whether a record is public nor its journal adds
nothing. It reads only its own transition tables, so it needs no lock: concurrent writers of one
record are already serialised by the record's row. A TRUNCATE counts them again (migration
0020's trigger, whose recount this migration extends to these kinds).
"""

from django.db import migrations

PUBLIC = "{t}.workflow_state = 'validated' AND {t}.visibility = 'public'"


def signed(rows: str, sign: int, table: str = "") -> str:
    """(journal_id, sign) of the public ones of `rows` (a transition table, or `table` so named)."""
    source = f"{table} {rows}" if table else rows
    return f"SELECT {rows}.journal_id, {sign} AS sign FROM {source} WHERE {PUBLIC.format(t=rows)}"


def add(rows: str) -> str:
    """Adds the signed counts of `rows` (journal_id, sign): per journal, and in all."""
    return f"""
        INSERT INTO publications_collectioncount (kind, key, year, n)
        SELECT CASE WHEN GROUPING(journal_id) = 0 THEN 'journal' ELSE 'all' END,
               coalesce(journal_id::text, ''), NULL, sum(sign)
        FROM ({rows}) d
        GROUP BY GROUPING SETS ((journal_id), ())
        HAVING sum(sign) <> 0
            AND (GROUPING(journal_id) = 1 OR journal_id IS NOT NULL);"""


FUNCTIONS = f"""
CREATE FUNCTION portal_publication_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch's queries are planned only when reached, so only the trigger's own
    -- transition tables are read.
    IF TG_OP = 'INSERT' THEN
        {add(signed("new_rows", 1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {add(signed("new_rows", 1) + " UNION ALL " + signed("old_rows", -1))}
    ELSE
        {add(signed("old_rows", -1))}
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION portal_publication_counts_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- As portal_collection_counts_rebuild: never beside a fold, one statement, one snapshot.
    PERFORM pg_advisory_xact_lock({0x706F7274616C0001});
    WITH gone AS (DELETE FROM publications_collectioncount WHERE kind IN ('all', 'journal'))
    {add(signed("p", 1, table="publications_publication"))}
END $$;

CREATE OR REPLACE FUNCTION portal_publication_counts_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM portal_publication_counts_rebuild();
    RETURN NULL;
END $$;
"""

TRIGGERS = [
    ("insert", "REFERENCING NEW TABLE AS new_rows"),
    ("update", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "REFERENCING OLD TABLE AS old_rows"),
]

CREATE = (
    FUNCTIONS
    + "".join(
        f"""
CREATE TRIGGER portal_publication_counts_{event} AFTER {event.upper()}
    ON publications_publication {tables}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_publication_counts();
"""
        for event, tables in TRIGGERS
    )
    + """
CREATE TRIGGER portal_publication_counts_truncate AFTER TRUNCATE ON publications_publication
    FOR EACH STATEMENT EXECUTE FUNCTION portal_publication_counts_truncated();
SELECT portal_publication_counts_rebuild();
"""
)

DROP = (
    "".join(
        f"DROP TRIGGER portal_publication_counts_{event} ON publications_publication;\n"
        for event, _ in TRIGGERS
    )
    + """
DROP TRIGGER portal_publication_counts_truncate ON publications_publication;
DROP FUNCTION portal_publication_counts_truncated();
DROP FUNCTION portal_publication_counts_rebuild();
DROP FUNCTION portal_publication_counts();
DELETE FROM publications_collectioncount WHERE kind IN ('all', 'journal');
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0020_collection_counts"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
