"""Search helpers around PublicationQuerySet.search(): cleaning what a reader typed, highlighted
snippets, and "Did you mean" suggestions from trigram similarity on names and keywords."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from publications.querysets import PUBLIC_SQL, SEARCH_CONFIG
from publications.validators import DOI_RE, normalise_doi

MAX_QUERY_LENGTH = 300
# Markers ts_headline puts around matches; the snippet is escaped before they become <mark>.
START, STOP = "\u2063\u27e6", "\u27e7\u2063"
SUGGESTION_SIMILARITY = 0.3
WORD_RE = re.compile(r"[^\W\d_][\w'-]{2,}")


def clean_query(raw: str) -> tuple[str, list[str]]:
    """What a reader typed, made safe to search for; problems are said in a reader's words."""
    problems = []
    query = raw.replace("\x00", "")
    query = re.sub(r"\s+", " ", query).strip()
    if len(query) > MAX_QUERY_LENGTH:
        query = query[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        problems.append(
            f"Your search was longer than {MAX_QUERY_LENGTH} characters: "
            "only its beginning was used."
        )
    return query, problems


def is_doi(query: str) -> bool:
    return bool(DOI_RE.match(normalise_doi(query)))


def with_snippets(queryset: QuerySet, query: str) -> QuerySet:
    """Annotates `snippet_source`: a short piece of the abstract with the matches marked. Only
    the rows of one page are fetched, so ts_headline runs on those alone."""
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return queryset.annotate(
        snippet_source=SearchHeadline(
            "abstract",
            search_query,
            config=SEARCH_CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    )


def snippet_html(source: str | None) -> SafeString:
    """The headline escaped, its match markers turned into <mark>: safe whatever the abstract
    holds. Empty when nothing in the abstract matched."""
    if not source or START not in source:
        return mark_safe("")
    html = escape(source).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags are added


# Only names and keywords of public records are suggested: a draft's would tell that it exists.
SUGGESTION_SQL = f"""
SELECT w.word, best.term
FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n)
CROSS JOIN LATERAL (
    SELECT term, sim FROM (
        SELECT family_name AS term,
               similarity(portal_unaccent(lower(family_name)),
                          portal_unaccent(lower(w.word))) AS sim
        FROM publications_person pe
        WHERE portal_unaccent(lower(family_name)) %% portal_unaccent(lower(w.word))
          AND EXISTS (SELECT FROM publications_authorship a
                      JOIN publications_publication p ON p.id = a.publication_id
                      WHERE a.person_id = pe.id AND {PUBLIC_SQL})
        UNION ALL
        SELECT term,
               similarity(portal_unaccent(lower(term)), portal_unaccent(lower(w.word))) AS sim
        FROM publications_keyword k
        WHERE portal_unaccent(lower(term)) %% portal_unaccent(lower(w.word))
          AND EXISTS (SELECT FROM publications_publicationkeyword pk
                      JOIN publications_publication p ON p.id = pk.publication_id
                      WHERE pk.keyword_id = k.id AND {PUBLIC_SQL})
    ) candidates
    WHERE sim >= %s
    ORDER BY sim DESC, term
    LIMIT 1
) best
ORDER BY w.n
"""


def suggest(query: str) -> str:
    """A corrected query when some of its words are close to a known name or keyword ("Gezzi"
    → "Ghezzi"), else "". One query, using the trigram indexes."""
    words = WORD_RE.findall(query)[:8]
    if not words:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(SUGGESTION_SQL, [words, SUGGESTION_SIMILARITY])
        better = {word: term for word, term in cursor.fetchall() if word.lower() != term.lower()}
    if not better:
        return ""
    return WORD_RE.sub(lambda match: better.get(match[0], match[0]), query)
