"""Pages of persons, organisations, journals and subject areas, and the home page."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from publications.models import (
    Journal,
    Membership,
    Organisation,
    Person,
    Publication,
    SubjectArea,
)
from publications.querysets import public_publications_q
from publications.views.common import DETAIL_PAGE_SIZE, LenientPaginationMixin, paginate


def area_publication_counts() -> dict[int, int]:
    """Public publications per two-digit ASJC area (one aggregate query)."""
    through = Publication.subject_areas.through
    rows = (
        through.objects.filter(public_publications_q("publication__"))
        .annotate(area=F("subjectarea__code") / 100 * 100)  # integer division
        .values("area")
        .annotate(n=Count("publication", distinct=True))
        .order_by()
    )
    return {int(row["area"]): row["n"] for row in rows}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    publications = Publication.objects.public()
    counts = area_publication_counts()
    areas = [
        (area, counts.get(area.code, 0)) for area in SubjectArea.objects.filter(parent__isnull=True)
    ]
    return render(
        request,
        "publications/home.html",
        {
            "publication_count": publications.count(),
            "person_count": Person.objects.internal().count(),
            "organisation_count": Organisation.objects.internal().count(),
            "journal_count": Journal.objects.count(),
            "latest": publications.for_list().newest()[:10],
            "areas": [(area, n) for area, n in areas if n],
        },
    )


class PersonListView(LenientPaginationMixin, ListView):
    template_name = "publications/person_list.html"
    context_object_name = "persons"
    paginate_by = 50

    def get_queryset(self):
        return Person.objects.internal().for_list()


class PublicationsOfObjectMixin:
    """A detail page that lists the object's public publications, newest first, paginated."""

    def publications_of(self, obj) -> QuerySet:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publications = self.publications_of(self.object).public().for_list().newest()
        context["page_obj"] = paginate(self.request, publications, DETAIL_PAGE_SIZE)
        context["publications"] = context["page_obj"].object_list
        return context


class PersonDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.internal().prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by(
                    "-start_date", "organisation__name"
                ),
            ),
            "name_variants",
        )

    def publications_of(self, person):
        return Publication.objects.for_person(person)


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The institution's organisation tree, built from one query."""
    organisations = list(Organisation.objects.internal().order_by("name"))
    children: dict[int | None, list[Organisation]] = {}
    for organisation in organisations:
        children.setdefault(organisation.parent_id, []).append(organisation)
    known = {organisation.pk for organisation in organisations}
    roots = [o for o in organisations if o.parent_id is None or o.parent_id not in known]
    return render(
        request,
        "publications/organisation_list.html",
        {"tree": build_tree(roots, children), "count": len(organisations)},
    )


def build_tree(nodes, children) -> list[dict]:
    """Nested dictionaries {organisation, children} for a recursive template include."""
    return [
        {"organisation": node, "children": build_tree(children.get(node.pk, []), children)}
        for node in nodes
    ]


class OrganisationDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("parent__parent__parent").prefetch_related(
            "children"
        )

    def publications_of(self, organisation):
        return Publication.objects.for_organisation(organisation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        # The breadcrumb: up to three levels, all loaded by get_queryset's select_related.
        ancestors, node = [], organisation
        for _ in range(3):
            if node.parent_id is None:
                break
            node = node.parent
            ancestors.insert(0, node)
        context["ancestors"] = ancestors
        context["members"] = (
            Person.objects.internal().filter(memberships__organisation=organisation).distinct()
        )
        return context


class JournalListView(LenientPaginationMixin, ListView):
    template_name = "publications/journal_list.html"
    context_object_name = "journals"
    paginate_by = 50

    def get_queryset(self):
        return Journal.objects.with_publication_count().order_by("title")


class JournalDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/journal_detail.html"
    context_object_name = "journal"

    def get_queryset(self):
        return Journal.objects.prefetch_related("subject_areas")

    def publications_of(self, journal):
        return Publication.objects.for_journal(journal)


@require_GET
def subject_area_list(request: HttpRequest) -> HttpResponse:
    """The ASJC tree: groups, their two-digit areas (with public publication counts) and codes."""
    codes = list(SubjectArea.objects.order_by("code"))
    counts = area_publication_counts()
    by_area: dict[int, list[SubjectArea]] = {}
    for area in codes:
        if not area.is_area:
            by_area.setdefault(area.parent_id, []).append(area)
    groups: dict[str, list[dict]] = {}
    for area in codes:
        if area.is_area:
            groups.setdefault(area.get_group_display(), []).append(
                {"area": area, "count": counts.get(area.code, 0), "codes": by_area.get(area.pk, [])}
            )
    return render(request, "publications/subjectarea_list.html", {"groups": groups})


class SubjectAreaDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/subjectarea_detail.html"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return SubjectArea.objects.select_related("parent").prefetch_related("children")

    def publications_of(self, area):
        return Publication.objects.for_subject_area(area)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["journals"] = (
            Journal.objects.filter(subject_areas__code__in=self.object.codes_within())
            .distinct()
            .order_by("title")[:50]
        )
        return context
