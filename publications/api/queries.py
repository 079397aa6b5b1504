"""What the API reads, as QuerySets of plain values. The rows of a page of publications are one
query: its ordered authors (with their affiliations), keywords, subject areas, status history and
links are correlated ARRAY subqueries of JSON objects, run for the page's rows alone, and reach
Python as one JSON text per row, which orjson reads. Plain values rather than model instances:
building some 3,000 instances for a page of 100 records (or decoding its ~900 JSON objects one by
one with the standard library) would take longer than the whole answer may."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Exists,
    Func,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    functions,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from publications.models import (
    Authorship,
    Journal,
    Membership,
    Organisation,
    Person,
    Publication,
    PublicationKeyword,
    PublicationLink,
    PublicationStatusEntry,
    SubjectArea,
)

PUBLICATION_FIELDS = [
    "slug",
    "title",
    "subtitle",
    "abstract",
    "output_type",
    "peer_reviewed",
    "language",
    "status",
    "date",
    "date_precision",
    "year",
    "host_title",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "number_of_pages",
    "article_number",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "conference_start",
    "conference_end",
    "doi",
    "pmid",
    "scopus_eid",
    "isbn",
    "open_access",
    "modified",
    "journal_id",
    "journal__slug",
    "journal__title",
    "journal__abbreviation",
    "journal__issn",
    "journal__eissn",
    "journal__publisher",
    "details",
]


class JSONObject(functions.JSONObject):
    """json_build_object(): JSON built as text. Django's JSONObject builds `jsonb`, a binary form
    that costs about twice as much to build and to print, for JSON that is only passed on."""

    def as_postgresql(self, compiler, connection, **extra_context):
        copy = self.copy()
        # Keys as text, as Django's own does: a key sent as a parameter has no type otherwise.
        copy.set_source_expressions(
            [
                Cast(expression, TextField()) if index % 2 == 0 else expression
                for index, expression in enumerate(copy.get_source_expressions())
            ]
        )
        return Func.as_sql(
            copy, compiler, connection, function="JSON_BUILD_OBJECT", **extra_context
        )


def json_text(expression) -> Cast:
    """An expression's value as JSON text, for orjson to read (Django would json.loads every
    element of an array of JSON objects on its own)."""
    return Cast(expression, output_field=TextField())


def json_array(subquery: ArraySubquery) -> Func:
    return Func(subquery, function="to_json", output_field=JSONField())


def subject_areas_of(model_through, owner: str) -> ArraySubquery:
    """[{code, name}] of a publication's or journal's ASJC codes, by code. The area is read by
    primary key for each code: joined, the planner hashes the whole table of 334 codes for every
    publication of the page (0.1 ms each)."""
    area = SubjectArea.objects.filter(pk=OuterRef("subjectarea_id")).order_by()
    return ArraySubquery(
        model_through.objects.filter(**{f"{owner}_id": OuterRef("pk")})
        .annotate(code=Subquery(area.values("code")))
        .order_by("code")
        .values(json=JSONObject(code="code", name=Subquery(area.values("display_name"))))
    )


class RowsByKey:
    """The `values()` rows of a queryset for some primary keys, {pk: row}, from SQL compiled once
    per process: building and compiling the ~60 nested expressions of a publication's row takes
    longer (6 to 12 ms) than running the statement for a page of 100."""

    def __init__(self, build: Callable[[], QuerySet], fields: list[str]) -> None:
        self.build, self.fields = build, fields

    @cached_property
    def statement(self) -> tuple[str, list, int]:
        """The SQL, its parameters, and where among them the primary keys go."""
        keys: list[int] = []
        queryset = self.build().filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (keys,)))
        sql, params = queryset.order_by().values("pk", *self.fields).query.sql_with_params()
        params = list(params)
        return sql, params, next(i for i, param in enumerate(params) if param is keys)

    def __call__(self, pks: list[int]) -> dict[int, dict]:
        sql, params, index = self.statement
        params = [*params[:index], list(pks), *params[index + 1 :]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def with_api_details(publications: QuerySet) -> QuerySet:
    """Annotates what a publication's JSON holds besides its own columns and its journal's."""
    affiliations = ArraySubquery(
        Authorship.affiliations.through.objects.filter(authorship_id=OuterRef("pk"))
        .order_by("organisation__name", "organisation_id")
        .values(
            json=JSONObject(
                name="organisation__name",
                slug="organisation__slug",
                kind="organisation__kind",
                ror="organisation__ror",
            )
        )
    )
    authors = ArraySubquery(
        Authorship.objects.filter(publication_id=OuterRef("pk"))
        .order_by("position")
        .values(
            json=JSONObject(
                position="position",
                name_as_printed="name_as_printed",
                role="role",
                corresponding="corresponding",
                slug="person__slug",
                given_name="person__given_name",
                family_name="person__family_name",
                initials="person__initials",
                orcid="person__orcid",
                internal="person__is_internal",
                affiliations=affiliations,
            )
        )
    )
    keywords = ArraySubquery(
        PublicationKeyword.objects.filter(publication_id=OuterRef("pk"))
        .order_by("position")
        .values("keyword__term")
    )
    status_history = ArraySubquery(
        PublicationStatusEntry.objects.filter(publication_id=OuterRef("pk"))
        .order_by("date", "pk")
        .values(json=JSONObject(status="status", date="date", precision="date_precision"))
    )
    links = ArraySubquery(
        PublicationLink.objects.filter(publication_id=OuterRef("pk"))
        .order_by("pk")
        .values(json=JSONObject(url="url", label="label"))
    )
    details = JSONObject(
        authors=authors,
        keywords=keywords,
        subject_areas=subject_areas_of(Publication.subject_areas.through, "publication"),
        status_history=status_history,
        links=links,
    )
    return publications.annotate(details=json_text(details))


# A page's publications by primary key (public ones only: a record may have been withdrawn since
# the page's keys were read).
publication_rows = RowsByKey(
    lambda: with_api_details(Publication.objects.public()), PUBLICATION_FIELDS
)


PERSON_FIELDS = [
    "slug",
    "given_name",
    "family_name",
    "initials",
    "orcid",
    "publication_count",
    "memberships_json",
]


def api_persons() -> QuerySet:
    """The institution's persons (those with a profile page; external co-authors appear only
    inside the records that name them), with their memberships and public-publication counts."""
    memberships = ArraySubquery(
        Membership.objects.filter(person_id=OuterRef("pk"))
        .order_by("organisation__name", "pk")
        .values(
            json=JSONObject(
                name="organisation__name",
                slug="organisation__slug",
                kind="organisation__kind",
                ror="organisation__ror",
                role="role",
                start_date="start_date",
                end_date="end_date",
            )
        )
    )
    return (
        Person.objects.internal()
        .public()
        .with_publication_count()
        .annotate(memberships_json=json_text(json_array(memberships)))
    )


ORGANISATION_FIELDS = ["slug", "name", "kind", "ror", "parent__slug", "parent__name"]


def api_organisations() -> QuerySet:
    """The institution's own organisations, as on /organisations/: external ones appear only as
    affiliations inside the records that name them."""
    return Organisation.objects.internal().public()


JOURNAL_FIELDS = [
    "slug",
    "title",
    "abbreviation",
    "issn",
    "eissn",
    "publisher",
    "publication_count",
    "subject_areas_json",
]


def api_journals() -> QuerySet:
    """Journals with at least one public publication: a journal known only from drafts (an
    import not yet validated, say) is not shown."""
    public_in_journal = Publication.objects.public().filter(journal_id=OuterRef("pk"))
    return (
        Journal.objects.filter(Exists(public_in_journal))
        .for_list()
        .annotate(
            subject_areas_json=json_text(
                json_array(subject_areas_of(Journal.subject_areas.through, "journal"))
            )
        )
    )


SUBJECT_AREA_FIELDS = ["code", "name", "display_name", "group", "parent__code"]


def api_subject_areas() -> QuerySet:
    """All 334 ASJC codes: a fixed, public vocabulary."""
    return SubjectArea.objects.all()
