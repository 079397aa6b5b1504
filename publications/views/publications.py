"""The research-output listing and the record page."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from publications import exports, metadata
from publications.feeds import ListingFeed
from publications.listing import build_listing, render_listing
from publications.models import Organisation, Publication, PublicationSlug


@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    """All public research output: search, filters, facets, sorting, paging (htmx-aware);
    `format=atom` gives the same listing as an Atom feed."""
    if request.GET.get("format") == "atom":
        return ListingFeed()(request)
    context = build_listing(request, Publication.objects.public(), figures_name="publications")
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


def public_record(request: HttpRequest, slug: str) -> Publication:
    """A public record with everything its page or exports show; staff may see any record."""
    queryset = Publication.objects.for_detail()
    if not request.user.is_staff:
        queryset = queryset.public()
    publication = queryset.filter(slug=slug).first()
    if publication is None:
        raise Http404("No publication at this address.")
    return publication


def export_response(request: HttpRequest, publication: Publication, extension: str):
    url = request.build_absolute_uri(publication.get_absolute_url())
    if extension == "jsonld":
        data = metadata.json_ld(request, publication, list(publication.authorships.all()))
        return HttpResponse(json.dumps(data, indent=2), content_type="application/ld+json")
    media_type, render_export = EXPORTS[extension]
    response = HttpResponse(
        render_export(publication, url), content_type=f"{media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}.{extension}"'
    return response


@require_GET
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


@require_GET
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A record page. Only Validated + Public records are shown to visitors; staff may preview
    the others. An old slug redirects permanently to the current one. An Accept header that
    prefers BibTeX, RIS, CSL-JSON or JSON-LD gets that instead of HTML."""
    try:
        publication = public_record(request, slug)
    except Http404:
        publication = None
    if publication is None:
        old = PublicationSlug.objects.select_related("publication").filter(slug=slug).first()
        if old and (old.publication.is_public or request.user.is_staff):
            return redirect(old.publication, permanent=True)
        raise Http404("No publication at this address.")
    if extension := negotiated(request):
        response = export_response(request, publication, extension)
        patch_vary_headers(response, ("Accept",))
        return response
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
        },
    )
    response["Link"] = metadata.signposting(request, publication, authorships)
    patch_vary_headers(response, ("Accept",))
    return response


def unique_affiliations(authorships) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for authorship in authorships:
        for organisation in authorship.affiliations.all():
            seen.setdefault(organisation.pk, organisation)
    return sorted(seen.values(), key=lambda organisation: organisation.name)


@require_GET
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
