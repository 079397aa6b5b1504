"""Pages of persons, organisations, journals and subject areas, and the home page.

Query-string input is read leniently: a value that cannot be used is left out and named in a
notice on the page, never answered with an error."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from publications.figures import Figures, rendered
from publications.fingerprints import queries as fingerprints
from publications.listing import LIST_AUTHORS, build_listing, render_listing
from publications.models import (
    Journal,
    Membership,
    Organisation,
    Person,
    PersonSlug,
    Publication,
    SubjectArea,
    SubjectGroup,
)
from publications.querysets import (
    collection_years,
    organisation_publication_counts,
    public_publication_totals,
    publication_year_counts,
    search_words,
    subject_publication_counts,
)
from publications.templatetags.charts import year_chart
from publications.views.common import LenientPaginationMixin

MAX_SEARCH_LENGTH = 200
# PostgreSQL refuses NUL bytes in text parameters; no other control character belongs in a name.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")
UNPRINTABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)]
CO_AUTHORS_SHOWN = 20
JOURNALS_SHOWN = 20
MEMBERS_SHOWN = 60


def quoted(value: str, limit: int = 60) -> str:
    """A reader's input as a message repeats it: in quotes, shortened when long."""
    return f"‘{value[:limit]}…’" if len(value) > limit else f"‘{value}’"


def plain_param(request: HttpRequest, name: str) -> str:
    """A query-string value without control characters or surrounding spaces."""
    return CONTROL_CHARACTERS_RE.sub("", request.GET.get(name, "")).strip()[:MAX_SEARCH_LENGTH]


def search_param(request: HttpRequest, notices: list[str], name: str = "q") -> str:
    """The text of a search box, fit to search with: control characters left out, spaces
    collapsed, cut to MAX_SEARCH_LENGTH characters; each change is told in `notices`."""
    raw = request.GET.get(name, "")
    # Tabs and line breaks come with pasted names and are only spaces; the rest are no text.
    if UNPRINTABLE_RE.search(raw):
        notices.append(
            "Your search contained control characters (such as NUL): they were left out."
        )
    text = " ".join(UNPRINTABLE_RE.sub("", raw).split())
    if len(text) > MAX_SEARCH_LENGTH:
        text = text[:MAX_SEARCH_LENGTH].strip()
        notices.append(
            f"Your search was longer than {MAX_SEARCH_LENGTH} characters: only its start was used."
        )
    return text


def url_with(name: str, **params: str) -> str:
    """The URL of a named page with a query string; for the research-output listing the filter
    names are those of DESIGN.md ("Listing query string")."""
    return f"{reverse(name)}?{urlencode(params)}"


def organisation_tree(organisations: list[Organisation], counts: dict[int, int]) -> list[dict]:
    """Nested {organisation, count, children} dictionaries from a flat list of organisations;
    an organisation whose parent is not in the list is a root."""
    children: dict[int | None, list[Organisation]] = {}
    for organisation in organisations:
        children.setdefault(organisation.parent_id, []).append(organisation)
    known = {organisation.pk for organisation in organisations}
    roots = [o for o in organisations if o.parent_id is None or o.parent_id not in known]
    return build_tree(roots, children, counts)


def build_tree(nodes, children, counts) -> list[dict]:
    """Nested dictionaries {organisation, count, children} for a recursive template include."""
    return [
        {
            "organisation": node,
            "count": counts.get(node.pk, 0),
            "children": build_tree(children.get(node.pk, []), children, counts),
        }
        for node in nodes
    ]


def flatten_tree(tree: list[dict], depth: int = 0) -> list[tuple[Organisation, int]]:
    """(organisation, depth) in tree order: a unit follows its parent."""
    rows = []
    for node in tree:
        rows.append((node["organisation"], depth))
        rows.extend(flatten_tree(node["children"], depth + 1))
    return rows


def grouped(areas: dict[str, list], counts) -> list[dict]:
    """The ASJC groups that have areas, in the classification's order, with their counts."""
    return [
        {
            "value": value,
            "label": label,
            "count": counts.groups.get(value, 0),
            "areas": areas[value],
        }
        for value, label in SubjectGroup.choices
        if value in areas
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    publications = Publication.objects.public()
    figures = Figures(request)
    counts = figures.get("subject-counts", subject_publication_counts)

    def home_totals() -> dict[str, int]:
        publication_count, journal_count = public_publication_totals()  # running sums
        return {
            "publication_count": publication_count,
            "person_count": Person.objects.internal().public().count(),
            "organisation_count": Organisation.objects.internal().public().count(),
            "journal_count": journal_count,
        }

    totals = figures.get("home-totals", home_totals)
    areas: dict[str, list[tuple[SubjectArea, int]]] = {}
    for area in SubjectArea.objects.filter(parent__isnull=True):
        if counts.areas.get(area.code):
            areas.setdefault(area.group, []).append((area, counts.areas[area.code]))
    subject_groups = grouped(areas, counts)
    return render(
        request,
        "publications/home.html",
        {
            **totals,
            "latest": publications.for_results(LIST_AUTHORS).newest()[:10],
            "subject_groups": subject_groups,
        },
    )


class PersonListView(LenientPaginationMixin, ListView):
    """The institution's persons, A to Z or best match first, found by name (`q`, accents and
    typos forgiven), organisation (`organisation`, with its units) and initial (`letter`)."""

    template_name = "publications/person_list.html"
    context_object_name = "persons"
    paginate_by = 50

    def get_queryset(self):
        request = self.request
        self.notices: list[str] = []
        self.query = QueryDict(mutable=True)  # the usable filters, for links that keep them
        persons = Person.objects.internal().public()

        self.organisations = list(Organisation.objects.public().order_by("name"))
        self.organisation = None
        if slug := plain_param(request, "organisation"):
            self.organisation = next((o for o in self.organisations if o.slug == slug), None)
            if self.organisation is None:
                self.notices.append(
                    f"No organisation {quoted(slug)}: showing persons of all organisations."
                )
            else:
                persons = persons.in_organisation(self.organisation)
                self.query["organisation"] = slug

        self.letter = ""
        if letter := plain_param(request, "letter"):
            if letter.upper() in LETTERS:
                self.letter = letter.upper()
                persons = persons.with_initial(self.letter)
                self.query["letter"] = self.letter
            else:
                self.notices.append(
                    f"{quoted(letter)} is not a letter from A to Z: "
                    "showing family names with any initial."
                )

        self.q = search_param(request, self.notices)
        self.words = search_words(self.q)
        if self.words:
            persons = persons.search(self.q)
            self.query["q"] = self.q
        else:
            if self.q:
                self.notices.append(
                    f"{quoted(self.q)} has no letters or digits to search for: "
                    "showing persons of any name."
                )
            persons = persons.alphabetical()
        return persons.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        internal = [o for o in self.organisations if o.kind != "external"]
        options = flatten_tree(organisation_tree(internal, {}))
        if self.organisation and self.organisation not in internal:
            options.append((self.organisation, 0))
        context.update(
            notices=self.notices,
            q=self.q,
            searching=bool(self.words),
            organisation=self.organisation,
            letter=self.letter,
            letters=LETTERS,
            query=self.query,
            organisation_options=[
                (o.slug, "\u2002" * 2 * depth + o.name, o == self.organisation)
                for o, depth in options
            ],
        )
        return context


class PublicationsOfObjectMixin:
    """A detail page of an object's public publications: a chart of them per year, whose bars
    lead to the listing filtered by `listing_filter()`, and the full search-and-filter listing
    scoped to the object (its own filter hidden). htmx requests get the listing alone."""

    chart_id = "years"  # the id of the chart of output per year (its title and description)
    # Whether the object's slow figures are stored in the database (publications.figures):
    # those of persons and journals, whose triggers forget them (migration 0018).
    stored_figures = False
    # Up to this many publications, the listing's pages are read from the object's ids
    # (build_listing's `page_from_ids_up_to`).
    page_from_ids_up_to = 0

    @cached_property
    def figures(self) -> Figures:
        """The figures of this request: one read of the data version, whatever is cached."""
        return Figures(self.request, scope=self.figures_name() if self.stored_figures else "")

    def publications_of(self, obj) -> QuerySet:
        raise NotImplementedError

    def listing_filter(self, obj) -> dict[str, str]:
        """The listing's query-string filter that selects the object's publications."""
        raise NotImplementedError

    def year_counts(self, publications: QuerySet) -> list[tuple[int | None, int]]:
        """(year, number) of the object's public publications (`publications`)."""
        return publication_year_counts(publications)

    def figures_name(self) -> str:
        """The name of the object's cached figures (publications.figures): its chart, and its
        listing's total and facets when nothing is searched or filtered."""
        return f"{self.object._meta.model_name}:{self.object.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publications = self.publications_of(self.object).public()
        year_counts = self.figures.get(
            f"{self.figures_name()}:years", lambda: self.year_counts(publications)
        )
        # Their sum is the listing's unfiltered total (build_listing reads the figure).
        total_name = f"{self.figures_name()}:total"
        if self.figures.known(total_name) is None:
            self.figures.keep(total_name, sum(n for _, n in year_counts), 0.0)
        year_url = url_with("publication_list", **self.listing_filter(self.object))
        # Rendered once per version of the counts, like them: 70 bars and a table of years.
        context["year_chart"] = self.figures.get(
            rendered(f"{self.figures_name()}:years-chart"),
            lambda: render_to_string(
                "publications/_year_chart.html",
                year_chart(year_counts, url=year_url, chart_id=self.chart_id),
            ),
        )
        context.update(
            build_listing(
                self.request,
                publications,
                hidden_facets=tuple(self.listing_filter(self.object)),
                figures_name=self.figures_name(),
                figures=self.figures,
                scope=self.listing_filter(self.object),
                page_from_ids_up_to=self.page_from_ids_up_to,
            )
        )
        context["search_label"] = f"Search the research output of {self.object}"
        return context

    def render_to_response(self, context, **response_kwargs):
        self.figures.store()
        return render_listing(self.request, self.template_name, context)


class PersonDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/person_detail.html"
    chart_id = "person-years"
    context_object_name = "person"
    stored_figures = True

    def get_queryset(self):
        return (
            Person.objects.internal()
            .public()
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("organisation").order_by(
                        "-start_date", "organisation__name"
                    ),
                ),
                "name_variants",
            )
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A former slug, or the slug of a person merged into another: 301 to the profile.
            old = PersonSlug.objects.select_related("person").filter(slug=kwargs["slug"]).first()
            if old and Person.objects.internal().public().filter(pk=old.person_id).exists():
                return redirect(old.person, permanent=True)
            raise

    def publications_of(self, person):
        return Publication.objects.for_person(person)

    def listing_filter(self, person):
        return {"person": person.slug}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        co_authors = self.figures.get(
            f"{self.figures_name()}:co-authors",
            lambda: Person.objects.top_co_authors(person, CO_AUTHORS_SHOWN),
        )
        journals = self.figures.get(
            f"{self.figures_name()}:journals",
            lambda: list(Journal.objects.for_person(person).with_total()[:JOURNALS_SHOWN]),
        )
        context.update(
            co_authors=co_authors,
            co_author_total=co_authors[0].total if co_authors else 0,
            journals=journals,
            journal_total=journals[0].total if journals else 0,
            concepts=fingerprints.aggregate_concepts(person=person),
            fingerprint_intro=f"Dive into the research topics where {person.full_name} is "
            "active. These topic labels come from the works of this person. Together they "
            "form a unique fingerprint.",
            similar=fingerprints.similar_persons(person),
        )
        return context


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The institution's organisation tree with each unit's public output (its units' included),
    from two queries."""
    organisations = list(Organisation.objects.internal().public().order_by("name"))
    return render(
        request,
        "publications/organisation_list.html",
        {
            "tree": organisation_tree(
                organisations,
                Figures(request).get("organisation-counts", organisation_publication_counts),
            ),
            "count": len(organisations),
        },
    )


class OrganisationDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/organisation_detail.html"
    chart_id = "organisation-years"
    context_object_name = "organisation"
    queryset = Organisation.objects.public()
    # An organisation's publications are found through its authors' affiliations: newest
    # first, PostgreSQL walked the date index testing each record's authors, 9 s for a group
    # of 273 records at a million publications. Their ids read first took 17 ms, and 114 ms
    # for 11,859; from about 15,000 (a faculty) the walk finds 25 of them sooner.
    page_from_ids_up_to = 12_000

    def publications_of(self, organisation):
        return Publication.objects.for_organisation(organisation)

    def year_counts(self, publications):
        return collection_years("unit-year", str(self.object.pk))  # running sums, not a count

    def listing_filter(self, organisation):
        return {"organisation": organisation.slug}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        above = organisation.lineage[:-1]
        around = list(Organisation.objects.public().around(organisation))
        # The first members from the A-to-Z index, and their number apart (a count over the
        # whole set beside each row of the page took 300 ms for 100,000 members).
        members_of = Person.objects.internal().in_organisation(organisation)
        members = list(members_of.alphabetical()[:MEMBERS_SHOWN])
        member_total = members_of.count()
        context.update(
            # The breadcrumb, from the top of the tree down; its last one is the parent.
            ancestors=sorted((o for o in around if o.pk in above), key=lambda o: above.index(o.pk)),
            children=[o for o in around if o.parent_id == organisation.pk],
            members=members,
            member_total=member_total,
            members_url=url_with("person_list", organisation=organisation.slug),
            concepts=fingerprints.aggregate_concepts(organisation=organisation),
            fingerprint_intro=f"Dive into the research topics where {organisation.name} is "
            "active. These topic labels come from the works of this organisation's members. "
            "Together they form a unique fingerprint.",
        )
        return context


class JournalListView(LenientPaginationMixin, ListView):
    """Journals A to Z, or those matching `q` (title words, accents and typos forgiven, or an
    ISSN) best first, each with its public output."""

    template_name = "publications/journal_list.html"
    context_object_name = "journals"
    paginate_by = 50

    def get_queryset(self):
        self.notices: list[str] = []
        self.q = search_param(self.request, self.notices)
        journals = Journal.objects.public().for_list()
        if self.q and search_words(self.q):
            return journals.search(self.q)
        if self.q:
            self.notices.append(
                f"{quoted(self.q)} has no letters or digits to search for: showing all journals."
            )
        return journals.alphabetical()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(notices=self.notices, q=self.q, searching=bool(search_words(self.q)))
        return context


class JournalDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/journal_detail.html"
    chart_id = "journal-years"
    context_object_name = "journal"
    stored_figures = True

    def get_queryset(self):
        return Journal.objects.public().prefetch_related("subject_areas")

    def publications_of(self, journal):
        return Publication.objects.for_journal(journal)

    def listing_filter(self, journal):
        return {"journal": journal.slug}


@require_safe
def subject_area_list(request: HttpRequest) -> HttpResponse:
    """The ASJC tree: groups › two-digit areas › codes, each with its public output."""
    codes = list(SubjectArea.objects.order_by("code"))
    counts = Figures(request).get("subject-counts", subject_publication_counts)
    by_area: dict[int, list[dict]] = {}
    for code in codes:
        if not code.is_area:
            by_area.setdefault(code.parent_id, []).append(
                {"area": code, "count": counts.codes.get(code.code, 0)}
            )
    areas: dict[str, list[dict]] = {}
    for area in codes:
        if area.is_area:
            areas.setdefault(area.group, []).append(
                {
                    "area": area,
                    "count": counts.areas.get(area.code, 0),
                    "codes": by_area.get(area.pk, []),
                }
            )
    groups = grouped(areas, counts)
    return render(request, "publications/subjectarea_list.html", {"groups": groups})


class SubjectAreaDetailView(PublicationsOfObjectMixin, DetailView):
    template_name = "publications/subjectarea_detail.html"
    chart_id = "area-years"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return SubjectArea.objects.select_related("parent").prefetch_related("children")

    def publications_of(self, area):
        return Publication.objects.for_subject_area(area)

    def year_counts(self, publications):
        area = self.object
        return collection_years("area-year" if area.is_area else "code-year", str(area.code))

    def listing_filter(self, area):
        return {"subject": str(area.code)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["journals"] = (
            Journal.objects.public()
            .filter(subject_areas__code__in=self.object.codes_within())
            .distinct()
            .order_by("title")[:50]
        )
        return context
