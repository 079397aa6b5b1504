"""Fingerprints: computed and stored deterministically, kept current on edit and import, shown on
record, person and organisation pages, similar items in the right order, the concept facet."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from publications.fingerprints import queries
from publications.fingerprints.compute import category_of, rebuild_all, refresh
from publications.fingerprints.models import (
    AggregateConcept,
    Concept,
    FingerprintVector,
    PublicationConcept,
)
from publications.models import Membership, Organisation, Publication, SubjectArea
from publications.services import publication_sync_derived
from publications.tests.budgets import RECORD_PAGE_BUDGET
from publications.tests.factories import PersonFactory, PublicationFactory, add_authors

pytestmark = pytest.mark.django_db

TOPICS = {
    "hiv": (
        "Interleukin-2 therapy restores CD4 T cells in HIV infection",
        "Interleukin-2 given to HIV-infected patients raised CD4 T cell counts; interleukin-2 "
        "cycles and antiretroviral therapy restored CD4 T cells in HIV infection.",
    ),
    "hiv2": (
        "CD4 T cell recovery after interleukin-2 in HIV-infected adults",
        "HIV-infected adults on antiretroviral therapy received interleukin-2; CD4 T cell "
        "recovery and HIV viral load were measured.",
    ),
    "soil": (
        "Nitrogen fixation by soil bacteria in alpine meadows",
        "Soil bacteria of alpine meadows fix nitrogen; nitrogen fixation rates in the soil "
        "varied with altitude and meadow grazing.",
    ),
}


def make(topic: str, **fields):
    title, abstract = TOPICS[topic]
    return PublicationFactory(title=title, abstract=abstract, **fields)


@pytest.fixture
def collection():
    hiv, hiv2, soil = make("hiv"), make("hiv2"), make("soil")
    # A background of other records, so common words are common.
    for n in range(6):
        PublicationFactory(title=f"Background record {n} on patients and therapy", abstract="")
    ana, ben, cy = (PersonFactory() for _ in range(3))
    add_authors(hiv, [ana])
    add_authors(hiv2, [ben])
    add_authors(soil, [cy])
    rebuild_all()
    return {"hiv": hiv, "hiv2": hiv2, "soil": soil, "ana": ana, "ben": ben, "cy": cy}


def stored() -> tuple[list, list, list]:
    return (
        list(
            PublicationConcept.objects.order_by("publication", "concept__key").values_list(
                "publication_id", "concept__key", "weight", "category"
            )
        ),
        list(
            FingerprintVector.objects.order_by("kind", "object_id").values_list("kind", "object_id")
        ),
        [
            str(v)
            for v in FingerprintVector.objects.order_by("kind", "object_id").values_list(
                "vector", flat=True
            )
        ],
    )


def test_fingerprints_are_deterministic(collection):
    first = stored()
    concepts = list(
        Concept.objects.order_by("pk").values_list("pk", "key", "slug", "document_count")
    )
    rebuild_all()
    assert stored() == first
    assert (
        list(Concept.objects.order_by("pk").values_list("pk", "key", "slug", "document_count"))
        == concepts
    )


def test_a_publication_fingerprint_is_weighted_and_scaled(collection):
    concepts = queries.publication_concepts(collection["hiv"], limit=None)
    assert concepts[0].weight == 1.0
    assert all(0 < c.weight <= 1 for c in concepts)
    labels = [c.label.lower() for c in concepts[:10]]
    assert any("interleukin" in label for label in labels)
    assert any("cd4" in label for label in labels)
    assert not any(label in {"therapy", "patients", "record"} for label in labels[:3])


def test_similar_publications_and_profiles_are_ordered_by_fingerprint(collection):
    assert [p.pk for p in queries.similar_publications(collection["hiv"])][:1] == [
        collection["hiv2"].pk
    ]
    similar = [p.pk for p in queries.similar_publications(collection["hiv"])]
    assert (
        similar.index(collection["hiv2"].pk) < similar.index(collection["soil"].pk)
        if collection["soil"].pk in similar
        else True
    )
    persons = queries.similar_persons(collection["ana"])
    assert persons[0] == collection["ben"]
    assert collection["ana"] not in persons


def test_a_record_or_person_without_a_fingerprint_has_nothing_similar(collection):
    unprinted = PublicationFactory(title="Not yet fingerprinted")
    assert queries.similar_publications(unprinted) == []
    assert queries.similar_persons(PersonFactory()) == []


def test_an_edit_refreshes_the_record_and_its_authors(collection):
    soil = collection["soil"]
    soil.abstract = "Mycorrhizal fungi and mycorrhizal networks in alpine soil."
    soil.save()
    publication_sync_derived(publication=soil)
    labels = {c.label.lower() for c in queries.publication_concepts(soil, limit=None)}
    assert any("mycorrhizal" in label for label in labels)
    person_labels = {c.label.lower() for c in queries.aggregate_concepts(person=collection["cy"])}
    assert any("mycorrhizal" in label for label in person_labels)
    assert (
        Concept.objects.get(key__startswith="mycorrhiz", key__endswith="network").document_count
        >= 1
    )


def test_drafts_do_not_count_in_profiles(collection):
    draft = make("soil", workflow_state="in_progress")
    add_authors(draft, [collection["ana"]])
    refresh([draft.pk])
    labels = {c.label.lower() for c in queries.aggregate_concepts(person=collection["ana"])}
    assert not any("nitrogen" in label for label in labels)


def test_drafts_are_never_similar_until_they_are_validated(collection):
    draft = make("hiv2", workflow_state="for_validation")
    refresh([draft.pk])
    assert draft.pk not in [p.pk for p in queries.similar_publications(collection["hiv"])]
    assert draft.pk not in queries.nearest("publication", collection["hiv"].pk)

    # A bulk action writes through the table: the vector follows the record into public view.
    Publication.objects.filter(pk=draft.pk).update(workflow_state="validated")
    assert draft.pk in queries.nearest("publication", collection["hiv"].pk)
    Publication.objects.filter(pk=draft.pk).update(visibility="backend")
    assert draft.pk not in queries.nearest("publication", collection["hiv"].pk)


def test_a_deleted_publication_leaves_no_vector_behind(collection):
    hiv2 = collection["hiv2"]
    hiv2.delete()
    assert not FingerprintVector.objects.filter(kind="publication", object_id=hiv2.pk).exists()
    assert hiv2.pk not in queries.nearest("publication", collection["hiv"].pk)


def test_an_organisation_gets_the_fingerprint_of_its_units(collection):
    top = Organisation.objects.create(name="Faculty of Medicine", kind="faculty")
    unit = Organisation.objects.create(name="Unit of Virology", kind="department", parent=top)
    authorship = collection["hiv"].authorships.get()
    authorship.affiliations.add(unit)
    refresh([collection["hiv"].pk])
    for organisation in (unit, top):
        labels = [c.label.lower() for c in queries.aggregate_concepts(organisation=organisation)]
        assert any("interleukin" in label for label in labels), organisation


def test_the_category_follows_the_subject_areas():
    assert category_of([2403, 1100, 2712]) == "Medicine & Life Sciences"
    assert category_of([1100]) == "Agriculture & Biology"
    assert category_of([]) == ""


# Pages


def test_the_record_page_shows_the_fingerprint_and_similar_publications(visitor, collection):
    hiv = collection["hiv"]
    hiv.subject_areas.add(SubjectArea.objects.get(code=2403))
    refresh([hiv.pk])
    page = visitor.get(hiv.get_absolute_url()).content.decode()
    assert (
        f"Dive into the research topics of ‘{hiv.title}’. Together they form a unique fingerprint."
        in page
    )
    items = re.findall(
        r'href="/publications/\?concept=([^"]+)">([^<]+)</a>\s*'
        r'<span class="fingerprint__category">([^<]+)</span>\s*<meter[^>]*value="(\d+)"',
        page,
    )
    assert 1 <= len(items) <= 10
    assert items[0][3] == "100"
    assert all(category == "Medicine &amp; Life Sciences" for _, _, category, _ in items)
    assert 'id="similar-title">Similar publications' in page
    assert collection["hiv2"].title in page[page.index("similar-title") :]
    full = visitor.get(hiv.get_absolute_url() + "fingerprint/").content.decode()
    assert "<h2" in full and "Medicine &amp; Life Sciences" in full
    assert full.count('class="fingerprint__item"') >= len(items)


def test_the_pages_with_fingerprints_keep_their_query_budgets(
    visitor, collection, django_assert_max_num_queries
):
    with django_assert_max_num_queries(RECORD_PAGE_BUDGET):
        assert visitor.get(collection["hiv"].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(15):  # test_entity_pages pins the person page at 15
        assert visitor.get(collection["ana"].get_absolute_url()).status_code == 200


def test_a_concept_link_lists_the_publications_that_share_it(visitor, collection):
    slug = queries.publication_concepts(collection["hiv"])[0].slug
    page = visitor.get("/publications/", {"concept": slug}).content.decode()
    count = int(re.search(r'id="result-count"[^>]*><data value="(\d+)"', page)[1])
    expected = (
        PublicationConcept.objects.filter(concept__slug=slug)
        .values("publication")
        .distinct()
        .count()
    )
    assert count == expected >= 1
    facet = re.search(
        rf'href="[^"]*concept={re.escape(slug)}[^"]*"[^>]*>.*?<data value="(\d+)"', page, re.S
    )
    assert facet and int(facet[1]) == count


def test_every_concept_facet_count_is_the_count_of_its_filter(visitor, collection):
    page = visitor.get("/publications/", {"more": "concept"}).content.decode()
    section = page[page.index("facet--concept") :]
    section = section[: section.index("</section>")]
    options = re.findall(
        r'href="[^"]*concept=([^"&]+)[^"]*"[^>]*>.*?<data value="(\d+)"', section, re.S
    )
    assert len(options) >= 10
    for slug, count in options:
        listing = visitor.get("/publications/", {"concept": slug}).content.decode()
        total = re.search(r'id="result-count"[^>]*><data value="(\d+)"', listing)[1]
        assert total == count, slug


def test_person_and_organisation_pages_show_their_fingerprints(visitor, collection):
    page = visitor.get(collection["ana"].get_absolute_url()).content.decode()
    assert "Dive into the research topics where" in page
    assert 'class="fingerprint__item"' in page
    assert 'id="similar-title">Similar profiles' in page
    assert collection["ben"].full_name in page[page.index("similar-title") :]
    unit = Organisation.objects.create(name="Unit of Soil Biology", kind="department")
    Membership.objects.create(person=collection["cy"], organisation=unit)
    collection["soil"].authorships.get().affiliations.add(unit)
    refresh([collection["soil"].pk])
    page = visitor.get(unit.get_absolute_url()).content.decode()
    assert "Dive into the research topics where Unit of Soil Biology is active" in page


def test_a_record_without_a_fingerprint_shows_no_empty_section(visitor):
    publication = PublicationFactory()
    page = visitor.get(publication.get_absolute_url()).content.decode()
    assert "fingerprint__item" not in page and "Similar publications" not in page


# Commands


def test_compute_fingerprints_reports_what_it_did(collection):
    out = io.StringIO()
    call_command("compute_fingerprints", stdout=out, stderr=io.StringIO())
    assert re.search(
        r"^9 publications \(.*/s\), \d+ concepts, 3 persons, 0 organisations", out.getvalue()
    )
    assert AggregateConcept.objects.filter(person=collection["ana"]).exists()


def test_evaluate_fingerprints_prints_recall_at_10(collection):
    out = io.StringIO()
    fixture = Path(__file__).parent / "data" / "import" / "medline-citations.xml"
    call_command("evaluate_fingerprints", "--file", str(fixture), stdout=out)
    match = re.search(r"recall@10 = (\d+\.\d)%", out.getvalue())
    assert match and 0 < float(match[1]) <= 100
    out = io.StringIO()
    call_command("evaluate_fingerprints", stdout=out)
    assert "the portal's publications" in out.getvalue()


def test_imported_records_get_fingerprints(tmp_path):
    path = tmp_path / "one.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Interleukin-2 therapy in HIV infection\n"
        "AB  - Interleukin-2 raised CD4 counts in HIV infection.\nPY  - 2001\nER  - \n"
    )
    call_command("import_publications", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert PublicationConcept.objects.filter(concept__key__startswith="interleukin").exists()


def test_the_cached_concept_facet_follows_a_rebuild(visitor, collection):
    def facet_slugs() -> set[str]:
        page = visitor.get("/publications/", {"more": "concept"}).content.decode()
        section = page[page.index("facet--concept") :]
        return set(re.findall(r"concept=([^\"&]+)", section[: section.index("</section>")]))

    before = facet_slugs()
    soil = collection["soil"]
    soil.abstract = "Mycorrhizal fungi form mycorrhizal networks."
    soil.save()
    rebuild_all()
    assert facet_slugs() != before
    assert any(slug.startswith("mycorrhizal") for slug in facet_slugs())


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_the_same_concept_at_once_both_succeed():
    """A librarian's save during an import: both find the concept missing and add it; the
    second waits for the first to commit, then takes its row (it was an IntegrityError, a 500)."""
    import threading

    from django.db import connection, transaction

    from publications.fingerprints.compute import ensure_concepts

    labels = {"k-immune": "Immune reconstitution"}
    first_added, commit_first = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def first() -> None:
        try:
            with transaction.atomic():
                ensure_concepts(labels)
                first_added.set()
                commit_first.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        first_added.wait(10)
        try:
            with transaction.atomic():
                ensure_concepts(labels)  # blocks on the first's uncommitted row
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_added.wait(10)
    threading.Event().wait(0.5)  # the second is waiting on the first's row by now
    commit_first.set()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert list(Concept.objects.filter(key="k-immune").values_list("label", flat=True)) == [
        "Immune reconstitution"
    ]
