"""The research-output listing and the record page."""

from __future__ import annotations

import csv
import json
from itertools import chain

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from publications import citations, export_rows, exports, metadata, pagecache
from publications.feeds import ListingFeed
from publications.figures import Figures
from publications.filters import PublicationFilterSet
from publications.fingerprints import queries as fingerprints
from publications.listing import (
    SORTS,
    build_listing,
    ordering,
    render_listing,
    without_nul_bytes,
)
from publications.models import Organisation, Publication, PublicationSlug
from publications.querysets import public_publication_count


@require_safe
def publication_list(request: HttpRequest) -> HttpResponse:
    """All public research output: search, filters, facets, sorting, paging (htmx-aware);
    `format=atom` gives the same listing as an Atom feed."""
    if request.GET.get("format") == "atom":
        return ListingFeed()(request)
    # Unfiltered, its slow figures (the whole collection's facets) are stored in the database
    # too, for the data version they were computed at: the first visit after a deployment, or
    # once the cache has let them go, does not count a million records.
    figures = Figures(request, scope="publications", versioned=True)
    context = build_listing(
        request,
        Publication.objects.public(),
        figures_name="publications",
        figures=figures,
        count=public_publication_count,  # a running sum: 1 ms, not 30 at 1M
    )
    figures.store()
    return render_listing(request, "publications/publication_list.html", context)


EXPORTS = {
    # extension: (media type, render)
    "bib": ("application/x-bibtex", exports.bibtex),
    "ris": ("application/x-research-info-systems", exports.ris),
    "json": (
        "application/vnd.citationstyles.csl+json",
        lambda publication, url: json.dumps(exports.csl_json(publication, url), indent=2),
    ),
}
NEGOTIABLE = {media_type: extension for extension, (media_type, _) in EXPORTS.items()}
NEGOTIABLE["application/ld+json"] = "jsonld"
NEGOTIABLE["text/x-bibliography"] = "bibliography"
DEFAULT_STYLE = "apa"


def public_record(request: HttpRequest, slug: str) -> Publication:
    """A public record with everything its page or exports show; staff may see any record."""
    queryset = Publication.objects.for_detail()
    if not request.user.is_staff:
        queryset = queryset.public()
    try:
        return queryset.get(slug=slug)  # unlike first(), without the model's three-key ORDER BY
    except Publication.DoesNotExist:
        raise Http404("No publication at this address.") from None


def export_response(request: HttpRequest, publication: Publication, extension: str):
    url = request.build_absolute_uri(publication.get_absolute_url())
    if extension == "bibliography":
        return bibliography_response(request, publication)
    if extension == "jsonld":
        data = metadata.json_ld(request, publication, list(publication.authorships.all()))
        return HttpResponse(json.dumps(data, indent=2), content_type="application/ld+json")
    media_type, render_export = EXPORTS[extension]
    response = HttpResponse(
        render_export(publication, url), content_type=f"{media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}.{extension}"'
    return response


def bibliography_response(request: HttpRequest, publication: Publication) -> HttpResponse:
    """text/x-bibliography: the formatted reference in `?style=` (any bundled CSL style; APA
    by default), as DOI resolvers answer it. An unknown style is a 400 naming it."""
    style = request.GET.get("style", "").strip() or DEFAULT_STYLE
    try:
        text = citations.render_csl(exports.csl_json(publication), style)
    except citations.UnknownStyle:
        return HttpResponseBadRequest(
            f"Unknown citation style {style[:80]!r}. Styles are named as in the CSL repository "
            f"(apa, harvard-cite-them-right, vancouver-nlm, nature, ieee); find one at "
            f"{publication.get_absolute_url()}cite/?q=…\n",
            content_type="text/plain; charset=utf-8",
        )
    except citations.StyleUnavailable as error:
        return HttpResponse(f"{error}\n", status=422, content_type="text/plain; charset=utf-8")
    return HttpResponse(
        citations.plain_text(text) + "\n", content_type="text/x-bibliography; charset=utf-8"
    )


@require_safe
def publication_cite(request: HttpRequest, slug: str) -> HttpResponse:
    """/publications/<slug>/cite/: the record in any of the ~10,800 bundled CSL styles.
    `q` finds styles by name; `style` renders the record in one (an unknown one is a 400 that
    still offers the search)."""
    publication = public_record(request, slug)
    query = request.GET.get("q", "").strip()[:200]
    style = request.GET.get("style", "").strip()
    context = {
        "publication": publication,
        "query": query,
        "matches": citations.find_styles(query) if query else [],
        "style": style,
        "style_count": len(citations.all_styles()),
    }
    status = 200
    if style:
        try:
            context["rendered"] = citations.render_csl(exports.csl_json(publication), style)
            context["style_title"] = citations.style_title(style)
        except citations.UnknownStyle:
            context["unknown_style"] = style
            status = 400
        except citations.StyleUnavailable as error:
            context["unavailable"] = str(error)
            status = 422
    return render(request, "publications/publication_cite.html", context, status=status)


@require_safe
def publication_export(request: HttpRequest, slug: str, extension: str) -> HttpResponse:
    """/publications/<slug>/export.bib, .ris, .json (CSL-JSON)."""
    if extension not in EXPORTS:
        raise Http404("Exports are .bib, .ris and .json.")
    return export_response(request, public_record(request, slug), extension)


def negotiated(request: HttpRequest) -> str:
    """The export an Accept header prefers over HTML, as DOI resolvers negotiate, or ""."""
    best, best_q = "", 0.0
    for part in request.headers.get("Accept", "").split(",")[:20]:
        media_type, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type in {"text/html", "application/xhtml+xml", "*/*"} and quality >= best_q:
            best, best_q = "", quality
        elif media_type in NEGOTIABLE and quality > best_q:
            best, best_q = NEGOTIABLE[media_type], quality
    return best


@require_safe
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A record page. Only Validated + Public records are shown to visitors; staff may preview
    the others. An old slug redirects permanently to the current one. An Accept header that
    prefers BibTeX, RIS, CSL-JSON or JSON-LD gets that instead of HTML. Visitors' pages come
    from the cache while the data is unchanged, and revalidate with a 304 (pagecache)."""
    extension = negotiated(request)
    page = None
    if not extension and pagecache.cacheable(request):
        page = pagecache.PageCache(request)
        if (response := page.answer()) is not None:
            return response
    try:
        publication = public_record(request, slug)
    except Http404:
        publication = None
    if publication is None:
        old = PublicationSlug.objects.select_related("publication").filter(slug=slug).first()
        if old and (old.publication.is_public or request.user.is_staff):
            return redirect(old.publication, permanent=True)
        raise Http404("No publication at this address.")
    if extension:
        response = export_response(request, publication, extension)
        patch_vary_headers(response, ("Accept",))
        return response
    response = record_page(request, publication)
    return page.keep(response) if page is not None else response


def record_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    """The record page of a record loaded with for_detail()."""
    authorships = list(publication.authorships.all())
    response = render(
        request,
        "publications/publication_detail.html",
        {
            "publication": publication,
            "authorships": authorships,
            "json_ld": metadata.script_json(metadata.json_ld(request, publication, authorships)),
            "coins": metadata.coins(publication, authorships),
            "keywords": [pk.keyword for pk in publication.publication_keywords.all()],
            "status_history": sorted(
                publication.status_history.all(), key=lambda entry: entry.rank, reverse=True
            ),
            "organisations": unique_affiliations(authorships),
            "citations": citations.citations_of(publication, authorships).tabs(),
            "concepts": fingerprints.publication_concepts(publication),
            "fingerprint_intro": fingerprint_intro(publication),
            "fingerprint_url": reverse("publication_fingerprint", args=[publication.slug]),
            "similar": fingerprints.similar_publications(publication),
        },
    )
    response["Link"] = metadata.signposting(request, publication, authorships)
    patch_vary_headers(response, ("Accept",))
    return response


def fingerprint_intro(publication: Publication) -> str:
    return (
        f"Dive into the research topics of ‘{publication.full_title}’. "
        "Together they form a unique fingerprint."
    )


@require_safe
def publication_fingerprint(request: HttpRequest, slug: str) -> HttpResponse:
    """/publications/<slug>/fingerprint/: every concept of the record's fingerprint, by
    category, strongest first."""
    publication = public_record(request, slug)
    groups: dict[str, list] = {}
    for concept in fingerprints.publication_concepts(publication, limit=None):
        groups.setdefault(concept.category or "Other", []).append(concept)
    return render(
        request,
        "publications/publication_fingerprint.html",
        {
            "publication": publication,
            "groups": sorted(groups.items(), key=lambda group: -group[1][0].weight),
            "fingerprint_intro": fingerprint_intro(publication),
        },
    )


def unique_affiliations(authorships) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for authorship in authorships:
        for organisation in authorship.affiliations.all():
            seen.setdefault(organisation.pk, organisation)
    return sorted(seen.values(), key=lambda organisation: organisation.name)


LISTING_EXPORTS = {
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "json": "application/vnd.citationstyles.csl+json",
    "csv": "text/csv",
}
EXPORT_CHUNK = 500


@require_safe
def listing_export(request: HttpRequest, extension: str) -> HttpResponse:
    """/publications/export.bib, .ris, .json, .csv: the listing's results under exactly its
    query string (search, filters, sort), streamed in chunks with constant memory. Invalid
    filters are a 400 naming them: an export must not silently differ from what was asked."""
    if extension not in LISTING_EXPORTS:
        raise Http404("Listing exports are .bib, .ris, .json and .csv.")
    data = without_nul_bytes(request.GET)
    filterset = PublicationFilterSet(data, queryset=Publication.objects.public())
    results = filterset.qs
    if filterset.form.errors:
        problems = [
            f"{filterset.filters[name].label}: {error}"
            for name, errors in filterset.form.errors.items()
            for error in errors
        ]
        return HttpResponseBadRequest(
            "Nothing was exported: fix the query string.\n" + "\n".join(problems) + "\n",
            content_type="text/plain; charset=utf-8",
        )
    query = data.get("q", "")
    sort = data.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS or (sort == "relevance" and not query):
        sort = "newest"
    rows = export_rows.export_records(results.order_by(*ordering(sort)), EXPORT_CHUNK)
    record_url = request.build_absolute_uri("/publications/")

    def url_of(record: export_rows.ExportRecord) -> str:
        return f"{record_url}{record.slug}/"

    if extension == "bib":
        texts = (exports.bibtex(r, url_of(r)) + "\n" for r in rows)
    elif extension == "ris":
        texts = (exports.ris(r, url_of(r)) + "\n" for r in rows)
    elif extension == "json":
        texts = json_array(json.dumps(exports.csl_json(r, url_of(r))) for r in rows)
    else:
        writer = csv.writer(exports.Echo())
        header = (writer.writerow(exports.CSV_COLUMNS),)
        texts = chain(header, (writer.writerow(exports.csv_row(r, url_of(r))) for r in rows))
    content_type = f"{LISTING_EXPORTS[extension]}; charset=utf-8"
    response = StreamingHttpResponse(exports.joined(texts, EXPORT_CHUNK), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="publications.{extension}"'
    return response


def json_array(items):
    """Items of a JSON array as a stream: '[', the items between commas, ']'."""
    yield "["
    for index, item in enumerate(items):
        yield ("," if index else "") + "\n" + item
    yield "\n]\n"


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every page but the admin and the endless filter combinations of the
    listings (every record is reachable without a query string, and from the sitemap)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /*?",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
