"""Facets beside a listing: for each filter, its values and exact counts under every active filter
except its own, so a reader sees the alternatives. All facets are one SQL statement (UNION ALL).

A facet option's link applies that value alone to its filter (keeping every other filter), so the
count shown is exactly the number of results the link yields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, CharField, Count, F, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import QueryDict

from publications.filters import OPEN_ACCESS_CHOICES, TRUE_FALSE, PublicationFilterSet
from publications.models import (
    LANGUAGE_CHOICES,
    Authorship,
    OutputType,
    Publication,
    PublicationConcept,
    PublicationKeyword,
    PublicationStatus,
)

TOP = 10  # options shown before "Show all"
ALL = 200  # options shown after it


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    url: str
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)
    has_more: bool = False
    expanded: bool = False
    more_url: str = ""
    fewer_url: str = ""

    @property
    def max_count(self) -> int:
        return max((option.count for option in self.options), default=0)


@dataclass(frozen=True)
class FacetSpec:
    name: str
    label: str
    params: tuple[str, ...]  # the query-string names this facet's own filter uses
    rows: Callable[[QuerySet, list[str], int], tuple[str, list]]  # SQL of (value, label, n)
    labels: dict[str, str] | None = None
    ordered_by_value: bool = False


def compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def selected_first(selected: list[str]):
    """Selected values sort first, so they are shown even when outside the top options."""
    return Case(When(value__in=selected or [""], then=Value(0)), default=Value(1))


def column_rows(column, *, null_excluded: bool = True):
    def rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
        queryset = Publication.objects.filter(pk__in=ids)
        if null_excluded and isinstance(column, str):
            queryset = queryset.exclude(**{f"{column}__isnull": True})
        expression = F(column) if isinstance(column, str) else column
        return compiled(
            queryset.annotate(value=Cast(expression, TextField()), label=Value(""))
            .values("value", "label")
            .annotate(n=Count("pk"), first=selected_first(selected))
            .order_by("first", "-n", "value")[:limit]
        )

    return rows


def year_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    return compiled(
        Publication.objects.filter(pk__in=ids, year__isnull=False)
        .annotate(value=Cast("year", TextField()), label=Value(""))
        .values("value", "label")
        .annotate(n=Count("pk"))
        .order_by("value")
    )


def journal_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    return compiled(
        Publication.objects.filter(pk__in=ids, journal__isnull=False)
        .annotate(value=F("journal__slug"), label=F("journal__title"))
        .values("value", "label")
        .annotate(n=Count("pk"), first=selected_first(selected))
        .order_by("first", "-n", "label")[:limit]
    )


def subject_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    """The 27 two-digit areas; an area counts a publication in any of its codes, as the filter
    for that area code does."""
    through = Publication.subject_areas.through
    return compiled(
        through.objects.filter(publication_id__in=ids)
        .annotate(
            value=Cast(Coalesce("subjectarea__parent__code", "subjectarea__code"), TextField()),
            label=Coalesce("subjectarea__parent__display_name", "subjectarea__display_name"),
        )
        .values("value", "label")
        .annotate(n=Count("publication_id", distinct=True), first=selected_first(selected))
        .order_by("first", "-n", "label")[:limit]
    )


def person_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    return compiled(
        Authorship.objects.filter(publication_id__in=ids, person__is_internal=True)
        .annotate(
            value=F("person__slug"),
            label=Concat(
                "person__family_name", Value(", "), "person__given_name", output_field=CharField()
            ),
        )
        .values("value", "label")
        .annotate(n=Count("publication_id", distinct=True), first=selected_first(selected))
        .order_by("first", "-n", "label")[:limit]
    )


def ranked(rows: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    """Rows annotated with `value` and `label`: one per value with its number of publications,
    the selected values first, then the most frequent."""
    return compiled(
        rows.values("value", "label")
        .annotate(n=Count("publication_id", distinct=True), first=selected_first(selected))
        .order_by("first", "-n", "label")[:limit]
    )


def keyword_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    return ranked(
        PublicationKeyword.objects.filter(publication_id__in=ids).annotate(
            value=F("keyword__term"), label=F("keyword__term")
        ),
        selected,
        limit,
    )


def concept_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    return ranked(
        PublicationConcept.objects.filter(publication_id__in=ids).annotate(
            value=F("concept__slug"), label=F("concept__label")
        ),
        selected,
        limit,
    )


def organisation_rows(ids: QuerySet, selected: list[str], limit: int) -> tuple[str, list]:
    """Internal organisations; one counts a publication with an author affiliated with it or with
    any organisation below it (through lineage), as the organisation filter does."""
    ids_sql, ids_params = compiled(ids)
    sql = f"""
        SELECT o.slug AS value, o.name AS label, count(DISTINCT x.publication_id) AS n
        FROM (
            SELECT DISTINCT a.publication_id, unnest(org.lineage) AS organisation_id
            FROM publications_authorship a
            JOIN publications_authorship_affiliations aa ON aa.authorship_id = a.id
            JOIN publications_organisation org ON org.id = aa.organisation_id
            WHERE a.publication_id IN ({ids_sql})
        ) x
        JOIN publications_organisation o ON o.id = x.organisation_id
        WHERE o.kind <> 'external'
        GROUP BY o.slug, o.name
        ORDER BY (o.slug = ANY(%s)) DESC, n DESC, o.name
        LIMIT %s
    """
    return sql, [*ids_params, selected, limit]


def label_map(choices: Iterable) -> dict[str, str]:
    labels = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            labels.update({str(v): str(name) for v, name in label})
        else:
            labels[str(value)] = str(label)
    return labels


FACETS = (
    FacetSpec("year", "Year", ("year_from", "year_to"), year_rows, ordered_by_value=True),
    FacetSpec("type", "Type", ("type",), column_rows("output_type"), label_map(OutputType.choices)),
    FacetSpec(
        "peer_reviewed",
        "Peer-reviewed",
        ("peer_reviewed",),
        column_rows(Case(When(peer_reviewed=True, then=Value("true")), default=Value("false"))),
        label_map(TRUE_FALSE),
    ),
    FacetSpec(
        "status",
        "Publication status",
        ("status",),
        column_rows("status"),
        label_map(PublicationStatus.choices),
    ),
    FacetSpec("subject", "Subject area", ("subject",), subject_rows),
    FacetSpec("journal", "Journal", ("journal",), journal_rows),
    FacetSpec("person", "Person", ("person",), person_rows),
    FacetSpec("organisation", "Organisation", ("organisation",), organisation_rows),
    FacetSpec("keyword", "Keyword", ("keyword",), keyword_rows),
    FacetSpec("concept", "Concept", ("concept",), concept_rows),
    FacetSpec(
        "language", "Language", ("language",), column_rows("language"), label_map(LANGUAGE_CHOICES)
    ),
    FacetSpec(
        "open_access",
        "Access",
        ("open_access",),
        column_rows("open_access"),
        label_map(OPEN_ACCESS_CHOICES),
    ),
    FacetSpec(
        "has_doi",
        "DOI",
        ("has_doi",),
        column_rows(Case(When(doi="", then=Value("false")), default=Value("true"))),
        {"true": "Has a DOI", "false": "No DOI"},
    ),
)


def url_with(data: QueryDict, **changes: list[str] | str | None) -> str:
    """The listing's query string with some names replaced or removed (None), page reset."""
    query = data.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is None:
            continue
        query.setlist(name, [value] if isinstance(value, str) else value)
    return "?" + query.urlencode() if query else "?"


def compute_facets(
    data: QueryDict,
    base: QuerySet,
    *,
    hidden: Iterable[str] = (),
    expanded: str = "",
) -> list[Facet]:
    """Every facet (but the hidden ones) for the listing of `base` filtered by `data`: one query."""
    specs = [spec for spec in FACETS if spec.name not in set(hidden)]
    parts, params = [], []
    for spec in specs:
        own_removed = data.copy()
        for name in (*spec.params, "page"):
            own_removed.pop(name, None)
        ids = PublicationFilterSet(own_removed, queryset=base).qs.order_by().values("pk")
        selected = selected_values(data, spec)
        limit = ALL if spec.name == expanded else TOP + 1
        sql, sql_params = spec.rows(ids, selected, limit)
        parts.append(
            f"(SELECT %s AS facet, sub.value::text, sub.label::text, sub.n FROM ({sql}) sub)"
        )
        params.extend([spec.name, *sql_params])
    rows: dict[str, list[tuple[str, str, int]]] = {spec.name: [] for spec in specs}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for facet, value, label, n in cursor.fetchall():
                rows[facet].append((value, label, n))
    return [build_facet(spec, rows[spec.name], data, expanded) for spec in specs]


def selected_values(data: QueryDict, spec: FacetSpec) -> list[str]:
    if spec.name == "year":
        start, end = data.get("year_from"), data.get("year_to")
        return [start] if start and start == end else []
    return [value for value in data.getlist(spec.params[0]) if value]


def build_facet(spec: FacetSpec, rows, data: QueryDict, expanded: str) -> Facet:
    selected = selected_values(data, spec)
    limit = len(rows) if spec.ordered_by_value or spec.name == expanded else TOP
    facet = Facet(
        name=spec.name,
        label=spec.label,
        has_more=not spec.ordered_by_value and spec.name != expanded and len(rows) > TOP,
        expanded=spec.name == expanded,
        more_url=url_with(data, more=spec.name),
        fewer_url=url_with(data, more=None),
    )
    for value, label, n in rows[:limit]:
        if spec.name == "year":
            url = url_with(data, year_from=value, year_to=value, more=None)
        else:
            url = url_with(data, **{spec.params[0]: value})
        facet.options.append(
            FacetOption(
                value=value,
                label=(spec.labels or {}).get(value, label or value),
                count=n,
                url=url,
                selected=value in selected
                or (spec.name == "keyword" and value.lower() in {s.lower() for s in selected}),
            )
        )
    return facet
