"""Small presentation helpers for the portal's templates."""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

register = template.Library()


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=32)  # bounded: a forged SCRIPT_NAME may name any prefix
def slug_pattern(view: str, prefix: str) -> str:
    """The view's address with SLUG for the slug, under the script prefix (reverse() reads it:
    a proxy may mount the portal at /portal/)."""
    return reverse(view, kwargs={"slug": "SLUG"})


def person_url_pattern() -> str:
    return slug_pattern("person_detail", get_script_prefix())


def publication_url_pattern() -> str:
    return slug_pattern("publication_detail", get_script_prefix())


def url_of(instance, pattern: str) -> str:
    """The instance's address: its slug in the view's pattern, what reverse() would give for a
    plain slug, without its cost (reverse() for each of 100 results took 3 ms)."""
    if SLUG.fullmatch(instance.slug):
        return pattern.replace("SLUG", instance.slug)
    return instance.get_absolute_url()


@register.simple_tag
def result_list(publications) -> SafeString:
    """The results of a listing, loaded with for_results(): each title, its first authors,
    source, snippet and type. In Python rather than a template for the reason author_list is:
    a page of 100 results took 27 ms as a template, and this is what a first visit of a search
    spends most of its Python on."""
    items = []
    pattern = publication_url_pattern()  # once: the script prefix is read from a thread-local
    for publication in publications:
        parts = [
            '  <li class="result">\n    <h3 class="result__title"><a href="',
            escape(url_of(publication, pattern)),
            '">',
            conditional_escape(publication.full_title),
            "</a></h3>\n",
        ]
        if authorships := publication.first_authorships:
            parts += [
                '    <p class="result__authors">',
                author_list(authorships, 10, publication.author_total),
                "</p>\n",
            ]
        parts.append('    <p class="result__source">\n      ')
        journal = publication.journal
        if journal:
            parts += [
                'In: <span class="result__journal">',
                conditional_escape(journal.title),
                "</span>",
            ]
            if publication.volume:
                parts.append(f", Vol. {conditional_escape(publication.volume)}")
            if publication.issue:
                parts.append(f", No. {conditional_escape(publication.issue)}")
            if publication.date:
                parts.append(", ")
        if publication.date:
            parts += [
                f'<time datetime="{publication.date.isoformat()}">',
                conditional_escape(publication.date_display),
                "</time>",
            ]
        if page_range := publication.page_range:
            parts.append(f", p. {conditional_escape(page_range)}")
        parts.append("\n    </p>\n")
        if snippet := getattr(publication, "snippet", ""):
            parts += ['    <p class="result__snippet">', conditional_escape(snippet), "</p>\n"]
        parts += [
            '    <p class="result__type">',
            conditional_escape(publication.output_category),
            " › ",
            conditional_escape(publication.get_output_type_display()),
            " › peer-review" if publication.peer_reviewed else "",
            "</p>\n  </li>\n",
        ]
        items.append("".join(parts))
    if not items:
        items.append(
            '  <li class="result result--empty">No research output to show here yet.</li>\n'
        )
    # A record or person link inside the htmx listing opens its page: boosted, it would be
    # swapped into the listing.
    html = '<ol class="results" hx-boost="false">\n' + "".join(items) + "</ol>\n"
    return mark_safe(html)  # noqa: S308 (every value is escaped above)


APPROXIMATE = '<span aria-hidden="true">≈</span><span class="visually-hidden">about </span>'


@register.simple_tag
def facet_options(facet) -> SafeString:
    """A facet's options as list items: each a link applying it, with its count (≈ when
    estimated); the years as a histogram's bars, the others with an id (after an htmx swap,
    focus returns to the option chosen by its id). In Python rather than a template loop: a
    search's sidebar has about 150 options, and as a loop they took 7.5 ms of the page's 10.6
    ms of rendering (the whole sidebar now takes 3.3)."""
    about = APPROXIMATE if facet.approximate else ""
    items = []
    if facet.name == "year":
        most = facet.max_count
        for option in facet.options:
            width = round(option.count / most * 100) if most else 0
            current = ' aria-current="true"' if option.selected else ""
            items.append(
                f'<li><a href="{escape(option.url)}"{current}>'
                f'<span class="histogram__year">{conditional_escape(option.label)}</span>'
                '<svg class="histogram__bar" aria-hidden="true" focusable="false">'
                '<rect width="2" height="100%"/>'
                f'<rect width="{width}%" height="100%" rx="2"/></svg>'
                f'{about}<data value="{option.count}">{option.count}</data></a></li>'
            )
    else:
        name = escape(facet.name)
        for option in facet.options:
            selected = ' aria-current="true" class="is-selected"' if option.selected else ""
            items.append(
                f'<li><a href="{escape(option.url)}"'
                f' id="facet-option-{name}-{slugify(option.value)}"{selected}>'
                f'<span class="facet__label">{conditional_escape(option.label)}</span> '
                f'{about}<data value="{option.count}">{option.count}</data></a></li>'
            )
    return mark_safe("\n".join(items))  # noqa: S308 (every value is escaped above)


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
    pattern = person_url_pattern()
    parts = []
    for authorship in shown:
        name = conditional_escape(authorship.display_name)
        person = authorship.person if authorship.person_id else None
        if person is not None and person.is_internal:
            url = escape(url_of(person, pattern))
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
