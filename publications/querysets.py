"""Read vocabulary for the portal's pages: adjectives filter, for_<thing>() scope, with_<thing>()
prefetches, for_list()/for_detail() bundle what one page needs."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, FloatField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower
from django.db.models.query import ModelIterable

if TYPE_CHECKING:
    from publications.models import Journal, Organisation, Person, SubjectArea

PUBLIC = Q(workflow_state="validated", visibility="public")
# The same condition in SQL, for statements written by hand (alias p for the publication).
PUBLIC_SQL = "p.workflow_state = 'validated' AND p.visibility = 'public'"
SEARCH_CONFIG = "portal_english"  # migration 0004: unaccent, then English stemming
# The search columns, which no page shows: deferred where records are shown. search_vector alone
# is about 1.7 KB a record, which a page of 100 results would send for nothing (before migration
# 0025 kept it in the row, loading it also cost an out-of-line read per record).
SEARCH_COLUMNS = ("search_vector", "search_keywords", "search_names")


def public_publications_q(prefix: str) -> Q:
    """The public-publication condition seen from a related model (prefix ends in '__')."""
    return Q(**{f"{prefix}workflow_state": "validated", f"{prefix}visibility": "public"})


# for_detail(): each related list of a record as one JSON array, in its model's order. The
# subqueries name the outer table, which Django leaves unaliased in a publication query.
DETAIL_JSON = {
    "detail_keywords": (
        "publication_keywords",
        """(SELECT coalesce(jsonb_agg(jsonb_build_object('row', to_jsonb(pk), 'keyword',
                to_jsonb(k)) ORDER BY pk.position), '[]')
            FROM publications_publicationkeyword pk
            JOIN publications_keyword k ON k.id = pk.keyword_id
            WHERE pk.publication_id = publications_publication.id)""",
    ),
    "detail_subject_areas": (
        "subject_areas",
        """(SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.code), '[]')
            FROM publications_publication_subject_areas ps
            JOIN publications_subjectarea s ON s.id = ps.subjectarea_id
            WHERE ps.publication_id = publications_publication.id)""",
    ),
    "detail_status_history": (
        "status_history",
        """(SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.date, h.id), '[]')
            FROM publications_publicationstatusentry h
            WHERE h.publication_id = publications_publication.id)""",
    ),
    "detail_links": (
        "links",
        """(SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.id), '[]')
            FROM publications_publicationlink l
            WHERE l.publication_id = publications_publication.id)""",
    ),
}
AFFILIATIONS_JSON = """(SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.name, o.id), '[]')
    FROM publications_authorship_affiliations aa
    JOIN publications_organisation o ON o.id = aa.organisation_id
    WHERE aa.authorship_id = publications_authorship.id)"""


def from_json(model: type[models.Model], row: dict) -> models.Model:
    """A model instance, as loaded from the database, from its row as to_jsonb() gives it."""
    instance = model(
        **{
            field.attname: field.to_python(row.get(field.column))
            for field in model._meta.concrete_fields
            if not field.generated
        }
    )
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def set_prefetched(instance: models.Model, name: str, rows: list) -> None:
    """Stores rows as Django's prefetch_related would: a queryset already evaluated, so
    instance.<name>.all(), .count() and .exists() answer from it."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    queryset = getattr(instance, name).all()  # lazy: no query
    queryset._result_cache = rows
    queryset._prefetch_done = True
    cache[name] = queryset


class DetailIterable(ModelIterable):
    """Publications whose related lists come as JSON (for_detail) get them as if prefetched."""

    def __iter__(self):
        from publications.models import (
            Keyword,
            PublicationKeyword,
            PublicationLink,
            PublicationStatusEntry,
            SubjectArea,
        )

        models_of = {
            "detail_subject_areas": SubjectArea,
            "detail_status_history": PublicationStatusEntry,
            "detail_links": PublicationLink,
        }
        for publication in super().__iter__():
            entries = []
            for item in publication.__dict__.pop("detail_keywords"):
                entry = from_json(PublicationKeyword, item["row"])
                entry.keyword = from_json(Keyword, item["keyword"])
                entries.append(entry)
            set_prefetched(publication, "publication_keywords", entries)
            for name, model in models_of.items():
                rows = [from_json(model, row) for row in publication.__dict__.pop(name)]
                set_prefetched(publication, DETAIL_JSON[name][0], rows)
            yield publication


class AuthorshipDetailIterable(ModelIterable):
    """Authorships whose affiliations come as JSON get them as if prefetched."""

    def __iter__(self):
        from publications.models import Organisation

        for authorship in super().__iter__():
            rows = authorship.__dict__.pop("detail_affiliations")
            set_prefetched(authorship, "affiliations", [from_json(Organisation, r) for r in rows])
            yield authorship


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

    def for_results(self, authors: int) -> PublicationQuerySet:
        """What a result list shows: journal (joined), the first `authors` authors in order as
        `first_authorships` (one query however long the author list: a few records have
        thousands) and the number of all of them (`author_total`)."""
        from publications.models import Authorship

        total = (
            Authorship.objects.filter(publication=models.OuterRef("pk"))
            .order_by()
            .values("publication")
            .annotate(n=Count("pk"))
            .values("n")
        )
        first = Authorship.objects.select_related("person").order_by("position")[:authors]
        return (
            self.select_related("journal")
            .defer(*SEARCH_COLUMNS)
            .annotate(author_total=Coalesce(Subquery(total), 0))
            .prefetch_related(Prefetch("authorships", queryset=first, to_attr="first_authorships"))
        )

    def for_detail(self) -> PublicationQuerySet:
        """Everything the record page and the exports show, in two queries: the record with
        its journal and, as JSON, its keywords, subject areas, status history and links; then
        its authors with their persons and, as JSON, their affiliations. The related lists are
        read through the usual managers (publication.links.all()), which find them loaded."""
        from publications.models import Authorship

        queryset = (
            self.select_related("journal")
            .defer(*SEARCH_COLUMNS)
            .annotate(
                **{
                    name: RawSQL(sql, [], output_field=models.JSONField())
                    for name, (_, sql) in DETAIL_JSON.items()
                }
            )
        )
        queryset._iterable_class = DetailIterable
        authorships = Authorship.objects.select_related("person").annotate(
            detail_affiliations=RawSQL(AFFILIATIONS_JSON, [], output_field=models.JSONField())
        )
        authorships._iterable_class = AuthorshipDetailIterable
        return queryset.prefetch_related(
            Prefetch("authorships", queryset=authorships.order_by("position"))
        )

    def search(self, query: str) -> PublicationQuerySet:
        """Full-text search in web-search syntax ("phrase", OR, -word), accent-insensitive and
        stemmed; annotates `rank` (title hits weigh most). A pasted DOI finds its record."""
        from publications.validators import DOI_RE, normalise_doi

        doi = normalise_doi(query)
        if DOI_RE.match(doi):
            return self.filter(doi=doi).ranked(query)
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return self.filter(search_vector=search_query).ranked(query)

    def ranked(self, query: str) -> PublicationQuerySet:
        """Annotates `rank`, the relevance of each record to the search, without filtering."""
        from publications.validators import DOI_RE, normalise_doi

        if DOI_RE.match(normalise_doi(query)):
            # Cast: a bare constant is not allowed in ORDER BY.
            return self.annotate(rank=Cast(Value(1.0), FloatField()))
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return self.annotate(
            rank=SearchRank(F("search_vector"), search_query, normalization=Value(1))
        )

    def in_years(self, start: int | None, end: int | None) -> PublicationQuerySet:
        """Published in the years, as a range of dates (the year is the date's): the sorted
        listings' indexes then start at the range instead of reading every newer record."""
        if start is not None:
            self = self.filter(date__gte=datetime.date(start, 1, 1))
        if end is not None:
            self = self.filter(date__lt=datetime.date(end + 1, 1, 1))
        return self

    def in_subject_codes(self, codes: list[int]) -> PublicationQuerySet:
        """In any of the ASJC codes; an xx00 area code includes its codes (2400 → 2403)."""
        from publications.models import Publication

        wanted: set[int] = set()
        for code in codes:
            wanted.update(range(code, code + 100) if code % 100 == 0 else [code])
        through = Publication.subject_areas.through
        return self.filter(
            Exists(
                through.objects.filter(
                    publication_id=OuterRef("pk"), subjectarea__code__in=sorted(wanted)
                )
            )
        )

    def in_journals(self, slugs: list[str]) -> PublicationQuerySet:
        return self.filter(journal__slug__in=slugs)

    def by_persons(self, slugs: list[str]) -> PublicationQuerySet:
        """With any of the persons (by slug) among the authors."""
        from publications.models import Authorship

        return self.filter(
            Exists(Authorship.objects.filter(publication=OuterRef("pk"), person__slug__in=slugs))
        )

    def in_organisations(self, slugs: list[str]) -> PublicationQuerySet:
        """With an author affiliated with any of the organisations or their sub-organisations
        (through Organisation.lineage, GIN-indexed)."""
        from publications.models import Authorship, Organisation

        through = Authorship.affiliations.through
        ids = ArraySubquery(Organisation.objects.filter(slug__in=slugs).values("pk"))
        return self.filter(
            Exists(
                through.objects.filter(
                    authorship__publication=OuterRef("pk"), organisation__lineage__overlap=ids
                )
            )
        )

    def with_concepts(self, slugs: list[str]) -> PublicationQuerySet:
        """Whose fingerprint has any of these concepts."""
        from publications.fingerprints.models import PublicationConcept

        return self.filter(
            Exists(
                PublicationConcept.objects.filter(
                    publication_id=OuterRef("pk"), concept__slug__in=slugs
                )
            )
        )

    def with_keywords(self, terms: list[str]) -> PublicationQuerySet:
        """With any of the keywords (case-insensitive)."""
        from publications.models import PublicationKeyword

        lowered = sorted({term.lower() for term in terms})
        return self.filter(
            Exists(
                PublicationKeyword.objects.alias(term_lower=Lower("keyword__term")).filter(
                    publication=OuterRef("pk"), term_lower__in=lowered
                )
            )
        )

    def with_doi(self, has_doi: bool = True) -> PublicationQuerySet:
        return self.exclude(doi="") if has_doi else self.filter(doi="")

    def open_access_in(self, values: list[str]) -> PublicationQuerySet:
        """Open-access status in the values; "true" means any open access, "false" none."""
        from publications.models import OPEN_ACCESS_STATES

        wanted: set[str] = set()
        for value in values:
            if value == "true":
                wanted.update(OPEN_ACCESS_STATES)
            elif value == "false":
                wanted.update({"closed", "unknown"})
            else:
                wanted.add(value)
        return self.filter(open_access__in=sorted(wanted))

    def for_person(self, person: Person) -> PublicationQuerySet:
        """With the person among the authors (a semi-join: no duplicates, no DISTINCT). As
        `id IN (the person's publication ids)`, which PostgreSQL starts from the person's rows
        of authorship_person_pub_idx; the correlated EXISTS it replaces was run against every
        publication (5.3 s for a profile of 5,000 outputs among 1,000,000, now 1.8 s)."""
        from publications.models import Authorship

        return self.filter(pk__in=Authorship.objects.filter(person=person).values("publication_id"))

    def for_organisation(self, organisation: Organisation) -> PublicationQuerySet:
        """With an author affiliated, at the time, with the organisation or any unit below it;
        found through the GIN-indexed lineage, with no query to collect the units first."""
        from publications.models import Authorship

        through = Authorship.affiliations.through
        return self.filter(
            Exists(
                through.objects.filter(
                    authorship__publication=OuterRef("pk"),
                    organisation__lineage__contains=[organisation.pk],
                )
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

    def public(self) -> PersonQuerySet:
        """The institution's own people (known from it, whatever their output), and others
        with a membership or a public publication. An outside author of drafts alone is shown
        nowhere. So only the person, memberships and public records decide it, never a draft
        (migration 0017 moves the data version by that)."""
        from publications.models import Authorship, Membership

        return self.filter(
            Q(is_internal=True)
            | Exists(Membership.objects.filter(person=OuterRef("pk")))
            | Exists(
                Authorship.objects.filter(
                    public_publications_q("publication__"), person=OuterRef("pk")
                )
            )
        )

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

    def alphabetical(self) -> PersonQuerySet:
        """By family name, then given name, accents and case ignored ("Ábel" before "Baker")."""
        from publications.models import unaccented_lower

        return self.order_by(unaccented_lower("family_name"), unaccented_lower("given_name"), "pk")

    def with_initial(self, letter: str) -> PersonQuerySet:
        """Family names starting with the letter, accents ignored ("Ødegaard" is under O)."""
        from publications.models import unaccented_lower

        return self.alias(family_key=unaccented_lower("family_name")).filter(
            family_key__startswith=letter.lower()
        )

    def in_organisation(self, organisation: Organisation) -> PersonQuerySet:
        """Members of the organisation or of any unit below it (the GIN-indexed lineage)."""
        from publications.models import Membership

        return self.filter(
            models.Exists(
                Membership.objects.filter(
                    person=models.OuterRef("pk"), organisation__lineage__contains=[organisation.pk]
                )
            )
        )

    def search(self, text: str) -> PersonQuerySet:
        """Persons with every word of the text in their given, family or variant names, accents
        and case ignored, or with a family name close to the word (trigram similarity: typos);
        annotates `name_match` and orders by it, best first."""
        from django.contrib.postgres.search import TrigramSimilarity

        from publications.models import PersonNameVariant, unaccented_lower

        words = search_words(text)
        if not words:
            return self
        queryset = self.alias(
            family_key=unaccented_lower("family_name"), given_key=unaccented_lower("given_name")
        )
        name_match = models.Value(0.0, output_field=models.FloatField())
        for word in words:
            key = unaccented_lower_value(word)
            variants = PersonNameVariant.objects.alias(key=unaccented_lower("name")).filter(
                person=models.OuterRef("pk"), key__contains=key
            )
            condition = Q(family_key__contains=key) | Q(given_key__contains=key)
            condition |= models.Exists(variants)
            if len(word) >= 3:  # shorter words share too few trigrams to say anything
                condition |= Q(family_key__trigram_similar=key)
            queryset = queryset.filter(condition)
            name_match = name_match + models.functions.Greatest(
                TrigramSimilarity(F("family_key"), key), TrigramSimilarity(F("given_key"), key)
            )
        return queryset.annotate(name_match=name_match).order_by(
            "-name_match", "family_key", "given_key", "pk"
        )

    def top_co_authors(self, person: Person, limit: int) -> list[Person]:
        """The `limit` persons who share the most public publications with the person (then by
        name), each with `shared_count` and `total` (how many co-authors in all). One statement,
        which joins persons only to the co-authors at or above the limit's count: a person with
        5,000 outputs has 30,000 co-authors, and joining them all to persons took 400 ms. The
        co-authors of each publication are read from its facet ids (models.PublicationFacetIds,
        distinct persons), one narrow row instead of its authorships."""
        sql = f"""
            WITH co AS (
                SELECT co_author.id AS person_id, count(*) AS shared_count
                FROM publications_publicationfacetids f
                CROSS JOIN LATERAL unnest(f.persons) AS co_author (id)
                WHERE f.publication_id IN (
                    SELECT mine.publication_id FROM publications_authorship mine
                    JOIN publications_publication p ON p.id = mine.publication_id
                    WHERE mine.person_id = %s AND {PUBLIC_SQL}
                ) AND co_author.id <> %s
                GROUP BY co_author.id
            ), cut AS (
                SELECT shared_count FROM co ORDER BY shared_count DESC OFFSET %s LIMIT 1
            )
            SELECT pe.*, co.shared_count, (SELECT count(*) FROM co) AS total
            FROM co JOIN publications_person pe ON pe.id = co.person_id
            WHERE co.shared_count >= coalesce((SELECT shared_count FROM cut), 0)
            ORDER BY co.shared_count DESC, pe.family_name, pe.given_name, pe.id
            LIMIT %s
        """
        return list(self.model.objects.raw(sql, [person.pk, person.pk, limit - 1, limit]))


class OrganisationQuerySet(models.QuerySet):
    def internal(self) -> OrganisationQuerySet:
        return self.exclude(kind="external")

    def public(self) -> OrganisationQuerySet:
        """The institution's own units (its structure, whatever their output), and other
        organisations with members, units below them, or an author of a public publication. A
        partner named only as the affiliation of drafts, or with none of these yet, is shown
        nowhere. So only the organisation tree, memberships and public records decide it, never
        a draft (migration 0017 moves the data version by that)."""
        from publications.models import Authorship, Membership, Organisation

        affiliations = Authorship.affiliations.through.objects.filter(organisation=OuterRef("pk"))
        return self.filter(
            ~Q(kind="external")
            | Exists(Membership.objects.filter(organisation=OuterRef("pk")))
            | Exists(Organisation.objects.filter(parent=OuterRef("pk")))
            | Exists(affiliations.filter(public_publications_q("authorship__publication__")))
        )

    def around(self, organisation: Organisation) -> OrganisationQuerySet:
        """The organisation's ancestors (at any depth, from its lineage) and its direct units, in
        one query: the breadcrumb and the units of an organisation's page."""
        return self.filter(
            Q(pk__in=organisation.lineage[:-1]) | Q(parent_id=organisation.pk)
        ).order_by("name", "pk")


class JournalQuerySet(models.QuerySet):
    def public(self) -> JournalQuerySet:
        """Journals with a public publication, as the API lists them: one of drafts alone, or
        of none yet (a journal an import or a librarian just added), is shown nowhere. So only
        public records decide it, and adding a journal changes no public page (migration 0017)."""
        from publications.models import Publication

        return self.filter(Exists(Publication.objects.filter(PUBLIC, journal=OuterRef("pk"))))

    def with_publication_count(self) -> JournalQuerySet:
        return self.annotate(
            publication_count=Count(
                "publications", filter=public_publications_q("publications__"), distinct=True
            )
        )

    def for_list(self) -> JournalQuerySet:
        """Annotates `publication_count`, public publications, with a subquery per row: a page of
        journals counts only its own journals' publications."""
        from publications.models import Publication

        counts = (
            Publication.objects.public()
            .filter(journal=models.OuterRef("pk"))
            .order_by()
            .values("journal")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(publication_count=Coalesce(Subquery(counts), 0))

    def alphabetical(self) -> JournalQuerySet:
        """By title, case ignored (the index journal_title_lower_idx serves it)."""
        return self.order_by(models.functions.Lower("title"), "pk")

    def search(self, text: str) -> JournalQuerySet:
        """An ISSN (print or electronic, with or without its hyphen) finds its journal; otherwise
        every word must be in the title, accents and case ignored, or close to a word of it
        (trigram word similarity: typos); annotates `title_match` and orders by it, best first."""
        from django.contrib.postgres.search import TrigramWordSimilarity

        from publications.models import unaccented_lower
        from publications.validators import ISSN_RE, normalise_issn

        issn = normalise_issn(text)
        if ISSN_RE.match(issn):
            return self.filter(Q(issn=issn) | Q(eissn=issn))
        words = search_words(text)
        if not words:
            return self
        queryset = self.alias(title_key=unaccented_lower("title"))
        title_match = models.Value(0.0, output_field=models.FloatField())
        for word in words:
            key = unaccented_lower_value(word)
            condition = Q(title_key__contains=key)
            if len(word) >= 3:  # shorter words share too few trigrams to say anything
                condition |= Q(title_key__trigram_word_similar=key)
            queryset = queryset.filter(condition)
            title_match = title_match + TrigramWordSimilarity(key, F("title_key"))
        return queryset.annotate(title_match=title_match).order_by(
            "-title_match", models.functions.Lower("title"), "pk"
        )

    def for_person(self, person: Person) -> JournalQuerySet:
        """Journals the person has public publications in, annotated `person_publication_count`,
        most first (one aggregate query)."""
        from publications.models import Publication

        theirs = Publication.objects.public().filter(authorships__person=person).values("pk")
        return (
            self.filter(publications__in=theirs)
            .annotate(person_publication_count=Count("publications", distinct=True))
            .order_by("-person_publication_count", models.functions.Lower("title"), "pk")
        )

    def with_total(self) -> JournalQuerySet:
        """Annotates `total`, the number of rows of the whole queryset, so that a slice also tells
        how many there are in all (a window function: no second query)."""
        return self.annotate(total=models.Window(Count("pk")))


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


# Entity pages (persons, organisations, journals, subject areas, home).


def unaccented_lower_value(text: str) -> models.Func:
    """portal_unaccent(lower(text)) of a search term, to compare with unaccented_lower(field):
    both sides folded by the same SQL function, so "Ghézzi" and "GHEZZI" meet."""
    return models.Func(
        models.functions.Lower(models.Value(text)),
        function="portal_unaccent",
        output_field=models.TextField(),
    )


SEARCH_WORD_RE = re.compile(r"\w+(?:['’.-]\w+)*")
MAX_SEARCH_WORDS = 8


def search_words(text: str) -> list[str]:
    """The words of a name or title search, punctuation and quotes left out ("O'Brien" and
    "Jean-Pierre" stay whole); at most MAX_SEARCH_WORDS of them."""
    return SEARCH_WORD_RE.findall(text)[:MAX_SEARCH_WORDS]


def publication_year_counts(publications: models.QuerySet) -> list[tuple[int | None, int]]:
    """(year, number) of the given publications, oldest first, undated (None) last; one query."""
    rows = publications.order_by().values_list("year").annotate(n=Count("pk", distinct=True))
    return oldest_first(rows)


def oldest_first(rows) -> list[tuple[int | None, int]]:
    """(year, number) rows oldest first, the undated (None) last: as the year charts show them."""
    return sorted(rows, key=lambda row: (row[0] is None, row[0] or 0))


# Rows of CollectionCount past one per key before collection_counts() folds them.
FOLD_AFTER = 10_000
FOLD_LOCK = 0x706F7274616C0001  # "portal" and 1: the advisory lock of fold_collection_counts


def collection_counts(kinds: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """The public publications per key of each kind of models.CollectionCount ("unit", "code",
    "area", "group", "journal", "all"), the keys without any left out: the running sums the
    triggers of migrations 0020 and 0021 keep. Once the rows exceed a row per key by FOLD_AFTER,
    they are folded into one per key (by one visitor at a time, without waiting for anyone: the
    others read the sums as they are)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, key, sum(n)::bigint, count(*) FROM publications_collectioncount "
            "WHERE kind = ANY(%s) GROUP BY kind, key",
            [list(kinds)],
        )
        rows = cursor.fetchall()
    counts: dict[str, dict[str, int]] = {kind: {} for kind in kinds}
    for kind, key, n, _ in rows:
        if n:
            counts[kind][key] = n
    if sum(piled for *_, piled in rows) - len(rows) > FOLD_AFTER:
        fold_collection_counts()
    return counts


def collection_years(kind: str, key: str) -> list[tuple[int | None, int]]:
    """(year, number) of the public publications of one key of a "-year" kind of
    CollectionCount ("unit-year" and an organisation's id, say), as publication_year_counts()
    gives them for the same publications: oldest first, undated (None) last."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT year, sum(n)::bigint FROM publications_collectioncount "
            "WHERE kind = %s AND key = %s GROUP BY year HAVING sum(n) <> 0",
            [kind, key],
        )
        return oldest_first(cursor.fetchall())


def fold_collection_counts() -> bool:
    """Folds CollectionCount's rows into one per key, unless another process is doing so; True
    if this one did. The sums read meanwhile are the same before and after."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT portal_collection_counts_compact()")
    return True


def public_publication_count() -> int:
    """The public publications, from CollectionCount's "all" kind (migration 0021): the
    unfiltered total of the listing and of the API."""
    return collection_counts(("all",))["all"].get("", 0)


def public_publication_totals() -> tuple[int, int]:
    """(public publications, journals with one or more of them), from CollectionCount (the
    "all" and "journal" kinds of migration 0021)."""
    counts = collection_counts(("all", "journal"))
    return counts["all"].get("", 0), len(counts["journal"])


def organisation_publication_counts() -> dict[int, int]:
    """Public publications per organisation id, each including those of every unit below it, as
    organisation_publications() selects them (CollectionCount)."""
    units = collection_counts(("unit",))["unit"]
    return {int(key): n for key, n in units.items()}


class SubjectCounts:
    """Public publications per ASJC code, per two-digit area (2400 counts 2403's) and per group;
    a publication counts once in each."""

    def __init__(self, codes: dict[int, int], areas: dict[int, int], groups: dict[str, int]):
        self.codes, self.areas, self.groups = codes, areas, groups


def subject_publication_counts() -> SubjectCounts:
    """Public publications per ASJC code, area and group (CollectionCount)."""
    counts = collection_counts(("code", "area", "group"))
    return SubjectCounts(
        codes={int(code): n for code, n in counts["code"].items()},
        areas={int(area): n for area, n in counts["area"].items()},
        groups=counts["group"],
    )
