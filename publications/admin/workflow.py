"""The publication workflow actions' machinery: moving the selected records between workflow
states in batches, each with a history row, and the reason asked when records are returned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from publications.admin.history import short_reason
from publications.fingerprints.compute import refresh_aggregates
from publications.models import Publication, WorkflowState
from publications.querysets import SEARCH_COLUMNS

if TYPE_CHECKING:
    from publications.admin.publications import PublicationAdmin


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

    changed, batch, moved = 0, [], []
    with transaction.atomic():
        moving = (
            queryset.select_related(None)
            .filter(workflow_state__in=sources)
            .defer(*SEARCH_COLUMNS)
            .order_by("pk")
            .select_for_update()
        )
        for publication in moving.iterator(chunk_size=TRANSITION_BATCH):
            publication.workflow_state = to
            publication.modified = now  # bulk updates skip auto_now
            if note is not None:
                publication.workflow_note = note
            batch.append(publication)
            moved.append(publication.pk)
            if len(batch) == TRANSITION_BATCH:
                changed += save(batch)
                batch = []
        if batch:
            changed += save(batch)
        if moved and WorkflowState.VALIDATED in (to, *sources):
            # Records entering or leaving public view: their persons' and organisations'
            # fingerprints count public records only (a withdrawn record's concepts would stay
            # on its authors' pages).
            refresh_aggregates(publication_ids=moved)
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


class ReturnToInProgressForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="What needs fixing. It is shown on each record (Workflow section) and kept in "
        "its history.",
        error_messages={
            "required": "Give a reason, so that whoever picks the records up knows what to fix."
        },
    )
