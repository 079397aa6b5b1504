"""The import engine: parsed records in, publications out, one atomic step per record.

For each record: find the publication it already is (same DOI, PubMed ID or source id) and
update it, or create one in the requested workflow state; match its journal and its authors
(matching.py); map its fields (mapping.py); link keywords and affiliations; flag possible
duplicates. New records are written a batch at a time (COPY); a batch that fails, and a record
that updates one already there, go one record per transaction, so a bad record fails alone and
the others go on. The command (`import_publications`) and the admin upload page both run an
`Importer`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from publications.bulk import (
    allocate_ids,
    copy_create,
    copy_create_with_history,
    copy_rows,
    copy_rows_with_history,
)
from publications.duplicates import flag_duplicates, flag_duplicates_of
from publications.fingerprints.compute import refresh as refresh_fingerprints
from publications.fingerprints.models import PublicationConcept
from publications.importing.mapping import (
    AUTHORSHIP_COLUMNS,
    BATCH,
    CLEAN_EXCLUDE,
    RecordError,
    apply_fields,
    authorship_for,
    authorship_row,
    check,
    clean_terms,
    describe,
    existing_keys,
    fold,
    record_keys,
    search_names,
    snapshot,
    source_key,
    terms_of,
    unique_terms,
)
from publications.importing.matching import Matcher
from publications.importing.records import ImportedName, ImportedRecord, RecordProblem
from publications.models import (
    Authorship,
    Journal,
    Publication,
    PublicationKeyword,
    WorkflowState,
    unique_slugs,
)
from publications.services import publication_sync_derived

logger = logging.getLogger(__name__)

FINGERPRINT_CHUNK = 5000
STATES = {
    "in_progress": WorkflowState.IN_PROGRESS,
    "for_validation": WorkflowState.FOR_VALIDATION,
    "validated": WorkflowState.VALIDATED,
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (position, message)
    duplicates_flagged: int = 0
    publication_ids: list[int] = field(default_factory=list)

    def fail(self, position: int, message: str) -> None:
        self.failed += 1
        self.problems.append((position, message))

    @property
    def messages(self) -> list[str]:
        """The problems, one line each, in the order of the records."""
        return [message for _, message in self.problems]

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def line(self) -> str:
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )
        if self.duplicates_flagged:
            text += f"; {self.duplicates_flagged} possible duplicate(s) flagged for review"
        return text


class Importer(Matcher):
    """One import run, in one workflow state for its new records, by one user (or none)."""

    def __init__(self, *, state: str = "for_validation", user=None) -> None:
        if state not in STATES:
            raise ValueError(f"Unknown state {state!r}: use one of {', '.join(STATES)}.")
        super().__init__(user=user)
        self.state = STATES[state]
        self.changed: list[int] = []  # created or updated: their fingerprints follow

    # The run: batches of new records written together, the rest one by one

    def run(
        self,
        items: Iterable[ImportedRecord | RecordProblem],
        progress: Callable[[ImportSummary], None] | None = None,
    ) -> ImportSummary:
        summary = ImportSummary()
        batch: list[ImportedRecord] = []
        for item in items:
            if isinstance(item, RecordProblem):
                summary.fail(item.position, f"{item.label}: {item.message}")
            else:
                batch.append(item)
            if len(batch) >= BATCH:
                self.run_batch(batch, summary)
                batch = []
                if progress:
                    progress(summary)
        if batch:
            self.run_batch(batch, summary)
        # A run cut short (a crash, a kill) wrote its records but not their fingerprints; the
        # same file imported again finds them unchanged, and makes the fingerprints now.
        changed = set(self.changed)
        self.changed += without_fingerprints(
            [pk for pk in summary.publication_ids if pk not in changed]
        )
        # Fingerprints of the new and changed records and of their persons and organisations,
        # once for the run (per batch, the persons' sums were recomputed again and again).
        for start in range(0, len(self.changed), FINGERPRINT_CHUNK):
            # Whole or not at all: cut short, a refresh would leave concepts' document counts
            # that count links it never wrote.
            with transaction.atomic():
                refresh_fingerprints(self.changed[start : start + FINGERPRINT_CHUNK])
        summary.problems.sort(key=lambda problem: problem[0])
        if progress:
            progress(summary)
        return summary

    def run_batch(self, records: list[ImportedRecord], summary: ImportSummary) -> None:
        """New records that share no identifier with the portal or each other are written
        together (a few statements for the whole batch); if that fails, and for records that
        update one already there, each record goes alone, so a bad one fails alone."""
        ready = []
        for record in records:
            try:
                check(record)
            except RecordError as error:
                summary.fail(record.position, f"{record.label}: {error}")
            else:
                ready.append(record)
        known = existing_keys(ready)
        fresh, alone, seen = [], [], set()
        for record in ready:
            keys = record_keys(record)
            (alone if keys & (known | seen) else fresh).append(record)
            seen |= keys
        if fresh:
            try:
                with transaction.atomic():
                    publications = self.create_batch(fresh)
                    flagged = flag_duplicates_of([p.pk for p in publications])
            except (RecordError, ValidationError, DatabaseError, ValueError) as error:
                logger.info(
                    "import: a batch fell back to one record at a time: %s", describe(error)
                )
                self.forget()
                alone = sorted(fresh + alone, key=lambda record: record.position)
            else:
                summary.created += len(publications)
                self.changed += [publication.pk for publication in publications]
                summary.duplicates_flagged += flagged
                summary.publication_ids += [publication.pk for publication in publications]
        unchanged = self.unchanged(alone)
        for record in alone:
            if record.position in unchanged:
                summary.unchanged += 1
                summary.publication_ids.append(unchanged[record.position])
            else:
                self.run_one(record, summary)

    def unchanged(self, records: list[ImportedRecord]) -> dict[int, int]:
        """{position: publication id} of the records that would change nothing in the
        publication they already are (a file imported again), found with a few queries for
        the batch; the others go through import_record."""
        if not records:
            return {}
        dois = [record.doi for record in records if record.doi]
        pmids = [record.pmid for record in records if record.pmid]
        sources = [source_key(record) for record in records]
        stored = list(
            Publication.objects.alias(doi_lower=Lower("doi"))
            .filter(Q(doi_lower__in=dois) | Q(pmid__in=pmids) | Q(source_ids__overlap=sources))
            .prefetch_related(
                Prefetch(
                    "authorships",
                    queryset=Authorship.objects.select_related("person").order_by("position"),
                ),
                Prefetch(
                    "publication_keywords",
                    queryset=PublicationKeyword.objects.select_related("keyword"),
                ),
            )
        )
        by_key = {}
        for publication in stored:
            by_key.setdefault(f"doi:{publication.doi.lower()}", publication)
            by_key.setdefault(f"pmid:{publication.pmid}", publication)
            for key in publication.source_ids:
                by_key.setdefault(f"source:{key}", publication)
        self.prefetch_journals(records)
        found = {}
        for record in records:
            # The same precedence as find_existing: DOI, then PubMed ID, then source id.
            keys = [f"doi:{record.doi}", f"pmid:{record.pmid}", f"source:{source_key(record)}"]
            publication = next((by_key[k] for k in keys if k in by_key and k[-1] != ":"), None)
            if publication is None or publication.pk in found.values():
                continue
            before = snapshot(publication)
            apply_fields(publication, record, self.journal_for(record))
            terms = {term.lower() for term in clean_terms(record.keywords)}
            have = {entry.keyword.term.lower() for entry in publication.publication_keywords.all()}
            if (
                snapshot(publication) == before
                and not authors_differ(publication.authorships.all(), record)
                and terms <= have
            ):
                found[record.position] = publication.pk
        return found

    def run_one(self, record: ImportedRecord, summary: ImportSummary) -> None:
        try:
            with transaction.atomic():
                outcome, publication = self.import_record(record)
                if outcome != "unchanged":
                    summary.duplicates_flagged += flag_duplicates(publication)
        except (RecordError, ValidationError, DatabaseError, ValueError) as error:
            self.forget()  # rows this record created were rolled back
            summary.fail(record.position, f"{record.label}: {describe(error)}")
            logger.info("import: %s failed: %s", record.label, describe(error))
        else:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            summary.publication_ids.append(publication.pk)
            if outcome != "unchanged":
                self.changed.append(publication.pk)

    def forget(self) -> None:
        self.journals.clear()
        self.keywords.clear()

    # Many new records at once

    def create_batch(self, records: list[ImportedRecord]) -> list[Publication]:
        self.prefetch_journals(records)
        journals = [self.journal_for(record) for record in records]
        persons = self.persons_for(records, journals)
        slugs = unique_slugs(Publication, [record.title for record in records])
        publications = []
        for record, journal, people, slug in zip(records, journals, persons, slugs, strict=True):
            publication = Publication(workflow_state=self.state, slug=slug)
            apply_fields(publication, record, journal)
            publication.fill_derived_fields()
            publication.clean_fields(exclude=CLEAN_EXCLUDE)
            publication.clean()
            # What refresh_search_text() would write, written with the row instead.
            publication.search_keywords = " ".join(unique_terms(terms_of(record)))
            publication.search_names = search_names(record.authors, people, journal)
            publication._change_reason = f"Imported from {record.format} ({record.label})"
            publications.append(publication)
        copy_create_with_history(Publication, publications, user=self.user)

        # Authorships as rows, not instances: an import batch has thousands of them.
        rows, affiliations = [], []
        for record, publication, people in zip(records, publications, persons, strict=True):
            for position, (name, person) in enumerate(zip(record.authors, people, strict=True), 1):
                rows.append(
                    authorship_row(publication.pk, person.pk if person else None, position, name)
                )
                affiliations.append(self.organisations_in(name.affiliations))
        ids = allocate_ids(Authorship, len(rows))
        copy_rows_with_history(
            Authorship,
            ["id", *AUTHORSHIP_COLUMNS],
            [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            user=self.user,
        )
        copy_rows(
            Authorship.affiliations.through,
            ["authorship_id", "organisation_id"],
            (
                (authorship_id, organisation)
                for authorship_id, organisations in zip(ids, affiliations, strict=True)
                for organisation in organisations
            ),
        )

        keywords = self.keywords_for({term for record in records for term in terms_of(record)})
        copy_create(
            PublicationKeyword,
            [
                PublicationKeyword(
                    publication=publication, keyword=keywords[term.lower()], position=n
                )
                for record, publication in zip(records, publications, strict=True)
                for n, term in enumerate(unique_terms(terms_of(record)), 1)
            ],
        )
        journal_areas = Journal.subject_areas.through.objects.filter(
            journal_id__in={journal.pk for journal in journals if journal}
        ).values_list("journal_id", "subjectarea_id")
        areas: dict[int, list[int]] = {}
        for journal_id, area_id in journal_areas:
            areas.setdefault(journal_id, []).append(area_id)
        Areas = Publication.subject_areas.through
        copy_create(
            Areas,
            [
                Areas(publication_id=publication.pk, subjectarea_id=area_id)
                for publication in publications
                for area_id in areas.get(publication.journal_id, [])
            ],
        )
        return publications

    # One record

    def import_record(self, record: ImportedRecord) -> tuple[str, Publication]:
        check(record)
        existing = self.find_existing(record)
        journal = self.journal_for(record)
        if existing is None:
            publication = Publication(workflow_state=self.state)
            outcome = "created"
        else:
            publication = existing
            outcome = "updated"
        before = snapshot(publication) if existing else None
        apply_fields(publication, record, journal)
        changed_authors = (
            authors_differ(
                publication.authorships.select_related("person").order_by("position"), record
            )
            if existing
            else True
        )
        if existing and before == snapshot(publication) and not changed_authors:
            new_keywords = self.add_keywords(publication, record.keywords)
            return ("updated" if new_keywords else "unchanged"), publication
        publication.clean_fields(exclude=CLEAN_EXCLUDE)
        publication.clean()
        publication._history_user = self.user
        publication._change_reason = f"Imported from {record.format} ({record.label})"
        publication.save()
        if changed_authors:
            self.write_authors(publication, record.authors, journal)
        self.add_keywords(publication, record.keywords)
        publication_sync_derived(publication=publication, fingerprint=False)
        return outcome, publication

    def find_existing(self, record: ImportedRecord) -> Publication | None:
        """The publication this record already is: same DOI, else PubMed ID, else source id."""
        queryset = Publication.objects.select_for_update()
        if record.doi:
            found = queryset.alias(doi_lower=Lower("doi")).filter(doi_lower=record.doi).first()
            if found:
                return found
        if record.pmid:
            found = queryset.filter(pmid=record.pmid).order_by("pk").first()
            if found:
                return found
        return queryset.filter(source_ids__contains=[source_key(record)]).first()
        return None

    # Authors

    def write_authors(
        self, publication: Publication, names: list[ImportedName], journal: Journal | None
    ) -> None:
        publication.authorships.all().delete()
        matched: list[int] = []
        authorships, organisations = [], []
        for position, name in enumerate(names, start=1):
            person = None if name.literal else self.person_for(name, matched, journal)
            if person:
                matched.append(person.pk)
            authorships.append(authorship_for(publication, person, position, name))
            organisations.append(self.organisations_in(name.affiliations))
        # One statement each for the authorships (with their history) and the affiliations:
        # each statement on these tables refreshes the publication's facet ids (migration
        # 0016), and a statement per author made a 1,800-author record take 11 s longer.
        bulk_create_with_history(authorships, Authorship, default_user=self.user)
        Affiliation = Authorship.affiliations.through
        Affiliation.objects.bulk_create(
            Affiliation(authorship_id=authorship.pk, organisation_id=organisation_id)
            for authorship, units in zip(authorships, organisations, strict=True)
            for organisation_id in dict.fromkeys(units)
        )

    # Keywords

    def add_keywords(self, publication: Publication, terms: list[str]) -> int:
        """Adds the terms the publication lacks, after its keywords; returns how many."""
        entries = publication.publication_keywords.values_list("keyword_id", "position")
        have = {keyword_id for keyword_id, _ in entries}
        position = max((position for _, position in entries), default=0)
        wanted = unique_terms(clean_terms(terms))
        keywords = self.keywords_for(set(wanted))
        added = []
        for term in wanted:
            keyword = keywords[term.lower()]
            if keyword.pk not in have:
                position += 1
                added.append(
                    PublicationKeyword(publication=publication, keyword=keyword, position=position)
                )
                have.add(keyword.pk)
        PublicationKeyword.objects.bulk_create(added)
        return len(added)


def without_fingerprints(publication_ids: list[int]) -> list[int]:
    """The publications among these with no concept (and so no fingerprint) yet."""
    if not publication_ids:
        return []
    with_concepts = PublicationConcept.objects.filter(publication_id__in=publication_ids)
    return list(
        Publication.objects.filter(pk__in=publication_ids)
        .exclude(pk__in=with_concepts.values("publication_id"))
        .values_list("pk", flat=True)
    )


def authors_differ(authorships, record: ImportedRecord) -> bool:
    """Whether the record's author list (folded family or group names, in order) differs from
    the stored one; a record without authors changes none."""
    stored = [fold(a.person.family_name if a.person else a.name_as_printed) for a in authorships]
    imported = [fold(name.family_name or name.literal) for name in record.authors]
    return bool(imported) and stored != imported
