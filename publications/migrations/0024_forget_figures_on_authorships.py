"""A write to a record's authorships alone now forgets the stored figures of its persons and
journal too. Migration 0018 saw authorships only through the record's facet ids, which hold the
persons and their organisations, not the names: a name as printed changed, or a corporate author
added to a record that has no facet ids, changed the stored first page of results
(`results-html`) of its persons and journal without forgetting it.

The trigger is named to fire after the data version's (migration 0017) and the facet ids' (0016)
on the same statement, so it reads the persons of the facet ids as the statement left them; the
persons a statement removed are forgotten by the facet ids' own trigger (0018)."""

import importlib

from django.db import migrations

STORED_FIGURES = importlib.import_module("publications.migrations.0018_stored_figures")
forget = STORED_FIGURES.forget

FORWARD = f"""
CREATE FUNCTION portal_forget_authorship_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch is planned only when reached, so only the trigger's own transition tables
    -- are read.
    IF NOT EXISTS (SELECT 1 FROM publications_storedfigure) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        {forget("SELECT DISTINCT publication_id AS id FROM new_rows")}
    ELSIF TG_OP = 'UPDATE' THEN
        {
    forget(
        "SELECT n.publication_id AS id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n IS DISTINCT FROM o UNION "
        "SELECT o.publication_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n IS DISTINCT FROM o"
    )
}
    ELSE
        {forget("SELECT DISTINCT publication_id AS id FROM old_rows")}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_forget_figures_insert AFTER INSERT ON publications_authorship
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_authorship_figures();
CREATE TRIGGER portal_forget_figures_update AFTER UPDATE ON publications_authorship
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_authorship_figures();
CREATE TRIGGER portal_forget_figures_delete AFTER DELETE ON publications_authorship
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_authorship_figures();
"""

BACKWARD = (
    STORED_FIGURES.drop("publications_authorship")
    + "\nDROP FUNCTION IF EXISTS portal_forget_authorship_figures();"
)


class Migration(migrations.Migration):
    dependencies = [("publications", "0023_forget_figures_on_delete")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
