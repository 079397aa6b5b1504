"""A person's or journal's slow figures are stored in the database (publications.figures) and
read from there after the cache is emptied or the data version moves; the triggers of migration
0018 forget them whenever what they count or show changes, so a page made from them is always the
page computed afresh. So are those of the whole collection's listing, for the data version they
were computed at: a public write leaves them behind, a draft's does not."""

from __future__ import annotations

import datetime
import re
import threading
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from publications.figures import Figures, data_version
from publications.fingerprints.compute import refresh as refresh_fingerprints
from publications.fingerprints.models import Concept
from publications.models import (
    DataVersion,
    Keyword,
    Person,
    Publication,
    PublicationFacetIds,
    PublicationKeyword,
    StoredFigure,
    SubjectArea,
    Visibility,
    WorkflowState,
)
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)
from publications.tests.test_listing import facet_links, titles
from publications.tests.test_pagecache import page_under
from publications.tests.test_views import queries_for, result_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store_every_figure(settings):
    settings.PORTAL_STORE_AFTER_MS = 0


def empty_caches() -> None:
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture
def world():
    """A prolific person (with a co-author) in a journal, and someone else's record."""
    person, co_author, other = PersonFactory(), PersonFactory(), PersonFactory()
    journal = JournalFactory(title="Journal of Stored Figures")
    department = OrganisationFactory(name="Department of Figures")
    records = []
    for n in range(6):
        record = PublicationFactory(journal=journal, title=f"Stored figure study {n}")
        AuthorshipFactory(publication=record, person=person, position=1)
        if n % 2:
            AuthorshipFactory(publication=record, person=co_author, position=2)
        record.authorships.get(position=1).affiliations.add(department)
        records.append(record)
    elsewhere = PublicationFactory(title="Someone else's study")
    AuthorshipFactory(publication=elsewhere, person=other, position=1)
    # Only a corporate author, no keywords or areas: a record without facet ids.
    consortium = PublicationFactory(journal=journal, title="The consortium's figure study")
    AuthorshipFactory(
        publication=consortium, person=None, name_as_printed="Figures Consortium", position=1
    )
    return SimpleNamespace(
        person=person,
        co_author=co_author,
        journal=journal,
        department=department,
        records=records,
        elsewhere=elsewhere,
        consortium=consortium,
    )


def stored(scope_object) -> set[str]:
    scope = f"{scope_object._meta.model_name}:{scope_object.pk}"
    return set(StoredFigure.objects.filter(scope=scope).values_list("name", flat=True))


def fresh_page(client, url: str) -> bytes:
    """The page computed from nothing stored or cached."""
    saved = list(StoredFigure.objects.all())
    StoredFigure.objects.all().delete()
    empty_caches()
    page = client.get(url).content
    StoredFigure.objects.all().delete()
    StoredFigure.objects.bulk_create(saved)
    return page


def test_a_persons_figures_are_stored_and_read_back_when_the_cache_is_empty(visitor, world):
    url = world.person.get_absolute_url()
    computed = visitor.get(url).content
    assert {f"person:{world.person.pk}:{name}" for name in ("years", "co-authors", "journals")} <= (
        stored(world.person)
    )
    assert any(":facets-html:" in name for name in stored(world.person))
    empty_caches()
    # Nothing counted or read again: 7 of the 13 queries of a first visit (test_entity_pages);
    # the page of results is stored as rendered, so neither its rows nor their authors are read.
    assert queries_for(visitor, url) == 7
    empty_caches()
    assert visitor.get(url).content == computed
    assert not stored(world.journal)  # the journal page has its own, stored when shown
    visitor.get(world.journal.get_absolute_url())
    assert any(":facets-html:" in name for name in stored(world.journal))


def test_writes_elsewhere_keep_a_persons_figures(visitor, world):
    visitor.get(world.person.get_absolute_url())
    kept = stored(world.person)
    before = data_version()
    world.elsewhere.title = "Someone else's study, revised"
    world.elsewhere.save()
    AuthorshipFactory(publication=world.elsewhere, person=PersonFactory(), position=2)
    PublicationFactory(title="A new record of others")
    assert data_version() != before  # every kept page and cached figure is gone ...
    assert stored(world.person) == kept  # ... but not these


def test_counting_concepts_again_elsewhere_keeps_a_persons_figures(visitor, world):
    """Every save of a record refreshes its fingerprint and so its concepts' document counts,
    which no page shows: another record's save keeps the person's stored figures (it forgot
    every stored figure of the portal before migration 0027)."""
    visitor.get(world.person.get_absolute_url())
    kept = stored(world.person)
    assert kept
    counts = dict(Concept.objects.values_list("key", "document_count"))
    world.elsewhere.abstract = "Interleukin-2 administration restores immune function."
    world.elsewhere.save()
    refresh_fingerprints([world.elsewhere.pk])
    recounted = dict(Concept.objects.values_list("key", "document_count"))
    assert any(recounted[key] != counts.get(key, 0) for key in recounted)
    assert stored(world.person) == kept


@pytest.mark.parametrize("column", ["label", "slug", "key"])
def test_a_concepts_new_name_forgets_the_figures_but_a_new_count_does_not(visitor, world, column):
    concepts_refreshed(world)
    visitor.get(world.person.get_absolute_url())
    kept = stored(world.person)
    assert kept
    concept = Concept.objects.get(
        pk=world.records[0].concepts.values_list("concept", flat=True).first()
    )
    Concept.objects.filter(pk=concept.pk).update(document_count=F("document_count") + 5)
    assert stored(world.person) == kept
    Concept.objects.filter(pk=concept.pk).update(**{column: f"{getattr(concept, column)}-x"})
    assert not StoredFigure.objects.exists()


def test_an_orcid_added_to_persons_keeps_the_figures(visitor, world):
    """An import adds ORCID iDs to many persons in one statement; no figure shows them."""
    visitor.get(world.person.get_absolute_url())
    kept = stored(world.person)
    assert kept
    Person.objects.filter(pk=world.co_author.pk).update(orcid="0000-0002-1825-0097")
    Person.objects.filter(pk__in=[world.person.pk, world.co_author.pk]).update(
        family_name=F("family_name")
    )
    assert stored(world.person) == kept


def change_year(world):
    record = world.records[0]
    record.date = record.date.replace(year=1971)
    record.save()


def title_changed(world):
    # Shown only in the page of results, which is stored as rendered.
    Publication.objects.filter(pk=world.records[0].pk).update(title="A title changed since")


def withdraw(world):
    Publication.objects.filter(pk=world.records[1].pk).update(visibility=Visibility.CAMPUS)


def draft_published(world):
    draft = PublicationFactory(journal=world.journal, workflow_state=WorkflowState.IN_PROGRESS)
    AuthorshipFactory(publication=draft, person=world.person, position=1)
    draft.workflow_state = WorkflowState.VALIDATED
    draft.save()


def new_record(world):
    record = PublicationFactory(title="A new stored figure study")
    AuthorshipFactory(publication=record, person=world.person, position=1)


def authorship_removed(world):
    world.records[2].authorships.filter(person=world.person).delete()


def name_as_printed_changed(world):
    # The co-author's name on one record: the facet ids (persons) stay as they were.
    world.records[1].authorships.filter(position=2).update(name_as_printed="C. O. Reprinted")


def corporate_author_renamed(world):
    # A record without facet ids: only the journal's page shows it.
    assert not PublicationFacetIds.objects.filter(publication=world.consortium).exists()
    world.consortium.authorships.update(name_as_printed="Renamed Figures Consortium")


def corporate_author_added(world):
    AuthorshipFactory(
        publication=world.consortium, person=None, name_as_printed="Late Consortium", position=2
    )


def record_deleted(world):
    world.records[3].delete()


def keyword_added(world):
    keyword = Keyword.objects.create(term="figures")
    PublicationKeyword.objects.create(publication=world.records[0], keyword=keyword, position=1)


def keyword_relabelled(world):
    keyword_added(world)
    Keyword.objects.filter(term="figures").update(term="stored figures")


def affiliation_added(world):
    world.records[4].authorships.get(position=1).affiliations.add(
        OrganisationFactory(name="Institute of Late Affiliations")
    )


def unit_renamed(world):
    world.department.name = "Department of Renamed Figures"
    world.department.save()


def subject_added(world):
    world.records[0].subject_areas.add(SubjectArea.objects.filter(parent__isnull=False).first())


def journal_renamed(world):
    world.journal.title = "Journal of Renamed Figures"
    world.journal.save()


def journal_changed(world):
    record = world.records[5]
    record.journal = JournalFactory(title="Another Journal of Figures")
    record.save()


def co_author_renamed(world):
    world.co_author.family_name = "Renamed"
    world.co_author.save()


def co_author_left_the_institution(world):
    world.co_author.is_internal = False
    world.co_author.save()


def concepts_refreshed(world):
    record = world.records[0]
    record.abstract = "Interleukin-2 administration restores immune function in HIV infection."
    record.save()
    refresh_fingerprints([record.pk])


CHANGES = [
    change_year,
    title_changed,
    withdraw,
    draft_published,
    new_record,
    authorship_removed,
    name_as_printed_changed,
    corporate_author_renamed,
    corporate_author_added,
    record_deleted,
    keyword_added,
    keyword_relabelled,
    affiliation_added,
    unit_renamed,
    subject_added,
    journal_renamed,
    journal_changed,
    co_author_renamed,
    co_author_left_the_institution,
    concepts_refreshed,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_every_change_to_what_the_figures_count_or_show_forgets_them(visitor, world, change):
    pages = [world.person.get_absolute_url(), world.journal.get_absolute_url()]
    before = {url: visitor.get(url).content for url in pages}
    assert stored(world.person) and stored(world.journal)
    change(world)
    empty_caches()  # as a moved data version does: what is shown comes from the stored figures
    after = {url: visitor.get(url).content for url in pages}
    for url in pages:
        assert after[url] == fresh_page(visitor, url), (change.__name__, url)
    assert after != before, change.__name__  # the change shows on one page at least


def test_a_figure_computed_before_a_write_is_not_stored(world):
    figures = Figures(scope=f"person:{world.person.pk}")
    assert figures.version  # read first, as every page does
    assert figures.get(f"person:{world.person.pk}:probe", lambda: 1) == 1
    PublicationFactory(title="Written while the figure was computed")
    figures.store()
    assert stored(world.person) == set()
    # Without a write in between, it is.
    figures = Figures(scope=f"person:{world.person.pk}")
    figures.get(f"person:{world.person.pk}:probe", lambda: 1)
    figures.store()
    assert stored(world.person) == {f"person:{world.person.pk}:probe"}


@pytest.mark.django_db(transaction=True)
def test_storing_never_waits_for_a_writer_and_stores_nothing_it_may_have_missed():
    # A transactional test empties every table afterwards, the version's one row included.
    DataVersion.objects.get_or_create(id=1)
    person = PersonFactory()
    record = PublicationFactory()
    AuthorshipFactory(publication=record, person=person, position=1)
    scope = f"person:{person.pk}"
    figures = Figures(scope=scope)
    assert figures.version
    figures.get(f"{scope}:probe", lambda: 1)
    writing, written = threading.Event(), threading.Event()

    def writer():
        # A librarian's save, not yet committed: it holds the data version's row.
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(
                    "UPDATE publications_publication SET title = 'Being edited' WHERE id = %s",
                    [record.pk],
                )
                writing.set()
                written.wait(10)
                cursor.execute("COMMIT")
        finally:
            connections["default"].close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        figures.store()  # gives up after its lock timeout (50 ms), storing nothing
        assert thread.is_alive()  # returned while the writer still holds the row
        assert not StoredFigure.objects.filter(scope=scope).exists()
    finally:
        written.set()
        thread.join(10)
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


def test_store_figures_stores_those_of_prolific_persons_and_journals(world):
    StoredFigure.objects.create(scope="person:1", name="person:1:x", deployment="old", value=b"")
    call_command("store_figures", min_outputs=6, verbosity=0)
    assert not StoredFigure.objects.filter(deployment="old").exists()
    assert any(":facets-html:" in name for name in stored(world.person))
    assert any(":facets-html:" in name for name in stored(world.journal))
    assert not stored(world.co_author)  # 3 outputs
    with pytest.raises(CommandError, match="at least 1"):
        call_command("store_figures", min_outputs=0, verbosity=0)


# The whole collection's listing (scope "publications", versioned)

# The facets' one statement: its first common table expression.
FACETS_STATEMENT = "facet_set_0"
LISTING_FACETS = ("year", "type", "journal", "person", "keyword")


def collection_figures() -> set[str]:
    """The names of the collection's stored figures that the data version now reads."""
    scope = Figures(scope="publications", versioned=True).stored_scope
    return set(StoredFigure.objects.filter(scope=scope).values_list("name", flat=True))


def visit_listing(client, url: str = "/publications/"):
    """The page and the SQL of the statements that made it."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in context.captured_queries]


def shown_facets(response) -> dict[str, dict[str, tuple[str, int]]]:
    return {facet: facet_links(response, facet) for facet in LISTING_FACETS}


def test_the_listings_figures_are_stored_and_read_back_when_the_cache_is_empty(visitor, world):
    computed, sql = visit_listing(visitor)
    assert any(FACETS_STATEMENT in statement for statement in sql)
    names = collection_figures()
    assert {"publications:total", "publications:facet-counts:"} <= names
    assert any(name.startswith("publications:facets-html:") for name in names)
    assert shown_facets(computed)["journal"]["Journal of Stored Figures"][1] == 7
    empty_caches()
    # Nothing counted again: the facets come from the stored figures.
    again, sql = visit_listing(visitor)
    assert not [statement for statement in sql if FACETS_STATEMENT in statement]
    assert shown_facets(again) == shown_facets(computed)
    assert again.content == computed.content


@pytest.fixture
def listed():
    """Two pages of the whole collection (25 a page), titles in the order they were made."""
    journal = JournalFactory(title="Journal of Listed Studies")
    return [PublicationFactory(journal=journal, title=f"Listed study {n:02d}") for n in range(30)]


def title_updated(listed):
    # The last record by title is on the second page of ?sort=title, and now on the first.
    Publication.objects.filter(pk=listed[-1].pk).update(title="Aardvarks, a listed study")


def title_saved(listed):
    record = listed[-1]
    record.title = "Aardvarks, a listed study"
    record.save()


def new_public_record(listed):
    PublicationFactory(title="Aardvarks, a new listed study", date=datetime.date(2031, 1, 1))


def record_deleted_from_the_collection(listed):
    listed[0].delete()


def keyword_added_to_a_record(listed):
    keyword = Keyword.objects.create(term="Aardvarks")
    PublicationKeyword.objects.create(publication=listed[0], keyword=keyword, position=1)


COLLECTION_CHANGES = [
    title_updated,
    title_saved,
    new_public_record,
    record_deleted_from_the_collection,
    keyword_added_to_a_record,
]


@pytest.mark.parametrize(
    "change", COLLECTION_CHANGES, ids=[change.__name__ for change in COLLECTION_CHANGES]
)
def test_every_public_write_leaves_the_listings_figures_behind(visitor, listed, change):
    pages = ["/publications/", "/publications/?sort=title"]
    before = {url: visitor.get(url) for url in pages}
    assert collection_figures()
    change(listed)
    assert not collection_figures()  # those stored are of the version before
    empty_caches()  # as a moved data version does: nothing stored is left to show
    after = {url: visitor.get(url) for url in pages}
    for url in pages:
        assert after[url].content == fresh_page(visitor, url), (change.__name__, url)
    # The change shows at once (the stored figures would show the collection before it).
    listing, by_title = after["/publications/"], after["/publications/?sort=title"]
    if change is keyword_added_to_a_record:
        assert shown_facets(listing)["keyword"]["Aardvarks"][1] == 1
    elif change is record_deleted_from_the_collection:
        assert result_count(listing) == result_count(before["/publications/"]) - 1 == 29
    else:  # renamed, or new: now first by title
        assert titles(by_title)[0].startswith("Aardvarks")
        assert not titles(before["/publications/?sort=title"])[0].startswith("Aardvarks")


def test_store_figures_stores_those_of_the_whole_listing(visitor, world):
    call_command("store_figures", min_outputs=6, verbosity=0)
    names = collection_figures()
    assert "publications:facet-counts:" in names
    assert any(name.startswith("publications:facets-html:") for name in names)
    empty_caches()
    # The first visit after a deployment counts nothing.
    response, sql = visit_listing(visitor)
    assert not [statement for statement in sql if FACETS_STATEMENT in statement]
    assert shown_facets(response)["journal"]["Journal of Stored Figures"][1] == 7


def test_a_drafts_write_keeps_the_listings_figures_and_newer_ones_replace_older(visitor, listed):
    visitor.get("/publications/")
    kept = collection_figures()
    assert kept
    draft = PublicationFactory(
        title="A draft nobody sees", workflow_state=WorkflowState.IN_PROGRESS
    )
    draft.title = "A draft still nobody sees"
    draft.save()
    assert collection_figures() == kept
    empty_caches()
    response, sql = visit_listing(visitor)
    assert not [statement for statement in sql if FACETS_STATEMENT in statement]
    assert response.content == fresh_page(visitor, "/publications/")
    # A public write: the next visit stores the figures of the new version, and deletes the
    # older ones, which nothing would read again.
    listed[0].delete()
    visitor.get("/publications/")
    scopes = set(
        StoredFigure.objects.filter(scope__startswith="publications@").values_list(
            "scope", flat=True
        )
    )
    assert scopes == {Figures(scope="publications", versioned=True).stored_scope}


def test_only_first_pages_of_results_are_kept_and_unknown_facets_are_ignored(visitor, listed):
    visitor.get("/publications/?page=2")
    assert not [name for name in collection_figures() if ":results-html:" in name]
    for url in ["/publications/?more=nothing", "/publications/?more=year"]:
        visitor.get(url)
    names = collection_figures()
    assert {name for name in names if name.startswith("publications:facet-counts:")} == {
        "publications:facet-counts:",
        "publications:facet-counts:year",
    }
    visitor.get("/publications/?sort=title&per_page=50")
    assert "publications:results-html:title:50" in collection_figures()


@pytest.mark.parametrize("kind", ["person", "journal", "keyword"])
def test_deleting_a_name_while_figures_are_stored_forgets_them(visitor, world, kind):
    """A person merged away, a journal or keyword deleted: the statement succeeds and forgets
    every stored figure (migration 0018's trigger failed on a DELETE: migration 0023)."""
    visitor.get(world.person.get_absolute_url())
    assert stored(world.person)
    if kind == "person":
        PersonFactory(family_name="Nobody").delete()
    elif kind == "journal":
        JournalFactory(title="A journal of nothing").delete()
    else:
        Keyword.objects.create(term="Nothing at all").delete()
    assert not StoredFigure.objects.exists()


def test_a_page_under_another_script_prefix_links_under_it(visitor, world):
    """Served below a path (SCRIPT_NAME=/portal), the stored and cached pages of results, charts
    and sidebars link under it, though store_figures, or a visit at the root, rendered them with
    links from /; the figures they are made from serve both, and neither evicts the other's."""
    person_url = world.person.get_absolute_url()
    call_command("store_figures", "--min-outputs", "1", verbosity=0)
    visitor.get("/publications/")
    at_root = stored(world.person)
    counted = {name for name in at_root if "-html" not in name and "-chart" not in name}
    for url in (person_url, "/publications/"):
        links = re.findall(r'(?:href|src|action|hx-get)="(/[^"]*)"', page_under("/portal", url))
        assert [link for link in links if "/publications/" in link], url
        # Static files are served at the host's root whatever the prefix (see the README).
        outside = [link for link in links if not link.startswith(("/portal/", "/static/"))]
        assert outside == [], url
    # The prefix's rendered figures were stored beside the root's, from the same counts.
    assert at_root <= stored(world.person)
    assert {name for name in stored(world.person) - at_root if "@/portal/" not in name} == set()
    assert counted and all(f"{name}@/portal/" not in stored(world.person) for name in counted)
    empty_caches()
    page = visitor.get(person_url).content.decode()
    assert f'href="{world.records[0].get_absolute_url()}"' in page
    assert 'href="/portal/' not in page
