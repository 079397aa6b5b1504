"""Stored figures (models.StoredFigure) and the triggers that forget them.

A person's or journal's figures count its public publications: their years, journals, types and
other columns, their facet ids (authors, affiliations, keywords, subject areas) and their
concepts, and they show the names, titles and labels of what they count. So, at the end of each
statement:
- on publications: the rows of the authors and journals of every publication inserted, deleted
  or changed (before and after), read from its facet ids;
- on facet ids and publication concepts: those of the publications whose rows changed;
- on a change or deletion of a person, journal, keyword, organisation (names and the tree),
  subject area or concept (their labels; of a person, its name, slug and whether it is the
  institution's): every row. These are rare, and any stored figure may
  show one of them.

The triggers are named to fire after the data version's (migration 0017) on the same statement:
a page that computed a figure stores it only if the data version is still the one it read first
(publications.figures), and the writer moves the version before it deletes any row, so a figure
computed from the data before a write is either deleted by it or never stored. A statement finds
nothing to do while the table is empty (a bulk load)."""

from django.db import migrations, models

PERSON_SCOPES = """
    SELECT 'person:' || x FROM {ids} c
        JOIN publications_publicationfacetids f ON f.publication_id = c.id
        CROSS JOIN LATERAL unnest(f.persons) AS x"""
JOURNAL_SCOPES = """
    SELECT 'journal:' || p.journal_id FROM {ids} c
        JOIN publications_publication p ON p.id = c.id WHERE p.journal_id IS NOT NULL"""


def forget(ids: str, persons: bool = True) -> str:
    """Deletes the rows of the journals, and unless told not to of the persons, of the
    publications whose ids `ids` (a query of one column, id) gives."""
    scopes = [PERSON_SCOPES, JOURNAL_SCOPES] if persons else [JOURNAL_SCOPES]
    query = "\n    UNION".join(scopes).format(ids=f"({ids})")
    return f"""
        DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY({query}));"""


FUNCTION = f"""
CREATE OR REPLACE FUNCTION portal_forget_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
BEGIN
    -- Each branch's queries are planned only when reached, so only the trigger's own
    -- transition tables are read.
    IF NOT EXISTS (SELECT 1 FROM publications_storedfigure) THEN
        RETURN NULL;
    END IF;
    IF kind = 'labels' THEN
        IF TG_OP = 'DELETE' OR EXISTS (
            SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n IS DISTINCT FROM o
        ) THEN
            DELETE FROM publications_storedfigure;
        END IF;
    ELSIF kind = 'person' THEN
        -- What the co-authors and the person facet show of a person (an import adding ORCIDs
        -- to persons does not forget every figure).
        IF TG_OP = 'DELETE' OR EXISTS (
            SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.given_name, n.family_name, n.initials, n.slug, n.is_internal)
                  IS DISTINCT FROM (o.given_name, o.family_name, o.initials, o.slug, o.is_internal)
        ) THEN
            DELETE FROM publications_storedfigure;
        END IF;
    ELSIF kind = 'publication' THEN
        IF TG_OP = 'INSERT' THEN
            DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY(
                SELECT DISTINCT 'journal:' || journal_id FROM new_rows
                WHERE journal_id IS NOT NULL));
        ELSIF TG_OP = 'UPDATE' THEN
            DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY(
                SELECT 'journal:' || o.journal_id
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n IS DISTINCT FROM o AND o.journal_id IS NOT NULL));
            {
    forget("SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n IS DISTINCT FROM o")
}
        ELSE
            DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY(
                SELECT DISTINCT 'journal:' || journal_id FROM old_rows
                WHERE journal_id IS NOT NULL));
            {forget("SELECT id FROM old_rows")}
        END IF;
    ELSIF kind = 'facet_ids' THEN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY(
                SELECT 'person:' || x FROM new_rows n CROSS JOIN LATERAL unnest(n.persons) AS x));
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM publications_storedfigure WHERE scope = ANY (ARRAY(
                SELECT 'person:' || x FROM old_rows o CROSS JOIN LATERAL unnest(o.persons) AS x));
        END IF;
        -- The persons are those of the arrays, before and after: only the journals are left.
        IF TG_OP = 'INSERT' THEN
            {forget("SELECT publication_id AS id FROM new_rows", persons=False)}
        ELSE
            {forget("SELECT publication_id AS id FROM old_rows", persons=False)}
        END IF;
    ELSIF kind = 'concepts' THEN
        IF TG_OP = 'INSERT' THEN
            {forget("SELECT DISTINCT publication_id AS id FROM new_rows")}
        ELSE
            {forget("SELECT DISTINCT publication_id AS id FROM old_rows")}
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

TABLES = {
    "publications_publication": "publication",
    "publications_publicationfacetids": "facet_ids",
    "publications_publicationconcept": "concepts",
    "publications_person": "person",
    "publications_journal": "labels",
    "publications_keyword": "labels",
    "publications_organisation": "labels",
    "publications_subjectarea": "labels",
    "publications_concept": "labels",
}


def triggers(table: str, kind: str) -> str:
    statements = []
    for event, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        if kind in {"labels", "person"} and event == "INSERT":
            continue  # a new name is on no publication yet: linking it is a write there
        statements.append(
            f"CREATE TRIGGER portal_forget_figures_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION portal_forget_figures('{kind}');"
        )
    return "\n".join(statements)


def drop(table: str) -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS portal_forget_figures_{event} ON {table};"
        for event in ("insert", "update", "delete")
    )


FORWARD = FUNCTION + "\n".join(triggers(table, kind) for table, kind in TABLES.items())
BACKWARD = (
    "\n".join(drop(table) for table in TABLES)
    + "\nDROP FUNCTION IF EXISTS portal_forget_figures();"
)


class Migration(migrations.Migration):
    dependencies = [("publications", "0017_public_data_version")]

    operations = [
        migrations.CreateModel(
            name="StoredFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=40)),
                ("name", models.TextField()),
                ("deployment", models.CharField(max_length=32)),
                ("value", models.BinaryField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "name"), name="storedfigure_scope_name"
                    )
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
