"""OAI-PMH: deleted records and datestamps that no write path can get wrong.

- `publications_publicationtombstone` holds each publication that was public (Validated +
  Public) and is no longer: returned to a librarian, hidden, merged into another or deleted. Row
  triggers on the publication table keep it, so the admin, bulk actions, imports (COPY,
  queryset.update()) and merges are all covered; a record that becomes public again loses its
  tombstone (and is harvested as changed, see below).
- A tombstone remembers the OAI sets the record was in when it was withdrawn, from
  portal_oai_set_specs(), the one definition of a record's sets (the OAI views read a live
  record's sets from it too). A deleted row's authors and subject areas are gone before the row
  itself (Django deletes the children first), so its sets are not known: NULL, and the OAI views
  then report the deletion in every set, which a harvester ignores for records it does not have.
- `modified` is the OAI datestamp. Django's auto_now sets it on save(), but not on
  queryset.update() or raw SQL; a BEFORE UPDATE trigger sets it whenever an UPDATE leaves it as
  it was.

The triggers are row triggers with WHEN conditions, evaluated without calling a function, so
the many updates that do not move a record in or out of public view cost next to nothing. Only
INSERT is a statement trigger (an import COPYs thousands of public rows at once): one DELETE per
statement clears a tombstone of a re-inserted id.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

# The public condition of PublicationQuerySet.public().
PUBLIC_OLD = "(OLD.workflow_state = 'validated' AND OLD.visibility = 'public')"
PUBLIC_NEW = "(NEW.workflow_state = 'validated' AND NEW.visibility = 'public')"

CREATE = f"""
-- The OAI set specs of publications (publications/oai/sets.py describes the scheme) other than
-- their output type's: the ASJC areas and codes of their subject areas, and the internal
-- organisations (with every unit above them) their authors were affiliated with. Parents of
-- hierarchical specs are listed too, so one array test answers "is it in this set?". Set-based,
-- for a page of records in one call; the OAI views and the tombstones both use it.
CREATE FUNCTION portal_oai_set_specs(publications bigint[])
RETURNS TABLE (publication bigint, specs text[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT x.publication, array_agg(DISTINCT x.spec ORDER BY x.spec)
    FROM (
        SELECT t.publication_id AS publication, unnest(
            ARRAY['subject', 'subject:' || s.code / 100 * 100]
            || CASE WHEN s.code % 100 <> 0
                    THEN ARRAY['subject:' || s.code / 100 * 100 || ':' || s.code]
                    ELSE '{{}}'::text[] END
        ) AS spec
        FROM publications_publication_subject_areas t
        JOIN publications_subjectarea s ON s.id = t.subjectarea_id
        WHERE t.publication_id = ANY (publications)
        UNION ALL
        SELECT a.publication_id, unnest(ARRAY['organisation', 'organisation:' || o.slug])
        FROM publications_authorship a
        JOIN publications_authorship_affiliations aa ON aa.authorship_id = a.id
        JOIN publications_organisation unit ON unit.id = aa.organisation_id
        JOIN publications_organisation o ON o.id = ANY (unit.lineage)
        WHERE a.publication_id = ANY (publications) AND o.kind <> 'external' AND o.slug <> ''
    ) x
    GROUP BY x.publication
$$;

CREATE FUNCTION portal_oai_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.modified := statement_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER portal_oai_touch BEFORE UPDATE ON publications_publication
    FOR EACH ROW WHEN (OLD.modified IS NOT DISTINCT FROM NEW.modified)
    EXECUTE FUNCTION portal_oai_touch();

CREATE FUNCTION portal_oai_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO publications_publicationtombstone (id, deleted, set_specs)
    VALUES (
        OLD.id,
        statement_timestamp(),
        CASE WHEN TG_OP = 'UPDATE' THEN
            ARRAY['type', 'type:' || OLD.output_type]
            || COALESCE((SELECT specs FROM portal_oai_set_specs(ARRAY[OLD.id])), '{{}}')
        END
    )
    ON CONFLICT (id) DO UPDATE
        SET deleted = EXCLUDED.deleted, set_specs = EXCLUDED.set_specs;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_oai_withdrawn AFTER UPDATE OF workflow_state, visibility
    ON publications_publication
    FOR EACH ROW WHEN ({PUBLIC_OLD} AND NOT {PUBLIC_NEW})
    EXECUTE FUNCTION portal_oai_withdrawn();
CREATE TRIGGER portal_oai_deleted AFTER DELETE ON publications_publication
    FOR EACH ROW WHEN {PUBLIC_OLD}
    EXECUTE FUNCTION portal_oai_withdrawn();

CREATE FUNCTION portal_oai_republished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications_publicationtombstone WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_oai_republished AFTER UPDATE OF workflow_state, visibility
    ON publications_publication
    FOR EACH ROW WHEN ({PUBLIC_NEW} AND NOT {PUBLIC_OLD})
    EXECUTE FUNCTION portal_oai_republished();

CREATE FUNCTION portal_oai_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Ids come from a sequence and are not reused: only an insert with an explicit id (a
    -- restored row) can meet a tombstone, so most statements stop at this test.
    IF EXISTS (SELECT 1 FROM publications_publicationtombstone) THEN
        DELETE FROM publications_publicationtombstone t
        USING oai_new_rows n
        WHERE t.id = n.id AND n.workflow_state = 'validated' AND n.visibility = 'public';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_oai_inserted AFTER INSERT ON publications_publication
    REFERENCING NEW TABLE AS oai_new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION portal_oai_inserted();
"""

DROP = """
DROP TRIGGER portal_oai_inserted ON publications_publication;
DROP FUNCTION portal_oai_inserted();
DROP TRIGGER portal_oai_republished ON publications_publication;
DROP FUNCTION portal_oai_republished();
DROP TRIGGER portal_oai_deleted ON publications_publication;
DROP TRIGGER portal_oai_withdrawn ON publications_publication;
DROP FUNCTION portal_oai_withdrawn();
DROP TRIGGER portal_oai_touch ON publications_publication;
DROP FUNCTION portal_oai_touch();
DROP FUNCTION portal_oai_set_specs(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [("publications", "0011_drop_redundant_indexes")]

    operations = [
        migrations.CreateModel(
            name="PublicationTombstone",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        help_text="The publication's id, as in its OAI identifier.",
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "deleted",
                    models.DateTimeField(help_text="When it left public view: its OAI datestamp."),
                ),
                (
                    "set_specs",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=300),
                        blank=True,
                        help_text="The OAI sets it was in when it left public view; empty (null) "
                        "when that is not known (a deleted row), and then it is reported as "
                        "deleted in every set.",
                        null=True,
                        size=None,
                    ),
                ),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                condition=models.Q(("visibility", "public"), ("workflow_state", "validated")),
                fields=["modified"],
                name="publication_oai_modified",
            ),
        ),
        migrations.AddIndex(
            model_name="publicationtombstone",
            index=models.Index(fields=["deleted"], name="tombstone_deleted_idx"),
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
