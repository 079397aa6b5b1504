"""Pagination and other helpers shared by the portal's views."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from publications.listing import PAGE_SIZES

DETAIL_PAGE_SIZE = 25


def page_number(request: HttpRequest) -> int:
    """The requested page; anything that is not a positive whole number means the first."""
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """A page of results that never fails: a page past the end is the last page."""
    paginator = Paginator(queryset, per_page)
    return paginator.page(min(page_number(request), paginator.num_pages))


class LenientPaginationMixin:
    """ListView pagination where ?page=abc, -1 or 99999 give the first or last page, not a 404."""

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()
