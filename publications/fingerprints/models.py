"""The fingerprint tables (models of the publications app, imported by publications.models).

A Concept is a normalised term found in the collection, with the number of publications whose
text has it (its document frequency, for the TF-IDF weights). A publication's fingerprint is its
strongest concepts with weights scaled so the strongest is 1, each in a category taken from the
record's subject area, plus the same weights as a sparse vector (dimension = concept id) for
cosine similarity through an HNSW index. Persons and organisations get the weights of their
publications summed, recent work counting more, in the same two forms."""

from __future__ import annotations

from django.db import models
from pgvector.django import HnswIndex, SparseVectorField

# A sparse vector's dimensions are concept ids; pgvector allows up to 10^9 of them.
DIMENSIONS = 1_000_000_000


class Concept(models.Model):
    key = models.CharField(max_length=200, unique=True, help_text="The normalised form.")
    label = models.CharField(max_length=200, help_text="As shown: “Interleukin-2”.")
    slug = models.SlugField(max_length=100, unique=True)
    document_count = models.PositiveIntegerField(
        default=0, help_text="Publications whose title, abstract or keywords have it."
    )

    class Meta:
        app_label = "publications"
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class PublicationConcept(models.Model):
    # Both keys lead an index already (publicationconcept_unique, pubconcept_concept_idx).
    publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.CASCADE,
        related_name="concepts",
        db_index=False,
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+", db_index=False)
    weight = models.FloatField(help_text="0 to 1; the publication's strongest concept is 1.")
    category = models.CharField(max_length=60, blank=True)

    class Meta:
        app_label = "publications"
        ordering = ["publication", "-weight", "concept"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "concept"], name="publicationconcept_unique"
            ),
        ]
        indexes = [
            # The concept filter and facet: publications having a concept.
            models.Index(fields=["concept", "publication"], name="pubconcept_concept_idx")
        ]

    def __str__(self) -> str:
        return f"{self.concept_id} ({self.weight:.0%}) of publication {self.publication_id}"


class AggregateConcept(models.Model):
    """A person's or an organisation's concept (exactly one of the two is set)."""

    person = models.ForeignKey(
        "publications.Person", null=True, on_delete=models.CASCADE, related_name="concepts"
    )
    organisation = models.ForeignKey(
        "publications.Organisation", null=True, on_delete=models.CASCADE, related_name="concepts"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField()
    category = models.CharField(max_length=60, blank=True)

    class Meta:
        app_label = "publications"
        ordering = ["-weight", "concept"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True) ^ models.Q(organisation__isnull=True),
                name="aggregateconcept_person_or_organisation",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-weight"], name="aggregateconcept_person_idx"),
            models.Index(fields=["organisation", "-weight"], name="aggregateconcept_org_idx"),
        ]

    def __str__(self) -> str:
        owner = f"person {self.person_id}" if self.person_id else f"unit {self.organisation_id}"
        return f"{self.concept_id} ({self.weight:.0%}) of {owner}"


class FingerprintVector(models.Model):
    """The fingerprint of one publication, person or organisation as a sparse vector."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication"
        PERSON = "person"
        ORGANISATION = "organisation"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    vector = SparseVectorField(dimensions=DIMENSIONS)
    public = models.BooleanField(
        db_default=True,
        editable=False,
        help_text="Whether the publication is public (validated and public). Kept by database "
        "triggers (migration 0010); persons' and organisations' vectors are always true.",
    )

    class Meta:
        app_label = "publications"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="fingerprintvector_unique"),
        ]
        # One HNSW index per kind: "similar profiles" search persons' vectors only. Only public
        # publications are in theirs: "similar publications" shows public ones only, drafts in
        # the index would crowd them out of its nearest candidates, and an import of drafts
        # does not pay for index insertions that validation would make useless anyway.
        indexes = [
            HnswIndex(
                name=f"fingerprint_{kind}_hnsw",
                fields=["vector"],
                opclasses=["sparsevec_cosine_ops"],
                condition=models.Q(kind=kind, public=True)
                if kind == "publication"
                else models.Q(kind=kind),
            )
            for kind in ("publication", "person", "organisation")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
