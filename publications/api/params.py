"""The API's query strings, checked whole before any work: where the HTML listing ignores a value it
cannot use and says so on the page, the API answers 400 naming every bad parameter, so that a
script never mistakes an unfiltered answer for a filtered one.

The filters are the listing's (publications.filters.PublicationFilterSet, same names, same
meaning); `sort` and `per_page` are the listing's too; `cursor`, `facets` and `more` are the API's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from publications.api.errors import InvalidParameters
from publications.api.pagination import Cursor, InvalidCursor, decode_cursor
from publications.facets import FACET_NAMES
from publications.filters import PublicationFilterSet
from publications.listing import SORTS
from publications.search import MAX_QUERY_LENGTH, clean_query
from publications.views.common import PAGE_SIZES

FILTER_NAMES = tuple(PublicationFilterSet.base_filters)
# The filters that take one value; the others are repeatable (?type=a&type=b).
SINGLE_FILTERS = ("q", "year_from", "year_to", "peer_reviewed", "has_doi")
PAGING_PARAMS = ("per_page", "cursor")
PUBLICATION_LIST_PARAMS = (*FILTER_NAMES, "sort", *PAGING_PARAMS, "facets", "more")
SINGLE_PARAMS = (*SINGLE_FILTERS, "sort", *PAGING_PARAMS, "more")


@dataclass
class Problems:
    """Problems with a query string, by parameter name, raised together as one 400."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidParameters(self.errors)


def check_names(data: QueryDict, allowed: tuple[str, ...], problems: Problems) -> None:
    """Unknown names are refused (a misspelt filter must not quietly widen the results); NUL
    characters, which no text in the database may hold, too."""
    for name, values in data.lists():
        if name not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            problems.add(name[:60], f"Unknown parameter. This endpoint takes: {known}.")
            continue
        if any("\x00" in value for value in values):
            problems.add(name, "The value contains a NUL character.")
        if name in SINGLE_PARAMS and len(values) > 1:
            problems.add(name, "Give this parameter once.")


def page_size(data: QueryDict, problems: Problems) -> int:
    raw = data.get("per_page", "")
    if not raw:
        return PAGE_SIZES[0]
    if raw in {str(size) for size in PAGE_SIZES}:
        return int(raw)
    problems.add("per_page", f"Give 25, 50 or 100, not “{raw[:20]}”.")
    return PAGE_SIZES[0]


def cursor_of(data: QueryDict, order: str, problems: Problems) -> Cursor | None:
    raw = data.get("cursor", "")
    if not raw or "cursor" in problems.errors:
        return None
    try:
        return decode_cursor(raw, order)
    except InvalidCursor as error:
        problems.add("cursor", str(error))
        return None


@dataclass
class EntityListRequest:
    per_page: int
    cursor: Cursor | None


def entity_list_request(data: QueryDict, order: str) -> EntityListRequest:
    """?per_page=&cursor= of a list of persons, organisations, journals or subject areas."""
    problems = Problems()
    check_names(data, PAGING_PARAMS, problems)
    per_page = page_size(data, problems)
    cursor = cursor_of(data, order, problems)
    problems.raise_any()
    return EntityListRequest(per_page=per_page, cursor=cursor)


def detail_request(data: QueryDict) -> None:
    """A single resource takes no parameters."""
    problems = Problems()
    check_names(data, (), problems)
    problems.raise_any()


@dataclass
class PublicationListRequest:
    filterset: PublicationFilterSet
    query: str  # the cleaned search, "" when none
    sort: str
    per_page: int
    cursor: Cursor | None
    facets: list[str]
    more: str

    def filters_only(self, data: QueryDict) -> QueryDict:
        """The search and filters of the query string: what the results and counts depend on."""
        kept = QueryDict(mutable=True)
        for name in FILTER_NAMES:
            values = [value for value in data.getlist(name) if value]
            if values:
                kept.setlist(name, values)
        return kept


def requested_facets(data: QueryDict, problems: Problems) -> list[str]:
    """?facets=type,year (or repeated, or `all`): the facet names, in the listing's order."""
    names: set[str] = set()
    for value in data.getlist("facets"):
        for name in (part.strip() for part in value.split(",")):
            if name == "all":
                names.update(FACET_NAMES)
            elif name in FACET_NAMES:
                names.add(name)
            elif name:
                problems.add(
                    "facets", f"“{name[:30]}” is not a facet: use all or {', '.join(FACET_NAMES)}."
                )
    return [name for name in FACET_NAMES if name in names]


def publication_list_request(data: QueryDict, base) -> PublicationListRequest:
    """The listing's search, filters, sort and page size, the cursor and the facets asked for;
    InvalidParameters (a 400) naming every problem."""
    problems = Problems()
    check_names(data, PUBLICATION_LIST_PARAMS, problems)
    filterset = PublicationFilterSet(data, queryset=base)
    if not filterset.is_valid():
        for name, messages in filterset.form.errors.items():
            for message in messages:
                problems.add(name, message)
    raw_query = data.get("q", "")
    if len(" ".join(raw_query.split())) > MAX_QUERY_LENGTH:
        problems.add("q", f"The search is longer than {MAX_QUERY_LENGTH} characters.")
    query = clean_query(raw_query)[0] if "q" not in problems.errors else ""

    # As the listing: relevance by default when searching, and only then.
    sort = data.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        problems.add("sort", f"“{sort[:30]}” is not an order: use {', '.join(SORTS)}.")
    elif sort == "relevance" and not query:
        sort = "newest"
    per_page = page_size(data, problems)
    facets = requested_facets(data, problems)
    more = data.get("more", "")
    if more and more not in FACET_NAMES:
        problems.add("more", f"“{more[:30]}” is not a facet: use one of {', '.join(FACET_NAMES)}.")
    cursor = cursor_of(data, sort, problems) if "sort" not in problems.errors else None
    problems.raise_any()
    return PublicationListRequest(
        filterset=filterset,
        query=query,
        sort=sort,
        per_page=per_page,
        cursor=cursor,
        facets=facets,
        more=more,
    )
