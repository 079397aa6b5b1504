"""factory_boy factories: real rows in the real PostgreSQL, never mocks."""

from __future__ import annotations

import datetime

import factory

from publications import models
from publications.validators import issn_check_digit, orcid_check_digit


def valid_issn(n: int) -> str:
    digits = f"{n:07d}"[-7:]
    return f"{digits[:4]}-{digits[4:]}{issn_check_digit(digits)}"


def valid_orcid(n: int) -> str:
    digits = f"{n:015d}"[-15:]
    full = digits + orcid_check_digit(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


class JournalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Journal

    title = factory.Sequence(lambda n: f"Journal of Test Studies {n}")
    issn = factory.Sequence(lambda n: valid_issn(1000000 + n))
    publisher = "Test Press"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Department of Testing {n}")
    kind = models.OrganisationKind.DEPARTMENT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    given_name = factory.Sequence(lambda n: f"Ada{n}")
    family_name = factory.Sequence(lambda n: f"Tester{n}")
    initials = factory.LazyAttribute(lambda person: person.given_name[0] + ".")
    is_internal = True


class PublicationFactory(factory.django.DjangoModelFactory):
    """A validated, public journal article: what visitors see."""

    class Meta:
        model = models.Publication

    title = factory.Sequence(lambda n: f"A study of things number {n}")
    output_type = models.OutputType.ARTICLE
    peer_reviewed = True
    journal = factory.SubFactory(JournalFactory)
    volume = "12"
    issue = "3"
    pages = "10-20"
    status = models.PublicationStatus.PUBLISHED
    date = factory.Sequence(lambda n: datetime.date(2000 + n % 25, 1, 1))
    date_precision = models.DatePrecision.YEAR
    workflow_state = models.WorkflowState.VALIDATED
    visibility = models.Visibility.PUBLIC


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Authorship

    publication = factory.SubFactory(PublicationFactory)
    person = factory.SubFactory(PersonFactory)
    position = factory.Sequence(lambda n: n + 1)
    name_as_printed = factory.LazyAttribute(
        lambda a: f"{a.person.initials} {a.person.family_name}" if a.person else "A Consortium"
    )


def add_authors(publication: models.Publication, persons: list[models.Person]) -> None:
    """Authorships for the persons, in order, from position 1."""
    for position, person in enumerate(persons, start=1):
        AuthorshipFactory(publication=publication, person=person, position=position)


def analyze() -> None:
    """Refresh the planner's statistics. Autovacuum may have recorded the tables as empty, and
    plans made for empty tables explode once a test has added hundreds of rows; ANALYZE counts
    the rows this test's transaction added."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
