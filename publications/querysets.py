"""Read vocabulary for the portal's pages: adjectives filter, for_<thing>() scope, with_<thing>()
prefetches, for_list()/for_detail() bundle what one page needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from publications.models import Journal, Organisation, Person, SubjectArea

PUBLIC = Q(workflow_state="validated", visibility="public")


def public_publications_q(prefix: str) -> Q:
    """The public-publication condition seen from a related model (prefix ends in '__')."""
    return Q(**{f"{prefix}workflow_state": "validated", f"{prefix}visibility": "public"})


class PublicationQuerySet(models.QuerySet):
    def public(self) -> PublicationQuerySet:
        """Only Validated + Public records: the only ones any public page, count or export shows."""
        return self.filter(PUBLIC)

    def newest(self) -> PublicationQuerySet:
        return self.order_by(models.F("date").desc(nulls_last=True), "title", "pk")

    def with_authors(self) -> PublicationQuerySet:
        """Prefetches the ordered author list with each author's person (one query)."""
        from publications.models import Authorship

        return self.prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("person").order_by("position"),
            )
        )

    def for_list(self) -> PublicationQuerySet:
        """What a result list shows: journal (joined) and ordered authors (one query)."""
        return self.select_related("journal").with_authors()

    def for_detail(self) -> PublicationQuerySet:
        """Everything the record page shows: journal, authors with affiliations, keywords,
        subject areas, status history, links (one query each)."""
        from publications.models import Authorship, PublicationKeyword, SubjectArea

        return self.select_related("journal").prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("person")
                .prefetch_related("affiliations")
                .order_by("position"),
            ),
            Prefetch(
                "publication_keywords",
                queryset=PublicationKeyword.objects.select_related("keyword").order_by("position"),
            ),
            Prefetch("subject_areas", queryset=SubjectArea.objects.order_by("code")),
            "status_history",
            "links",
        )

    def for_person(self, person: Person) -> PublicationQuerySet:
        return self.filter(authorships__person=person).distinct()

    def for_organisation(self, organisation: Organisation) -> PublicationQuerySet:
        """Publications with an author affiliated with the organisation or any sub-organisation."""
        from publications.models import Authorship

        ids = organisation.subtree_ids()
        return self.filter(
            models.Exists(
                Authorship.objects.filter(publication=OuterRef("pk"), affiliations__in=ids)
            )
        )

    def for_journal(self, journal: Journal) -> PublicationQuerySet:
        return self.filter(journal=journal)

    def for_subject_area(self, area: SubjectArea) -> PublicationQuerySet:
        """Publications in the area; an xx00 area code includes all its codes (2400 → 2403)."""
        from publications.models import Publication

        through = Publication.subject_areas.through
        return self.filter(
            models.Exists(
                through.objects.filter(
                    publication_id=OuterRef("pk"), subjectarea__code__in=area.codes_within()
                )
            )
        )

    def refresh_search_text(self) -> int:
        """Rewrite search_keywords and search_names (author names, journal title) of these
        publications from their related rows, in one UPDATE; returns how many changed. The
        generated search_vector follows."""
        ids_sql, params = self.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SEARCH_TEXT_SQL.format(ids=ids_sql), params)
            return cursor.rowcount


REFRESH_SEARCH_TEXT_SQL = """
WITH fresh AS (
    SELECT p.id,
        COALESCE((
            SELECT string_agg(k.term, ' ' ORDER BY pk.position)
            FROM publications_publicationkeyword pk
            JOIN publications_keyword k ON k.id = pk.keyword_id
            WHERE pk.publication_id = p.id), '') AS keywords,
        concat_ws(' ',
            (SELECT string_agg(concat_ws(' ', a.name_as_printed, pe.given_name, pe.family_name),
                               ' ' ORDER BY a.position)
             FROM publications_authorship a
             LEFT JOIN publications_person pe ON pe.id = a.person_id
             WHERE a.publication_id = p.id),
            (SELECT j.title FROM publications_journal j WHERE j.id = p.journal_id)) AS names
    FROM publications_publication p
    WHERE p.id IN ({ids})
)
UPDATE publications_publication p
SET search_keywords = fresh.keywords, search_names = fresh.names
FROM fresh
WHERE p.id = fresh.id
  AND (p.search_keywords, p.search_names) IS DISTINCT FROM (fresh.keywords, fresh.names)
"""


class PersonQuerySet(models.QuerySet):
    def internal(self) -> PersonQuerySet:
        """Persons of the institution: the ones with a profile page."""
        return self.filter(is_internal=True)

    def with_publication_count(self) -> PersonQuerySet:
        """Annotates publication_count: the person's public publications (a subquery per row)."""
        from publications.models import Authorship

        counts = (
            Authorship.objects.filter(public_publications_q("publication__"), person=OuterRef("pk"))
            .order_by()
            .values("person")
            .annotate(n=Count("publication", distinct=True))
            .values("n")
        )
        return self.annotate(publication_count=Coalesce(Subquery(counts), 0))

    def for_list(self) -> PersonQuerySet:
        """Persons with their current organisations (one query) and publication counts."""
        from publications.models import Membership

        return self.with_publication_count().prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )


class OrganisationQuerySet(models.QuerySet):
    def internal(self) -> OrganisationQuerySet:
        return self.exclude(kind="external")


class JournalQuerySet(models.QuerySet):
    def with_publication_count(self) -> JournalQuerySet:
        return self.annotate(
            publication_count=Count(
                "publications", filter=public_publications_q("publications__"), distinct=True
            )
        )


def organisation_subtree_ids(root_id: int) -> list[int]:
    """The id of an organisation and of every organisation below it (one recursive query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE subtree(id) AS (
                SELECT id FROM publications_organisation WHERE id = %s
                UNION
                SELECT o.id FROM publications_organisation o JOIN subtree s ON o.parent_id = s.id
            )
            SELECT id FROM subtree
            """,
            [root_id],
        )
        return [row[0] for row in cursor.fetchall()]


def organisation_refresh_lineage(root_id: int) -> None:
    """Recompute `lineage` (own id after all ancestors' ids) for an organisation and everything
    below it, in one statement; the parent's stored lineage is taken as right."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE down(id, lineage) AS (
                SELECT o.id, COALESCE(p.lineage, '{}') || o.id
                FROM publications_organisation o
                LEFT JOIN publications_organisation p ON p.id = o.parent_id
                WHERE o.id = %s
                UNION ALL
                SELECT o.id, down.lineage || o.id
                FROM publications_organisation o JOIN down ON o.parent_id = down.id
                WHERE cardinality(down.lineage) < 64
            )
            UPDATE publications_organisation o SET lineage = down.lineage
            FROM down WHERE o.id = down.id AND o.lineage IS DISTINCT FROM down.lineage
            """,
            [root_id],
        )
