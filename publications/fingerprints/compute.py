"""Computing fingerprints: TF-IDF weights of each publication's concepts against the whole
collection, stored as rows and sparse vectors; persons' and organisations' fingerprints summed
from their public publications in SQL, recent work counting more.

`rebuild_all()` recomputes everything (manage.py compute_fingerprints); `refresh(ids)` recomputes
some publications and the persons and organisations they touch (after a save or an import).
Both are deterministic: concepts get their ids in key order, ties break on concept id.
"""

from __future__ import annotations

import datetime
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from django.db import connection, transaction
from django.utils.text import slugify

from publications.bulk import copy_create, copy_rows, foreign_keys_checked_at_the_end
from publications.fingerprints.extract import Term, extract
from publications.fingerprints.models import (
    DIMENSIONS,
    Concept,
    FingerprintVector,
    PublicationConcept,
)
from publications.models import Publication, unique_slugs
from publications.querysets import PUBLIC_SQL

TOP = 30  # concepts kept per publication
AGGREGATE_TOP = 200  # per person or organisation (HNSW indexes take up to 1,000)
HALF_LIFE_YEARS = 8  # a person's work of 8 years ago counts half as much as this year's
CHUNK = 2000
IN_MEMORY = 200_000  # up to this many publications, the first pass's terms are kept for the second

# Pure labels its thesauri by broad field; ours follow the record's ASJC subject areas.
CATEGORY_OF_FIELD = {
    10: "Multidisciplinary",
    11: "Agriculture & Biology",
    12: "Arts & Humanities",
    13: "Medicine & Life Sciences",
    14: "Business & Economics",
    15: "Engineering & Materials Science",
    16: "Chemistry",
    17: "Computer Science",
    18: "Business & Economics",
    19: "Earth & Environmental Sciences",
    20: "Business & Economics",
    21: "Engineering & Materials Science",
    22: "Engineering & Materials Science",
    23: "Earth & Environmental Sciences",
    24: "Medicine & Life Sciences",
    25: "Engineering & Materials Science",
    26: "Mathematics",
    27: "Medicine & Life Sciences",
    28: "Medicine & Life Sciences",
    29: "Medicine & Life Sciences",
    30: "Medicine & Life Sciences",
    31: "Physics & Astronomy",
    32: "Social Sciences",
    33: "Social Sciences",
    34: "Agriculture & Biology",
    35: "Medicine & Life Sciences",
    36: "Medicine & Life Sciences",
}


def category_of(codes: list[int]) -> str:
    """The category most of the record's subject areas fall in (ties: the lowest code's)."""
    if not codes:
        return ""
    votes = Counter(CATEGORY_OF_FIELD.get(code // 100, "") for code in sorted(codes))
    return max(votes.items(), key=lambda vote: (vote[1], -list(votes).index(vote[0])))[0]


@lru_cache(maxsize=65536)
def idf(document_count: int, total: int) -> float:
    return math.log((total + 1) / (document_count + 1)) + 1


def weigh(terms: list[Term], df: Callable[[str], int], total: int) -> list[tuple[str, float]]:
    """The TOP strongest (key, weight) of a text, weights scaled so the strongest is 1 (ties
    broken by key, so the result is deterministic)."""
    scored = heapq.nsmallest(
        TOP,
        ((-term.count * idf(df(term.key), total), term.key) for term in terms),
    )
    scored = [(key, -negative) for negative, key in scored]
    if not scored:
        return []
    strongest = scored[0][1]
    return [(key, round(score / strongest, 4)) for key, score in scored]


def sparse(pairs: Iterable[tuple[int, float]]) -> str:
    """pgvector's text form of a sparse vector: {id:weight,...}/dimensions, ids ascending."""
    items = ",".join(f"{index}:{weight}" for index, weight in sorted(pairs) if weight > 0)
    return f"{{{items}}}/{DIMENSIONS}"


# Reading the collection


def texts(ids: list[int] | None = None) -> Iterator[list[tuple[int, str, str, list[str], str]]]:
    """Chunks of (id, title, abstract, keywords, category) in id order, by keyset. Plain SQL
    with array parameters: an import's ids run to thousands, and one placeholder each made
    compiling the statements slower than running them."""
    last = 0
    restrict = "AND id = ANY(%(ids)s)" if ids is not None else ""
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, title, subtitle, abstract FROM publications_publication "
                f"WHERE id > %(last)s {restrict} ORDER BY id LIMIT %(chunk)s",
                {"last": last, "ids": ids, "chunk": CHUNK},
            )
            rows = cursor.fetchall()
            if not rows:
                return
            chunk_ids = [row[0] for row in rows]
            cursor.execute(
                "SELECT pk.publication_id, k.term FROM publications_publicationkeyword pk "
                "JOIN publications_keyword k ON k.id = pk.keyword_id "
                "WHERE pk.publication_id = ANY(%s) ORDER BY pk.publication_id, pk.position",
                [chunk_ids],
            )
            keywords: dict[int, list[str]] = {}
            for publication_id, term in cursor.fetchall():
                keywords.setdefault(publication_id, []).append(term)
            cursor.execute(
                "SELECT a.publication_id, s.code FROM publications_publication_subject_areas a "
                "JOIN publications_subjectarea s ON s.id = a.subjectarea_id "
                "WHERE a.publication_id = ANY(%s)",
                [chunk_ids],
            )
            codes: dict[int, list[int]] = {}
            for publication_id, code in cursor.fetchall():
                codes.setdefault(publication_id, []).append(code)
            yield [
                (
                    pk,
                    f"{title}: {subtitle}" if subtitle else title,
                    abstract,
                    keywords.get(pk, []),
                    category_of(codes.get(pk, [])),
                )
                for pk, title, subtitle, abstract in rows
            ]
            last = rows[-1][0]


# Everything


def extracted_chunks(chunks: Iterator[list[tuple]]) -> Iterator[tuple[list[tuple], list]]:
    """(chunk, the terms of each of its records). Extraction is not the bottleneck of a
    rebuild (spreading it over two worker processes was measured: no faster)."""
    for chunk in chunks:
        yield (
            chunk,
            [extract(title, abstract, keywords) for _, title, abstract, keywords, _ in chunk],
        )


@transaction.atomic
def rebuild_all(progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Recomputes every fingerprint; returns counts. Two passes over the collection: document
    frequencies first, then weights (the first pass's terms are reused when they fit)."""
    total = Publication.objects.count()
    df: Counter[str] = Counter()
    labels: dict[str, str] = {}
    kept: dict[int, tuple[list[Term], str]] = {}
    done = 0
    for chunk, extracted in extracted_chunks(texts()):
        for (pk, *_, category), terms in zip(chunk, extracted, strict=True):
            df.update(term.key for term in terms)
            for term in terms:
                labels.setdefault(term.key, term.label)
            if total <= IN_MEMORY:
                kept[pk] = (terms, category)
        done += len(chunk)
        if progress:
            progress(done, total * 2)

    with connection.cursor() as cursor:
        # Rows this transaction wrote earlier have pending foreign-key checks, which TRUNCATE
        # refuses to skip: run them now, then defer again as Django's constraints are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "TRUNCATE publications_publicationconcept, publications_aggregateconcept, "
            "publications_fingerprintvector, publications_concept RESTART IDENTITY"
        )
    # Indexes are built far faster over the whole table than row by row (HNSW above all):
    # drop them for the load, build them after it.
    hnsw = [index for index in FingerprintVector._meta.indexes if index.name.endswith("_hnsw")]
    with connection.schema_editor(atomic=False) as editor:
        for index in hnsw:
            editor.remove_index(FingerprintVector, index)
        for index in PublicationConcept._meta.indexes:
            editor.remove_index(PublicationConcept, index)
        for constraint in PublicationConcept._meta.constraints:
            editor.remove_constraint(PublicationConcept, constraint)
    concepts = [
        Concept(key=key[:200], label=labels[key][:200], slug="", document_count=df[key])
        for key in sorted(df)
    ]
    for concept, slug in zip(
        concepts, unique_concept_slugs([c.label for c in concepts]), strict=True
    ):
        concept.slug = slug
    copy_create(Concept, concepts)
    concept_ids = {concept.key: concept.pk for concept in concepts}

    def rows_of(chunk_items):
        links, vectors = [], []
        for pk, terms, category in chunk_items:
            weights = weigh(terms, df.__getitem__, total)
            links += [(pk, concept_ids[key[:200]], weight, category) for key, weight in weights]
            if weights:
                vector = sparse((concept_ids[key[:200]], w) for key, w in weights)
                vectors.append(("publication", pk, vector))
        copy_rows(PublicationConcept, ["publication_id", "concept_id", "weight", "category"], links)
        copy_rows(FingerprintVector, ["kind", "object_id", "vector"], vectors)

    done = 0
    with foreign_keys_checked_at_the_end(PublicationConcept):
        if kept:
            items = [(pk, terms, category) for pk, (terms, category) in sorted(kept.items())]
            for start in range(0, len(items), CHUNK):
                rows_of(items[start : start + CHUNK])
                done = min(start + CHUNK, len(items))
                if progress:
                    progress(total + done, total * 2)
        else:
            for chunk, extracted in extracted_chunks(texts()):
                rows_of(
                    [
                        (pk, terms, category)
                        for (pk, *_, category), terms in zip(chunk, extracted, strict=True)
                    ]
                )
                done += len(chunk)
                if progress:
                    progress(total + done, total * 2)
    with connection.cursor() as cursor:  # the rows' foreign-key checks first (see above)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with connection.schema_editor(atomic=False) as editor:
        for index in PublicationConcept._meta.indexes:
            editor.add_index(PublicationConcept, index)
        for constraint in PublicationConcept._meta.constraints:
            editor.add_constraint(PublicationConcept, constraint)
    persons, organisations = refresh_aggregates()
    with connection.schema_editor(atomic=False) as editor:
        for index in hnsw:
            editor.add_index(FingerprintVector, index)
    return {
        "publications": total,
        "concepts": len(concepts),
        "persons": persons,
        "organisations": organisations,
    }


def unique_concept_slugs(labels: list[str]) -> list[str]:
    """Readable slugs from the labels ("il-2", "immune-reconstitution"), numbered when two
    concepts' labels slugify alike."""
    slugs, seen = [], set()
    for label in labels:
        base = slugify(label)[:90] or "concept"
        slug, n = base, 2
        while slug in seen:
            slug, n = f"{base}-{n}", n + 1
        seen.add(slug)
        slugs.append(slug)
    return slugs


# Some publications


@transaction.atomic
def refresh(publication_ids: Iterable[int]) -> None:
    """Recomputes these publications' fingerprints with the collection's current document
    frequencies (updated for their own changes), then their persons' and organisations'."""
    ids = sorted(set(publication_ids))
    if not ids:
        return
    total = Publication.objects.count()
    extracted = {
        pk: (extract(title, abstract, keywords), category)
        for chunk in texts(ids)
        for pk, title, abstract, keywords, category in chunk
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pc.publication_id, c.key FROM publications_publicationconcept pc "
            "JOIN publications_concept c ON c.id = pc.concept_id WHERE pc.publication_id = ANY(%s)",
            [ids],
        )
        old = set(cursor.fetchall())
    new = {(pk, term.key[:200]) for pk, (terms, _) in extracted.items() for term in terms}
    labels = {term.key[:200]: term.label[:200] for terms, _ in extracted.values() for term in terms}
    # Stored rows are the publication's top concepts only; document frequency counts every key
    # seen, so a key is counted again only when it is new to the publication's stored rows.
    added = Counter(key for _, key in new - old)
    removed = Counter(key for _, key in old - new)
    ensure_concepts(labels)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, id, document_count FROM publications_concept WHERE key = ANY(%s)",
            [sorted(set(labels) | set(removed))],
        )
        concepts = {key: [pk, count] for key, pk, count in cursor.fetchall()}  # key: [id, df]
    deltas = Counter({concepts[key][0]: n for key, n in added.items()})
    deltas.subtract({concepts[key][0]: n for key, n in removed.items()})
    for concept in concepts.values():
        concept[1] = max(concept[1] + deltas[concept[0]], 0)
    change_document_counts(deltas)

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM publications_publicationconcept WHERE publication_id = ANY(%s)", [ids]
        )
        cursor.execute(
            "DELETE FROM publications_fingerprintvector "
            "WHERE kind = 'publication' AND object_id = ANY(%s)",
            [ids],
        )
    links, vectors = [], []
    for pk, (terms, category) in sorted(extracted.items()):
        weights = weigh(terms, lambda key: concepts[key[:200]][1], total)
        links += [(pk, concepts[key[:200]][0], weight, category) for key, weight in weights]
        if weights:
            vector = sparse((concepts[key[:200]][0], w) for key, w in weights)
            vectors.append(("publication", pk, vector))
    copy_rows(PublicationConcept, ["publication_id", "concept_id", "weight", "category"], links)
    copy_rows(FingerprintVector, ["kind", "object_id", "vector"], vectors)
    refresh_aggregates(publication_ids=ids)


def change_document_counts(deltas: Counter) -> None:
    """Adds each delta to its concept's document count, in one statement."""
    changed = [(pk, n) for pk, n in sorted(deltas.items()) if n]
    if not changed:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE publications_concept c "
            "SET document_count = greatest(c.document_count + d.delta, 0) "
            "FROM unnest(%s::bigint[], %s::int[]) AS d(id, delta) WHERE c.id = d.id",
            [[pk for pk, _ in changed], [n for _, n in changed]],
        )


def ensure_concepts(labels: dict[str, str]) -> None:
    """Concept rows for keys not seen before (document count 0 until counted). Another
    transaction may be adding the same keys, or others whose slugs clash with these, at the same
    time (a librarian's save during an import): a row another transaction has added is taken as
    it is, and a slug taken meanwhile is chosen again."""
    for attempt in range(6):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key FROM publications_concept WHERE key = ANY(%s)", [list(labels)]
            )
            missing = set(labels) - {key for (key,) in cursor.fetchall()}
        if not missing:
            return
        if attempt == 5:
            break
        keys = sorted(missing)
        slugs = unique_slugs(Concept, [labels[key] for key in keys], max_length=90)
        # ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit.
        Concept.objects.bulk_create(
            (
                Concept(key=key, label=labels[key], slug=slug, document_count=0)
                for key, slug in zip(keys, slugs, strict=True)
            ),
            ignore_conflicts=True,
        )
    raise RuntimeError(f"Could not add the concepts {sorted(missing)[:5]}: their slugs clash.")


# Persons and organisations, in SQL

AGGREGATE_SQL = """
WITH scored AS (
    SELECT {owner} AS owner_id, pc.concept_id,
           sum(pc.weight * power(0.5, greatest(%(year)s - coalesce(p.year, %(year)s), 0)
                                      / %(half_life)s::float) ORDER BY p.id) AS score,
           mode() WITHIN GROUP (ORDER BY pc.category) AS category
    FROM {source}
    JOIN publications_publication p ON p.id = a.publication_id
    JOIN publications_publicationconcept pc ON pc.publication_id = p.id
    WHERE {public} {restrict}
    GROUP BY 1, 2
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY owner_id ORDER BY score DESC, concept_id) AS rank,
           max(score) OVER (PARTITION BY owner_id) AS strongest
    FROM scored
)
INSERT INTO publications_aggregateconcept ({column}, concept_id, weight, category)
SELECT owner_id, concept_id, round((score / strongest)::numeric, 4), category
FROM ranked WHERE rank <= %(top)s AND strongest > 0
ORDER BY owner_id, rank
"""
VECTOR_SQL = """
INSERT INTO publications_fingerprintvector (kind, object_id, vector)
SELECT %(kind)s, {column},
       ('{{' || string_agg(concept_id || ':' || weight, ',' ORDER BY concept_id) || '}}/'
        || %(dimensions)s)::sparsevec
FROM publications_aggregateconcept
WHERE {column} IS NOT NULL AND weight > 0 {restrict}
GROUP BY {column}
"""
SOURCES = {
    # Internal persons (the ones with a profile page), by their authorships.
    "person": (
        "a.person_id",
        "publications_authorship a JOIN publications_person pe ON pe.id = a.person_id "
        "AND pe.is_internal",
    ),
    # Internal organisations, by their authors' affiliations and the units below them.
    "organisation": (
        "o.id",
        "publications_authorship a "
        "JOIN publications_authorship_affiliations aa ON aa.authorship_id = a.id "
        "JOIN publications_organisation unit ON unit.id = aa.organisation_id "
        "JOIN publications_organisation o ON o.id = ANY(unit.lineage) AND o.kind <> 'external'",
    ),
}


def refresh_aggregates(publication_ids: list[int] | None = None) -> tuple[int, int]:
    """Rewrites the fingerprints of all persons and organisations, or of those an author of
    one of these publications is or is affiliated with. Returns how many were written."""
    counts = []
    with connection.cursor() as cursor:
        for kind, (owner, source) in SOURCES.items():
            column = f"{kind}_id"
            owners = None
            if publication_ids is not None:
                cursor.execute(
                    f"SELECT DISTINCT {owner} FROM {source} WHERE a.publication_id = ANY(%s)",
                    [publication_ids],
                )
                owners = [row[0] for row in cursor.fetchall()]
                if not owners:
                    counts.append(0)
                    continue
                cursor.execute(
                    f"DELETE FROM publications_aggregateconcept WHERE {column} = ANY(%s)", [owners]
                )
                cursor.execute(
                    "DELETE FROM publications_fingerprintvector "
                    "WHERE kind = %s AND object_id = ANY(%s)",
                    [kind, owners],
                )
            restrict = f"AND {owner} = ANY(%(owners)s)" if owners is not None else ""
            params = {
                "year": datetime.date.today().year,
                "half_life": HALF_LIFE_YEARS,
                "top": AGGREGATE_TOP,
                "owners": owners,
                "kind": kind,
                "dimensions": DIMENSIONS,
            }
            cursor.execute(
                AGGREGATE_SQL.format(
                    owner=owner, source=source, public=PUBLIC_SQL, restrict=restrict, column=column
                ),
                params,
            )
            vector_restrict = f"AND {column} = ANY(%(owners)s)" if owners is not None else ""
            cursor.execute(VECTOR_SQL.format(column=column, restrict=vector_restrict), params)
            counts.append(cursor.rowcount)
    return counts[0], counts[1]
