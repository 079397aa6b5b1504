"""Every migration can be reversed, and the data migrations work on databases with rows in them:
on a scratch database of the test server, migrated to the latest, back to zero with imported
records present, to 0003 where rows are added through that migration's models, and forwards
again through the backfills of 0004 and 0016."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from publications.tests.scratch import scratch_database

DATA = Path(__file__).parent / "data" / "import"

# Rows made through the models as migration 0003 left them (the historical models, as a data
# migration sees them), before the search columns, history tables and facet ids existed.
AT_0003 = """
from django.db import connection
from django.db.migrations.loader import MigrationLoader

apps = MigrationLoader(connection).project_state(("publications", "0003_load_asjc")).apps
model = lambda name: apps.get_model("publications", name)
university = model("Organisation").objects.create(name="University of Example", slug="ue")
institute = model("Organisation").objects.create(
    name="Institute of Examples", slug="ie", parent=university
)
person = model("Person").objects.create(family_name="Ghezzi", given_name="Anna", slug="ghezzi")
journal = model("Journal").objects.create(title="Journal of Migrations", slug="jom")
journal.subject_areas.set(model("SubjectArea").objects.filter(code=2403))
publication = model("Publication").objects.create(
    title="Reversible schema changes", slug="reversible", journal=journal
)
publication.subject_areas.set(model("SubjectArea").objects.filter(code=2403))
authorship = model("Authorship").objects.create(
    publication=publication, person=person, position=1, name_as_printed="A. Ghezzi"
)
authorship.affiliations.set([institute])
keyword = model("Keyword").objects.create(term="rollback")
model("PublicationKeyword").objects.create(publication=publication, keyword=keyword, position=1)
"""

LEFTOVERS = """
SELECT 'table ' || tablename FROM pg_tables
WHERE schemaname = current_schema() AND tablename LIKE 'publications\\_%'
UNION ALL
SELECT 'function ' || proname FROM pg_proc
WHERE pronamespace = current_schema()::regnamespace AND proname LIKE 'portal\\_%'
UNION ALL
SELECT 'sequence ' || relname FROM pg_class
WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace
  AND relname LIKE 'publications\\_%'
UNION ALL
SELECT 'text search configuration ' || cfgname FROM pg_ts_config WHERE cfgname LIKE 'portal\\_%'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent', 'vector')
"""


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.fixture
def scratch(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock(), scratch_database(tmp_path) as scratch:
        yield scratch


def test_every_migration_reverses_to_zero_and_the_data_migrations_fill_existing_rows(scratch):
    scratch.manage("migrate", "--noinput")
    # Records with authors, keywords, history, facet ids and fingerprints: what a portal has.
    scratch.manage("import_publications", "--state=validated", str(DATA / "scopus.ris"))
    assert scratch.query("SELECT count(*) FROM publications_publicationfacetids")[0][0] > 0

    scratch.manage("migrate", "--noinput", "publications", "zero")

    assert scratch.query(LEFTOVERS) == []
    scratch.manage("migrate", "--noinput", "publications", "0003")
    assert scratch.query("SELECT count(*) FROM publications_subjectarea") == [(334,)]
    scratch.manage("shell", "--command", AT_0003)

    scratch.manage("migrate", "--noinput")

    # 0004 filled the organisations' lineage and the search text of the records there.
    (lineage,) = scratch.query(
        "SELECT lineage = ARRAY[parent_id, id] FROM publications_organisation WHERE slug = 'ie'"
    )
    assert lineage == (True,)
    (search,) = scratch.query(
        "SELECT search_names, search_keywords FROM publications_publication "
        "WHERE slug = 'reversible'"
    )
    assert search == ("A. Ghezzi Anna Ghezzi Journal of Migrations", "rollback")
    # 0016 built the record's facet ids; 0005 made the data version.
    (facets,) = scratch.query(
        "SELECT cardinality(persons), cardinality(organisations), cardinality(keywords), "
        "cardinality(subject_areas) FROM publications_publicationfacetids f "
        "JOIN publications_publication p ON p.id = f.publication_id WHERE p.slug = 'reversible'"
    )
    assert facets == (1, 1, 1, 1)
    assert scratch.query("SELECT count(*) FROM publications_dataversion") == [(1,)]
    # And back once more with these rows in, to where the data migrations began.
    scratch.manage("migrate", "--noinput", "publications", "0002")
    assert scratch.query("SELECT count(*) FROM publications_subjectarea") == [(0,)]
