"""A searchable, filterable, faceted list of publications: /publications/ and the research output on
person, organisation, journal and subject-area pages. One function builds what the template
`publications/_listing.html` shows; the view decides the scope (the base queryset).

Queries, whatever the data: the count (of a large set, made by the facets' statement, which
reads its sample anyway), the page of results (with journals and, when searching, snippets),
their authors, all facets in one statement, and "Did you mean" only when nothing was found.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from publications import counting
from publications.facets import (
    FACET_NAMES,
    Facet,
    build_facets,
    compute_facets,
    count_facets,
    facet_set_key,
    url_with,
)
from publications.figures import Figures, rendered
from publications.filters import PublicationFilterSet
from publications.models import Publication
from publications.search import clean_query, is_doi, snippet_html, suggest, with_snippets

PAGE_SIZES = (25, 50, 100)
LIST_AUTHORS = 10  # authors shown of each result, then "and N others"
SORTS = {
    "relevance": "Relevance",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title (A–Z)",
}
# Readers page through the first results and refine beyond them. A page's ids are read from an
# index whatever the depth, but a filter the index does not hold makes a deep page read every
# row above it: page 2,000 of 25 is as deep as paging goes.
MAX_DEPTH = 50_000
# A search matching more than counting.EXACT_LIMIT records is ranked by relevance among its
# newest matches: ranking 230,000 matches would read every one of them.
RELEVANCE_CANDIDATES = 200
# How the newest matches are found. Walking the date index and testing each record's full-text
# vector (kept in the row since migration 0025: about 3.5 µs a record, 2.3 times less than out
# of line) finds 200 matches after reading 200/share of the records: fast for a common word,
# 55 ms for a word in 1 record of 80. Reading every match from the full-text index and sorting
# them costs about 4 µs a match. At 1,000,000 publications the two cross at about 12,000
# matches (90 terms of `make bench`'s search classes, timed each way). Only a search alone is
# read the second way: with filters or a scope, the matches of the words may be many more than
# the results (a common word in one type and decade: 280,000 and 17,000).
NEWEST_BY_WALKING_ABOVE = 12_000
# Between these numbers of matches (or results), the newest are first bounded by a date read
# from a sample of them: CUTOFF_MARGIN times as many as wanted are expected to reach it (with
# 13 sampled 1 in 64, fewer than 200 reach it about once in 50,000 searches, and then all are
# read). A term with 16,000 matches then reads 800 of them, not 16,000 (63 -> 17 ms at a
# million publications), after about 2 ms of the sample. But the dates' index is read for every
# record since the cutoff, matching or not: with fewer matches the cutoff is older and that
# costs more than reading them all (3,800 matches: 26 -> 45 ms); with more, walking the date
# index finds the newest sooner (83,000: 21 -> 28 ms).
# Only for the words alone: with filters or a scope, PostgreSQL intersects the dates since the
# cutoff with every match of the words in the index, filtered or not (a common word among
# articles: 234,000 entries, 98 ms), where walking the dates within the filters finds the 200
# sooner (three filters, in-process: SQL p50 168 -> 137 ms).
CUTOFF_FROM = 10_000
CUTOFF_UP_TO = 50_000
CUTOFF_MARGIN = 4
CUTOFF_SAMPLE = 128  # sampled records expected, at least: the smallest sample that has them
# and is no sparser than this: from the 1-in-256 sample, 4 sampled records would be wanted, and
# fewer than 200 would reach their date about once in 120 searches.
CUTOFF_SCALE = 64


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_url: str


def ordering(sort: str) -> list:
    if sort == "relevance":
        return [F("rank").desc(), F("date").desc(nulls_last=True), "pk"]
    if sort == "oldest":
        return [F("date").asc(nulls_last=True), "title", "pk"]
    if sort == "title":
        return [Lower("title"), "pk"]
    return [F("date").desc(nulls_last=True), "title", "pk"]


def newest_matches(results: QuerySet, size: int, words_alone: bool) -> RawSQL:
    """The ids of the RELEVANCE_CANDIDATES newest of `results` (about `size` of them), for
    the relevance ranking of a large result set, read the cheaper way for their number.
    `words_alone`: the results are the matches of the search, neither filtered nor scoped."""
    if size > NEWEST_BY_WALKING_ABOVE or not words_alone:
        window = results.order_by(*ordering("newest")).values("pk")[:RELEVANCE_CANDIDATES]
        sql, params = window.query.sql_with_params()
    else:
        sql, params = newest_of_all(results)
    if (
        not words_alone
        or not CUTOFF_FROM <= size <= CUTOFF_UP_TO
        or (cutoff := newest_cutoff(results, size)) is None
    ):
        return RawSQL(sql, params)
    # Only the results since the cutoff are read (an index of dates intersected with the
    # full-text one), unless fewer than the candidates reach it: then all, as without it.
    since, since_params = newest_of_all(results.filter(date__gte=cutoff))
    return RawSQL(
        f"WITH since AS MATERIALIZED ({since}) SELECT id FROM since UNION ALL "
        f"SELECT * FROM ({sql}) rest WHERE (SELECT count(*) FROM since) < %s",
        (*since_params, *params, RELEVANCE_CANDIDATES),
    )


def newest_of_all(results: QuerySet) -> tuple[str, tuple]:
    """SQL of the newest of `results`, read all and sorted: OFFSET 0 keeps the planner from
    pushing the LIMIT into the matches (which it would walk the date index for)."""
    sql, params = results.order_by().values_list("pk", "date", "title").query.sql_with_params()
    return (
        f"SELECT m.id FROM ({sql} OFFSET 0) AS m (id, date, title) "
        "ORDER BY m.date DESC NULLS LAST, m.title, m.id LIMIT %s",
        (*params, RELEVANCE_CANDIDATES),
    )


def newest_cutoff(results: QuerySet, size: int) -> datetime.date | None:
    """A date that surely more than RELEVANCE_CANDIDATES of the results reach: from a fixed
    sample of them (publications.counting), the date that CUTOFF_MARGIN times as many reach,
    scaled to the sample. None when the sample holds too few."""
    buckets, scale = next(
        (
            tier
            for tier in reversed(counting.TIERS)
            if size / tier[1] >= CUTOFF_SAMPLE and tier[1] <= CUTOFF_SCALE
        ),
        counting.TIERS[0],
    )
    wanted = math.ceil(CUTOFF_MARGIN * RELEVANCE_CANDIDATES / scale)
    dated = counting.sampled(results.order_by(), counting.Sampling(buckets, scale))
    dates = dated.filter(date__isnull=False).order_by("-date").values_list("date", flat=True)
    return next(iter(dates[wanted - 1 : wanted]), None)


def requested_page(data: QueryDict) -> int:
    try:
        return max(int(data.get("page", "1")), 1)
    except ValueError:
        return 1


def requested_page_size(data: QueryDict, problems: list[str]) -> int:
    raw = data.get("per_page", "")
    if not raw:
        return PAGE_SIZES[0]
    if raw.isascii() and raw.isdigit() and int(raw) in PAGE_SIZES:  # int() refuses "²"
        return int(raw)
    problems.append(f"Results per page can be 25, 50 or 100, not “{raw[:20]}”: showing 25.")
    return PAGE_SIZES[0]


def build_listing(
    request: HttpRequest,
    base: QuerySet,
    *,
    hidden_facets: tuple[str, ...] = (),
    figures_name: str = "",
    figures: Figures | None = None,
    scope: dict[str, str] | None = None,
    count: Callable[[], int] | None = None,
    page_from_ids_up_to: int = 0,
) -> dict:
    """The context for `_listing.html`: results of `base` under the request's search, filters,
    sort and page, with facets, active filters and any problems with the request named.

    With `figures_name`, the unfiltered total and facets of `base` (the whole collection) are
    cached figures rather than counted on each request (`figures`, if the caller has read the
    data version already). `scope` is the filter that selects `base` (a person's slug, say),
    added to the export links. `count` gives the unfiltered total (with `figures_name`) when
    something cheaper than counting `base` knows it. Unfiltered, with a total of at most
    `page_from_ids_up_to`, a page is read from the ids of `base`, read first, rather than from
    an index of all records whose every row would be tested against `base`'s condition."""
    data = without_nul_bytes(request.GET)
    filterset = PublicationFilterSet(data, queryset=base)
    results = filterset.qs
    problems = filterset.problems()
    query = clean_query(data.get("q", ""))[0] if "q" not in filterset.form.errors else ""

    sort = data.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        problems.append(f"“{sort[:30]}” is not a way to sort: showing the default order.")
        sort = "relevance" if query else "newest"
    if sort == "relevance" and not query:
        sort = "newest"

    per_page = requested_page_size(data, problems)
    unfiltered = not query and not any(data.getlist(name) for name in FILTER_LABELS)
    if not (figures_name and unfiltered and not filterset.form.errors):
        figures = None
    elif figures is None:
        figures = Figures(request)
    # A facet shown in full; any other value is ignored (each would be counted and kept).
    expanded = data.get("more", "") if data.get("more") in FACET_NAMES else ""

    def facets_now(
        sampling: counting.Sampling, ids: list[int] | None, sizes: dict | None = None
    ) -> list[Facet]:
        key = facet_set_key(data)
        return compute_facets(
            data,
            base,
            hidden=hidden_facets,
            expanded=expanded,
            known={key: sampling},
            ids={key: ids} if ids is not None else {},
            sizes=sizes,
            filterset=filterset,
        )

    ids = None  # the results' ids, when there are few enough to count exactly
    facets = None
    if figures:
        total = counting.Total(figures.get(f"{figures_name}:total", count or results.count))
        sampling = counting.sampling_for(total.value)
    else:
        counted = counting.plan(results)
        if counted.total is None and counted.estimate > counting.COUNT_WITH_FACETS_ABOVE:
            # Surely too many to count exactly: the results' sample is counted by the facets'
            # statement, which reads it anyway (a second read of a broad word's sample saved),
            # unless no facet counts the results themselves.
            sizes: dict[str, int] = {}
            facets = facets_now(counted.sampling, None, sizes)
            counted = counting.finish(results, counted, sizes.get(facet_set_key(data)))
            if counted.total.exact:  # the planner overestimated: facets exact, from the ids
                facets = None
        elif counted.total is None:
            counted = counting.finish(results, counted)
        total, sampling, ids = counted.total, counted.sampling, counted.ids
    # Relevance past the exact limit ranks a bounded candidate set: the newest matches.
    bounded = sort == "relevance" and not total.exact
    depth = RELEVANCE_CANDIDATES if bounded else MAX_DEPTH
    paginator = Paginator(results.none(), per_page)
    paginator.__dict__["count"] = total.value  # a cached property: give it the count we have
    last_page = min(paginator.num_pages, max(depth // per_page, 1))
    number = requested_page(data)
    if number > last_page and total.value > depth and number > depth // per_page:
        problems.append(
            f"Only the first {depth:,} results can be paged through: "
            "narrow the search with the filters to see the others."
        )
    number = min(number, last_page)
    if ids is not None:
        results = counting.with_ids(Publication.objects.all(), ids)
        results = results.ranked(query) if query else results
    ordered = results.order_by(*ordering(sort))
    if bounded:
        words_alone = not scope and not any(data.getlist(name) for name in FILTER_LABELS)
        ordered = ordered.filter(pk__in=newest_matches(results, total.value, words_alone))
    # The page's ids first (an index-only scan for the sorted listings, however deep), then
    # those rows with their journals, snippets and authors. The window is the page's whatever
    # the count, which may be an estimate.
    found = []
    results_html = ""
    if total.value:
        start = (number - 1) * per_page
        # Unfiltered, the first page of results as rendered is a figure like the facets: a
        # prolific person's newest outputs are sorted from all of theirs and shown with their
        # authors, and stored (publications.figures) they outlive writes to other records.
        # Only the first page: the others are read from an index, and a crawler following
        # "Next" would otherwise store thousands of them.
        results_name = rendered(f"{figures_name}:results-html:{sort}:{per_page}")
        kept = figures if figures and number == 1 else None
        results_html = (kept.known(results_name) if kept else None) or ""
        if not results_html:
            started = time.perf_counter()
            if figures and total.value <= page_from_ids_up_to:
                members = list(results.order_by().values_list("pk", flat=True))
                ordered = counting.with_ids(Publication.objects.all(), members).order_by(
                    *ordering(sort)
                )
            window = ordered.values("pk")[start : start + per_page]
            rows = Publication.objects.filter(pk__in=Subquery(window)).for_results(LIST_AUTHORS)
            if query:
                rows = rows.ranked(query)
                if not is_doi(query):
                    rows = with_snippets(rows, query)
            found = list(rows.order_by(*ordering(sort)))
            for publication in found:
                publication.snippet = snippet_html(getattr(publication, "snippet_source", ""))
            if kept:
                results_html = render_to_string(
                    "publications/_publication_list.html", {"publications": found}
                )
                kept.keep(results_name, results_html, time.perf_counter() - started)
        if not total.exact and not bounded and 0 < len(found) < per_page:
            # The results end on this page, so now their number is known.
            total = counting.Total(start + len(found))
        elif not total.exact and start + len(found) > total.value:
            total = counting.Total(start + len(found), exact=False)  # estimated too low
        paginator.__dict__["count"] = total.value
    page = paginator.page(number)
    page.object_list = found

    facets_html = ""
    if figures:
        links = data.copy()
        links.pop("page", None)

        def sidebar() -> str:
            # Counted once for every sort, page and page size (only the links differ).
            counts = figures.get(
                f"{figures_name}:facet-counts:{expanded}",
                lambda: count_facets(
                    data,
                    base,
                    hidden=hidden_facets,
                    expanded=expanded,
                    known={facet_set_key(data): sampling},
                ),
            )
            built = build_facets(counts, data, expanded)
            return render_to_string(
                "publications/_facets.html",
                {
                    "facets": built,
                    "facets_approximate": any(facet.approximate for facet in built),
                    "listing_url": request.path,
                    "query": query,
                    "kept_params": kept_params(data),
                },
                request=request,
            )

        # Rendered once like its counts: nothing searched or filtered, the sidebar is theirs
        # and the address's alone (a hundred links or more), and no filter chip needs a facet
        # to name its value.
        facets_html = figures.get(
            rendered(f"{figures_name}:facets-html:{request.path_info}:{links.urlencode()}"),
            sidebar,
        )
        facets = []
    elif facets is None:
        facets = facets_now(sampling, ids)
    return {
        "filterset": filterset,
        "query": query,
        "page_obj": page,
        "publications": page.object_list,
        "results_html": results_html,
        "total": total.value,
        "total_exact": total.exact,
        "ranked_among": RELEVANCE_CANDIDATES if bounded else 0,
        "last_page": last_page,
        "sort": sort,
        "sorts": [(key, label) for key, label in SORTS.items() if key != "relevance" or query],
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "problems": problems,
        "facets": facets,
        "facets_html": facets_html,
        "facets_approximate": any(facet.approximate for facet in facets),
        "active_filters": active_filters(data, hidden_facets, facets),
        "suggestion": suggestion(data, query, total.value),
        "kept_params": kept_params(data),
        "listing_url": request.path,
        "export_query": export_query(data, scope or {}),
    }


def export_query(data: QueryDict, scope: dict[str, str]) -> str:
    """The query string of this listing's exports: its search, filters, sort and scope."""
    query = data.copy()
    for name in ("page", "per_page", "more", "format"):
        query.pop(name, None)
    for name, value in scope.items():
        query.setlist(name, [value])
    return query.urlencode()


def without_nul_bytes(data: QueryDict) -> QueryDict:
    """The query string without NUL bytes, which PostgreSQL refuses in any text."""
    clean = QueryDict(mutable=True)
    for name, values in data.lists():
        clean.setlist(name.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    return clean


def suggestion(data: QueryDict, query: str, total: int) -> dict | None:
    """ "Did you mean …" when a search found nothing and a close name or keyword exists."""
    if not query or total or is_doi(query):
        return None
    better = suggest(query)
    return {"query": better, "url": url_with(data, q=better)} if better else None


FILTER_LABELS = {
    "year_from": "From",
    "year_to": "To",
    "type": "Type",
    "peer_reviewed": "Peer-reviewed",
    "status": "Status",
    "subject": "Subject area",
    "journal": "Journal",
    "person": "Person",
    "organisation": "Organisation",
    "language": "Language",
    "keyword": "Keyword",
    "concept": "Concept",
    "has_doi": "DOI",
    "open_access": "Access",
}


def active_filters(
    data: QueryDict, hidden: tuple[str, ...], facets: list[Facet]
) -> list[ActiveFilter]:
    """One removable chip per filter value in the request, named as its facet names it."""
    names = {
        (facet.name, option.value.lower()): option.label
        for facet in facets
        for option in facet.options
    }
    chips = []
    for name, label in FILTER_LABELS.items():
        if name in hidden:
            continue
        values = [value for value in data.getlist(name) if value]
        for value in values:
            rest = [other for other in values if other != value]
            chips.append(
                ActiveFilter(
                    label,
                    names.get((name, value.lower()), value)[:80],
                    url_with(data, **{name: rest or None}),
                )
            )
    return chips


def kept_params(data: QueryDict) -> list[tuple[str, str]]:
    """The filters a new search keeps (hidden inputs of the search form)."""
    return [
        (name, value)
        for name in FILTER_LABELS
        for value in data.getlist(name)
        if value and "\x00" not in value
    ][:100]


def render_listing(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or only the listing for htmx (but the whole page when htmx restores
    history), with Vary so caches keep the two apart."""
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "publications/_listing.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
