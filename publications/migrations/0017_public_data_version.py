"""The data version (migration 0005) moves only when a write can change what the public sees.

Before, every write moved it, and so emptied every kept page and figure: a librarian saving a
draft, or an import adding records for validation, cost every visitor a first visit. Now:

- a record's own row moves it when the record is public before or after the statement (so
  publishing and withdrawing a record move it, editing a draft does not);
- rows that belong to a record (authorships, keywords, subject areas, links, slugs, status
  entries, concepts, facet ids: the tables with a publication_id) move it when the record they
  belong to, before or after the statement, is public; affiliations go through their authorship;
- a new journal, keyword or person from outside the institution does not move it: journals are
  shown only with a public record, keywords only on public records, outside persons only with a
  membership or a public record (querysets' public()), and those rows' own triggers move it;
  the institution's own people and units are shown whatever their output, so theirs does. So
  an import of records for validation (whose new authors are outside persons) leaves it alone;
- a concept's new row, or a change of its document count alone, does not move it (concepts show
  only through the records linked to them, by key, label and slug; the counts only weigh the
  next fingerprints computed), so refreshing a draft's fingerprint leaves it alone;
- every other write (changes and deletions of persons, journals and keywords; organisations,
  memberships, subject areas…) moves it, as before, and so does a TRUNCATE.

The staff's previews of drafts are never kept (publications.pagecache), and every public query
reads only public records (Publication.objects.public()), so nothing they show depends on a
draft's rows. The update triggers now see the rows before the statement too: a merge moves a
public record's authorships to another record."""

from django.db import migrations

PUBLIC = "workflow_state = 'validated' AND visibility = 'public'"

P = PUBLIC.replace("workflow_state", "p.workflow_state").replace("visibility", "p.visibility")
OF_PUBLICATION = "JOIN publications_publication p ON p.id = r.publication_id"
OF_AUTHORSHIP = (
    "JOIN publications_authorship a ON a.id = r.authorship_id "
    "JOIN publications_publication p ON p.id = a.publication_id"
)


def public_rows(rows: str) -> str:
    """Whether the transition table `rows` can change what the public sees, by the kind of
    table. Each assignment is planned only when reached, so only existing tables are read."""
    return f"""
        IF TG_OP = 'INSERT' AND kind IN ('keyword', 'journal') THEN
            public := false;
        ELSIF TG_OP = 'INSERT' AND kind = 'person' THEN
            public := EXISTS (SELECT 1 FROM {rows} WHERE is_internal);
        ELSIF kind = 'concept' THEN
            IF TG_OP = 'UPDATE' THEN
                public := EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                                  WHERE (n.key, n.label, n.slug) IS DISTINCT FROM
                                        (o.key, o.label, o.slug));
            ELSE
                public := TG_OP = 'DELETE';
            END IF;
        ELSIF kind = 'publication' THEN
            public := EXISTS (SELECT 1 FROM {rows} WHERE {PUBLIC});
        ELSIF kind = 'publication_id' THEN
            public := EXISTS (SELECT 1 FROM {rows} r {OF_PUBLICATION} WHERE {P});
        ELSIF kind = 'authorship_id' THEN
            public := EXISTS (SELECT 1 FROM {rows} r {OF_AUTHORSHIP} WHERE {P});
        ELSE
            public := EXISTS (SELECT 1 FROM {rows});
        END IF;"""


FUNCTION = f"""
CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := coalesce(TG_ARGV[0], 'any');
    public boolean := false;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        public := true;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{public_rows("new_rows")}
    END IF;
    IF NOT public AND TG_OP IN ('DELETE', 'UPDATE') THEN{public_rows("old_rows")}
    END IF;
    IF public THEN
        UPDATE publications_dataversion SET value = nextval('publications_dataversion_seq')
        WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
"""

# Every table with the version's triggers gets them again, with the kind of table as argument.
TRIGGERS = """
DO $$
DECLARE
    t record;
    kind text;
BEGIN
    FOR t IN SELECT DISTINCT c.relname AS name
             FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname = 'portal_data_version_update'
    LOOP
        kind := CASE
            WHEN t.name = 'publications_publication' THEN 'publication'
            WHEN t.name = 'publications_person' THEN 'person'
            WHEN t.name = 'publications_keyword' THEN 'keyword'
            WHEN t.name = 'publications_concept' THEN 'concept'
            WHEN t.name = 'publications_journal' THEN 'journal'
            WHEN EXISTS (SELECT 1 FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = t.name
                           AND column_name = 'publication_id')
                THEN 'publication_id'
            WHEN EXISTS (SELECT 1 FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = t.name
                           AND column_name = 'authorship_id')
                THEN 'authorship_id'
            ELSE 'any' END;
        EXECUTE format('DROP TRIGGER portal_data_version_insert ON %I', t.name);
        EXECUTE format('DROP TRIGGER portal_data_version_update ON %I', t.name);
        EXECUTE format('DROP TRIGGER portal_data_version_delete ON %I', t.name);
        EXECUTE format('CREATE TRIGGER portal_data_version_insert AFTER INSERT ON %I '
            'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version(%L)', t.name, kind);
        EXECUTE format('CREATE TRIGGER portal_data_version_update AFTER UPDATE ON %I '
            'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version(%L)', t.name, kind);
        EXECUTE format('CREATE TRIGGER portal_data_version_delete AFTER DELETE ON %I '
            'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version(%L)', t.name, kind);
    END LOOP;
END $$;
"""

OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch's query is planned only when reached, so only the trigger's own transition
    -- table is read.
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
            RETURN NULL;
        END IF;
    END IF;
    UPDATE publications_dataversion SET value = nextval('publications_dataversion_seq')
    WHERE id = 1;
    RETURN NULL;
END $$;
"""

OLD_TRIGGERS = """
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT DISTINCT c.relname AS name
             FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname = 'portal_data_version_update'
    LOOP
        EXECUTE format('DROP TRIGGER portal_data_version_insert ON %I', t.name);
        EXECUTE format('DROP TRIGGER portal_data_version_update ON %I', t.name);
        EXECUTE format('DROP TRIGGER portal_data_version_delete ON %I', t.name);
        EXECUTE format('CREATE TRIGGER portal_data_version_insert AFTER INSERT ON %I '
            'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version()', t.name);
        EXECUTE format('CREATE TRIGGER portal_data_version_update AFTER UPDATE ON %I '
            'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version()', t.name);
        EXECUTE format('CREATE TRIGGER portal_data_version_delete AFTER DELETE ON %I '
            'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION portal_bump_data_version()', t.name);
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("publications", "0016_facet_ids")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, OLD_TRIGGERS + OLD_FUNCTION)]
