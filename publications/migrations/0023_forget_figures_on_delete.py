"""Deleting a person, journal, keyword, organisation, subject area or concept failed while any
figure was stored: migration 0018's trigger function tested `TG_OP = 'DELETE' OR EXISTS (...
new_rows ...)` as one expression, and PL/pgSQL prepares the whole of it, so a DELETE, whose
trigger has no `new_rows`, stopped with "relation new_rows does not exist" (a librarian merging
two persons after `store_figures`, say). The test now comes first, on its own, so the query
over the transition tables is prepared only for an UPDATE."""

import importlib

from django.db import migrations

STORED_FIGURES = importlib.import_module("publications.migrations.0018_stored_figures")
BEFORE = "IF TG_OP = 'DELETE' OR EXISTS ("
AFTER = """IF TG_OP = 'DELETE' THEN
            DELETE FROM publications_storedfigure;
        ELSIF EXISTS ("""
assert STORED_FIGURES.FUNCTION.count(BEFORE) == 2
FORWARD = STORED_FIGURES.FUNCTION.replace(BEFORE, AFTER)


class Migration(migrations.Migration):
    dependencies = [("publications", "0022_search_filter_columns")]

    operations = [migrations.RunSQL(FORWARD, STORED_FIGURES.FUNCTION)]
