"""The whole collection's listing keeps its slow figures in the database too (scope
"publications"): the facets of `/publications/` with nothing searched or filtered, about 50 ms
at a million publications, and its pages' ids. Every statement that writes a publication, its
facet ids or its concepts forgets them (as any name, title or label changed does already,
migration 0018): they count every record. The triggers are named to fire after the data
version's, as migration 0018's are."""

from django.db import migrations

TABLES = (
    "publications_publication",
    "publications_publicationfacetids",
    "publications_publicationconcept",
)
EVENTS = ("insert", "update", "delete")

FORWARD = """
CREATE OR REPLACE FUNCTION portal_forget_collection_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications_storedfigure WHERE scope = 'publications';
    RETURN NULL;
END $$;
""" + "\n".join(
    f"CREATE TRIGGER portal_forget_collection_figures_{event} AFTER {event.upper()} ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_forget_collection_figures();"
    for table in TABLES
    for event in EVENTS
)
BACKWARD = (
    "\n".join(
        f"DROP TRIGGER IF EXISTS portal_forget_collection_figures_{event} ON {table};"
        for table in TABLES
        for event in EVENTS
    )
    + "\nDROP FUNCTION IF EXISTS portal_forget_collection_figures();"
    + "\nDELETE FROM publications_storedfigure WHERE scope = 'publications';"
)


class Migration(migrations.Migration):
    dependencies = [("publications", "0022_search_filter_columns")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
