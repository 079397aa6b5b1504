"""`manage.py generate_publications`: a synthetic collection of the requested shape, whose
records keep every invariant the portal relies on, render on the public pages, come out the
same for the same seed, and can be added to again without clashing.

The module generates 300 publications once (the fixture `generated`) inside a transaction
rolled back after the module; each test runs in a savepoint within it.
"""

from __future__ import annotations

import io
import random
import re
import statistics

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q

from publications import demo, validators
from publications.generating import records
from publications.generating.load import generate_collection, taken_identifiers
from publications.models import (
    STATUS_ORDER,
    Authorship,
    DataVersion,
    Journal,
    Keyword,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Publication,
    PublicationKeyword,
    PublicationStatusEntry,
)
from publications.tests.test_collection_counts import counted_afresh
from publications.tests.test_collection_counts import kept as kept_counts
from publications.tests.test_facet_ids import from_sources as facet_ids_from_sources
from publications.tests.test_facet_ids import kept as kept_facet_ids

COUNT = 300


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_publications", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker) -> str:
    """300 publications generated with seed 1 into the empty test database; yields the output."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Publication.objects.exists()
        yield generate("--count", str(COUNT), "--seed", "1")
        transaction.set_rollback(True)


def last_ids() -> dict[type, int]:
    models = (Publication, Authorship, Person, Journal, Organisation, PublicationKeyword)
    return {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in models}


def snapshot(after: dict[type, int]) -> dict[str, list[tuple]]:
    """The rows added after the ids `after`, each id replaced by its distance from the first
    added one: a second run draws the same rows under other ids."""

    def rows(model, *fields):
        return list(model.objects.filter(pk__gt=after[model]).order_by("pk").values_list(*fields))

    start = Publication.objects.filter(pk__gt=after[Publication]).aggregate(m=Min("pk"))["m"]
    people = Person.objects.filter(pk__gt=after[Person]).aggregate(m=Min("pk"))["m"]
    return {
        "publications": [
            (pk - start, title, abstract, slug, date, status, names, doi.removesuffix(f".{pk}"))
            for pk, title, abstract, slug, date, status, names, doi in rows(
                Publication,
                "pk",
                "title",
                "abstract",
                "slug",
                "date",
                "status",
                "search_names",
                "doi",
            )
        ],
        "authorships": [
            (publication - start, person - people, position, printed)
            for publication, person, position, printed in rows(
                Authorship, "publication_id", "person_id", "position", "name_as_printed"
            )
        ],
        "persons": rows(Person, "given_name", "family_name", "orcid", "slug", "is_internal"),
        "journals": rows(Journal, "title", "issn", "eissn", "slug"),
        "organisations": rows(Organisation, "name", "kind", "slug"),
        "keywords": rows(PublicationKeyword, "keyword__term", "position"),
    }


@pytest.mark.django_db
def test_collection_has_the_requested_shape(generated):
    assert Publication.objects.count() == COUNT
    assert Person.objects.count() == COUNT // 3
    internal = Person.objects.filter(is_internal=True).count()
    assert 0.15 * COUNT // 3 <= internal <= 0.45 * COUNT // 3
    assert Journal.objects.count() == COUNT // 50
    assert Organisation.objects.count() == 500
    depth = {len(lineage) for lineage in Organisation.objects.values_list("lineage", flat=True)}
    assert depth == {1, 2, 3}
    assert Organisation.objects.filter(kind=OrganisationKind.UNIVERSITY).count() == 1
    assert "Added 300 publications, 100 persons" in generated
    assert "compute_fingerprints" in generated


@pytest.mark.django_db
def test_every_journal_has_issns_and_subject_areas_that_its_articles_share(generated):
    for journal in Journal.objects.prefetch_related("subject_areas"):
        assert journal.issn or journal.eissn
        for issn in (journal.issn, journal.eissn):
            validators.validate_issn(issn)
        assert journal.subject_areas.exists()
    for publication in Publication.objects.filter(journal__isnull=False).prefetch_related(
        "subject_areas", "journal__subject_areas"
    ):
        assert set(publication.subject_areas.all()) == set(publication.journal.subject_areas.all())
    assert not Publication.objects.filter(subject_areas__isnull=True).exists()


@pytest.mark.django_db
def test_records_keep_the_invariants_the_portal_relies_on(generated):
    # Author lists are numbered 1..n, and each record has an internal author.
    lists = Publication.objects.annotate(
        n=Count("authorships"),
        first=Min("authorships__position"),
        last=Max("authorships__position"),
    )
    assert all(p.n >= 1 and p.first == 1 and p.last == p.n for p in lists)
    assert not Publication.objects.exclude(authorships__person__is_internal=True).exists()
    # The search text is what refresh_search_text() would write.
    assert Publication.objects.all().refresh_search_text() == 0
    # DOIs are normalised, unique and under the example prefix; some records have none.
    dois = list(Publication.objects.exclude(doi="").values_list("doi", flat=True))
    assert all(doi == validators.normalise_doi(doi) and doi.startswith("10.5555/") for doi in dois)
    assert len(set(dois)) == len(dois)
    assert 0.08 <= 1 - len(dois) / COUNT <= 0.35
    for orcid in Person.objects.exclude(orcid="").values_list("orcid", flat=True):
        validators.validate_orcid(orcid)
    # Status and date are those of the furthest step of the status history.
    for publication in Publication.objects.prefetch_related("status_history"):
        entries = list(publication.status_history.all())
        current = max(entries, key=lambda entry: STATUS_ORDER[entry.status])
        assert (publication.status, publication.date) == (current.status, current.date)
    # Every model's own validation passes, unique constraints included.
    samples = [
        *Publication.objects.order_by("?")[:10],
        *Person.objects.order_by("?")[:10],
        *Journal.objects.all(),
        *Organisation.objects.order_by("?")[:10],
        *Authorship.objects.order_by("?")[:10],
        *Membership.objects.order_by("?")[:10],
        *PublicationStatusEntry.objects.order_by("?")[:10],
    ]
    for instance in samples:
        instance.full_clean()


@pytest.mark.django_db
def test_titles_and_abstracts_read_like_science(generated):
    abstracts = [a for a in Publication.objects.values_list("abstract", flat=True) if a]
    assert len(abstracts) >= 0.9 * COUNT
    assert all(150 <= len(abstract.split()) <= 320 for abstract in abstracts)
    assert len(set(Publication.objects.values_list("title", flat=True))) >= 0.95 * COUNT
    mix = set(Publication.objects.values_list("output_type", flat=True))
    assert {"article", "review-article"} <= mix and len(mix) >= 6
    assert Publication.objects.values("language").distinct().count() >= 2
    assert Publication.objects.values("workflow_state").distinct().count() >= 2
    assert Keyword.objects.exists() and PublicationKeyword.objects.exists()


@pytest.mark.django_db
def test_generated_records_show_on_the_public_pages(generated, visitor):
    publication = Publication.objects.public().filter(journal__isnull=False).first()
    page = visitor.get(publication.get_absolute_url())
    assert page.status_code == 200
    assert publication.title in page.content.decode()

    person = Person.objects.filter(is_internal=True, authorships__publication=publication).first()
    page = visitor.get(person.get_absolute_url())
    assert page.status_code == 200
    assert publication.slug in page.content.decode()

    word = max(re.findall(r"[A-Za-z]{6,}", publication.title), key=len)
    page = visitor.get("/publications/", {"q": word})
    assert page.status_code == 200
    assert publication.get_absolute_url() in page.content.decode()

    assert visitor.get(publication.journal.get_absolute_url()).status_code == 200
    unit = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).first()
    assert visitor.get(unit.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_collection(generated):
    runs = []
    for _ in range(2):
        with transaction.atomic():  # each run finds the database as the other did
            before = last_ids()
            generate("--count", "40", "--seed", "7")
            runs.append(snapshot(before))
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0]["publications"]) == 40 and runs[0]["authorships"]


@pytest.mark.django_db
def test_a_second_run_adds_records_without_clashing(generated):
    before = set(Publication.objects.values_list("slug", flat=True))
    generate("--count", "60", "--seed", "2")
    generate("--count", "60", "--seed", "1")  # the same seed again still adds new records
    assert Publication.objects.count() == COUNT + 120
    assert Person.objects.count() == COUNT // 3 + 40
    assert Organisation.objects.filter(kind=OrganisationKind.UNIVERSITY).count() == 3
    assert before <= set(Publication.objects.values_list("slug", flat=True))
    dois = list(Publication.objects.exclude(doi="").values_list("doi", flat=True))
    assert len(set(dois)) == len(dois)
    orcids = list(Person.objects.exclude(orcid="").values_list("orcid", flat=True))
    assert len(set(orcids)) == len(orcids)
    issns = [i for pair in Journal.objects.values_list("issn", "eissn") for i in pair if i]
    assert len(set(issns)) == len(issns)
    keywords = Keyword.objects.values_list("term", flat=True)
    assert len({term.lower() for term in keywords}) == len(keywords)
    assert Publication.objects.all().refresh_search_text() == 0


def schema() -> tuple[list[tuple], list[tuple], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename LIKE 'publications\\_%%' ORDER BY 1, 2"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'publications\\_%%' "
            "ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
            "WHERE NOT tgisinternal ORDER BY 1, 2"
        )
        triggers = cursor.fetchall()
    return indexes, constraints, triggers


@pytest.mark.django_db
def test_a_large_load_gives_back_every_index_constraint_and_trigger(generated):
    before = schema()
    version = DataVersion.objects.get().value
    summary = generate_collection(count=120, seed=3, bulk=True)
    assert summary.bulk
    assert schema() == before
    assert DataVersion.objects.get().value > version
    assert [name for name, _ in summary.phases][-5:] == [
        "indexes and unique constraints",
        "foreign keys",
        "facet ids",
        "analyze",
        "commit",
    ]
    assert "publication_search_gin" in summary.index_seconds
    assert kept_facet_ids() == facet_ids_from_sources()  # refreshed after the triggers' pause
    assert kept_counts() == counted_afresh()  # counted as the facet ids were refreshed
    assert Publication.objects.filter(Q(doi="") | Q(doi__startswith="10.5555/")).count() == (
        COUNT + 120
    )


@pytest.mark.django_db
def test_identifiers_of_the_demo_are_never_given_to_generated_records():
    # A later `load_demo` finds its records by slug, ISSN and DOI: generated rows must not
    # take them, or the demo would overwrite them.
    data = demo.build_demo()
    taken = taken_identifiers()
    assert hash(demo.SOURCE_SLUG) in taken.publication_slugs
    assert {hash(person.slug) for person in data.persons} <= taken.person_slugs
    assert {journal.issn for journal in data.journals} <= taken.issns
    dois = {spec.values["doi"] for spec in data.publications if spec.values.get("doi")}
    assert dois <= taken.dois


@pytest.mark.django_db
def test_count_must_be_positive():
    with pytest.raises(CommandError):
        call_command("generate_publications", "--count", "0")


def test_authors_per_publication_are_log_normal_with_a_long_tail():
    rng = random.Random(1)
    counts = [records.author_count(rng, "article") for _ in range(60_000)]
    assert statistics.median(counts) == 5
    assert 5.2 <= statistics.mean(counts) <= 6.5
    assert max(counts) >= 300  # a big collaboration or more among 60,000 articles
    assert records.author_count(rng, "doctoral-thesis") == 1


def test_years_run_from_1960_to_2026_most_of_them_recent():
    rng = random.Random(1)
    years = [records.draw_year(rng) for _ in range(20_000)]
    assert min(years) >= 1960 and max(years) == 2026
    assert sum(year >= 2000 for year in years) / len(years) > 0.8
