"""The collection's counts per organisation unit and per ASJC code, area and group are running
sums kept by the triggers of migration 0020: after every kind of write they equal the counts of
the public publications computed afresh, and the pages that show them show those."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Sum

from publications import querysets
from publications.merging import merge_persons
from publications.models import (
    Authorship,
    CollectionCount,
    Organisation,
    OrganisationKind,
    Publication,
    SubjectArea,
    Visibility,
    WorkflowState,
)
from publications.querysets import (
    PUBLIC_SQL,
    collection_counts,
    collection_years,
    fold_collection_counts,
    oldest_first,
    organisation_publication_counts,
    subject_publication_counts,
)
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)
from publications.views.entities import (
    OrganisationDetailView,
    PublicationsOfObjectMixin,
    SubjectAreaDetailView,
)

pytestmark = pytest.mark.django_db


# The public publications per organisation unit (an organisation and those below it) and per
# subject key, from the source rows; {year} is ", p.year" to count them per year too.
UNITS = """
    SELECT unit.id{year}, count(DISTINCT p.id)
    FROM publications_authorship_affiliations aa
    JOIN publications_organisation o ON o.id = aa.organisation_id
    JOIN publications_authorship a ON a.id = aa.authorship_id
    JOIN publications_publication p ON p.id = a.publication_id
    CROSS JOIN LATERAL unnest(o.lineage) AS unit(id)
    WHERE {public}
    GROUP BY unit.id{year}
"""
SUBJECTS = """
    SELECT {key}{year}, count(DISTINCT p.id)
    FROM publications_publication_subject_areas t
    JOIN publications_subjectarea s ON s.id = t.subjectarea_id
    JOIN publications_publication p ON p.id = t.publication_id
    WHERE {public}
    GROUP BY {key}{year}
"""


def counted_afresh() -> dict[str, dict]:
    """The counts from the source rows: per organisation, the distinct public publications with
    an author affiliated with it or with a unit below it; per code, area and group, the distinct
    public publications with a subject area in it; per unit, code and area and year too."""
    queries = {
        "units": UNITS.format(year="", public=PUBLIC_SQL),
        "unit-year": UNITS.format(year=", p.year", public=PUBLIC_SQL),
    }
    for level, key in [("code", "s.code"), ("area", "s.code / 100 * 100"), ("group", 's."group"')]:
        queries[f"{level}s"] = SUBJECTS.format(key=key, year="", public=PUBLIC_SQL)
        if level != "group":
            queries[f"{level}-year"] = SUBJECTS.format(key=key, year=", p.year", public=PUBLIC_SQL)
    queries["journals"] = (
        f"SELECT journal_id, count(*) FROM publications_publication p "
        f"WHERE {PUBLIC_SQL} AND journal_id IS NOT NULL GROUP BY journal_id"
    )
    queries["all"] = f"SELECT '', count(*) FROM publications_publication p WHERE {PUBLIC_SQL}"
    counts: dict[str, dict] = {}
    with connection.cursor() as cursor:
        for level, query in queries.items():
            cursor.execute(query)
            if not level.endswith("-year"):
                counts[level] = {key: n for key, n in cursor.fetchall() if n}
                continue
            years: dict[str, list] = {}
            for key, year, n in cursor.fetchall():
                years.setdefault(str(key), []).append((year, n))
            # Oldest first, undated last, as the charts have them.
            counts[level] = {key: oldest_first(rows) for key, rows in years.items()}
    return counts


def kept() -> dict[str, dict]:
    subjects = subject_publication_counts()
    totals = collection_counts(("journal", "all"))
    counts = {
        "units": organisation_publication_counts(),
        "codes": subjects.codes,
        "areas": subjects.areas,
        "groups": subjects.groups,
        "journals": {int(key): n for key, n in totals["journal"].items()},
        "all": totals["all"],
    }
    # Every key ever counted, so that one left with no publications shows as missing.
    keys = CollectionCount.objects.values_list("kind", "key").distinct()
    for kind in ("unit-year", "code-year", "area-year"):
        years = {key: collection_years(kind, key) for k, key in keys if k == kind}
        counts[kind] = {key: rows for key, rows in years.items() if rows}
    return counts


def area(code: int) -> SubjectArea:
    return SubjectArea.objects.get(code=code)


@pytest.fixture
def world():
    """A university with a faculty of two departments and an outside partner; records with one
    or several affiliations and subject areas (two in one area), and a draft."""
    university = OrganisationFactory(name="University", kind=OrganisationKind.UNIVERSITY)
    faculty = OrganisationFactory(name="Faculty", kind=OrganisationKind.FACULTY, parent=university)
    chemistry = OrganisationFactory(name="Chemistry", parent=faculty)
    physics = OrganisationFactory(name="Physics", parent=faculty)
    partner = OrganisationFactory(name="Partner", kind=OrganisationKind.EXTERNAL)
    person, colleague = PersonFactory(), PersonFactory()

    def record(title, units, codes, **fields):
        publication = PublicationFactory(title=title, **fields)
        for position, unit_group in enumerate(units, start=1):
            authorship = AuthorshipFactory(
                publication=publication, person=person if position == 1 else colleague,
                position=position,
            )  # fmt: skip
            authorship.affiliations.add(*unit_group)
        publication.subject_areas.add(*(area(code) for code in codes))
        return publication

    return SimpleNamespace(
        university=university,
        faculty=faculty,
        chemistry=chemistry,
        physics=physics,
        partner=partner,
        person=person,
        colleague=colleague,
        # Both departments on one record: the faculty and university count it once.
        both=record("Both departments", [[chemistry], [physics, partner]], [2403, 2404, 1105]),
        chemical=record("Chemistry alone", [[chemistry]], [2403]),
        outside=record("Partner alone", [[partner]], [3300]),
        draft=record(
            "A draft", [[physics]], [1105, 3300], workflow_state=WorkflowState.IN_PROGRESS
        ),
        record=record,
    )


def test_the_kept_counts_are_the_counts_of_the_public_records(world):
    counts = kept()
    assert counts == counted_afresh()
    assert counts["units"][world.faculty.pk] == 2  # "Both departments" once, not twice
    assert counts["units"][world.physics.pk] == 1  # the draft is not counted
    assert counts["areas"][2400] == 2 and counts["codes"][2403] == 2
    assert counts["groups"] == {"life": 2, "social": 1}  # 2403, 2404 and 1105 are all "life"


def new_record(w):
    w.record("A new one", [[w.physics]], [2404, 1000])


def affiliation_added(w):
    w.chemical.authorships.get().affiliations.add(w.partner)


def affiliation_removed(w):
    w.both.authorships.get(position=1).affiliations.clear()


def authorship_deleted(w):
    w.both.authorships.filter(position=2).delete()


def subject_added(w):
    w.outside.subject_areas.add(area(1105))


def subject_removed(w):
    w.both.subject_areas.remove(area(2404), area(2403))


def subjects_cleared(w):
    w.chemical.subject_areas.clear()


def journal_changed(w):
    w.chemical.journal = JournalFactory()
    w.chemical.save()


def year_changed(w):
    w.chemical.date = w.chemical.date.replace(year=1999)
    w.chemical.save()


def draft_validated(w):
    w.draft.workflow_state = WorkflowState.VALIDATED
    w.draft.save()


def withdrawn_in_bulk(w):
    Publication.objects.filter(pk__in=[w.both.pk, w.outside.pk]).update(
        visibility=Visibility.CAMPUS
    )


def record_deleted(w):
    w.both.delete()


def unit_moved(w):
    w.chemistry.parent = w.university  # the faculty keeps "Both departments" through physics
    w.chemistry.save()


def subtree_moved_outside(w):
    w.faculty.parent = None
    w.faculty.save()


def organisation_deleted(w):
    w.partner.delete()


def persons_merged(w):
    merge_persons(w.person, [w.colleague])


def area_regrouped(w):
    SubjectArea.objects.filter(code=1105).update(group="social")


CHANGES = [
    new_record,
    affiliation_added,
    affiliation_removed,
    authorship_deleted,
    subject_added,
    subject_removed,
    subjects_cleared,
    journal_changed,
    year_changed,
    draft_validated,
    withdrawn_in_bulk,
    record_deleted,
    unit_moved,
    subtree_moved_outside,
    organisation_deleted,
    area_regrouped,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_every_kind_of_write_keeps_the_counts_those_of_the_data(world, change):
    before = kept()
    change(world)
    after = kept()
    assert after == counted_afresh()
    assert after != before  # each of these changes some count


def test_writes_that_change_no_count_leave_them(world):
    before = kept()
    persons_merged(world)  # authorships rewritten, the same units on each record
    world.chemical.title = "Chemistry, retitled"
    world.chemical.save()
    world.draft.date = world.draft.date.replace(year=1988)  # not public: counts nowhere
    world.draft.save()
    OrganisationFactory(name="A new unit", parent=world.chemistry)
    assert kept() == counted_afresh() == before


def test_the_organisation_list_and_subject_areas_show_a_validated_draft_at_once(visitor, world):
    def physics_count():
        page = visitor.get("/organisations/").content.decode()
        row = re.search(r'href="/organisations/physics/".*?<data value="(\d+)">', page, re.S)
        return int(row[1])

    def social_sciences_count():
        page = visitor.get("/subject-areas/").content.decode()
        return int(re.search(r'id="group-social-title">.*?<data value="(\d+)">', page)[1])

    assert physics_count() == 1
    assert social_sciences_count() == 1
    draft_validated(world)
    assert physics_count() == 2
    api = visitor.get("/api/v1/organisations/?per_page=100").json()
    (physics,) = [item for item in api["results"] if item["name"] == "Physics"]
    assert physics["publication_count"] == 2
    assert social_sciences_count() == 2  # the draft's 3300


def test_organisation_and_subject_pages_are_those_counted_afresh(visitor, world, monkeypatch):
    """Their chart and total come from the running sums: the same page as from a count."""
    year_changed(world)
    draft_validated(world)
    pages = [
        world.university.get_absolute_url(),
        world.physics.get_absolute_url(),
        area(2400).get_absolute_url(),
        area(2403).get_absolute_url(),
    ]
    kept_pages = [visitor.get(url).content for url in pages]
    assert b"1999" in kept_pages[0]
    caches["default"].clear()
    caches["pages"].clear()
    for view in (OrganisationDetailView, SubjectAreaDetailView):
        monkeypatch.setattr(view, "year_counts", PublicationsOfObjectMixin.year_counts)
    assert [visitor.get(url).content for url in pages] == kept_pages


def test_the_rows_are_folded_into_one_per_key_once_they_pile_up(world, monkeypatch):
    for _ in range(3):
        world.chemical.subject_areas.remove(area(2403))
        world.chemical.subject_areas.add(area(2403))
    counts = kept()
    piled = CollectionCount.objects.count()
    by_key = CollectionCount.objects.values("kind", "key", "year").annotate(total=Sum("n"))
    keys = by_key.exclude(total=0).count()  # a key whose rows sum to 0 is folded away
    assert piled > keys
    monkeypatch.setattr(querysets, "FOLD_AFTER", 0)
    assert kept() == counts  # the read that folds reads the sums before folding
    assert CollectionCount.objects.count() == keys
    assert kept() == counts == counted_afresh()


def test_only_one_process_folds_at_a_time(world):
    """While another connection folds (holds the lock), a fold does nothing and waits for
    nothing; the sums read are unchanged."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [querysets.FOLD_LOCK])
            piled = CollectionCount.objects.count()
            assert fold_collection_counts() is False
            assert CollectionCount.objects.count() == piled
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert fold_collection_counts() is True
    assert CollectionCount.objects.count() == (
        CollectionCount.objects.values("kind", "key", "year").distinct().count()
    )
    assert kept() == counted_afresh()


def test_a_truncated_collection_counts_nothing(world):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending before a TRUNCATE
        cursor.execute("TRUNCATE publications_publication CASCADE")
    assert kept() == counted_afresh() == {
        "units": {}, "codes": {}, "areas": {}, "groups": {}, "journals": {}, "all": {},
        "unit-year": {}, "code-year": {}, "area-year": {},
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["affiliations", "withdrawal"])
def test_a_record_withdrawn_while_its_affiliations_change_elsewhere_is_counted_once(first):
    """Two transactions at once: one adds an affiliation to a public record, the other withdraws
    the record. Whichever writes first, the second waits for it (the facet-id trigger's locks),
    and the record ends counted nowhere."""
    import threading

    chemistry = OrganisationFactory(name="Chemistry")
    physics = OrganisationFactory(name="Physics")
    record = PublicationFactory(title="Contested")
    AuthorshipFactory(publication=record, position=1).affiliations.add(chemistry)
    authorship_id = record.authorships.get().pk
    statements = {
        "affiliations": (
            "INSERT INTO publications_authorship_affiliations (authorship_id, organisation_id) "
            f"VALUES ({authorship_id}, {physics.pk})"
        ),
        "withdrawal": (
            f"UPDATE publications_publication SET visibility = 'campus' WHERE id = {record.pk}"
        ),
    }
    second = "withdrawal" if first == "affiliations" else "affiliations"
    done = threading.Event()

    def write_second():
        try:
            with connections["default"].cursor() as cursor:  # this thread's own connection
                cursor.execute(statements[second])  # autocommit: waits for the first
            done.set()
        finally:
            connections["default"].close()

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(statements[first])
        thread = threading.Thread(target=write_second)
        thread.start()
        try:
            assert not done.wait(1.0)  # held up by the first transaction
        finally:
            cursor.execute("COMMIT")
            thread.join(10)
    assert done.is_set()
    counts = kept()
    assert counts == counted_afresh()
    assert chemistry.pk not in counts["units"] and physics.pk not in counts["units"]


def test_a_recount_gives_the_same_sums_in_fewer_rows(world):
    affiliation_added(world)
    counts = kept()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT portal_collection_counts_rebuild(ARRAY['unit','code','area','group'])"
        )
        cursor.execute("SELECT portal_publication_counts_rebuild()")
    assert kept() == counts
    assert (
        CollectionCount.objects.count()
        == CollectionCount.objects.values("kind", "key", "year").distinct().count()
    )


def test_an_import_and_a_generated_collection_are_counted(world):
    from publications.tests.test_facet_ids import FIXTURES

    call_command(
        "import_publications",
        str(FIXTURES / "crossref-works.jsonl"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    call_command(
        "generate_publications", "--count", "40", "--seed", "5",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    Publication.objects.filter(workflow_state=WorkflowState.FOR_VALIDATION).update(
        workflow_state=WorkflowState.VALIDATED
    )
    counts = kept()
    assert counts == counted_afresh()
    assert sum(counts["units"].values()) > 10 and len(counts["codes"]) > 5
    assert Organisation.objects.count() > 5 and Authorship.objects.count() > 40
