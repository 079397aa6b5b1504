"""The librarians' admin: every model of the portal, with the publication form arranged the way a
record is curated (type and status, title, journal, identifiers, subjects, workflow) and its
authors, keywords, status history, links and old slugs as inlines."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db import models
from django.db.models import F, Max, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from publications import validators
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Membership,
    Organisation,
    Person,
    PersonNameVariant,
    Publication,
    PublicationKeyword,
    PublicationLink,
    PublicationSlug,
    PublicationStatusEntry,
    SubjectArea,
    WorkflowState,
)
from publications.services import (
    journal_sync_search,
    person_sync_search,
    publication_sync_derived,
)


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
class JournalAdmin(admin.ModelAdmin):
    list_display = ("title", "abbreviation", "issn", "eissn", "publisher")
    list_per_page = 50
    search_fields = ("title", "abbreviation", "issn", "eissn")
    search_help_text = "Title, abbreviation or an ISSN (print or electronic)."
    autocomplete_fields = ("subject_areas",)
    fields = ("title", "abbreviation", ("issn", "eissn"), "publisher", "subject_areas", "slug")

    def save_model(self, request: HttpRequest, journal: Journal, form, change: bool) -> None:
        super().save_model(request, journal, form, change)
        if change and "title" in form.changed_data:
            journal_sync_search(journal=journal)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "ror")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    list_per_page = 50
    search_fields = ("name", "ror")
    search_help_text = "Name or ROR ID."
    autocomplete_fields = ("parent",)
    fields = ("name", "kind", "parent", "ror", "slug")


class StoredLabelsWidgetMixin:
    """An autocomplete widget that labels the stored choice with the row's own (joined or
    prefetched) related objects, where Django's runs a query per row: 3,000 authors, 6,000
    queries."""

    stored_labels: dict[str, str] = {}

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not selected or not set(selected) <= self.stored_labels.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            options.append(self.create_option(name, pk, self.stored_labels[pk], True, len(options)))
        return [(None, options, 0)]


class StoredLabelsAutocompleteSelect(StoredLabelsWidgetMixin, AutocompleteSelect):
    pass


class StoredLabelsAutocompleteSelectMultiple(StoredLabelsWidgetMixin, AutocompleteSelectMultiple):
    pass


class StoredLabelsForm(forms.ModelForm):
    """Gives its autocomplete widgets the labels of the instance's stored related objects."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
            if not isinstance(widget, StoredLabelsWidgetMixin):
                continue
            related = getattr(self.instance, name)
            if related is None:
                objects = []
            elif hasattr(related, "all"):
                objects = related.all()
            else:
                objects = [related]
            widget.stored_labels = {str(obj.pk): field.label_from_instance(obj) for obj in objects}


class StoredLabelsInline(admin.TabularInline):
    """A tabular inline whose rows show their autocomplete choices without a query each; its
    get_queryset must join or prefetch the autocomplete fields."""

    form = StoredLabelsForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                StoredLabelsAutocompleteSelect(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                StoredLabelsAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "initials", "orcid", "is_internal")
    list_filter = ("is_internal",)
    list_per_page = 50
    # "Show all (N)" would count every person a second time on each filtered page.
    show_full_result_count = False
    search_fields = ("family_name", "given_name", "orcid", "name_variants__name")
    search_help_text = "Family name, given name, ORCID iD or a name variant."
    fields = (("given_name", "family_name"), "initials", "orcid", "is_internal", "slug")
    inlines = (PersonNameVariantInline, MembershipInline)

    def save_model(self, request: HttpRequest, person: Person, form, change: bool) -> None:
        super().save_model(request, person, form, change)
        if change and {"given_name", "family_name"} & set(form.changed_data):
            person_sync_search(person=person)

    @admin.display(description="name", ordering="family_name")
    def name(self, person: Person) -> str:
        return person.sort_name


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ("term",)
    list_per_page = 100
    search_fields = ("term",)


class PositionedForm(StoredLabelsForm):
    """A row with a position unique per publication (an author, a keyword)."""

    def validate_unique(self) -> None:
        # A position is checked against the other submitted rows (by the formset), not against
        # the rows as stored: reordering swaps stored positions, and PositionedFormSet moves the
        # rows out of each other's way when it saves.
        exclude = self._get_validation_exclusions() | {"position"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


class AuthorshipForm(PositionedForm):
    class Meta:
        model = Authorship
        fields = ("position", "person", "name_as_printed", "role", "affiliations", "corresponding")


class PositionedFormSet(forms.BaseInlineFormSet):
    """An inline of rows ordered by a position that is unique per publication (authors,
    keywords)."""

    def save_existing_objects(self, commit: bool = True) -> list:
        # Positions are unique per publication and the constraint is checked row by row, so
        # moving row 2 to 1 and 1 to 2 would collide half-way. The rows that move (or go) are
        # first parked above the highest stored position, where nothing can collide; the admin
        # saves the whole form in one transaction, so nobody sees them parked.
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk and (form in self.deleted_forms or "position" in form.changed_data)
        ]
        if commit and moving:
            stored = self.model._default_manager.filter(publication=self.instance)
            highest = stored.aggregate(highest=Max("position"))["highest"] or 0
            stored.filter(pk__in=moving).update(position=F("position") + highest)
        return super().save_existing_objects(commit)


class AuthorshipInline(StoredLabelsInline):
    model = Authorship
    form = AuthorshipForm
    formset = PositionedFormSet
    fields = ("position", "person", "name_as_printed", "role", "affiliations", "corresponding")
    autocomplete_fields = ("person", "affiliations")
    ordering = ("position",)
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "authors (in the order printed)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Row titles and the person widget read the joined person; the affiliations widget
        # and its initial value read the prefetch.
        return (
            super().get_queryset(request).select_related("person").prefetch_related("affiliations")
        )


class PublicationKeywordInline(StoredLabelsInline):
    model = PublicationKeyword
    form = PositionedForm
    formset = PositionedFormSet
    fields = ("position", "keyword")
    autocomplete_fields = ("keyword",)
    ordering = ("position",)
    extra = 1
    verbose_name_plural = "keywords (in the order the authors gave them)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("keyword")


class PublicationStatusEntryInline(admin.TabularInline):
    model = PublicationStatusEntry
    fields = ("status", "date", "date_precision")
    ordering = ("date", "pk")
    extra = 1


class PublicationLinkInline(admin.TabularInline):
    model = PublicationLink
    # A pasted "example.org/paper" becomes https://, as nearly every publisher serves today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("url", "label")
    extra = 0


class PublicationSlugInline(admin.TabularInline):
    model = PublicationSlug
    fields = ("slug",)
    extra = 0
    verbose_name = "old slug"
    verbose_name_plural = "old slugs (their URLs redirect to the current one)"


def transition(
    modeladmin: PublicationAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    to: WorkflowState,
    sources: tuple[WorkflowState, ...],
    done: tuple[str, str],
) -> None:
    """Move the selected publications in one of the source states to the target state."""
    selected = queryset.count()
    # update() skips save(), so the modification time is set here.
    changed = queryset.filter(workflow_state__in=sources).update(
        workflow_state=to, modified=timezone.now()
    )
    modeladmin.message_user(
        request,
        ngettext(done[0], done[1], changed) % {"count": changed},
        messages.SUCCESS if changed else messages.WARNING,
    )
    if selected > changed:
        skipped = selected - changed
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d selected publication was left as it was: the step does not apply to it.",
                "%(count)d selected publications were left as they were: the step does not apply.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "output_type",
        "date_shown",
        "journal",
        "workflow_state",
        "visibility",
    )
    list_filter = (
        "workflow_state",
        "visibility",
        "output_type",
        "peer_reviewed",
        "status",
        "language",
        "open_access",
    )
    list_select_related = ("journal",)
    list_per_page = 50
    # "Show all (N)" would count every publication a second time on each filtered page.
    show_full_result_count = False
    # No date_hierarchy: its year links are a DISTINCT over every publication on each page view.
    search_fields = (
        "title",
        "doi",
        "authorships__name_as_printed",
        "authorships__person__family_name",
    )
    search_help_text = (
        "Words of the title, a DOI (a doi.org link is fine) or an author's family name."
    )
    autocomplete_fields = ("journal", "subject_areas")
    readonly_fields = ("created", "modified")
    fieldsets = (
        (
            "Type and status",
            {
                "description": "When the status history below has entries, the status and its "
                "date are taken from it on save.",
                "fields": (
                    ("output_type", "peer_reviewed"),
                    "language",
                    ("status", "date", "date_precision"),
                ),
            },
        ),
        ("Title and abstract", {"fields": ("title", "subtitle", "abstract")}),
        (
            "Journal and bibliographic details",
            {
                "fields": (
                    "journal",
                    ("volume", "issue"),
                    ("pages", "page_start", "page_end", "number_of_pages"),
                    "article_number",
                )
            },
        ),
        (
            "Book, chapter or conference",
            {
                "classes": ("collapse",),
                "description": "For chapters, proceedings papers, books, reports and "
                "conference contributions.",
                "fields": (
                    "host_title",
                    ("edition", "publisher", "place_of_publication"),
                    ("conference_name", "conference_location"),
                    ("conference_start", "conference_end"),
                ),
            },
        ),
        ("Identifiers", {"fields": ("doi", ("pmid", "scopus_eid", "isbn"), "open_access")}),
        ("Subjects", {"fields": ("subject_areas",)}),
        (
            "Workflow",
            {"fields": (("workflow_state", "visibility"), "slug", ("created", "modified"))},
        ),
    )
    inlines = (
        AuthorshipInline,
        PublicationKeywordInline,
        PublicationStatusEntryInline,
        PublicationLinkInline,
        PublicationSlugInline,
    )
    actions = ("submit_for_validation", "mark_as_validated", "return_to_entry_in_progress")

    @admin.display(description="date", ordering="date")
    def date_shown(self, publication: Publication) -> str:
        return publication.date_display

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # A pasted DOI (bare, doi: or https://doi.org/…) finds its record through the unique
        # index on lower(doi); a partial DOI falls through to the ordinary search.
        doi = validators.normalise_doi(search_term)
        if validators.DOI_RE.match(doi):
            exact = queryset.alias(doi_lower=Lower("doi")).filter(doi_lower=doi)
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        publication_sync_derived(
            publication=form.instance, previous_slug=form.initial.get("slug", "") if change else ""
        )

    @admin.action(description="Submit for validation", permissions=["change"])
    def submit_for_validation(self, request: HttpRequest, queryset: QuerySet) -> None:
        transition(
            self,
            request,
            queryset,
            to=WorkflowState.FOR_VALIDATION,
            sources=(WorkflowState.IN_PROGRESS,),
            done=(
                "%(count)d publication was submitted for validation.",
                "%(count)d publications were submitted for validation.",
            ),
        )

    @admin.action(description="Mark as validated", permissions=["change"])
    def mark_as_validated(self, request: HttpRequest, queryset: QuerySet) -> None:
        transition(
            self,
            request,
            queryset,
            to=WorkflowState.VALIDATED,
            sources=(WorkflowState.IN_PROGRESS, WorkflowState.FOR_VALIDATION),
            done=(
                "%(count)d publication was marked as validated.",
                "%(count)d publications were marked as validated.",
            ),
        )

    @admin.action(description="Return to entry in progress", permissions=["change"])
    def return_to_entry_in_progress(self, request: HttpRequest, queryset: QuerySet) -> None:
        transition(
            self,
            request,
            queryset,
            to=WorkflowState.IN_PROGRESS,
            sources=(WorkflowState.FOR_VALIDATION, WorkflowState.VALIDATED),
            done=(
                "%(count)d publication was returned to entry in progress.",
                "%(count)d publications were returned to entry in progress.",
            ),
        )
