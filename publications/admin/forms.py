"""The widgets, forms and formsets the admin's inlines are built from: autocompletes labelled
without a query per row, rows ordered by a position unique per publication, and keywords typed
as terms."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Lower

from publications.models import Authorship, Keyword, PublicationKeyword


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
