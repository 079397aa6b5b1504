"""A concept's document count changing no longer forgets every stored figure, and the triggers
that compare a statement's rows before and after take time in proportion to them.

Migration 0018 forgot every stored figure when any column of a concept changed, as for the other
names a figure may show. But a concept's `document_count` is how many records name it, which no
page shows, and it changes on nearly every write: saving a record, or importing records,
refreshes their fingerprints and counts their concepts again. So each librarian's save deleted
the stored figures of every prolific person and journal (at a million publications, 2,567 pages
that `store_figures` takes 262 s to compute). Now only a change to a concept's key, label or slug
forgets them, as the data version (migration 0017) already judges; deleting a concept still does.

The data version's test of that (0017), and the stored figures' test of a person's name (0018),
joined the rows before and after the statement on their ids inside EXISTS: PostgreSQL, expecting
an early match, compared every row with every other (an import's count of 3,000 concepts took
0.6 s in the data version's trigger alone). The rows that changed are now those after the
statement EXCEPT those before it, a hashed set whatever the count."""

import importlib

from django.db import migrations

DATA_VERSION = importlib.import_module("publications.migrations.0017_public_data_version")
STORED_FIGURES = importlib.import_module("publications.migrations.0023_forget_figures_on_delete")


def replaced(text: str, before: str, after: str) -> str:
    if before not in text:  # an earlier migration's text moved: this one must follow it
        raise ValueError(before)
    return text.replace(before, after)


def changed(columns: str) -> str:
    """Whether a row of the UPDATE's transition tables changed in these columns."""
    return f"EXISTS (SELECT id, {columns} FROM new_rows EXCEPT SELECT id, {columns} FROM old_rows)"


CONCEPT = "key, label, slug"
PERSON = "given_name, family_name, initials, slug, is_internal"
DATA_VERSION_FUNCTION = replaced(
    DATA_VERSION.FUNCTION,
    """EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                                  WHERE (n.key, n.label, n.slug) IS DISTINCT FROM
                                        (o.key, o.label, o.slug))""",
    changed(CONCEPT),
)
FIGURES_FUNCTION = replaced(
    STORED_FIGURES.FORWARD,
    """EXISTS (
            SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.given_name, n.family_name, n.initials, n.slug, n.is_internal)
                  IS DISTINCT FROM (o.given_name, o.family_name, o.initials, o.slug, o.is_internal)
        )""",
    changed(PERSON),
)

FORWARD = f"""
{DATA_VERSION_FUNCTION}
{FIGURES_FUNCTION}
CREATE FUNCTION portal_forget_concept_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM publications_storedfigure) AND {changed(CONCEPT)} THEN
        DELETE FROM publications_storedfigure;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER portal_forget_figures_update ON publications_concept;
CREATE TRIGGER portal_forget_figures_update AFTER UPDATE ON publications_concept
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_concept_figures();
"""

BACKWARD = f"""
{DATA_VERSION.FUNCTION}
{STORED_FIGURES.FORWARD}
DROP TRIGGER portal_forget_figures_update ON publications_concept;
CREATE TRIGGER portal_forget_figures_update AFTER UPDATE ON publications_concept
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_figures('labels');
DROP FUNCTION portal_forget_concept_figures();
"""


class Migration(migrations.Migration):
    dependencies = [("publications", "0026_finer_samples")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
