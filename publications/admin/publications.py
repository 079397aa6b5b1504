"""The publication admin: the form arranged the way a record is curated, its inlines (authors,
keywords, status history, links, old slugs), the workflow actions and the publication merge."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from publications import validators
from publications.admin.forms import (
    AuthorshipForm,
    ExternalPersonWidgetWrapper,
    PositionedFormSet,
    PublicationKeywordForm,
    PublicationKeywordFormSet,
    StoredLabelsInline,
)
from publications.admin.history import HistoryAdmin
from publications.admin.merge import MergeRow, merge_selected
from publications.admin.workflow import ReturnToInProgressForm, transition
from publications.duplicates import flag_duplicates
from publications.merging import merge_publications
from publications.models import (
    Authorship,
    Publication,
    PublicationKeyword,
    PublicationLink,
    PublicationSlug,
    PublicationStatusEntry,
    WorkflowState,
)
from publications.services import publication_sync_derived


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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        wrapper = getattr(formfield, "widget", None)
        if db_field.name == "person" and isinstance(wrapper, RelatedFieldWidgetWrapper):
            formfield.widget = ExternalPersonWidgetWrapper(
                wrapper.widget,
                wrapper.rel,
                wrapper.admin_site,
                can_add_related=wrapper.can_add_related,
                can_change_related=wrapper.can_change_related,
                can_delete_related=wrapper.can_delete_related,
                can_view_related=wrapper.can_view_related,
            )
        return formfield


class PublicationKeywordInline(admin.TabularInline):
    model = PublicationKeyword
    form = PublicationKeywordForm
    formset = PublicationKeywordFormSet
    fields = ("position", "term")
    ordering = ("position",)
    extra = 1
    verbose_name_plural = "keywords (in the order the authors gave them)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("keyword")

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The factory made this form class for this request alone.
        formset.form.can_add_keywords = request.user.has_perm("publications.add_keyword")
        return formset


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


class PublicationAdminForm(forms.ModelForm):
    """The publication form. For a user who may not validate (an Editor), “Validated” is not on
    offer, and on a validated record the workflow state cannot be changed at all."""

    # Set per request by PublicationAdmin.get_form.
    can_validate = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("workflow_state")
        if field is None or self.can_validate:
            return
        if self.instance.workflow_state == WorkflowState.VALIDATED:
            field.disabled = True
            field.help_text = (
                "Validated by a librarian: only a librarian can change the workflow state of a "
                "validated record. Your other changes are saved and the record stays validated."
            )
        else:
            field.choices = [
                choice for choice in field.choices if choice[0] != WorkflowState.VALIDATED
            ]
            field.help_text = (
                "Only a librarian can validate a record: choose “For validation” when it is "
                "ready for them."
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        self.check_date_precision(cleaned)
        if not self.can_validate and "workflow_state" in self.fields:
            self.check_workflow_permission(cleaned)
        return cleaned

    def check_date_precision(self, cleaned: dict) -> None:
        # The database refuses a date more precise than its precision (a constraint); the status
        # history rows say why in words, and the record's own date gets the same words.
        if cleaned.get("date") is None or not cleaned.get("date_precision"):
            return
        entry = PublicationStatusEntry(
            date=cleaned["date"], date_precision=cleaned["date_precision"]
        )
        try:
            entry.clean()
        except ValidationError as error:
            for message in error.message_dict.get("date", []):
                self.add_error("date", message)

    def check_workflow_permission(self, cleaned: dict) -> None:
        # The stored state, not the form's instance: the revert form's instance is a version
        # from the history, which may be validated when the record is not (or the other way).
        state = cleaned.get("workflow_state")
        stored = ""
        if self.instance.pk:
            stored = (
                Publication.objects.filter(pk=self.instance.pk)
                .values_list("workflow_state", flat=True)
                .first()
            ) or ""
        if state != stored and WorkflowState.VALIDATED in (state, stored):
            self.add_error(
                "workflow_state",
                "Only a librarian can validate a record or change a validated one: "
                "choose “For validation” instead.",
            )


@admin.register(Publication)
class PublicationAdmin(HistoryAdmin):
    form = PublicationAdminForm
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
            {
                "description": "Only validated, public records are shown on the public portal.",
                "fields": (
                    ("workflow_state", "visibility"),
                    "workflow_note",
                    "slug",
                    ("created", "modified"),
                ),
            },
        ),
    )
    inlines = (
        AuthorshipInline,
        PublicationKeywordInline,
        PublicationStatusEntryInline,
        PublicationLinkInline,
        PublicationSlugInline,
    )
    actions = (
        "submit_for_validation",
        "mark_as_validated",
        "return_to_entry_in_progress",
        "merge_selected_publications",
    )

    @admin.display(description="date", ordering="date")
    def date_shown(self, publication: Publication) -> str:
        return publication.date_display

    def has_validate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("publications.validate_publication")

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory made this class for this request alone.
        form.can_validate = self.has_validate_permission(request)
        return form

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

    def save_model(self, request: HttpRequest, publication: Publication, form, change) -> None:
        if change and "workflow_state" in form.changed_data:
            before = WorkflowState(form.initial["workflow_state"]).label
            publication._change_reason = f"{before} → {publication.get_workflow_state_display()}"
        super().save_model(request, publication, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        publication = form.instance
        publication_sync_derived(
            publication=publication, previous_slug=form.initial.get("slug", "") if change else ""
        )
        if publication.journal_id and not form.cleaned_data.get("subject_areas"):
            areas = ", ".join(str(area) for area in publication.subject_areas.all())
            if areas:
                self.message_user(
                    request,
                    f"The subject areas were taken from the journal “{publication.journal}”: "
                    f"{areas}. Set them on the record to override.",
                    messages.INFO,
                )
        if flag_duplicates(publication):
            self.message_user(
                request,
                format_html(
                    'This record may duplicate another: see <a href="{}">possible duplicates</a>.',
                    reverse("admin_tools_duplicates"),
                ),
                messages.WARNING,
            )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST" or not str(object_id).isdigit():
            return super().history_form_view(request, object_id, version_id, extra_context)
        # A revert saves the record's own fields only; the derived fields, the search text and
        # the old address follow as after any edit, all in one transaction.
        with transaction.atomic():
            previous_slug = (
                Publication.objects.filter(pk=object_id).values_list("slug", flat=True).first()
            )
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if response.status_code == 302 and previous_slug is not None:
                publication_sync_derived(
                    publication=Publication.objects.get(pk=object_id),
                    previous_slug=previous_slug,
                )
        return response

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
            reason="Submitted for validation",
        )

    @admin.action(description="Mark as validated", permissions=["validate"])
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
            reason="Validated",
            # What had to be fixed is done; the history keeps the note.
            note="",
        )

    @admin.action(description="Return to entry in progress…", permissions=["validate"])
    def return_to_entry_in_progress(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        form = ReturnToInProgressForm(request.POST if "post" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
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
                reason=f"Returned to entry in progress: {reason}",
                note=reason,
            )
            return None
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Return to entry in progress",
            "opts": opts,
            "publications": queryset.select_related(None).only("pk", "title", "workflow_state"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/publications/publication/return_to_in_progress.html", context
        )

    @admin.action(description="Merge selected publications…", permissions=["delete"])
    def merge_selected_publications(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        candidates = list(
            queryset.select_related("journal")
            .annotate(author_count=Count("authorships"))
            .order_by("pk")
        )
        rows: list[MergeRow] = [
            ("Title", lambda publication: publication.full_title),
            ("Authors", lambda publication: publication.author_count),
            ("Journal", lambda publication: publication.journal or "—"),
            ("Year", lambda publication: publication.year or "—"),
            ("DOI", lambda publication: publication.doi or "—"),
            ("PubMed ID", lambda publication: publication.pmid or "—"),
            ("Workflow state", lambda publication: publication.get_workflow_state_display()),
        ]
        return merge_selected(
            self,
            request,
            candidates,
            action="merge_selected_publications",
            rows=rows,
            merge=merge_publications,
        )
