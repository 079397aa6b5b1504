"""The admins of what publications refer to: subject areas, journals, organisations, persons (with
their name variants, memberships and old slugs, and the person merge) and keywords."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from publications.admin.forms import StoredLabelsInline
from publications.admin.history import HistoryAdmin, reverted_version
from publications.admin.merge import MergeRow, merge_selected, yes_no
from publications.merging import merge_persons
from publications.models import (
    Journal,
    Keyword,
    Membership,
    Organisation,
    Person,
    PersonNameVariant,
    PersonSlug,
    SubjectArea,
)
from publications.services import journal_sync_search, person_sync_search


@admin.register(SubjectArea)
class SubjectAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "display_name", "name", "group", "parent")
    list_filter = ("group",)
    list_select_related = ("parent",)
    list_per_page = 100
    search_fields = ("name", "display_name")
    search_help_text = "An ASJC code (2403) or words of its name."
    autocomplete_fields = ("parent",)
    ordering = ("code",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # The code is a number: a typed code matches it exactly (icontains on an integer would cast
        # every row to text and match 24 inside 1240).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) <= 4:
            results |= queryset.filter(code=int(term))
        return results, may_have_duplicates


@admin.register(Journal)
class JournalAdmin(HistoryAdmin):
    list_display = ("title", "abbreviation", "issn", "eissn", "publisher")
    list_per_page = 50
    search_fields = ("title", "abbreviation", "issn", "eissn")
    search_help_text = "Title, abbreviation or an ISSN (print or electronic)."
    autocomplete_fields = ("subject_areas",)
    fields = ("title", "abbreviation", ("issn", "eissn"), "publisher", "subject_areas", "slug")

    def save_model(self, request: HttpRequest, journal: Journal, form, change: bool) -> None:
        super().save_model(request, journal, form, change)
        # A revert may bring back another title without the form seeing a change.
        if change and ("title" in form.changed_data or reverted_version(request)):
            journal_sync_search(journal=journal)


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ("name", "kind", "parent", "ror")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    list_per_page = 50
    search_fields = ("name", "ror")
    search_help_text = "Name or ROR ID."
    autocomplete_fields = ("parent",)
    fields = ("name", "kind", "parent", "ror", "slug")


class PersonNameVariantInline(admin.TabularInline):
    model = PersonNameVariant
    extra = 1
    verbose_name = "name variant"
    verbose_name_plural = "name variants (other forms of the name seen in print)"


class MembershipInline(StoredLabelsInline):
    model = Membership
    extra = 1
    fields = ("organisation", "role", "start_date", "end_date")
    autocomplete_fields = ("organisation",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's title is Membership.__str__, which reads the person and the organisation.
        return super().get_queryset(request).select_related("person", "organisation")


class PersonSlugInline(admin.TabularInline):
    model = PersonSlug
    fields = ("slug",)
    extra = 0
    verbose_name = "old slug"
    verbose_name_plural = "old slugs (their profile URLs redirect to the current one)"


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ("name", "initials", "orcid", "is_internal")
    list_filter = ("is_internal",)
    list_per_page = 50
    # "Show all (N)" would count every person a second time on each filtered page.
    show_full_result_count = False
    search_fields = ("family_name", "given_name", "orcid", "name_variants__name")
    search_help_text = "Family name, given name, ORCID iD or a name variant."
    fields = (("given_name", "family_name"), "initials", "orcid", "is_internal", "slug")
    inlines = (PersonNameVariantInline, MembershipInline, PersonSlugInline)
    actions = ("merge_selected_persons",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, object]:
        # A person added from the persons list is usually one of the institution's own; the "+"
        # beside an author opens this form with ?is_internal= (empty: external) instead.
        return {"is_internal": True, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, person: Person, form, change: bool) -> None:
        super().save_model(request, person, form, change)
        names_changed = {"given_name", "family_name"} & set(form.changed_data)
        # A revert may bring back another name without the form seeing a change.
        if change and (names_changed or reverted_version(request)):
            person_sync_search(person=person)

    @admin.display(description="name", ordering="family_name")
    def name(self, person: Person) -> str:
        return person.sort_name

    @admin.action(description="Merge selected persons…", permissions=["delete"])
    def merge_selected_persons(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        candidates = list(queryset.annotate(authorship_count=Count("authorships")).order_by("pk"))
        rows: list[MergeRow] = [
            ("Name", lambda person: person.sort_name),
            ("ORCID iD", lambda person: person.orcid or "—"),
            ("Internal", lambda person: yes_no(person.is_internal)),
            ("Authorships", lambda person: person.authorship_count),
        ]
        return merge_selected(
            self,
            request,
            candidates,
            action="merge_selected_persons",
            rows=rows,
            merge=merge_persons,
        )


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ("term",)
    list_per_page = 100
    search_fields = ("term",)
