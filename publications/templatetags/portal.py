"""Small presentation helpers for the portal's templates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def first_authors(authorships, limit: int) -> list:
    """The first `limit` authors of an already-loaded author list (0 means all of them)."""
    authorships = list(authorships)
    return authorships if not limit else authorships[: int(limit)]


@register.filter
def more_authors(authorships, limit: int) -> int:
    """How many authors first_authors leaves out."""
    return max(len(list(authorships)) - int(limit), 0) if limit else 0


@register.filter
def abstract_html(text: str):
    """An abstract for the page: its sanitised HTML, or its plain text in paragraphs."""
    from publications.richtext import to_html

    return to_html(text or "")
