"""Running counts of the public collection per organisation unit and per ASJC code, area and
group, in all and per year (models.CollectionCount), kept by triggers.

What is counted: a public publication counts once for each organisation any of its authors is
affiliated with and for each organisation above those (their `lineage`), and once for each of
its ASJC codes, for each two-digit area of those (2400 for 2403) and for each group, as
querysets.organisation_publications() and the subject pages select them. The facet ids
(migration 0016) hold each publication's organisations and subject areas, so the count is the
sum, over the public publications, of what their facet ids give.

So, at the end of each statement, a row of +1 or -1 per key, and per key and year (summed per
statement), for:
- facet ids inserted, updated or deleted, of a publication public at that moment: what the old
  row gave, taken away, and what the new row gives, added;
- publications made public or no longer public (workflow state, visibility), or public ones
  whose year changed: what their facet ids gave before, taken away, and give now, added;
- organisations whose lineage changed (a unit moved in the tree): for the public publications
  affiliated with them, the units of the old lineages taken away and those of the new added;
- a subject area whose code or group changed (ASJC is loaded once; this is for completeness):
  the subject counts computed again.
Each of these is the exact change of the sum, whatever order the statements of a transaction
come in. Rows are only inserted, so writers never lock each other's rows; querysets folds them.
A recount (portal_collection_counts_rebuild) deletes and inserts in one statement, one snapshot.
"""

from django.db import migrations, models

FOLD_LOCK = 0x706F7274616C0001  # querysets.FOLD_LOCK: rebuilds and folds take turns

PUBLIC = "p.workflow_state = 'validated' AND p.visibility = 'public'"

# The keys each row of {rows} (organisations, subject_areas, year, sign) counts, with its year
# and sign; the units from the lineages in {lineages} (id, lineage).
SETS = """
    WITH r AS MATERIALIZED ({rows})
    SELECT 'unit' AS kind, u.id::text AS key, r.year, r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT x.id FROM {lineages} o CROSS JOIN LATERAL unnest(o.lineage) AS x(id)
            WHERE o.id = ANY(r.organisations)
        ) u
    UNION ALL
    SELECT 'code', s.code::text, r.year, r.sign FROM r
        JOIN publications_subjectarea s ON s.id = ANY(r.subject_areas)
    UNION ALL
    SELECT 'area', a.area::text, r.year, r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT s.code / 100 * 100 AS area FROM publications_subjectarea s
            WHERE s.id = ANY(r.subject_areas)
        ) a
    UNION ALL
    SELECT 'group', g."group", r.year, r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT s."group" FROM publications_subjectarea s
            WHERE s.id = ANY(r.subject_areas)
        ) g"""


# Rows (kind, key, year, n) of the sums of {sets} per key, and per key and year ("unit-year").
SUMS = """
    SELECT CASE WHEN GROUPING(year) = 0 THEN kind || '-year' ELSE kind END, key,
           CASE WHEN GROUPING(year) = 0 THEN year END, sum(sign)
    FROM ({sets}) d
    GROUP BY GROUPING SETS ((kind, key), (kind, key, year))"""


def add(rows: str, lineages: str = "publications_organisation", using: str = "") -> str:
    """A statement adding the signed counts of `rows`, one row per key and per key and year.
    Planned each time (EXECUTE): a cached plan would keep the join order chosen for the first
    transition table of the connection, a million rows of a bulk load say, for every later one."""
    sums = SUMS.format(sets=SETS.format(rows=rows, lineages=lineages))
    return f"""
        EXECUTE $delta$
        INSERT INTO publications_collectioncount (kind, key, year, n)
        {sums} HAVING sum(sign) <> 0
        $delta${using};"""


def public_facet_ids(table: str, sign: int) -> str:
    return f"""SELECT f.organisations, f.subject_areas, p.year, {sign} AS sign FROM {table} f
            JOIN publications_publication p ON p.id = f.publication_id WHERE {PUBLIC}"""


# The public publications affiliated with an organisation in `changed`, their units only.
MOVED = """SELECT f.organisations, '{{}}'::bigint[] AS subject_areas, p.year, {sign} AS sign
            FROM publications_publicationfacetids f
            JOIN publications_publication p ON p.id = f.publication_id
            WHERE f.organisations && $1 AND {public}"""
OLD_LINEAGES = """(SELECT c.id, coalesce(o.lineage, c.lineage) AS lineage
            FROM publications_organisation c LEFT JOIN old_rows o ON o.id = c.id)"""

EVERY_SET = SETS.format(
    rows=public_facet_ids("publications_publicationfacetids", 1),
    lineages="publications_organisation",
)
REBUILD_SUMS = SUMS.format(sets=f"SELECT * FROM ({EVERY_SET}) s WHERE kind = ANY(kinds)")
FACET_IDS_INSERTED = add(public_facet_ids("new_rows", 1))
FACET_IDS_UPDATED = add(
    public_facet_ids("new_rows", 1) + " UNION ALL " + public_facet_ids("old_rows", -1)
)
FACET_IDS_DELETED = add(public_facet_ids("old_rows", -1))
OLD_PUBLIC = PUBLIC.replace("p.", "o.")
NEW_PUBLIC = PUBLIC.replace("p.", "n.")
# Of the publications whose public state or year changed, what they counted before and now.
CHANGED = f"""SELECT n.id, o.year AS old_year, n.year AS new_year,
                ({OLD_PUBLIC}) AS was_public, ({NEW_PUBLIC}) AS is_public
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE ({OLD_PUBLIC}, o.year) IS DISTINCT FROM ({NEW_PUBLIC}, n.year)"""
PUBLIC_CHANGED = add(
    f"""WITH c AS ({CHANGED})
            SELECT f.organisations, f.subject_areas, c.old_year AS year, -1 AS sign
            FROM c JOIN publications_publicationfacetids f ON f.publication_id = c.id
            WHERE c.was_public
            UNION ALL
            SELECT f.organisations, f.subject_areas, c.new_year, 1
            FROM c JOIN publications_publicationfacetids f ON f.publication_id = c.id
            WHERE c.is_public"""
)
UNITS_MOVED = add(MOVED.format(sign=1, public=PUBLIC), using=" USING changed") + add(
    MOVED.format(sign=-1, public=PUBLIC), lineages=OLD_LINEAGES, using=" USING changed"
)
# Before a statement's facet ids are counted, their publications and organisations are locked
# against change (FOR SHARE; the whole table past LOCK_ROWS_UP_TO publications): a writer that
# changes one of them, not yet committed, is waited for, and the counting statement that follows
# sees what it wrote (each statement its own snapshot). Without it, a record withdrawn while its
# affiliations were edited in another transaction would be taken away as it was before the edit,
# and added as it is after, and a unit moved while a record was affiliated with it would keep
# that record under its old parents.
LOCK_ROWS_UP_TO = 10_000
LOCK = f"""
        IF cardinality(touched) > {LOCK_ROWS_UP_TO} THEN
            LOCK TABLE publications_publication IN SHARE MODE;
        ELSE
            PERFORM 1 FROM publications_publication WHERE id = ANY(touched) ORDER BY id
            FOR SHARE;
        END IF;
        PERFORM 1 FROM publications_organisation WHERE id = ANY(units) ORDER BY id FOR SHARE;"""


def lock(tables: list[str]) -> str:
    """Collects the publications and organisations of the transition tables, then LOCK."""
    publications = " UNION ".join(f"SELECT publication_id FROM {table}" for table in tables)
    units = " UNION ".join(f"SELECT unnest(organisations) FROM {table}" for table in tables)
    return f"""
        touched := ARRAY({publications});
        units := ARRAY({units});{LOCK}"""


FUNCTIONS = f"""
CREATE FUNCTION portal_collection_counts_rebuild(kinds text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Never beside a fold (querysets.fold_collection_counts), whose new rows this statement's
    -- snapshot might miss and so keep; then one statement, one snapshot: what it deletes and
    -- what it counts are the same data.
    PERFORM pg_advisory_xact_lock({FOLD_LOCK});
    WITH gone AS (
        DELETE FROM publications_collectioncount WHERE split_part(kind, '-', 1) = ANY(kinds)
    )
    INSERT INTO publications_collectioncount (kind, key, year, n)
    {REBUILD_SUMS};
END $$;

CREATE FUNCTION portal_collection_counts_compact() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (DELETE FROM publications_collectioncount RETURNING kind, key, year, n)
    INSERT INTO publications_collectioncount (kind, key, year, n)
    SELECT kind, key, year, sum(n) FROM gone GROUP BY kind, key, year HAVING sum(n) <> 0;
END $$;

CREATE FUNCTION portal_collection_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source text := TG_ARGV[0];
    changed bigint[];
    touched bigint[];
    units bigint[];
BEGIN
    -- Each branch's queries are planned only when reached, so only the trigger's own
    -- transition tables are read.
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM portal_collection_counts_rebuild(ARRAY['unit', 'code', 'area', 'group']);
    ELSIF source = 'facet_ids' THEN
        IF TG_OP = 'INSERT' THEN
            {lock(["new_rows"])}
            {FACET_IDS_INSERTED}
        ELSIF TG_OP = 'UPDATE' THEN
            {lock(["new_rows", "old_rows"])}
            {FACET_IDS_UPDATED}
        ELSE
            {lock(["old_rows"])}
            {FACET_IDS_DELETED}
        END IF;
    ELSIF source = 'publication' THEN
        {PUBLIC_CHANGED}
    ELSIF source = 'organisation' THEN
        changed := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.lineage IS DISTINCT FROM o.lineage
        );
        IF cardinality(changed) > 0 AND EXISTS (
            SELECT 1 FROM publications_authorship_affiliations
            WHERE organisation_id = ANY(changed)
        ) THEN
            {UNITS_MOVED}
        END IF;
    ELSIF source = 'subject_area' THEN
        IF EXISTS (
            SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.code, n."group") IS DISTINCT FROM (o.code, o."group")
        ) THEN
            PERFORM portal_collection_counts_rebuild(ARRAY['code', 'area', 'group']);
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

BOTH = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
TRIGGERS = [
    ("publications_publicationfacetids", "insert", "NEW TABLE AS new_rows", "facet_ids"),
    ("publications_publicationfacetids", "update", BOTH, "facet_ids"),
    ("publications_publicationfacetids", "delete", "OLD TABLE AS old_rows", "facet_ids"),
    ("publications_publication", "update", BOTH, "publication"),
    ("publications_organisation", "update", BOTH, "organisation"),
    ("publications_subjectarea", "update", BOTH, "subject_area"),
]
# A TRUNCATE (of the publications, cascading, say) has no transition table: all is counted again.
TRUNCATED = [
    "publications_publicationfacetids",
    "publications_publication",
    "publications_organisation",
    "publications_subjectarea",
]

CREATE = (
    FUNCTIONS
    + "".join(
        f"""
CREATE TRIGGER portal_collection_counts_{event} AFTER {event.upper()} ON {table}
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION portal_collection_counts('{source}');
"""
        for table, event, tables, source in TRIGGERS
    )
    + "".join(
        f"""
CREATE TRIGGER portal_collection_counts_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_collection_counts('truncate');
"""
        for table in TRUNCATED
    )
    + """
SELECT portal_collection_counts_rebuild(ARRAY['unit', 'code', 'area', 'group']);
"""
)

DROP = (
    "".join(
        f"DROP TRIGGER portal_collection_counts_{event} ON {table};\n"
        for table, event, _, _ in TRIGGERS
    )
    + "".join(f"DROP TRIGGER portal_collection_counts_truncate ON {t};\n" for t in TRUNCATED)
) + (
    "DROP FUNCTION portal_collection_counts();\n"
    "DROP FUNCTION portal_collection_counts_compact();\n"
    "DROP FUNCTION portal_collection_counts_rebuild(text[]);\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0019_person_az_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CollectionCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=10)),
                ("key", models.CharField(max_length=40)),
                ("year", models.SmallIntegerField(null=True)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "key"], name="collectioncount_kind_key")],
            },
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
