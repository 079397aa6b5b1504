"""The merge actions' shared steps (persons, publications): compare the selected records side by
side, choose the one to keep, merge."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse

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
