"""The API's endpoints: thin DRF views over publications.api.queries and representations.

Each answer: the query string is checked (400 naming each bad parameter), then the data version
is read (one query) and a client whose copy is current gets a 304 with no other work. Otherwise a
list reads the keys of its page (one narrow query), then the page's rows with everything they show
(one query), and, for publications, its count (cached per data version) and, when asked, the
facets (one query).
"""

from __future__ import annotations

from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from publications import counting
from publications.api import params, queries, representations, serializers
from publications.api.conditional import not_modified, validators_for
from publications.api.errors import InvalidParameters, json_error
from publications.api.pagination import (
    Cursor,
    InvalidCursor,
    Page,
    in_order,
    keyset_page,
    sort_keys,
)
from publications.api.representations import Urls
from publications.facets import compute_facets
from publications.figures import Figures, deployment
from publications.listing import newest_matches, ordering
from publications.models import Publication, PublicationSlug
from publications.pagecache import address_of
from publications.querysets import (
    organisation_publication_counts,
    public_publication_count,
    subject_publication_counts,
)

ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="A parameter is invalid."),
    404: OpenApiResponse(serializers.ErrorSerializer, description="No such resource."),
    429: OpenApiResponse(serializers.ErrorSerializer, description="Too many requests."),
}
NOT_MODIFIED = {
    304: OpenApiResponse(description="Not modified: the copy the ETag names is current.")
}
PAGING = [
    OpenApiParameter(
        "per_page", int, enum=[25, 50, 100], description="Results per page (default 25)."
    ),
    OpenApiParameter(
        "cursor",
        str,
        description="Opaque position from a `next` or `previous` link; omit for the first page.",
    ),
]


def documented(operation_id: str, description: str, ok, parameters=()) -> extend_schema_view:
    """The GET operation of a view in the OpenAPI schema."""
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            description=description,
            parameters=list(parameters),
            responses={200: OpenApiResponse(ok, description="OK"), **NOT_MODIFIED, **ERRORS},
        )
    )


class ApiView(APIView):
    """GET (HEAD, OPTIONS) only. Subclasses check the query string in `check()` and build the
    answer in `answer()`; ETag, Last-Modified and 304s are handled here for all of them."""

    http_method_names = ["get", "head", "options"]

    def check(self, request: Request, **kwargs) -> object:
        params.detail_request(request.query_params)
        return None

    def answer(self, request: Request, checked: object, figures: Figures, **kwargs) -> Response:
        raise NotImplementedError

    def get(self, request: Request, **kwargs) -> HttpResponse:
        checked = self.check(request, **kwargs)
        figures = Figures()
        # The version is read before the data, so the data can only be newer than the ETag says
        # (the next request gets a new ETag), never older: a 304 never confirms a stale copy.
        validators = validators_for(request, figures.version)
        if (response := not_modified(request, validators)) is not None:
            return response
        # Answers are kept like the HTML pages (publications.pagecache), by the whole address,
        # the data version and the deployment: the same for every client, since the API shows
        # public records only. Throttling has run already (APIView.initial).
        key = f"portal:api:{deployment()}:{figures.version}:{address_of(request)}"
        if (kept := caches["pages"].get(key)) is not None:
            body, link = kept
            response = Response(body)
            if link:
                response["Link"] = link
        else:
            try:
                response = self.answer(request, checked, figures, **kwargs)
            except InvalidCursor as error:
                # Signed, yet its values do not fit the order's keys (only checked against
                # the query).
                raise InvalidParameters({"cursor": [str(error)]}) from error
            if response.status_code == 200:
                caches["pages"].set(key, (response.data, response.get("Link")))
        if response.status_code == 200:
            validators.apply(response)
        return response


def page_links(request: Request, page: Page) -> dict[str, str | None]:
    """`next` and `previous`: this URL with the cursor replaced."""

    def url(cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        query = request.query_params.copy()
        query["cursor"] = cursor.encode()
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {"next": url(page.next), "previous": url(page.previous)}


def paged_response(body: dict, links: dict[str, str | None]) -> Response:
    """The answer, with the page links also as an RFC 8288 Link header."""
    response = Response(body)
    header = [f'<{target}>; rel="{rel}"' for rel, target in links.items() if target]
    if header:
        response["Link"] = ", ".join(header)
    return response


@extend_schema(exclude=True)
class ApiRoot(APIView):
    """/api/v1/: where everything is."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: Request) -> Response:
        params.detail_request(request.query_params)
        urls = Urls(request)
        names = ["publication-list", "person-list", "organisation-list", "journal-list"]
        body = {name.removesuffix("-list") + "s": urls.api(name) for name in names}
        body["subject_areas"] = urls.api("subject-area-list")
        body["schema"] = urls.api("schema")
        body["docs"] = urls.api("docs")
        return Response(body)


# Publications


PUBLICATION_PARAMETERS = [
    *serializers.filter_parameters(),
    OpenApiParameter(
        "sort",
        str,
        enum=["relevance", "newest", "oldest", "title"],
        description="Order of the results, as on the listing: `relevance` (the default with a "
        "search, and only then), `newest` (the default), `oldest`, `title`.",
    ),
    *PAGING,
    OpenApiParameter(
        "facets",
        str,
        many=True,
        explode=False,
        style="form",
        enum=["all", *params.FACET_NAMES],
        description="Facets to count, comma-separated or `all`: for each, its values with the "
        "number of results each would give under every other active filter (the listing's "
        "counts). Ten options each (more with `more`).",
    ),
    OpenApiParameter(
        "more",
        str,
        enum=list(params.FACET_NAMES),
        description="One facet to list in full (up to 200 options).",
    ),
]


@documented(
    "publications_list",
    (
        "Public publications, searched, filtered and ordered as on the research-output "
        "listing (same query string, same results, same count), a page at a time; with "
        "`facets`, the listing's facet counts."
    ),
    serializers.PublicationPageSerializer,
    PUBLICATION_PARAMETERS,
)
class PublicationList(ApiView):
    """Public publications: the listing's search, filters and orders; a count, cursor pages and,
    on request, the listing's facet counts."""

    def check(self, request: Request, **kwargs) -> params.PublicationListRequest:
        return params.publication_list_request(request.query_params, Publication.objects.public())

    def answer(self, request, checked: params.PublicationListRequest, figures, **kwargs):
        data = request.query_params
        results = checked.filterset.qs
        filters = checked.filters_only(data)
        # The listing's result count: its cached whole-collection total when nothing is
        # filtered, else counted (or estimated, past counting.EXACT_LIMIT) once per data
        # version for the pages of one query.
        if filters:
            name = f"api:count:{filters.urlencode()}"
            total = figures.get(name, lambda: counting.count(results).total)
        else:
            total = counting.Total(figures.get("publications:total", public_publication_count))
        if checked.sort == "relevance" and not total.exact:
            # As the listing: relevance past the exact limit ranks the newest matches.
            words_alone = set(filters) <= {"q"}
            results = results.filter(pk__in=newest_matches(results, total.value, words_alone))
        page = keyset_page(
            results,
            sort_keys(Publication, ordering(checked.sort)),
            order=checked.sort,
            cursor=checked.cursor,
            size=checked.per_page,
        )
        found = queries.publication_rows(page.pks)
        rows = [found[pk] for pk in page.pks if pk in found]
        links = page_links(request, page)
        urls = Urls(request)
        body: dict = {
            "count": total.value,
            "count_exact": total.exact,
            **links,
            "results": [representations.publication(row, urls) for row in rows],
        }
        if checked.facets:
            body["facets"] = self.facets(request, checked, figures, filtered=bool(filters))
        return paged_response(body, links)

    def facets(self, request, checked, figures, *, filtered: bool) -> dict:
        """The listing's facets (publications.facets.compute_facets: same code, same counts),
        those not asked for left out; links keep every parameter but the cursor."""
        data = request.query_params.copy()
        data.pop("cursor", None)
        hidden = [name for name in params.FACET_NAMES if name not in checked.facets]

        def compute() -> list:
            return compute_facets(
                data, Publication.objects.public(), hidden=hidden, expanded=checked.more
            )

        # Cached like the listing's: only for the whole collection, where they are dearest.
        found = compute() if filtered else figures.get(f"api:facets:{data.urlencode()}", compute)
        list_url = request.build_absolute_uri(request.path)
        return {facet.name: representations.facet(facet, list_url) for facet in found}


@documented(
    "publications_retrieve",
    "One public publication. A former slug answers 301 with the current address.",
    serializers.PublicationSerializer,
)
class PublicationDetail(ApiView):
    def answer(self, request, checked, figures, *, slug: str):
        pk = Publication.objects.public().filter(slug=slug).values_list("pk", flat=True).first()
        row = queries.publication_rows([pk]).get(pk) if pk is not None else None
        if row is None:
            # A former slug of a public record moves permanently, as the record page does.
            old = PublicationSlug.objects.filter(
                slug=slug, publication__in=Publication.objects.public()
            )
            current = old.values_list("publication__slug", flat=True).first()
            if current:
                return HttpResponsePermanentRedirect(
                    reverse("api:publication-detail", args=[current])
                )
            raise Http404("No public publication at this address.")
        return Response(representations.publication(row, Urls(request)))


# Persons, organisations, journals, subject areas


class EntityList(ApiView):
    """A cursor-paged list in primary-key order (stable as rows come and go)."""

    order = ""
    key = "pk"

    def check(self, request: Request, **kwargs) -> params.EntityListRequest:
        return params.entity_list_request(request.query_params, self.order)

    def rows(self, queryset, checked: params.EntityListRequest, fields: list[str]):
        """The page and its rows (dicts of `fields`): two queries."""
        page = keyset_page(
            queryset,
            sort_keys(queryset.model, [self.key]),
            order=self.order,
            cursor=checked.cursor,
            size=checked.per_page,
        )
        return page, in_order(queryset, page.pks, fields)

    def respond(self, request, page: Page, results: list[dict]) -> Response:
        links = page_links(request, page)
        return paged_response({**links, "results": results}, links)


@documented(
    "persons_list",
    "The institution's persons (those with a profile page), in the order they were entered.",
    serializers.PersonPageSerializer,
    PAGING,
)
class PersonList(EntityList):
    """The institution's persons (those with a profile page)."""

    order = "persons"

    def answer(self, request, checked, figures, **kwargs):
        page, rows = self.rows(queries.api_persons(), checked, queries.PERSON_FIELDS)
        urls = Urls(request)
        return self.respond(request, page, [representations.person(r, urls) for r in rows])


@documented(
    "persons_retrieve",
    "One of the institution's persons.",
    serializers.PersonSerializer,
)
class PersonDetail(ApiView):
    def answer(self, request, checked, figures, *, slug: str):
        row = queries.api_persons().filter(slug=slug).values(*queries.PERSON_FIELDS).first()
        if row is None:
            raise Http404("No person with a profile at this address.")
        return Response(representations.person(row, Urls(request)))


@documented(
    "organisations_list",
    (
        "The institution's organisations (faculties, departments, groups), in the order they "
        "were entered."
    ),
    serializers.OrganisationPageSerializer,
    PAGING,
)
class OrganisationList(EntityList):
    """The institution's organisations (not the external ones)."""

    order = "organisations"

    def answer(self, request, checked, figures, **kwargs):
        page, rows = self.rows(queries.api_organisations(), checked, queries.ORGANISATION_FIELDS)
        counts = figures.get("organisation-counts", organisation_publication_counts)
        urls = Urls(request)
        results = [representations.organisation(row, counts, urls) for row in rows]
        return self.respond(request, page, results)


@documented(
    "organisations_retrieve",
    "One of the institution's organisations.",
    serializers.OrganisationSerializer,
)
class OrganisationDetail(ApiView):
    def answer(self, request, checked, figures, *, slug: str):
        organisations = queries.api_organisations().filter(slug=slug)
        row = organisations.values("pk", *queries.ORGANISATION_FIELDS).first()
        if row is None:
            raise Http404("No organisation of the institution at this address.")
        counts = figures.get("organisation-counts", organisation_publication_counts)
        return Response(representations.organisation(row, counts, Urls(request)))


@documented(
    "journals_list",
    "Journals with public publications, in the order they were entered.",
    serializers.JournalPageSerializer,
    PAGING,
)
class JournalList(EntityList):
    """Journals with public publications."""

    order = "journals"

    def answer(self, request, checked, figures, **kwargs):
        page, rows = self.rows(queries.api_journals(), checked, queries.JOURNAL_FIELDS)
        urls = Urls(request)
        return self.respond(request, page, [representations.journal(r, urls) for r in rows])


@documented(
    "journals_retrieve",
    "One journal with public publications.",
    serializers.JournalSerializer,
)
class JournalDetail(ApiView):
    def answer(self, request, checked, figures, *, slug: str):
        row = queries.api_journals().filter(slug=slug).values(*queries.JOURNAL_FIELDS).first()
        if row is None:
            raise Http404("No journal with public publications at this address.")
        return Response(representations.journal(row, Urls(request)))


def subject_count(counts, code: int) -> int:
    """Public publications in the code; an area (xx00) counts those in any of its codes."""
    return (counts.areas if code % 100 == 0 else counts.codes).get(code, 0)


@documented(
    "subject_areas_list",
    "The 334 ASJC codes (27 areas and their codes), by code.",
    serializers.SubjectAreaPageSerializer,
    PAGING,
)
class SubjectAreaList(EntityList):
    """All ASJC codes, by code."""

    order = "subject-areas"
    key = "code"

    def answer(self, request, checked, figures, **kwargs):
        page, rows = self.rows(queries.api_subject_areas(), checked, queries.SUBJECT_AREA_FIELDS)
        counts = figures.get("subject-counts", subject_publication_counts)
        urls = Urls(request)
        results = [
            representations.subject_area(row, subject_count(counts, row["code"]), urls)
            for row in rows
        ]
        return self.respond(request, page, results)


@documented(
    "subject_areas_retrieve",
    "One ASJC code or area.",
    serializers.SubjectAreaSerializer,
)
class SubjectAreaDetail(ApiView):
    def answer(self, request, checked, figures, *, code: int):
        row = None
        if 1000 <= code <= 3699:  # the ASJC range (and no integer the column cannot hold)
            areas = queries.api_subject_areas().filter(code=code)
            row = areas.values(*queries.SUBJECT_AREA_FIELDS).first()
        if row is None:
            raise Http404("No ASJC code at this address.")
        counts = figures.get("subject-counts", subject_publication_counts)
        return Response(
            representations.subject_area(row, subject_count(counts, code), Urls(request))
        )


@csrf_exempt  # a JSON 404 for any method, not the CSRF check's HTML 403
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/: a JSON 404, or the path with its missing final slash."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = QueryDict(request.META.get("QUERY_STRING", ""))
            target = request.path + "/" + (f"?{query.urlencode()}" if query else "")
            return HttpResponsePermanentRedirect(target)
    return json_error(404, "Nothing here: the API's endpoints are listed at /api/v1/.")
