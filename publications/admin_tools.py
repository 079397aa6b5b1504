"""Librarians' pages beside the model admin: importing a file, and deciding possible duplicates.
Both are admin views (staff login, the admin's look) with their own permission checks."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from publications.importing.engine import Importer
from publications.importing.parsers import FORMATS, parse
from publications.importing.records import ImportFormatError
from publications.merging import merge_publications
from publications.models import Authorship, PossibleDuplicate, Publication

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PAIRS_PER_PAGE = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A Crossref JSON, PubMed or MEDLINE XML, MEDLINE text, BibTeX, RIS or CSL-JSON "
        "export, up to 50 MB."
    )
    format = forms.ChoiceField(
        choices=[("auto", "Tell from the content")] + [(name, name) for name in FORMATS],
        initial="auto",
    )
    state = forms.ChoiceField(
        choices=[
            ("for_validation", "For validation"),
            ("in_progress", "Entry in progress"),
            ("validated", "Validated (public at once)"),
        ],
        initial="for_validation",
        help_text="The workflow state of new records. Records already in the portal keep theirs.",
    )

    def __init__(self, *args, can_validate: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_validate:
            self.fields["state"].choices = self.fields["state"].choices[:2]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 50 MB: split it, or use the command."
            )
        return upload


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a file; the same engine as `manage.py import_publications`."""
    if not request.user.has_perm("publications.add_publication"):
        raise PermissionDenied
    can_validate = request.user.has_perm("publications.validate_publication")
    form = ImportForm(request.POST or None, request.FILES or None, can_validate=can_validate)
    summary = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            items = list(parse(data, form.cleaned_data["format"]))
            if not items:
                raise ImportFormatError("the file holds no records")
        except ImportFormatError as error:
            form.add_error("file", f"This file cannot be imported: {error}")
        else:
            summary = Importer(state=form.cleaned_data["state"], user=request.user).run(items)
            level = messages.SUCCESS if not summary.failed else messages.WARNING
            messages.add_message(request, level, f"Import finished: {summary.line()}.")
    context = {
        **admin.site.each_context(request),
        "title": "Import publications",
        "form": form,
        "summary": summary,
        "imported": Publication.objects.filter(pk__in=summary.publication_ids[:200])
        .select_related("journal")
        .order_by("title")
        if summary
        else [],
    }
    return render(request, "admin_tools/import.html", context)


def author_list(publication: Publication) -> str:
    names = [a.display_name for a in publication.authorships.all()]
    return ", ".join(names[:5]) + (f" … ({len(names)} authors)" if len(names) > 5 else "")


@require_http_methods(["GET", "POST"])
def duplicates_view(request: HttpRequest) -> HttpResponse:
    """Open pairs side by side: merge one into the other, or dismiss the pair."""
    if not request.user.has_perm("publications.view_publication"):
        raise PermissionDenied
    if request.method == "POST":
        return decide(request)
    authors = Prefetch(
        "authorships", queryset=Authorship.objects.select_related("person").order_by("position")
    )
    pairs = (
        PossibleDuplicate.objects.filter(dismissed=False)
        .select_related("first__journal", "second__journal")
        .prefetch_related(
            Prefetch("first__authorships", queryset=authors.queryset),
            Prefetch("second__authorships", queryset=authors.queryset),
        )
        .order_by("reason", "-similarity", "-created", "pk")
    )
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "pair": pair,
            "sides": [
                {"publication": side, "authors": author_list(side)}
                for side in (pair.first, pair.second)
            ],
        }
        for pair in page.object_list
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Possible duplicates",
        "page": page,
        "rows": rows,
        "can_merge": request.user.has_perm("publications.delete_publication"),
    }
    return render(request, "admin_tools/duplicates.html", context)


def decide(request: HttpRequest) -> HttpResponse:
    pair_id = request.POST.get("pair", "")
    if not (pair_id.isascii() and pair_id.isdigit()):
        raise Http404("No such pair.")
    pair = get_object_or_404(PossibleDuplicate, pk=int(pair_id))
    action = request.POST.get("action", "")
    if action == "dismiss":
        if not request.user.has_perm("publications.change_publication"):
            raise PermissionDenied
        pair.dismissed = True
        pair.save(update_fields=["dismissed"])
        messages.success(request, "Marked as different works; the pair will not be flagged again.")
    elif action in {"keep_first", "keep_second"}:
        if not request.user.has_perm("publications.delete_publication"):
            raise PermissionDenied
        winner, loser = (pair.first, pair.second)
        if action == "keep_second":
            winner, loser = loser, winner
        messages.success(request, merge_publications(winner, [loser], user=request.user))
    else:
        messages.error(request, "Choose to merge the pair or to mark it as different works.")
    page = request.GET.get("page", "")
    return redirect(
        reverse("admin_tools_duplicates")
        + (f"?page={page}" if page.isascii() and page.isdigit() else "")
    )


urlpatterns = [
    path("import/", admin.site.admin_view(import_view), name="admin_tools_import"),
    path("duplicates/", admin.site.admin_view(duplicates_view), name="admin_tools_duplicates"),
]
