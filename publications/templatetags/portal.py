"""Small presentation helpers for the portal's templates."""

from __future__ import annotations

import re
from functools import cache

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@cache
def person_url_pattern() -> str:
    return reverse("person_detail", kwargs={"slug": "SLUG"})


@register.simple_tag
def author_list(authorships, limit: int = 0, total: int | None = None) -> SafeString:
    """The authors of an already-loaded author list, the institution's own linked to their
    profiles, and "and N others" past the first `limit` (0 shows all) of `total` authors (by
    default, all those loaded). In Python rather than a template: a listing shows up to 10
    authors of each of up to 100 results, and as template tags they took a third of its
    rendering."""
    authorships = list(authorships)
    shown = authorships[: int(limit)] if limit else authorships
    total = len(authorships) if total is None else max(total, len(authorships))
    parts = []
    for authorship in shown:
        name = conditional_escape(authorship.display_name)
        person = authorship.person if authorship.person_id else None
        if person is not None and person.is_internal:
            if SLUG.fullmatch(person.slug):  # what reverse() would give, without its cost
                url = escape(person_url_pattern().replace("SLUG", person.slug))
            else:
                url = escape(person.get_absolute_url())
            parts.append(f'<a href="{url}" class="author author--internal">{name}</a>')
        else:
            parts.append(f'<span class="author">{name}</span>')
    more = total - len(shown)
    if more and parts:
        parts[-1] += f" and {more} other{'' if more == 1 else 's'}"
    return mark_safe(", ".join(parts))  # noqa: S308 (every part is escaped above)


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
