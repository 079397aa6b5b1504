"""Running counts of the public collection per organisation unit and per ASJC code, area and
group (models.CollectionCount), kept by triggers.

What is counted: a public publication counts once for each organisation any of its authors is
affiliated with and for each organisation above those (their `lineage`), and once for each of
its ASJC codes, for each two-digit area of those (2400 for 2403) and for each group, as
querysets.organisation_publications() and the subject pages select them. The facet ids
(migration 0016) hold each publication's organisations and subject areas, so the count is the
sum, over the public publications, of what their facet ids give.

So, at the end of each statement, a row of +1 or -1 per key (summed per statement) for:
- facet ids inserted, updated or deleted, of a publication public at that moment: what the old
  row gave, taken away, and what the new row gives, added;
- publications made public or no longer public (workflow state, visibility): what their facet
  ids give, added or taken away;
- organisations whose lineage changed (a unit moved in the tree): for the public publications
  affiliated with them, the units of the old lineages taken away and those of the new added;
- a subject area whose code or group changed (ASJC is loaded once; this is for completeness):
  the subject counts computed again.
Each of these is the exact change of the sum, whatever order the statements of a transaction
come in. Rows are only inserted, so writers never lock each other's rows; querysets folds them.
A recount (portal_collection_counts_rebuild) deletes and inserts in one statement, one snapshot.
"""

from django.db import migrations, models

PUBLIC = "p.workflow_state = 'validated' AND p.visibility = 'public'"

# The keys each row of {rows} (organisations, subject_areas, sign) counts, with its sign; the
# units from the lineages in {lineages} (id, lineage).
SETS = """
    WITH r AS MATERIALIZED ({rows})
    SELECT 'unit' AS kind, u.id::text AS key, r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT x.id FROM {lineages} o CROSS JOIN LATERAL unnest(o.lineage) AS x(id)
            WHERE o.id = ANY(r.organisations)
        ) u
    UNION ALL
    SELECT 'code', s.code::text, r.sign FROM r
        JOIN publications_subjectarea s ON s.id = ANY(r.subject_areas)
    UNION ALL
    SELECT 'area', a.area::text, r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT s.code / 100 * 100 AS area FROM publications_subjectarea s
            WHERE s.id = ANY(r.subject_areas)
        ) a
    UNION ALL
    SELECT 'group', g."group", r.sign FROM r
        CROSS JOIN LATERAL (
            SELECT DISTINCT s."group" FROM publications_subjectarea s
            WHERE s.id = ANY(r.subject_areas)
        ) g"""


def add(rows: str, lineages: str = "publications_organisation") -> str:
    """A statement adding the signed counts of `rows`, one row per key."""
    sets = SETS.format(rows=rows, lineages=lineages)
    return f"""
        INSERT INTO publications_collectioncount (kind, key, n)
        SELECT kind, key, sum(sign) FROM ({sets}) d
        GROUP BY kind, key HAVING sum(sign) <> 0;"""


def public_facet_ids(table: str, sign: int) -> str:
    return f"""SELECT f.organisations, f.subject_areas, {sign} AS sign FROM {table} f
            JOIN publications_publication p ON p.id = f.publication_id WHERE {PUBLIC}"""


# The public publications affiliated with an organisation in `changed`, their units only.
MOVED = """SELECT f.organisations, '{{}}'::bigint[] AS subject_areas, {sign} AS sign
            FROM publications_publicationfacetids f
            JOIN publications_publication p ON p.id = f.publication_id
            WHERE f.organisations && changed AND {public}"""
OLD_LINEAGES = """(SELECT c.id, coalesce(o.lineage, c.lineage) AS lineage
            FROM publications_organisation c LEFT JOIN old_rows o ON o.id = c.id)"""

REBUILD_SETS = SETS.format(
    rows=public_facet_ids("publications_publicationfacetids", 1),
    lineages="publications_organisation",
)
FACET_IDS_INSERTED = add(public_facet_ids("new_rows", 1))
FACET_IDS_UPDATED = add(
    public_facet_ids("new_rows", 1) + " UNION ALL " + public_facet_ids("old_rows", -1)
)
FACET_IDS_DELETED = add(public_facet_ids("old_rows", -1))
OLD_PUBLIC = PUBLIC.replace("p.", "o.")
NEW_PUBLIC = PUBLIC.replace("p.", "n.")
PUBLIC_CHANGED = add(
    f"""SELECT f.organisations, f.subject_areas,
                CASE WHEN {NEW_PUBLIC} THEN 1 ELSE -1 END AS sign
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            JOIN publications_publicationfacetids f ON f.publication_id = n.id
            WHERE ({OLD_PUBLIC}) IS DISTINCT FROM ({NEW_PUBLIC})"""
)
UNITS_MOVED = add(MOVED.format(sign=1, public=PUBLIC)) + add(
    MOVED.format(sign=-1, public=PUBLIC), lineages=OLD_LINEAGES
)

FUNCTIONS = f"""
CREATE FUNCTION portal_collection_counts_rebuild(kinds text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (DELETE FROM publications_collectioncount WHERE kind = ANY(kinds))
    INSERT INTO publications_collectioncount (kind, key, n)
    SELECT kind, key, sum(sign) FROM ({REBUILD_SETS}) d
    WHERE kind = ANY(kinds) GROUP BY kind, key;
END $$;

CREATE FUNCTION portal_collection_counts_compact() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (DELETE FROM publications_collectioncount RETURNING kind, key, n)
    INSERT INTO publications_collectioncount (kind, key, n)
    SELECT kind, key, sum(n) FROM gone GROUP BY kind, key HAVING sum(n) <> 0;
END $$;

CREATE FUNCTION portal_collection_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source text := TG_ARGV[0];
    changed bigint[];
BEGIN
    -- Each branch's queries are planned only when reached, so only the trigger's own
    -- transition tables are read.
    IF source = 'facet_ids' THEN
        IF TG_OP = 'INSERT' THEN
            {FACET_IDS_INSERTED}
        ELSIF TG_OP = 'UPDATE' THEN
            {FACET_IDS_UPDATED}
        ELSE
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

CREATE = (
    FUNCTIONS
    + "".join(
        f"""
CREATE TRIGGER portal_collection_counts_{event} AFTER {event.upper()} ON {table}
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION portal_collection_counts('{source}');
"""
        for table, event, tables, source in TRIGGERS
    )
    + """
SELECT portal_collection_counts_rebuild(ARRAY['unit', 'code', 'area', 'group']);
"""
)

DROP = "".join(
    f"DROP TRIGGER portal_collection_counts_{event} ON {table};\n"
    for table, event, _, _ in TRIGGERS
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
                ("kind", models.CharField(max_length=8)),
                ("key", models.CharField(max_length=40)),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
