"""The librarians' admin: every model of the portal, with the publication form arranged the way a
record is curated (type and status, title, journal, identifiers, subjects, workflow) and its
authors, keywords, status history, links and old slugs as inlines.

Who may do what: Editors enter and edit records and submit them for validation; Librarians (the
`validate_publication` permission) also validate, return records with a reason, merge and delete.
Every change is in the audit history (django-simple-history), with its user and reason."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import bulk_update_with_history

from publications import validators
from publications.duplicates import flag_duplicates
from publications.merging import merge_persons, merge_publications
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Membership,
    Organisation,
    Person,
    PersonNameVariant,
    PersonSlug,
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

# Change reasons are kept whole (a text column), but a history list reads best with one line.
CHANGE_REASON_LENGTH = 300


def short_reason(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= CHANGE_REASON_LENGTH:
        return text
    return text[: CHANGE_REASON_LENGTH - 1] + "…"


class ReadableChanges(HistoricalRecordContextHelper):
    """Shows a change as a librarian reads it: the field's name as in the form, choice labels
    rather than stored codes, Yes/No, and “(empty)” for an empty value."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value in ("", None):
            return "(empty)"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        return dataclasses.replace(
            formatted, field=str(self.model._meta.get_field(change.field).verbose_name)
        )


def reverted_version(request: HttpRequest) -> str | None:
    """The history id being reverted to, when the request is SimpleHistoryAdmin's revert form."""
    match = request.resolver_match
    if match is None or not (match.url_name or "").endswith("_simple_history"):
        return None
    return match.args[1] if len(match.args) > 1 else match.kwargs.get("version_id")


class HistoryAdmin(SimpleHistoryAdmin):
    """An admin with a History page (who, when, why, which fields changed old → new; the changes
    are diffed between neighbouring rows of the page, so the page costs the same few queries
    however long the history) and SimpleHistoryAdmin's revert form."""

    object_history_list_template = "admin/publications/history_list.html"
    history_list_per_page = 50

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        version = reverted_version(request)
        if version is not None:
            history = self.model.history.filter(history_id=version)
            when = history.values_list("history_date", flat=True).first()
            shown = date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else version
            obj._change_reason = short_reason(f"Reverted to the version of {shown}")
        super().save_model(request, obj, form, change)


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


MergeRow = tuple[str, Callable[[models.Model], object]]


def merge_selected(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    candidates: list[models.Model],
    *,
    action: str,
    rows: list[MergeRow],
    merge: Callable[..., str],
) -> TemplateResponse | None:
    """The merge action's two steps: a page comparing the selected records side by side with a
    choice of the one to keep, then the merge (whose summary is shown as a message)."""
    opts = modeladmin.model._meta
    if len(candidates) < 2:
        modeladmin.message_user(
            request,
            f"Select at least two {opts.verbose_name_plural} to merge.",
            messages.WARNING,
        )
        return None
    by_pk = {str(candidate.pk): candidate for candidate in candidates}
    keep = request.POST.get("keep", "") if "post" in request.POST else ""
    if keep in by_pk:
        winner = by_pk[keep]
        losers = [candidate for candidate in candidates if candidate is not winner]
        summary = merge(winner, losers, user=request.user)
        modeladmin.message_user(request, summary, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge {len(candidates)} {opts.verbose_name_plural}",
        "opts": opts,
        "candidates": candidates,
        "rows": [(label, [value(candidate) for candidate in candidates]) for label, value in rows],
        "keep": keep,
        "error": f"Choose the {opts.verbose_name} to keep." if "post" in request.POST else "",
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/publications/merge_selected.html", context)


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


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


class ExternalPersonWidgetWrapper(RelatedFieldWidgetWrapper):
    """The "+" beside an author's person opens the person form for an external person
    (?is_internal= leaves the box unticked): the co-authors a librarian adds while entering a
    record are mostly from other institutions."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["url_params"] += "&is_internal="
        return context


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


# The id of the <datalist> the change form fills with existing keywords as the librarian types
# (templates/admin/publications/publication/change_form.html).
KEYWORD_SUGGESTIONS = "keyword-suggestions"


def keyword_find(term: str) -> Keyword | None:
    """The keyword with this term in any case (through the unique index on lower(term))."""
    return (
        Keyword.objects.alias(term_lower=Lower("term"))
        .filter(term_lower=Lower(Value(term)))
        .first()
    )


def keyword_for_term(term: str) -> Keyword:
    """The keyword with this term in any case, created when there is none yet."""
    existing = keyword_find(term)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Keyword.objects.create(term=term)
    except IntegrityError:  # another librarian created it a moment ago
        return keyword_find(term)


class PublicationKeywordForm(PositionedForm):
    """A keyword row as a typed term: an existing keyword matches in any case, and a new term
    becomes a new keyword when the record is saved."""

    term = forms.CharField(
        label="keyword",
        max_length=Keyword._meta.get_field("term").max_length,
        widget=forms.TextInput(attrs={"list": KEYWORD_SUGGESTIONS, "size": 40}),
        help_text="Type a keyword; an existing one is used whatever its case, a new one is added.",
    )
    # Set per request by the inline: whether the user may add keywords that do not exist yet.
    can_add_keywords = True

    class Meta:
        model = PublicationKeyword
        fields = ("position",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.keyword_id:  # joined by the inline's queryset
            self.initial.setdefault("term", self.instance.keyword.term)
        self.found_keyword: Keyword | None = None

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split())
        if "term" in self.changed_data:
            self.found_keyword = keyword_find(term)
            if self.found_keyword is None and not self.can_add_keywords:
                raise ValidationError(
                    "There is no keyword “%(term)s” yet, and your account cannot add keywords: "
                    "choose an existing one or ask a librarian.",
                    params={"term": term},
                )
        return term

    def save(self, commit: bool = True) -> PublicationKeyword:
        if "term" in self.changed_data:
            self.instance.keyword = self.found_keyword or keyword_for_term(
                self.cleaned_data["term"]
            )
        return super().save(commit)


class PublicationKeywordFormSet(PositionedFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            term = getattr(form, "cleaned_data", {}).get("term")
            if not term:
                continue
            if term.lower() in seen:
                raise ValidationError(
                    "The keyword “%(term)s” is given twice: keep it once.", params={"term": term}
                )
            seen.add(term.lower())


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


# Rows loaded, updated and written to the history at a time by a workflow action.
TRANSITION_BATCH = 500


def transition(
    modeladmin: PublicationAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    to: WorkflowState,
    sources: tuple[WorkflowState, ...],
    done: tuple[str, str],
    reason: str,
    note: str | None = None,
) -> int:
    """Move the selected publications in one of the source states to the target state, each
    with a history row naming the user and the reason; a note, when given, replaces the
    workflow note. Returns how many moved."""
    selected = queryset.count()
    now = timezone.now()
    fields = ["workflow_state", "modified"] + (["workflow_note"] if note is not None else [])

    def save(batch: list[Publication]) -> int:
        # update() would skip the history; this writes one history row per record.
        return bulk_update_with_history(
            batch,
            Publication,
            fields,
            default_user=request.user,
            default_change_reason=short_reason(reason),
            default_date=now,
        )

    changed, batch = 0, []
    with transaction.atomic():
        moving = (
            queryset.select_related(None)
            .filter(workflow_state__in=sources)
            .defer("search_vector", "search_keywords", "search_names")
            .order_by("pk")
            .select_for_update()
        )
        for publication in moving.iterator(chunk_size=TRANSITION_BATCH):
            publication.workflow_state = to
            publication.modified = now  # bulk updates skip auto_now
            if note is not None:
                publication.workflow_note = note
            batch.append(publication)
            if len(batch) == TRANSITION_BATCH:
                changed += save(batch)
                batch = []
        if batch:
            changed += save(batch)
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
    return changed


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


class ReturnToInProgressForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="What needs fixing. It is shown on each record (Workflow section) and kept in "
        "its history.",
        error_messages={
            "required": "Give a reason, so that whoever picks the records up knows what to fix."
        },
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
