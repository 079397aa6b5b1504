"""Reading fingerprints for pages: a record's, a person's or a unit's strongest concepts, and the
most similar public publications and profiles (cosine distance through the HNSW indexes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from publications.fingerprints.models import AggregateConcept, PublicationConcept
from publications.models import Person, Publication

SHOWN = 10
SIMILAR = 5
CANDIDATES = 40  # nearest vectors read, of which the public (or internal) ones are shown


@dataclass(frozen=True)
class ConceptWeight:
    label: str
    slug: str
    category: str
    weight: float

    @property
    def percent(self) -> int:
        return round(self.weight * 100)


def publication_concepts(
    publication: Publication, limit: int | None = SHOWN
) -> list[ConceptWeight]:
    rows = (
        PublicationConcept.objects.filter(publication=publication)
        .order_by("-weight", "concept__label")
        .values_list("concept__label", "concept__slug", "category", "weight")
    )
    return [ConceptWeight(*row) for row in (rows[:limit] if limit else rows)]


def aggregate_concepts(*, limit: int = SHOWN, **owner) -> list[ConceptWeight]:
    """A person's (person=…) or an organisation's (organisation=…) strongest concepts."""
    rows = (
        AggregateConcept.objects.filter(**owner)
        .order_by("-weight", "concept__label")
        .values_list("concept__label", "concept__slug", "category", "weight")[:limit]
    )
    return [ConceptWeight(*row) for row in rows]


def nearest(kind: str, object_id: int) -> list[int]:
    """Ids of the vectors of this kind nearest to the object's own, nearest first; none if the
    object has no vector (ordered by the distance to nothing, any vectors would come back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH own AS (
                SELECT vector FROM publications_fingerprintvector
                WHERE kind = %s AND object_id = %s
            )
            SELECT object_id FROM publications_fingerprintvector
            WHERE kind = %s AND public AND object_id <> %s AND EXISTS (SELECT FROM own)
            ORDER BY vector <=> (SELECT vector FROM own)
            LIMIT %s
            """,
            [kind, object_id, kind, object_id, CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def similar_publications(publication: Publication) -> list[Publication]:
    ids = nearest("publication", publication.pk)
    found = {
        p.pk: p for p in Publication.objects.public().filter(pk__in=ids).select_related("journal")
    }
    return [found[pk] for pk in ids if pk in found][:SIMILAR]


def similar_persons(person: Person) -> list[Person]:
    ids = nearest("person", person.pk)
    found = {p.pk: p for p in Person.objects.internal().public().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found][:SIMILAR]
