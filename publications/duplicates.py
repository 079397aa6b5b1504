"""Possible duplicates: flagged when a publication is saved in the admin or imported.

Three signs, strongest first: the same PubMed ID (a DOI is unique, so a second record with it
is never created: import updates the first); the same title once case, accents and punctuation
are folded (`title_key`), in the same year; a trigram-similar title in the same journal and
year. Each sign is one INSERT … SELECT over the given publications, answered from indexes
(title_key, journal/date, pmid), so flagging a batch of imported records costs three statements
whatever the size of the collection. A pair a librarian dismissed is never flagged again (the
pair is unique and kept).
"""

from __future__ import annotations

from django.db import connection

from publications.models import DuplicateReason, Publication

SIMILAR_TITLE = 0.6  # trigram similarity above which titles in one journal and year are flagged

TITLE_KEY_SQL = "regexp_replace(portal_unaccent(lower({}.title)), '[^[:alnum:]]+', '', 'g')"
SIGNS = [
    # o.pmid <> '' too, so the partial index publication_pmid_idx can answer it.
    (DuplicateReason.SAME_IDENTIFIER, "o.pmid = b.pmid AND o.pmid <> '' AND b.pmid <> ''", "1.0"),
    (
        DuplicateReason.SAME_TITLE_YEAR,
        f"{TITLE_KEY_SQL.format('o')} = {TITLE_KEY_SQL.format('b')}"
        " AND o.year IS NOT DISTINCT FROM b.year",
        "1.0",
    ),
    (
        DuplicateReason.SIMILAR_TITLE,
        "o.journal_id = b.journal_id AND o.year = b.year AND similarity("
        "portal_unaccent(lower(o.title)), portal_unaccent(lower(b.title))) >= %(threshold)s",
        "round(similarity(portal_unaccent(lower(o.title)), portal_unaccent(lower(b.title)))"
        "::numeric, 3)",
    ),
]


def flag_duplicates_of(publication_ids: list[int]) -> int:
    """Records the possible duplicates of these publications (against the whole collection,
    and each other); returns how many pairs are new."""
    if not publication_ids:
        return 0
    table = Publication._meta.db_table
    new = 0
    with connection.cursor() as cursor:
        for reason, condition, similarity in SIGNS:
            cursor.execute(
                f"""
                INSERT INTO publications_possibleduplicate
                    (first_id, second_id, reason, similarity, dismissed, created)
                SELECT DISTINCT ON (LEAST(b.id, o.id), GREATEST(b.id, o.id))
                    LEAST(b.id, o.id), GREATEST(b.id, o.id), %(reason)s, {similarity},
                    false, now()
                FROM {table} b JOIN {table} o ON o.id <> b.id AND {condition}
                WHERE b.id = ANY(%(ids)s)
                ON CONFLICT (first_id, second_id) DO NOTHING
                """,
                {"reason": reason, "ids": list(publication_ids), "threshold": SIMILAR_TITLE},
            )
            new += cursor.rowcount
    return new


def flag_duplicates(publication: Publication) -> int:
    return flag_duplicates_of([publication.pk])
