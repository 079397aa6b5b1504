"""The database keeps the model's invariants; validators tell librarians why."""

from __future__ import annotations

import datetime
import random
import string

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from publications import validators
from publications.models import (
    Authorship,
    Keyword,
    Organisation,
    Person,
    Publication,
    PublicationStatusEntry,
    SubjectArea,
    format_partial_date,
    initials_of,
    unique_slugs,
)
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    valid_issn,
    valid_orcid,
)

pytestmark = pytest.mark.django_db


def rejected(create) -> bool:
    """True when the database refuses the row (a savepoint keeps the test's transaction usable)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_all_334_asjc_codes_are_loaded_with_pure_display_names():
    assert SubjectArea.objects.count() == 334
    assert SubjectArea.objects.filter(parent__isnull=True).count() == 27
    agri = SubjectArea.objects.get(code=1100)
    assert agri.display_name == "Agricultural and Biological Sciences(all)"
    assert agri.name == "General Agricultural and Biological Sciences"
    immunology = SubjectArea.objects.get(code=2403)
    assert immunology.display_name == "Immunology"
    assert immunology.parent.code == 2400
    assert immunology.get_group_display() == "Life Sciences"
    assert SubjectArea.objects.get(code=1000).display_name == "Multidisciplinary"


def test_doi_is_stored_normalised_and_found_from_a_resolver_link():
    publication = PublicationFactory(doi="https://doi.org/10.1000/ABC.Def")
    publication.refresh_from_db()
    assert publication.doi == "10.1000/abc.def"
    assert Publication.objects.get(doi="https://doi.org/10.1000/abc.DEF") == publication


def test_doi_is_unique_regardless_of_case_but_many_records_may_have_none():
    PublicationFactory(doi="10.1000/xyz")
    assert rejected(lambda: PublicationFactory(doi="10.1000/XYZ"))
    PublicationFactory(doi="")
    PublicationFactory(doi="")


def test_malformed_doi_is_rejected_by_database_and_validator():
    # Bypass the field's normalisation with a raw update, as a careless script might.
    publication = PublicationFactory()
    assert rejected(lambda: Publication.objects.filter(pk=publication.pk).update(doi="not-a-doi"))
    with pytest.raises(ValidationError, match="is not a DOI"):
        validators.validate_doi("doi.org/nonsense")


def test_page_end_before_page_start_is_rejected():
    assert rejected(lambda: PublicationFactory(pages="", page_start=78, page_end=74))
    publication = PublicationFactory.build(pages="", page_start=78, page_end=74)
    with pytest.raises(ValidationError, match="comes before"):
        publication.clean()


def test_number_of_pages_is_derived_from_the_printed_range():
    publication = PublicationFactory(
        pages="74-78", page_start=None, page_end=None, number_of_pages=None
    )
    assert (publication.page_start, publication.page_end, publication.number_of_pages) == (
        74,
        78,
        5,
    )


def test_one_author_per_position():
    publication = PublicationFactory()
    Authorship.objects.create(publication=publication, person=PersonFactory(), position=1)
    assert rejected(
        lambda: Authorship.objects.create(
            publication=publication, person=PersonFactory(), position=1
        )
    )
    assert rejected(
        lambda: Authorship.objects.create(
            publication=publication, person=PersonFactory(), position=0
        )
    )


def test_an_author_needs_a_person_or_a_printed_name():
    publication = PublicationFactory()
    assert rejected(lambda: Authorship.objects.create(publication=publication, position=1))
    Authorship.objects.create(publication=publication, position=1, name_as_printed="WHO Consortium")


@pytest.mark.parametrize(
    "field, value",
    [
        ("workflow_state", "published-ish"),
        ("visibility", "everyone"),
        ("status", "done"),
        ("output_type", "blog-post"),
        ("open_access", "diamond"),
    ],
)
def test_invalid_controlled_values_are_rejected(field, value):
    publication = PublicationFactory()
    assert rejected(lambda: Publication.objects.filter(pk=publication.pk).update(**{field: value}))


def test_a_date_cannot_be_more_precise_than_its_precision():
    assert rejected(
        lambda: PublicationFactory(date=datetime.date(1997, 1, 15), date_precision="month")
    )
    assert rejected(
        lambda: PublicationFactory(date=datetime.date(1997, 3, 1), date_precision="year")
    )
    PublicationFactory(date=datetime.date(1997, 1, 15), date_precision="day")
    entry = PublicationStatusEntry(
        publication=PublicationFactory(),
        status="published",
        date=datetime.date(1997, 1, 15),
        date_precision="month",
    )
    with pytest.raises(ValidationError, match="more precise than a month"):
        entry.clean()


def test_one_status_entry_per_status():
    publication = PublicationFactory()
    PublicationStatusEntry.objects.create(publication=publication, status="published")
    assert rejected(
        lambda: PublicationStatusEntry.objects.create(publication=publication, status="published")
    )


def test_current_status_is_the_furthest_reached_and_shown_at_its_precision():
    publication = PublicationFactory()
    entries = [
        PublicationStatusEntry(
            publication=publication,
            status="accepted",
            date=datetime.date(1996, 11, 3),
            date_precision="day",
        ),
        PublicationStatusEntry(
            publication=publication,
            status="published",
            date=datetime.date(1997, 1, 1),
            date_precision="month",
        ),
    ]
    publication.apply_status_history(entries)
    publication.save()
    publication.refresh_from_db()
    assert publication.get_status_display() == "Published"
    assert publication.date_display == "Jan 1997"
    assert publication.year == 1997


def test_partial_dates_print_at_their_precision():
    date = datetime.date(1997, 1, 1)
    assert format_partial_date(date, "year") == "1997"
    assert format_partial_date(date, "month") == "Jan 1997"
    assert format_partial_date(datetime.date(1997, 1, 15), "day") == "15 Jan 1997"


def test_issn_check_digit():
    validators.validate_issn("0393-974X")
    validators.validate_issn("0028-0836")  # Nature
    with pytest.raises(ValidationError, match="wrong check digit: it should end in X"):
        validators.validate_issn("0393-9741")
    with pytest.raises(ValidationError, match="is not an ISSN"):
        validators.validate_issn("393-974X")


def test_issn_unique_when_present_and_format_checked_by_the_database():
    JournalFactory(issn="0393-974X")
    assert rejected(lambda: JournalFactory(issn="0393-974X"))
    assert rejected(lambda: JournalFactory(issn="0393974X"))
    JournalFactory(issn="", eissn="")
    JournalFactory(issn="", eissn="")


def test_orcid_check_digit_and_uniqueness():
    validators.validate_orcid("0000-0002-1825-0097")
    validators.validate_orcid("https://orcid.org/0000-0001-5109-3700")
    with pytest.raises(ValidationError, match="should end in 7"):
        validators.validate_orcid("0000-0002-1825-0098")
    orcid = valid_orcid(123456789)
    validators.validate_orcid(orcid)
    PersonFactory(orcid=orcid)
    assert rejected(lambda: PersonFactory(orcid=orcid))
    assert rejected(lambda: PersonFactory(orcid="0000-0002-1825"))
    PersonFactory(orcid="")
    PersonFactory(orcid="")


def test_person_clean_normalises_orcid_and_fills_initials():
    person = Person(
        given_name="Gian Andrea", family_name="Rossi", orcid="https://orcid.org/0000-0002-1825-0097"
    )
    person.full_clean()
    assert person.orcid == "0000-0002-1825-0097"
    assert person.initials == "G.A."
    assert initials_of("Jean-Pierre") == "J.-P."


def test_ror_checksum_and_uniqueness():
    validators.validate_ror("05f950310")
    validators.validate_ror("https://ror.org/05f950310")
    with pytest.raises(ValidationError, match="wrong checksum"):
        validators.validate_ror("05f950311")
    Organisation.objects.create(name="A", ror="05f950310")
    assert rejected(lambda: Organisation.objects.create(name="B", ror="05f950310"))
    assert rejected(lambda: Organisation.objects.create(name="C", ror="nonsense"))


def test_keywords_are_unique_regardless_of_case():
    Keyword.objects.create(term="HIV")
    assert rejected(lambda: Keyword.objects.create(term="hiv"))


def test_organisation_subtree_includes_all_descendants():
    university = Organisation.objects.create(name="University", kind="university")
    faculty = Organisation.objects.create(name="Faculty", kind="faculty", parent=university)
    department = Organisation.objects.create(name="Dept", parent=faculty)
    other = Organisation.objects.create(name="Elsewhere", kind="external")
    assert set(university.subtree_ids()) == {university.pk, faculty.pk, department.pk}
    assert other.pk not in university.subtree_ids()


def test_slugs_are_unique_and_made_from_the_title():
    first = PublicationFactory(title="Same title")
    second = PublicationFactory(title="Same title")
    assert first.slug == "same-title"
    assert second.slug == "same-title-2"


def test_valid_issn_helper_makes_valid_issns():
    for n in range(50):
        validators.validate_issn(valid_issn(n))


def test_a_corrected_page_range_corrects_the_page_numbers():
    publication = PublicationFactory(pages="74-78")
    publication.pages = "74-80"
    publication.save()
    publication.refresh_from_db()
    assert (publication.page_start, publication.page_end, publication.number_of_pages) == (
        74,
        80,
        7,
    )


def test_long_titles_give_slugs_cut_at_a_word_boundary():
    publication = PublicationFactory(
        title="Experiences in immune reconstitution. The rationale for interleukin-2 "
        "administration to HIV-infected individuals"
    )
    assert (
        publication.slug == "experiences-in-immune-reconstitution-the-rationale-for-interleukin-2"
    )


def test_one_keyword_per_position():
    publication = PublicationFactory()
    publication.publication_keywords.create(keyword=Keyword.objects.create(term="CD4"), position=1)
    assert rejected(
        lambda: publication.publication_keywords.create(
            keyword=Keyword.objects.create(term="CD8"), position=1
        )
    )


def test_conference_cannot_end_before_it_starts():
    assert rejected(
        lambda: PublicationFactory(
            conference_start=datetime.date(2019, 9, 14), conference_end=datetime.date(2019, 9, 12)
        )
    )


def test_slugs_for_thousands_of_new_rows_at_once():
    """An import's fingerprints add 10,000 concepts in one go: one statement for all their
    prefixes exceeded PostgreSQL's stack depth."""
    PublicationFactory(title="Topic 7 of the collection")
    texts = [f"Topic {n} of the collection" for n in range(10000)]
    slugs = unique_slugs(Publication, texts)
    assert len(set(slugs)) == 10000
    assert slugs[7] == "topic-7-of-the-collection-2" and slugs[8] == "topic-8-of-the-collection"


def test_a_records_search_vector_stays_in_its_row_and_its_abstract_goes_out_of_line():
    """Every search reads its candidates' vectors and titles, and none reads an abstract beyond
    the page's snippets (migration 0025). Random words make the vector too large for a row of
    PostgreSQL's default layout, and incompressible: without the migration it goes out of line."""
    if connection.pg_version < 170000:  # a DATABASE_URL server of PostgreSQL 14 to 16
        pytest.skip("pg_column_toast_chunk_id() needs PostgreSQL 17; the embedded server is 18")
    rng = random.Random(1)
    words = ["".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(150)]
    record = PublicationFactory(title="A record of many words", abstract=" ".join(words))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(search_vector), pg_column_toast_chunk_id(search_vector),"
            " pg_column_toast_chunk_id(title), pg_column_toast_chunk_id(abstract)"
            " FROM publications_publication WHERE id = %s",
            [record.pk],
        )
        vector_size, vector_chunk, title_chunk, abstract_chunk = cursor.fetchone()
    assert vector_size > 2100
    assert vector_chunk is None and title_chunk is None
    assert abstract_chunk is not None
