"""Writing a generated collection into the database, in one transaction, with COPY.

For a large load (BULK_MINIMUM publications or more, and at least a quarter of what the table
holds) the written tables lose their secondary indexes, unique constraints, foreign keys and
data-version triggers for the load and get them back after it: every index is built once over
the whole table (the full-text GIN index above all) and every foreign key is checked by one
join, not row by row. Their definitions are read from the catalogue before and compared after,
so the schema comes back exactly as it was. The tables are locked meanwhile (readers wait).

Publications are drawn in a thread of their own while the main thread streams the previous
chunk to PostgreSQL, whose time goes mostly to the stored search vector of each row: Python
and the server work at the same time, on two cores.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from publications.generating import vocabulary as words
from publications.generating.common import Catalogue, Slugs, copy_value, line
from publications.generating.entities import (
    draw_journals,
    draw_organisations,
    draw_persons,
    keyword_pools,
)
from publications.generating.records import (
    PUBLICATION_COLUMNS,
    Batch,
    Collection,
    PublicationDrawer,
)
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Membership,
    Organisation,
    Person,
    Publication,
    PublicationKeyword,
    PublicationStatusEntry,
    SubjectArea,
)

BULK_MINIMUM = 10_000
DOI_PREFIX = "10.5555/gen."  # 10.5555 is Crossref's prefix for examples: it resolves to nothing
Affiliation = Authorship.affiliations.through
PublicationArea = Publication.subject_areas.through
JournalArea = Journal.subject_areas.through
# The tables a large load rebuilds the indexes of, parents before children.
BULK_MODELS = (
    Person,
    Membership,
    Publication,
    Authorship,
    Affiliation,
    PublicationKeyword,
    PublicationArea,
    PublicationStatusEntry,
)
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Organisation: ("id", "name", "kind", "parent_id", "ror", "slug", "lineage"),
    Journal: ("id", "title", "abbreviation", "issn", "eissn", "publisher", "slug"),
    JournalArea: ("journal_id", "subjectarea_id"),
    Person: ("id", "given_name", "family_name", "initials", "orcid", "is_internal", "slug"),
    Membership: ("person_id", "organisation_id", "role", "start_date", "end_date"),
    Keyword: ("id", "term"),
    Publication: PUBLICATION_COLUMNS,
    Authorship: (
        "id",
        "publication_id",
        "person_id",
        "position",
        "name_as_printed",
        "role",
        "corresponding",
    ),
    Affiliation: ("authorship_id", "organisation_id"),
    PublicationKeyword: ("publication_id", "keyword_id", "position"),
    PublicationArea: ("publication_id", "subjectarea_id"),
    PublicationStatusEntry: ("publication_id", "status", "date", "date_precision"),
}
ProgressCallback = Callable[[int, int], None]


@dataclass
class Summary:
    publications: int = 0
    persons: int = 0
    internal_persons: int = 0
    journals: int = 0
    organisations: int = 0
    keywords_created: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    phases: list[tuple[str, float]] = field(default_factory=list)  # (phase, seconds)
    bulk: bool = False
    copy_seconds: dict[str, float] = field(default_factory=dict)  # table -> seconds in COPY
    index_seconds: dict[str, float] = field(default_factory=dict)  # index -> seconds to build
    waited_for_drawing: float = 0.0  # seconds the database side waited for Python


# ---------------------------------------------------------------------------------------------
# COPY


class Writer:
    """COPY of ready-made text rows into a model's table; columns this module does not fill
    (added by a later migration) get their field's default."""

    def __init__(self, model: type[models.Model], timestamp: str) -> None:
        self.model = model
        columns = list(COLUMNS[model])
        suffix = []
        for model_field in model._meta.concrete_fields:
            if model_field.generated or model_field.primary_key or model_field.column in columns:
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = timestamp
            else:
                value = model_field.get_db_prep_save(model_field.get_default(), connection)
            columns.append(model_field.column)
            suffix.append(copy_value(value))
        self.suffix = "".join("\t" + value for value in suffix)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        self.rows = 0
        self.seconds = 0.0

    def write(self, lines: list[str]) -> None:
        if not lines:
            return
        started = time.monotonic()
        if self.suffix:
            lines = [text[:-1] + self.suffix + "\n" for text in lines]
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            copy.write("".join(lines))
        self.rows += len(lines)
        self.seconds += time.monotonic() - started


def reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of `count` consecutive new ids from the table's sequence (taken in one
    statement, so only a writer drawing an id in that very instant could interleave)."""
    if count <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, 'id') AS s",
            [count, model._meta.db_table],
        )
        return cursor.fetchone()[0] - count + 1


# ---------------------------------------------------------------------------------------------
# What the database holds already


def hashed(sql: str, params: list | None = None) -> set[int]:
    """hash() of every value the query returns, read in batches (a million slugs as hashes
    take a fraction of the memory of the strings)."""
    result: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        while rows := cursor.fetchmany(50_000):
            result.update(hash(row[0]) for row in rows)
    return result


def strings(sql: str, params: list | None = None) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return {row[0] for row in cursor.fetchall()}


@dataclass
class Taken:
    """Identifiers generated rows may not have: those in the database and those `load_demo`
    gives its records (so a later demo load finds its own records, not generated ones)."""

    publication_slugs: set[int]
    person_slugs: set[int]
    journal_slugs: set[int]
    organisation_slugs: set[int]
    orcids: set[str]
    issns: set[str]
    dois: set[str]


def taken_identifiers() -> Taken:
    from publications.demo import build_demo

    demo = build_demo()
    taken = Taken(
        publication_slugs=hashed(
            "SELECT slug FROM publications_publication "
            "UNION ALL SELECT slug FROM publications_publicationslug"
        ),
        person_slugs=hashed(
            "SELECT slug FROM publications_person "
            "UNION ALL SELECT slug FROM publications_personslug"
        ),
        journal_slugs=hashed("SELECT slug FROM publications_journal"),
        organisation_slugs=hashed("SELECT slug FROM publications_organisation"),
        orcids=strings("SELECT orcid FROM publications_person WHERE orcid LIKE '0000-0000-%%'"),
        issns=strings(
            "SELECT issn FROM publications_journal UNION SELECT eissn FROM publications_journal"
        ),
        dois=strings(
            "SELECT lower(doi) FROM publications_publication WHERE lower(doi) LIKE %s",
            [DOI_PREFIX + "%"],
        ),
    )
    taken.publication_slugs |= {hash(spec.slug) for spec in demo.publications}
    taken.person_slugs |= {hash(spec.slug) for spec in demo.persons}
    taken.journal_slugs |= {hash(spec.slug) for spec in demo.journals}
    taken.organisation_slugs |= {hash(spec.slug) for spec in demo.organisations}
    taken.orcids |= {spec.orcid for spec in demo.persons if spec.orcid}
    taken.issns |= {issn for spec in demo.journals for issn in (spec.issn, spec.eissn) if issn}
    taken.dois |= {spec.values.get("doi", "").lower() for spec in demo.publications}
    return taken


def subject_catalogue() -> Catalogue:
    rows = list(SubjectArea.objects.values_list("pk", "code", "name", "group"))
    if not rows:
        raise RuntimeError("There are no ASJC subject areas: run `manage.py migrate` first.")
    return Catalogue.from_rows(rows)


def keyword_rows(writer: Writer) -> tuple[dict[str, tuple[int, str]], int]:
    """Every keyword of the vocabulary as a Keyword row: (id, term as stored) by lower-cased
    term, reusing the rows already there in any case; returns them and how many were new."""
    wanted: dict[str, str] = {}
    for group in words.vocabulary().groups.values():
        for term in group.keywords:
            wanted.setdefault(term.lower(), term)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(term), id, term FROM publications_keyword WHERE lower(term) = ANY(%s)",
            [list(wanted)],
        )
        ids = {lower: (pk, term) for lower, pk, term in cursor.fetchall()}
    missing = sorted(lower for lower in wanted if lower not in ids)
    first = reserve_ids(Keyword, len(missing))
    for pk, lower in enumerate(missing, first):
        ids[lower] = (pk, wanted[lower])
    writer.write([line(pk, wanted[lower]) for pk, lower in enumerate(missing, first)])
    return ids, len(missing)


# ---------------------------------------------------------------------------------------------
# Indexes, constraints and triggers around a large load


def table_schema(table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(name, definition) of the table's indexes that back no constraint, and (name, type,
    definition) of its unique and foreign-key constraints."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                                             AND c.conrelid = x.indrelid)
            ORDER BY i.relname
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname
            """,
            [table],
        )
        constraints = cursor.fetchall()
    return indexes, constraints


def statement_triggers(table: str) -> list[str]:
    """The table's data-version triggers (migration 0005) and facet-id triggers (migration
    0016): statement triggers a large load does without, and makes up for after it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "AND (tgname LIKE 'portal\\_data\\_version\\_%%' "
            "OR tgname LIKE 'portal\\_facets\\_%%') AND tgenabled <> 'D' ORDER BY tgname",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def indexes_built_after(
    models_: tuple[type[models.Model], ...],
    report: Callable[[str, float], None],
    timings: dict[str, float],
) -> Iterator[None]:
    """Drops the tables' secondary indexes, unique and foreign-key constraints and disables the
    data-version and facet-id triggers; after the block, builds and enables them again, checks
    the catalogue holds the same definitions as before, and moves the data version on once
    (migration 0005's triggers would have for each statement). The caller refreshes the facet
    ids of what it wrote. `timings` gets the seconds each index took."""
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models_]
    before = {table: table_schema(table) for table in tables}
    triggers = {table: statement_triggers(table) for table in tables}
    with connection.cursor() as cursor:
        # Deferred checks of rows written earlier in this transaction first: a table with
        # pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN ACCESS EXCLUSIVE MODE")
        for table in reversed(tables):
            indexes, constraints = before[table]
            for name, _, _ in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            for name in triggers[table]:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in tables:
            indexes, constraints = before[table]
            statements = [(name, definition) for name, definition in indexes] + [
                (name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
                for name, kind, definition in constraints
                if kind == "u"
            ]
            for name, statement in statements:
                built = time.monotonic()
                cursor.execute(statement)
                timings[name] = time.monotonic() - built
    report("indexes and unique constraints", time.monotonic() - started)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in tables:
            for name, kind, definition in before[table][1]:
                if kind == "f":
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                    )
            for name in triggers[table]:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}")
        if any(triggers.values()):
            cursor.execute(
                "UPDATE publications_dataversion "
                "SET value = nextval('publications_dataversion_seq') WHERE id = 1"
            )
    report("foreign keys", time.monotonic() - started)
    after = {table: table_schema(table) for table in tables}
    if after != before:
        raise RuntimeError("The indexes after the load differ from those before it.")


# ---------------------------------------------------------------------------------------------
# Drawing publications beside the writing

DONE = object()


def drawn_in_background(batches: Iterator[Batch], summary: Summary) -> Iterator[Batch]:
    """The batches, drawn by a thread while the caller writes the previous ones."""
    ready: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def work() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(DONE)
        except BaseException as error:  # handed to the caller, who raises it
            ready.put(error)

    thread = threading.Thread(target=work, name="generate-publications", daemon=True)
    thread.start()
    try:
        while True:
            started = time.monotonic()
            item = ready.get()
            summary.waited_for_drawing += time.monotonic() - started
            if item is DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


# ---------------------------------------------------------------------------------------------
# The whole run


def generate_collection(
    *,
    count: int,
    seed: int = 0,
    organisations: int = 500,
    bulk: bool | None = None,
    progress: ProgressCallback | None = None,
    report: Callable[[str, float], None] | None = None,
) -> Summary:
    """Adds `count` synthetic publications, with about count/3 persons, count/50 journals and an
    organisation tree of `organisations` units, to whatever the database holds, in one
    transaction. `bulk` forces (or forbids) rebuilding the indexes around the load; by default
    a large load does. `report(phase, seconds)` is called as each phase ends."""
    if count < 1:
        raise ValueError("The number of publications must be at least 1.")
    summary = Summary()

    def phase(name: str, seconds: float) -> None:
        summary.phases.append((name, seconds))
        if report:
            report(name, seconds)

    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phase(name, now - clock)
        clock = now

    persons_count = max(1, round(count / 3))
    journals_count = max(1, round(count / 50))
    timestamp = timezone.now().isoformat()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Index builds and foreign-key checks sort and hash far more in memory than the
            # defaults allow; for this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SELECT count(*) FROM publications_publication")
            existing = cursor.fetchone()[0]
        if bulk is None:
            bulk = count >= BULK_MINIMUM and count * 4 >= existing
        summary.bulk = bulk
        taken = taken_identifiers()
        catalogue = subject_catalogue()
        words.vocabulary()
        lap("reading what is there")

        writers = {model: Writer(model, timestamp) for model in COLUMNS}
        rebuilt = indexes_built_after(BULK_MODELS, phase, summary.index_seconds)
        with rebuilt if bulk else nullcontext():
            if bulk:
                lap("dropping indexes")
            units = draw_organisations(
                random.Random(f"{seed}:organisations"),
                catalogue,
                first_id=reserve_ids(Organisation, organisations),
                count=organisations,
                slugs=Slugs(taken.organisation_slugs),
            )
            writers[Organisation].write(units.rows)
            journals = draw_journals(
                random.Random(f"{seed}:journals"),
                catalogue,
                first_id=reserve_ids(Journal, journals_count),
                count=journals_count,
                slugs=Slugs(taken.journal_slugs),
                issns=taken.issns,
            )
            writers[Journal].write(journals.rows)
            writers[JournalArea].write(journals.area_rows)
            lap("organisations and journals")

            persons = draw_persons(
                random.Random(f"{seed}:persons"),
                catalogue,
                units,
                first_id=reserve_ids(Person, persons_count),
                count=persons_count,
                slugs=Slugs(taken.person_slugs),
                orcids=taken.orcids,
            )
            writers[Person].write(persons.rows)
            writers[Membership].write(persons.membership_rows)
            keyword_ids, summary.keywords_created = keyword_rows(writers[Keyword])
            lap("persons and keywords")

            collection = Collection(
                catalogue=catalogue,
                organisations=units,
                journals=journals,
                persons=persons,
                keywords=keyword_pools(random.Random(f"{seed}:keywords"), keyword_ids),
                dois=taken.dois,
                slugs=Slugs(taken.publication_slugs),
                timestamp=timestamp,
            )
            drawer = PublicationDrawer(seed, collection)
            plan = drawer.plan(count)
            first_id = reserve_ids(Publication, count)
            first_authorship_id = reserve_ids(Authorship, sum(authors for _, authors in plan))
            done = 0
            if progress:
                progress(0, count)
            for batch in drawn_in_background(
                drawer.batches(plan, first_id, first_authorship_id), summary
            ):
                writers[Publication].write(batch.publications)
                writers[Authorship].write(batch.authorships)
                writers[Affiliation].write(batch.affiliations)
                writers[PublicationKeyword].write(batch.keywords)
                writers[PublicationArea].write(batch.subject_areas)
                writers[PublicationStatusEntry].write(batch.statuses)
                done += batch.count
                if progress:
                    progress(done, count)
            lap("publications")
        clock = time.monotonic()  # the index phases were reported as they ended
        if bulk:
            with connection.cursor() as cursor:
                # What the facet-id triggers did not do during the load (migration 0016).
                cursor.execute(
                    "SELECT portal_refresh_facet_ids_between(%s, %s)",
                    [first_id, first_id + count - 1],
                )
            lap("facet ids")
        with connection.cursor() as cursor:
            for model in COLUMNS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            cursor.execute("ANALYZE publications_publicationfacetids")
        lap("analyze")
    lap("commit")

    summary.publications = count
    summary.persons = persons_count
    summary.internal_persons = sum(persons.internal)
    summary.journals = journals_count
    summary.organisations = organisations
    summary.rows = {model._meta.db_table: writer.rows for model, writer in writers.items()}
    summary.copy_seconds = {
        model._meta.db_table: writer.seconds for model, writer in writers.items()
    }
    return summary
