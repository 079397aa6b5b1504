"""The facet ids of each publication (models.PublicationFacetIds), kept by triggers.

The listing's person, organisation, keyword and subject-area facets read every authorship,
affiliation, keyword and area row of every result: about 50 µs a result, 100 ms for the 2,000
results the facets count exactly. One narrow row per publication with the ids as arrays is
read in a few microseconds.

portal_refresh_facet_ids(ids) rewrites the rows of the publications given, set-based, from the
four source tables. Statement triggers with transition tables call it with the publications
each statement touched (a COPY of a thousand authorships refreshes its publications once), on
insert, update and delete of authorships, their affiliations, keywords and subject areas; a
TRUNCATE of any of them rebuilds the whole table. Deleting a publication deletes its rows of
the four tables first (Django's cascade), and the last of those statements finds nothing left
and removes its row; Django then deletes the row's model too. The organisation tree is not
copied (only the organisations authors are affiliated with), so moving a unit needs no refresh.
portal_refresh_facet_ids_between(low, high) does the same for a range of ids, reading each
source table once: this migration's backfill and generate_publications use it.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# The arrays of the publications selected by {where} (a condition on `publication_id`, and on
# `p.id`), written over any row they had.
REFRESH = """
    INSERT INTO publications_publicationfacetids
        (publication_id, persons, organisations, keywords, subject_areas)
    SELECT p.id, coalesce(a.agg, '{{}}'), coalesce(o.agg, '{{}}'), coalesce(k.agg, '{{}}'),
           coalesce(s.agg, '{{}}')
    FROM publications_publication p
    LEFT JOIN (
        SELECT publication_id, array_agg(DISTINCT person_id ORDER BY person_id) AS agg
        FROM publications_authorship
        WHERE {where} AND person_id IS NOT NULL GROUP BY publication_id
    ) a ON a.publication_id = p.id
    LEFT JOIN (
        SELECT publication_id, array_agg(DISTINCT organisation_id ORDER BY organisation_id) AS agg
        FROM publications_authorship_affiliations aa
        JOIN publications_authorship ON publications_authorship.id = aa.authorship_id
        WHERE {where} GROUP BY publication_id
    ) o ON o.publication_id = p.id
    LEFT JOIN (
        SELECT publication_id, array_agg(DISTINCT keyword_id ORDER BY keyword_id) AS agg
        FROM publications_publicationkeyword
        WHERE {where} GROUP BY publication_id
    ) k ON k.publication_id = p.id
    LEFT JOIN (
        SELECT publication_id, array_agg(DISTINCT subjectarea_id ORDER BY subjectarea_id) AS agg
        FROM publications_publication_subject_areas
        WHERE {where} GROUP BY publication_id
    ) s ON s.publication_id = p.id
    WHERE {where_p} AND coalesce(a.agg, o.agg, k.agg, s.agg) IS NOT NULL
    ON CONFLICT (publication_id) DO UPDATE SET
        persons = EXCLUDED.persons, organisations = EXCLUDED.organisations,
        keywords = EXCLUDED.keywords, subject_areas = EXCLUDED.subject_areas
"""

BETWEEN = "{} BETWEEN low AND high"

# Trigger functions: the publications of a statement's transition table(s). Each branch's query
# is planned only when reached, so only the trigger's own transition tables are read.
TRIGGERS = [
    ("publications_authorship", "publication_id"),
    ("publications_publicationkeyword", "publication_id"),
    ("publications_publication_subject_areas", "publication_id"),
    (
        "publications_authorship_affiliations",
        "(SELECT a.publication_id FROM publications_authorship a WHERE a.id = authorship_id)",
    ),
]


def trigger_sql(table: str, publication: str) -> str:
    function = f"portal_facet_ids_{table.removeprefix('publications_')}"
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM portal_refresh_facet_ids(ARRAY(SELECT DISTINCT {publication} FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM portal_refresh_facet_ids(ARRAY(
            SELECT {publication} FROM new_rows UNION SELECT {publication} FROM old_rows));
    ELSE
        PERFORM portal_refresh_facet_ids(ARRAY(SELECT DISTINCT {publication} FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_facets_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER portal_facets_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER portal_facets_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER portal_facets_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_facet_ids_rebuild();
"""


CREATE = (
    f"""
CREATE FUNCTION portal_refresh_facet_ids(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- A publication left with none of the four loses its row.
    DELETE FROM publications_publicationfacetids WHERE publication_id = ANY(ids);
    {REFRESH.format(where="publication_id = ANY(ids)", where_p="p.id = ANY(ids)")};
END $$;

CREATE FUNCTION portal_facet_ids_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM portal_refresh_facet_ids_between(min(id), max(id)) FROM publications_publication;
    DELETE FROM publications_publicationfacetids
    WHERE NOT EXISTS (
        SELECT 1 FROM publications_publication p
        WHERE p.id = publications_publicationfacetids.publication_id
    );
    RETURN NULL;
END $$;

CREATE FUNCTION portal_refresh_facet_ids_between(low bigint, high bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications_publicationfacetids WHERE publication_id BETWEEN low AND high;
    {REFRESH.format(where=BETWEEN.format("publication_id"), where_p=BETWEEN.format("p.id"))};
END $$;
"""
    + "".join(trigger_sql(table, publication) for table, publication in TRIGGERS)
    + """
SELECT portal_refresh_facet_ids_between(min(id), max(id)) FROM publications_publication;
ANALYZE publications_publicationfacetids;
"""
)

DROP = (
    "".join(
        f"""
DROP TRIGGER portal_facets_insert ON {table};
DROP TRIGGER portal_facets_update ON {table};
DROP TRIGGER portal_facets_delete ON {table};
DROP TRIGGER portal_facets_truncate ON {table};
DROP FUNCTION portal_facet_ids_{table.removeprefix("publications_")}();
"""
        for table, _ in TRIGGERS
    )
    + """
DROP FUNCTION portal_facet_ids_rebuild();
DROP FUNCTION portal_refresh_facet_ids(bigint[]);
DROP FUNCTION portal_refresh_facet_ids_between(bigint, bigint);
"""
)

# As migration 0005 gives every table: writes change the data version (publications.figures).
VERSION_TRIGGERS = "".join(
    f"""
CREATE TRIGGER portal_data_version_{event} AFTER {event.upper()} ON publications_publicationfacetids
    {rows} FOR EACH STATEMENT EXECUTE FUNCTION portal_bump_data_version();"""
    for event, rows in [
        ("insert", "REFERENCING NEW TABLE AS new_rows"),
        ("update", "REFERENCING NEW TABLE AS new_rows"),
        ("delete", "REFERENCING OLD TABLE AS old_rows"),
        ("truncate", ""),
    ]
)

DROP_VERSION_TRIGGERS = """
DROP TRIGGER portal_data_version_insert ON publications_publicationfacetids;
DROP TRIGGER portal_data_version_update ON publications_publicationfacetids;
DROP TRIGGER portal_data_version_delete ON publications_publicationfacetids;
DROP TRIGGER portal_data_version_truncate ON publications_publicationfacetids;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0015_oai_keyset_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationFacetIds",
            fields=[
                (
                    "publication",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="facet_ids",
                        serialize=False,
                        to="publications.publication",
                    ),
                ),
                (
                    "persons",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
                (
                    "organisations",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
                (
                    "keywords",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
                (
                    "subject_areas",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
            ],
        ),
        migrations.RunSQL(VERSION_TRIGGERS, DROP_VERSION_TRIGGERS),
        migrations.RunSQL(CREATE, DROP),
    ]
