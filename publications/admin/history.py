"""The audit history every curated model's admin shares: a History page that reads like the
form (who, when, why, which fields changed old → new), and SimpleHistoryAdmin's revert form."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

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
