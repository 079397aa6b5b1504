"""The research-output listing and the record page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from publications import metadata
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


@require_GET
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A record page. Only Validated + Public records are shown to visitors; staff may preview
    the others. An old slug redirects permanently to the current one."""
    queryset = Publication.objects.for_detail()
    if not request.user.is_staff:
        queryset = queryset.public()
    publication = queryset.filter(slug=slug).first()
    if publication is None:
        old = PublicationSlug.objects.select_related("publication").filter(slug=slug).first()
        if old and (old.publication.is_public or request.user.is_staff):
            return redirect(old.publication, permanent=True)
        raise Http404("No publication at this address.")
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
