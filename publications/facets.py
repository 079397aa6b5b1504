"""Facets beside a listing: for each filter, its values and counts under every active filter
except its own, so a reader sees the alternatives. All facets are one SQL statement: each
distinct set of publications they count (the results, and the results without one active
filter) is a materialised CTE computed once, then every facet groups its set (UNION ALL).

A facet option's link applies that value alone to its filter (keeping every other filter), so the
count shown is the number of results the link yields: exactly when the set counted holds at most
counting.EXACT_LIMIT publications, and otherwise estimated from a fixed sample of the set and
marked as approximate (publications.counting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict

from publications import counting
from publications.filters import OPEN_ACCESS_CHOICES, TRUE_FALSE, PublicationFilterSet
from publications.models import (
    LANGUAGE_CHOICES,
    OutputType,
    PublicationStatus,
)

TOP = 10  # options shown before "Show all"
ALL = 200  # options shown after it
PERSON_CANDIDATES = 1000  # the most frequent authors of a set, of whom the internal are shown


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
    approximate: bool = False  # counts estimated from a sample (publications.counting)
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
    # SQL of rows (value, label, n) counting the publications of a set (the CTE named), given
    # the selected values and how many rows to return.
    rows: Callable[[str, list[str], int], tuple[str, list]]
    labels: dict[str, str] | None = None
    ordered_by_value: bool = False


# What each set of publications holds (a materialised CTE): the ids, the columns the column
# facets count and the facet ids of each publication (models.PublicationFacetIds), so that no
# facet reads the authorship, affiliation, keyword or subject-area rows of the set.
SET_FIELDS = (
    "pk", "year", "output_type", "peer_reviewed", "status", "journal_id", "language",
    "open_access", "doi",
)  # fmt: skip
SET_SELECT = """SELECT pk, year, output_type, status, journal_id, language, open_access,
    CASE WHEN peer_reviewed THEN 'true' ELSE 'false' END AS peer_reviewed,
    CASE WHEN doi = '' THEN 'false' ELSE 'true' END AS has_doi"""
# The facet ids, read only for a set that a facet of persons, organisations, keywords or
# subject areas counts (a set without the type filter is counted by the type facet alone).
SET_IDS = ", f.persons, f.organisations, f.keywords, f.subject_areas"
SET_FROM = "LEFT JOIN publications_publicationfacetids f ON f.publication_id = found.pk"
FACETS_OF_IDS = {"subject", "person", "organisation", "keyword"}


def top(sql: str, params: list, selected: list[str], limit: int, order: str = "label"):
    """The rows (value, label, n) of `sql`: the selected values first (so they are shown even
    when outside the top), then the most frequent, then by `order`."""
    return (
        f"""SELECT value, label, n FROM ({sql}) f
            ORDER BY (value = ANY(%s)) DESC, n DESC, {order} LIMIT %s""",
        [*params, selected, limit],
    )


def column_rows(column: str):
    def rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
        sql = f"""SELECT {column}::text AS value, '' AS label, count(*) AS n FROM {cte}
                  WHERE {column} IS NOT NULL GROUP BY {column}"""
        return top(sql, [], selected, limit, order="value")

    return rows


def year_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    return (
        f"""SELECT year::text AS value, '' AS label, count(*) AS n FROM {cte}
            WHERE year IS NOT NULL GROUP BY year ORDER BY year""",
        [],
    )


def journal_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    """Counted per journal id, then the journals of the counts joined."""
    sql = f"""SELECT j.slug AS value, j.title AS label, x.n
              FROM (SELECT journal_id, count(*) AS n FROM {cte}
                    WHERE journal_id IS NOT NULL GROUP BY journal_id) x
              JOIN publications_journal j ON j.id = x.journal_id"""
    return top(sql, [], selected, limit)


def subject_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    """The 27 two-digit areas; an area counts a publication in any of its codes, as the filter
    for that area code does."""
    sql = f"""SELECT a.code::text AS value, a.display_name AS label, x.n
              FROM (SELECT area_id, count(*) AS n
                    FROM (SELECT DISTINCT c.pk, coalesce(s.parent_id, s.id) AS area_id
                          FROM {cte} c CROSS JOIN LATERAL unnest(c.subject_areas) AS area (id)
                          JOIN publications_subjectarea s ON s.id = area.id) d
                    GROUP BY area_id) x
              JOIN publications_subjectarea a ON a.id = x.area_id"""
    return top(sql, [], selected, limit)


def person_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    """Internal persons by their number of publications. Counted per person id, and only the
    PERSON_CANDIDATES most frequent (and the selected) are joined to persons: PostgreSQL would
    otherwise read every person to join thousands of counts, or walk all persons in name order
    hoping to stop early (a plan that took minutes on a million records). Of persons tied at the
    cut, those with the lower ids are kept."""
    sql = f"""SELECT pe.slug AS value, concat(pe.family_name, ', ', pe.given_name) AS label, x.n
              FROM (SELECT author.id AS person_id, count(*) AS n
                    FROM {cte} c CROSS JOIN LATERAL unnest(c.persons) AS author (id)
                    GROUP BY author.id
                    ORDER BY author.id IN (SELECT id FROM publications_person
                                           WHERE slug = ANY(%s)) DESC,
                             n DESC, author.id
                    LIMIT %s) x
              JOIN publications_person pe ON pe.id = x.person_id
              WHERE pe.is_internal"""
    return top(sql, [selected, PERSON_CANDIDATES], selected, limit)


def keyword_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    # Counted per id (a row's ids are distinct, and terms are unique), then named.
    sql = f"""SELECT k.term AS value, k.term AS label, x.n
              FROM (SELECT keyword.id, count(*) AS n
                    FROM {cte} c CROSS JOIN LATERAL unnest(c.keywords) AS keyword (id)
                    GROUP BY keyword.id) x
              JOIN publications_keyword k ON k.id = x.id"""
    return top(sql, [], selected, limit)


def concept_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    # Counted per concept id (a publication has a concept once), then named.
    sql = f"""SELECT c.slug AS value, c.label AS label, x.n
              FROM (SELECT pc.concept_id, count(*) AS n
                    FROM publications_publicationconcept pc
                    WHERE pc.publication_id IN (SELECT pk FROM {cte})
                    GROUP BY pc.concept_id) x
              JOIN publications_concept c ON c.id = x.concept_id"""
    return top(sql, [], selected, limit)


def organisation_rows(cte: str, selected: list[str], limit: int) -> tuple[str, list]:
    """Internal organisations; one counts a publication with an author affiliated with it or with
    any organisation below it (through lineage), as the organisation filter does."""
    sql = f"""SELECT o.slug AS value, o.name AS label, x.n
              FROM (SELECT organisation_id, count(*) AS n
                    FROM (SELECT DISTINCT c.pk, unnest(org.lineage) AS organisation_id
                          FROM {cte} c CROSS JOIN LATERAL unnest(c.organisations) AS unit (id)
                          JOIN publications_organisation org ON org.id = unit.id) d
                    GROUP BY organisation_id) x
              JOIN publications_organisation o ON o.id = x.organisation_id
              WHERE o.kind <> 'external'"""
    return top(sql, [], selected, limit)


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
        column_rows("peer_reviewed"),
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
        column_rows("has_doi"),
        {"true": "Has a DOI", "false": "No DOI"},
    ),
)

FACET_NAMES = tuple(spec.name for spec in FACETS)


def url_with(data: QueryDict, **changes: list[str] | str | None) -> str:
    """The listing's query string with some names replaced or removed (None), page reset. A
    page has a link per facet option (150 or more): built from pairs, not a QueryDict copy."""
    pairs = [
        (name, value)
        for name, values in data.lists()
        if name != "page" and name not in changes
        for value in values
    ]
    for name, value in changes.items():
        if value is not None:
            pairs.extend((name, v) for v in ([value] if isinstance(value, str) else value))
    return "?" + urlencode(pairs) if pairs else "?"


@dataclass
class FacetCounts:
    """What the facets' statement found: each facet's rows (value, label, count of the set, or
    of its sample) and the sampling of the set it counted. Independent of the sort, the page and
    the links, so that the listings that differ only in those can share it."""

    rows: dict[str, list[tuple[str, str, int]]]
    samplings: dict[str, counting.Sampling]


def compute_facets(
    data: QueryDict, base: QuerySet, *, expanded: str = "", **options
) -> list[Facet]:
    """Every facet (but the hidden ones) for the listing of `base` filtered by `data`: the
    counts (count_facets, given the same options) and the links (build_facets)."""
    return build_facets(count_facets(data, base, expanded=expanded, **options), data, expanded)


def count_facets(
    data: QueryDict,
    base: QuerySet,
    *,
    hidden: Iterable[str] = (),
    expanded: str = "",
    known: dict[str, counting.Sampling] | None = None,
    ids: dict[str, list[int]] | None = None,
    sizes: dict[str, int] | None = None,
    filterset: PublicationFilterSet | None = None,
) -> FacetCounts:
    """The counts of every facet (but the hidden ones) for the listing of `base` filtered by
    `data`, in one statement, after one more that estimates the size of each set of
    publications counted whose sampling `known` (by facet_set_key) does not give. A set whose
    ids are known (`ids`, by the same key) is read by id. Given `sizes`, the statement also
    counts the rows of each set (of its sample, if sampled) into it, by key: the listing's
    results are one of these sets, so their count then costs no read of its own. `filterset`
    is the listing's own, of `data` and `base`, if it has one."""
    if filterset is None:
        filterset = PublicationFilterSet(data, queryset=base)
    specs = [spec for spec in FACETS if spec.name not in set(hidden)]
    # The set each facet counts: the results without the facet's own filter.
    own_removed = {spec.name: without(data, spec.params) for spec in specs}
    keys = {name: facet_set_key(query) for name, query in own_removed.items()}
    found: dict[str, QuerySet] = {}  # each distinct set of publications counted, by its key
    for spec in specs:
        key = keys[spec.name]
        if key in found:
            continue
        if key in (ids or {}):
            found[key] = counting.with_ids(base.model.objects.all(), ids[key])
        else:
            found[key] = filterset.qs_without(spec.params)
    samplings = dict(known or {})
    unknown = [key for key in found if key not in samplings]
    estimated = counting.estimates([found[key] for key in unknown])
    for key, size in zip(unknown, estimated, strict=True):
        samplings[key] = counting.sampling_for(size)
    names = {key: f"facet_set_{number}" for number, key in enumerate(found)}
    with_ids = {keys[spec.name] for spec in specs if spec.name in FACETS_OF_IDS}
    ctes, params = [], []
    for key, queryset in found.items():
        sample = counting.sampled(queryset.order_by(), samplings[key]).values(*SET_FIELDS)
        sql, sql_params = sample.query.sql_with_params()
        columns, joined = (SET_IDS, SET_FROM) if key in with_ids else ("", "")
        ctes.append(
            f"{names[key]} AS MATERIALIZED ({SET_SELECT}{columns} FROM ({sql}) found {joined})"
        )
        params.extend(sql_params)
    parts = []
    for spec in specs:
        limit = ALL if spec.name == expanded else TOP + 1
        sql, sql_params = spec.rows(names[keys[spec.name]], selected_values(data, spec), limit)
        parts.append(
            f"(SELECT %s AS facet, sub.value::text, sub.label::text, sub.n FROM ({sql}) sub)"
        )
        params.extend([spec.name, *sql_params])
    if sizes is not None and parts:
        for key, name in names.items():
            parts.append(f"(SELECT '' AS facet, %s AS value, '' AS label, count(*) FROM {name})")
            params.append(key)
    rows: dict[str, list[tuple[str, str, int]]] = {spec.name: [] for spec in specs}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}", params)
            for facet, value, label, n in cursor.fetchall():
                if facet:
                    rows[facet].append((value, label, n))
                else:
                    sizes[value] = n
    return FacetCounts(rows, {spec.name: samplings[keys[spec.name]] for spec in specs})


def build_facets(counts: FacetCounts, data: QueryDict, expanded: str = "") -> list[Facet]:
    """The facets of `counts`, with links that apply each option to the listing of `data`."""
    return [
        build_facet(spec, counts.rows[spec.name], data, expanded, counts.samplings[spec.name])
        for spec in FACETS
        if spec.name in counts.rows
    ]


def without(data: QueryDict, names: Iterable[str]) -> QueryDict:
    query = data.copy()
    for name in names:
        query.pop(name, None)
    return query


def facet_set_key(data: QueryDict) -> str:
    """What identifies a set of publications among a listing's facets: its query string without
    the names that do not change the set."""
    query = data.copy()
    for name in ("page", "per_page", "sort", "more", "format"):
        query.pop(name, None)
    return query.urlencode()


def selected_values(data: QueryDict, spec: FacetSpec) -> list[str]:
    if spec.name == "year":
        start, end = data.get("year_from"), data.get("year_to")
        return [start] if start and start == end else []
    return [value for value in data.getlist(spec.params[0]) if value]


def build_facet(
    spec: FacetSpec,
    rows,
    data: QueryDict,
    expanded: str,
    sampling: counting.Sampling = counting.EXACT,
) -> Facet:
    selected = selected_values(data, spec)
    limit = len(rows) if spec.ordered_by_value or spec.name == expanded else TOP
    facet = Facet(
        name=spec.name,
        label=spec.label,
        has_more=not spec.ordered_by_value and spec.name != expanded and len(rows) > TOP,
        expanded=spec.name == expanded,
        more_url=url_with(data, more=spec.name),
        fewer_url=url_with(data, more=None),
        approximate=not sampling.exact,
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
                count=n if sampling.exact else counting.about(n * sampling.scale),
                url=url,
                selected=value in selected
                or (spec.name == "keyword" and value.lower() in {s.lower() for s in selected}),
            )
        )
    return facet
