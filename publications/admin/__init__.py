"""The librarians' admin: every model of the portal, with the publication form arranged the way a
record is curated (type and status, title, journal, identifiers, subjects, workflow) and its
authors, keywords, status history, links and old slugs as inlines.

Who may do what: Editors enter and edit records and submit them for validation; Librarians (the
`validate_publication` permission) also validate, return records with a reason, merge and delete.
Every change is in the audit history (django-simple-history), with its user and reason.

The modules, by subject: history (the History page and revert, shared by every admin), forms
(widgets, forms and formsets of the inlines), merge (the merge actions' two steps), entities
(subject areas, journals, organisations, persons, keywords), workflow (the workflow actions'
batch moves) and publications (the publication admin). Importing them registers the admins;
the names below are re-exported so that `from publications.admin import …` keeps working."""

from __future__ import annotations

from publications.admin.entities import (
    JournalAdmin,
    KeywordAdmin,
    MembershipInline,
    OrganisationAdmin,
    PersonAdmin,
    PersonNameVariantInline,
    PersonSlugInline,
    SubjectAreaAdmin,
)
from publications.admin.forms import (
    KEYWORD_SUGGESTIONS,
    AuthorshipForm,
    ExternalPersonWidgetWrapper,
    PositionedForm,
    PositionedFormSet,
    PublicationKeywordForm,
    PublicationKeywordFormSet,
    StoredLabelsAutocompleteSelect,
    StoredLabelsAutocompleteSelectMultiple,
    StoredLabelsForm,
    StoredLabelsInline,
    StoredLabelsWidgetMixin,
    keyword_find,
    keyword_for_term,
)
from publications.admin.history import (
    CHANGE_REASON_LENGTH,
    HistoryAdmin,
    ReadableChanges,
    reverted_version,
    short_reason,
)
from publications.admin.merge import MergeRow, merge_selected, yes_no
from publications.admin.publications import (
    AuthorshipInline,
    PublicationAdmin,
    PublicationAdminForm,
    PublicationKeywordInline,
    PublicationLinkInline,
    PublicationSlugInline,
    PublicationStatusEntryInline,
)
from publications.admin.workflow import TRANSITION_BATCH, ReturnToInProgressForm, transition

__all__ = [
    "CHANGE_REASON_LENGTH",
    "KEYWORD_SUGGESTIONS",
    "TRANSITION_BATCH",
    "AuthorshipForm",
    "AuthorshipInline",
    "ExternalPersonWidgetWrapper",
    "HistoryAdmin",
    "JournalAdmin",
    "KeywordAdmin",
    "MembershipInline",
    "MergeRow",
    "OrganisationAdmin",
    "PersonAdmin",
    "PersonNameVariantInline",
    "PersonSlugInline",
    "PositionedForm",
    "PositionedFormSet",
    "PublicationAdmin",
    "PublicationAdminForm",
    "PublicationKeywordForm",
    "PublicationKeywordFormSet",
    "PublicationKeywordInline",
    "PublicationLinkInline",
    "PublicationSlugInline",
    "PublicationStatusEntryInline",
    "ReadableChanges",
    "ReturnToInProgressForm",
    "StoredLabelsAutocompleteSelect",
    "StoredLabelsAutocompleteSelectMultiple",
    "StoredLabelsForm",
    "StoredLabelsInline",
    "StoredLabelsWidgetMixin",
    "SubjectAreaAdmin",
    "keyword_find",
    "keyword_for_term",
    "merge_selected",
    "reverted_version",
    "short_reason",
    "transition",
    "yes_no",
]
