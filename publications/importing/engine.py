"""The import engine: parsed records in, publications out, one atomic step per record.

For each record: find the publication it already is (same DOI, PubMed ID or source id) and
update it, or create one in the requested workflow state; match its journal (any ISSN, then the
folded title, else a new journal) and its authors (ORCID; else the folded name with co-author,
journal or organisation evidence; else a new external person); link keywords and affiliations;
flag possible duplicates. A record that fails is rolled back alone and reported; the others go
on. The command (`import_publications`) and the admin upload page both run an `Importer`.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.utils import bulk_update_with_history

from publications import validators
from publications.bulk import copy_create, copy_create_with_history
from publications.duplicates import flag_duplicates, flag_duplicates_of
from publications.importing.records import ImportedName, ImportedRecord, RecordProblem
from publications.models import (
    LANGUAGE_CHOICES,
    Authorship,
    DatePrecision,
    Journal,
    Keyword,
    Membership,
    Organisation,
    OutputType,
    Person,
    Publication,
    PublicationKeyword,
    PublicationStatus,
    WorkflowState,
    initials_of,
    unaccented_lower,
    unique_slugs,
)
from publications.services import publication_sync_derived

logger = logging.getLogger(__name__)

LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}
STATES = {
    "in_progress": WorkflowState.IN_PROGRESS,
    "for_validation": WorkflowState.FOR_VALIDATION,
    "validated": WorkflowState.VALIDATED,
}
# Record fields copied onto the publication; an empty imported value never blanks a stored one.
COPIED = [
    "title",
    "subtitle",
    "abstract",
    "volume",
    "issue",
    "pages",
    "article_number",
    "host_title",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "pmid",
    "isbn",
    "scopus_eid",
]
LIMITS = {field.name: field.max_length for field in Publication._meta.fields if field.max_length}


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


class RecordError(ValueError):
    """A record that cannot become a publication; the message says why, for a librarian."""


def fold(text: str) -> str:
    """Case and accents folded, spaces collapsed: how names and titles are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


class Importer:
    """One import run: caches journals, keywords and organisations it has seen."""

    def __init__(self, *, state: str = "for_validation", user=None) -> None:
        if state not in STATES:
            raise ValueError(f"Unknown state {state!r}: use one of {', '.join(STATES)}.")
        self.state = STATES[state]
        self.user = user
        self.journals: dict[str, Journal] = {}
        self.keywords: dict[str, Keyword] = {}
        self._organisations: list[tuple[str, int]] | None = None

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
                summary.duplicates_flagged += flagged
                summary.publication_ids += [publication.pk for publication in publications]
        for record in alone:
            self.run_one(record, summary)

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

        authorships, affiliations = [], []
        for record, publication, people in zip(records, publications, persons, strict=True):
            for position, (name, person) in enumerate(zip(record.authors, people, strict=True), 1):
                authorship = authorship_for(publication, person, position, name)
                authorships.append(authorship)
                affiliations.append(self.organisations_in(name.affiliations))
        copy_create_with_history(Authorship, authorships, user=self.user)
        Through = Authorship.affiliations.through
        copy_create(
            Through,
            [
                Through(authorship_id=authorship.pk, organisation_id=organisation)
                for authorship, organisations in zip(authorships, affiliations, strict=True)
                for organisation in organisations
            ],
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

    def persons_for(
        self, records: list[ImportedRecord], journals: list[Journal | None]
    ) -> list[list[Person | None]]:
        """The person of every author of these records, by the rules of `person_for`, from a
        handful of queries for the whole batch; new persons are created in one statement."""
        names = [name for record in records for name in record.authors if not name.literal]
        orcids = {orcid for name in names if (orcid := valid_orcid(name.orcid))}
        by_orcid = {person.orcid: person for person in Person.objects.filter(orcid__in=orcids)}
        folded_names = {fold(name.family_name) for name in names}
        candidates: dict[str, list[Person]] = {}
        for person in Person.objects.annotate(folded=unaccented_lower("family_name")).filter(
            folded__in=folded_names
        ):
            candidates.setdefault(person.folded, []).append(person)
        ids = {person.pk for group in candidates.values() for person in group}
        known = ids | {person.pk for person in by_orcid.values()}
        journal_ids = {journal.pk for journal in journals if journal}
        in_journal = set(
            Authorship.objects.filter(person_id__in=ids, publication__journal_id__in=journal_ids)
            .values_list("person_id", "publication__journal_id")
            .distinct()
        )
        co_authors = set(
            Authorship.objects.filter(
                person_id__in=ids, publication__authorships__person_id__in=known
            )
            .values_list("person_id", "publication__authorships__person_id")
            .distinct()
        )
        memberships = set(
            Membership.objects.filter(person_id__in=ids).values_list("person_id", "organisation_id")
        )
        new: list[Person] = []
        # New persons of this batch, by folded name and initial, with the journals and
        # co-authors they were seen with: evidence for the batch's later records.
        new_by_key: dict[tuple[str, str], list[tuple[Person, set, set]]] = {}
        new_entries: dict[int, tuple[Person, set, set]] = {}
        orcid_updates: list[Person] = []
        result = []
        for record, journal in zip(records, journals, strict=True):
            people: list[Person | None] = []
            matched: list[Person] = []
            for name in record.authors:
                if name.literal:
                    people.append(None)
                    continue
                family = name.family_name.strip()
                if not family:
                    raise RecordError(f"{record.label}: an author has no family name")
                orcid = valid_orcid(name.orcid)
                initials = name.initials or initials_of(name.given)
                person = by_orcid.get(orcid) if orcid else None
                if person is None:
                    organisations = self.organisations_in(name.affiliations)
                    with_evidence = [
                        candidate
                        for candidate in candidates.get(fold(family), [])
                        if same_first_initial(candidate, initials)
                        and (
                            (journal and (candidate.pk, journal.pk) in in_journal)
                            or any((candidate.pk, m.pk) in co_authors for m in matched if m.pk)
                            or any((candidate.pk, o) in memberships for o in organisations)
                        )
                    ]
                    key = (fold(family), initials[:1].lower())
                    with_evidence += [
                        person
                        for person, seen_journals, seen_with in new_by_key.get(key, [])
                        if (journal and journal.pk in seen_journals)
                        or any(id(m) in seen_with for m in matched)
                    ]
                    if len(with_evidence) == 1:
                        person = with_evidence[0]
                        if orcid and not person.orcid and person.pk:
                            person.orcid = orcid
                            orcid_updates.append(person)
                    else:
                        person = Person(
                            family_name=family[:200],
                            given_name=name.given[:200],
                            initials=initials[:20],
                            orcid=orcid,
                            is_internal=False,
                        )
                        new.append(person)
                        entry = (person, set(), set())
                        new_by_key.setdefault(key, []).append(entry)
                        new_entries[id(person)] = entry
                    if orcid:
                        by_orcid[orcid] = person
                people.append(person)
                matched.append(person)
            for person in matched:
                if entry := new_entries.get(id(person)):
                    if journal:
                        entry[1].add(journal.pk)
                    entry[2].update(id(m) for m in matched)
            result.append(people)
        slugs = unique_slugs(Person, [person.full_name for person in new])
        for person, slug in zip(new, slugs, strict=True):
            person.slug = slug
        copy_create_with_history(Person, new, user=self.user)
        if orcid_updates:
            bulk_update_with_history(orcid_updates, Person, ["orcid"], default_user=self.user)
        return result

    def keywords_for(self, terms: set[str]) -> dict[str, Keyword]:
        """Keyword rows for these terms (matched case-insensitively, created when new)."""
        wanted = {term.lower(): term for term in terms}
        missing = [lower for lower in wanted if lower not in self.keywords]
        if missing:
            for keyword in Keyword.objects.annotate(lower=Lower("term")).filter(lower__in=missing):
                self.keywords[keyword.lower] = keyword
            created = [
                Keyword(term=wanted[lower]) for lower in missing if lower not in self.keywords
            ]
            Keyword.objects.bulk_create(created, ignore_conflicts=True)
            if created:
                for keyword in Keyword.objects.annotate(lower=Lower("term")).filter(
                    lower__in=[keyword.term.lower() for keyword in created]
                ):
                    self.keywords[keyword.lower] = keyword
        return {lower: self.keywords[lower] for lower in wanted}

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
        changed_authors = self.authors_differ(publication, record) if existing else True
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
        publication_sync_derived(publication=publication)
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

    # Journals

    def prefetch_journals(self, records: list[ImportedRecord]) -> None:
        """Known journals of these records, from two queries, into the run's cache (keyed as
        journal_for keys them)."""
        keyed = [(journal_key(record), record) for record in records if wants_journal(record)]
        keyed = [(key, record) for key, record in keyed if key not in self.journals]
        issns = {issn for _, record in keyed for issn in record_issns(record)}
        titles = {fold(record.journal_title) for _, record in keyed if record.journal_title}
        by_issn: dict[str, Journal] = {}
        for journal in Journal.objects.filter(Q(issn__in=issns) | Q(eissn__in=issns)):
            by_issn.setdefault(journal.issn, journal)
            by_issn.setdefault(journal.eissn, journal)
        by_title = {
            journal.folded: journal
            for journal in Journal.objects.annotate(folded=unaccented_lower("title")).filter(
                folded__in=titles
            )
        }
        for key, record in keyed:
            found = next(
                (by_issn[issn] for issn in record_issns(record) if issn in by_issn), None
            ) or by_title.get(fold(record.journal_title))
            if found:
                self.journals[key] = found

    def journal_for(self, record: ImportedRecord) -> Journal | None:
        if not wants_journal(record):
            return None
        issns = record_issns(record)
        key = journal_key(record)
        if key in self.journals:
            return self.journals[key]
        journal = None
        if issns:
            journal = (
                Journal.objects.filter(issn__in=issns).first()
                or Journal.objects.filter(eissn__in=issns).first()
            )
        if journal is None and record.journal_title:
            journal = (
                Journal.objects.annotate(folded=unaccented_lower("title"))
                .filter(folded=fold(record.journal_title))
                .first()
            )
        if journal is None:
            if not record.journal_title:
                raise RecordError("the journal has an ISSN but no title")
            journal = Journal(
                title=record.journal_title[:500],
                abbreviation=record.journal_abbreviation[:200],
                issn=issns[0] if issns else "",
                eissn=issns[1] if len(issns) > 1 else "",
                publisher=record.publisher[:300],
            )
            journal._history_user = self.user
            journal.save()
        self.journals[key] = journal
        return journal

    # Authors

    def authors_differ(self, publication: Publication, record: ImportedRecord) -> bool:
        stored = [
            fold(a.person.family_name if a.person else a.name_as_printed)
            for a in publication.authorships.select_related("person").order_by("position")
        ]
        imported = [fold(name.family_name or name.literal) for name in record.authors]
        return bool(imported) and stored != imported

    def write_authors(
        self, publication: Publication, names: list[ImportedName], journal: Journal | None
    ) -> None:
        publication.authorships.all().delete()
        matched: list[int] = []
        for position, name in enumerate(names, start=1):
            person = None if name.literal else self.person_for(name, matched, journal)
            if person:
                matched.append(person.pk)
            authorship = authorship_for(publication, person, position, name)
            authorship._history_user = self.user
            authorship.save()
            if organisations := self.organisations_in(name.affiliations):
                authorship.affiliations.set(organisations)

    def person_for(self, name: ImportedName, matched: list[int], journal: Journal | None) -> Person:
        """ORCID first; else one person of that folded family name and first initial with
        evidence (a co-author already matched on this record, the same journal, or an
        organisation of the affiliation); else a new external person."""
        orcid = valid_orcid(name.orcid)
        if orcid:
            person = Person.objects.filter(orcid=orcid).first()
            if person:
                return person
        family = name.family_name.strip()
        if not family:
            raise RecordError("an author has neither a family name nor a group name")
        initials = name.initials or initials_of(name.given)
        candidates = [
            person
            for person in Person.objects.annotate(folded=unaccented_lower("family_name")).filter(
                folded=fold(family)
            )[:50]
            if same_first_initial(person, initials)
        ]
        with_evidence = [
            person
            for person in candidates
            if self.has_evidence(person, matched, journal, name.affiliations)
        ]
        if len(with_evidence) == 1:
            person = with_evidence[0]
            if orcid and not person.orcid:
                person.orcid = orcid
                person._history_user = self.user
                person.save(update_fields=["orcid"])
            return person
        person = Person(
            family_name=family[:200],
            given_name=name.given[:200],
            initials=initials[:20],
            orcid=orcid if orcid and not Person.objects.filter(orcid=orcid).exists() else "",
            is_internal=False,
        )
        person._history_user = self.user
        person.save()
        return person

    def has_evidence(
        self, person: Person, matched: list[int], journal: Journal | None, affiliations
    ) -> bool:
        authorships = Authorship.objects.filter(person=person)
        if matched and authorships.filter(publication__authorships__person__in=matched).exists():
            return True
        if journal and authorships.filter(publication__journal=journal).exists():
            return True
        organisations = self.organisations_in(affiliations)
        return (
            bool(organisations)
            and person.memberships.filter(organisation__in=organisations).exists()
        )

    def organisations_in(self, affiliations: list[str]) -> list[int]:
        """Known organisations named in affiliation strings: the whole string or one of its
        comma-separated parts ("Department of X, University of Y, City") equals a name."""
        if not affiliations:
            return []
        if self._organisations is None:
            self._organisations = [
                (fold(name), pk) for pk, name in Organisation.objects.values_list("pk", "name")
            ]
        names = dict(self._organisations)
        found = []
        for affiliation in affiliations:
            parts = [affiliation, *affiliation.split(",")]
            for part in parts:
                pk = names.get(fold(part))
                if pk and pk not in found:
                    found.append(pk)
        return found

    # Keywords

    def add_keywords(self, publication: Publication, terms: list[str]) -> int:
        have = set(publication.publication_keywords.values_list("keyword_id", flat=True))
        position = len(have)
        added = 0
        for term in terms:
            term = " ".join(term.split())[:200]
            if not term:
                continue
            keyword = self.keywords.get(term.lower())
            if keyword is None:
                keyword = Keyword.objects.filter(
                    term__iexact=term
                ).first() or Keyword.objects.create(term=term)
                self.keywords[term.lower()] = keyword
            if keyword.pk in have:
                continue
            position += 1
            PublicationKeyword.objects.create(
                publication=publication, keyword=keyword, position=position
            )
            have.add(keyword.pk)
            added += 1
        return added


BOOK_TYPES = {OutputType.BOOK, OutputType.ANTHOLOGY, OutputType.CHAPTER}
BATCH = 250  # new records written together
CLEAN_EXCLUDE = ["slug", "journal", "keywords", "subject_areas", "source_ids"]


def wants_journal(record: ImportedRecord) -> bool:
    return bool(record.journal_title or record.issns) and record.output_type not in BOOK_TYPES


def record_issns(record: ImportedRecord) -> list[str]:
    return [issn for issn in (normal_issn(value) for value in record.issns) if issn]


def journal_key(record: ImportedRecord) -> str:
    return "|".join(record_issns(record)) or fold(record.journal_title)


def record_keys(record: ImportedRecord) -> set[str]:
    """What makes two records the same publication: DOI, PubMed ID, or the source's own id."""
    keys = set()
    if record.doi:
        keys.add(f"doi:{record.doi}")
    if record.pmid:
        keys.add(f"pmid:{record.pmid}")
    keys.add(f"source:{source_key(record)}")
    return keys


def existing_keys(records: list[ImportedRecord]) -> set[str]:
    """Which of these records' keys the portal already has (one query)."""
    dois = [record.doi for record in records if record.doi]
    pmids = [record.pmid for record in records if record.pmid]
    sources = [source_key(record) for record in records]
    if not (dois or pmids or sources):
        return set()
    found = (
        Publication.objects.alias(doi_lower=Lower("doi"))
        .filter(Q(doi_lower__in=dois) | Q(pmid__in=pmids) | Q(source_ids__overlap=sources))
        .values_list("doi", "pmid", "source_ids")
    )
    keys = set()
    for doi, pmid, source_ids in found:
        keys |= {f"doi:{doi.lower()}", f"pmid:{pmid}"} | {f"source:{s}" for s in source_ids}
    return keys


def clean_terms(terms: list[str]) -> list[str]:
    return [term for term in (" ".join(t.split())[:200] for t in terms) if term]


def terms_of(record: ImportedRecord) -> list[str]:
    return clean_terms(record.keywords)


def unique_terms(terms: list[str]) -> list[str]:
    """The terms in order, each once (case-insensitively)."""
    seen: set[str] = set()
    return [t for t in terms if not (t.lower() in seen or seen.add(t.lower()))]


def search_names(
    names: list[ImportedName], people: list[Person | None], journal: Journal | None
) -> str:
    """Authors' printed, given and family names and the journal's title, as
    refresh_search_text() joins them (SQL's concat_ws: empty strings kept, NULLs skipped)."""
    authors = []
    for name, person in zip(names, people, strict=True):
        parts = [printed_name(name)[:300]]
        if person is not None:
            parts += [person.given_name, person.family_name]
        authors.append(" ".join(parts))
    text = [" ".join(authors)] if authors else []
    if journal is not None:
        text.append(journal.title)
    return " ".join(text)


def authorship_for(
    publication: Publication, person: Person | None, position: int, name: ImportedName
) -> Authorship:
    return Authorship(
        publication=publication,
        person=person,
        position=position,
        role=name.role if name.role in {"author", "editor"} else "author",
        name_as_printed=printed_name(name)[:300],
    )


def source_key(record: ImportedRecord) -> str:
    """The record's id in its source ("bibtex:ghezzi1997"); a record without one (an RIS record
    with no ID) is known by its content: folded title, year and first author."""
    if record.source_id:
        return f"{record.format}:{record.source_id}"[:300]
    first = record.authors[0] if record.authors else None
    author = fold(first.family_name or first.literal) if first else ""
    year = record.date.year if record.date else ""
    content = f"{fold(record.title)}|{year}|{author}"
    return f"{record.format}:content:{hashlib.sha1(content.encode()).hexdigest()}"


def check(record: ImportedRecord) -> None:
    if not record.title.strip():
        raise RecordError("it has no title")
    if record.doi and not validators.DOI_RE.match(record.doi):
        raise RecordError(f"its DOI {record.doi[:80]!r} is not a DOI (10.<prefix>/<suffix>)")
    if record.output_type not in OutputType.values:
        raise RecordError(f"its type {record.output_type!r} is not an output type")


def valid_orcid(value: str) -> str:
    """The ORCID iD normalised, or "" when it is malformed or its check digit is wrong."""
    if not value:
        return ""
    try:
        orcid = validators.normalise_orcid(value)
        validators.validate_orcid(orcid)
    except (ValidationError, ValueError):
        return ""
    return orcid


def normal_issn(value: str) -> str:
    try:
        issn = validators.normalise_issn(value)
        validators.validate_issn(issn)
    except (ValidationError, ValueError):
        return ""
    return issn


def apply_fields(publication: Publication, record: ImportedRecord, journal: Journal | None) -> None:
    for name in COPIED:
        value = getattr(record, name)
        if value:
            limit = LIMITS.get(name)
            setattr(publication, name, value[:limit] if limit else value)
    if record.doi:
        publication.doi = record.doi
    if journal is not None:
        publication.journal = journal
    if record.output_type:
        publication.output_type = record.output_type
    if record.language in LANGUAGES:
        publication.language = record.language
    if record.date:
        publication.date = precise_date(record)
        publication.date_precision = record.date_precision
    if record.status in PublicationStatus.values:
        publication.status = record.status
    if record.number_of_pages and not publication.number_of_pages:
        publication.number_of_pages = record.number_of_pages
    key = source_key(record)
    if key not in publication.source_ids:
        publication.source_ids = [*publication.source_ids, key]
    publication.peer_reviewed = publication.peer_reviewed or record.output_type in {
        OutputType.ARTICLE,
        OutputType.REVIEW_ARTICLE,
    }


def precise_date(record: ImportedRecord):
    """The date as the model stores it at its precision (1 January, or the 1st)."""
    date = record.date
    if record.date_precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if record.date_precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


def snapshot(publication: Publication) -> tuple:
    names = [*COPIED, "doi", "journal_id", "output_type", "language", "date", "date_precision"]
    return tuple(getattr(publication, name) for name in [*names, "status", "source_ids"])


def printed_name(name: ImportedName) -> str:
    if name.literal:
        return name.literal
    initials = name.initials or initials_of(name.given)
    return f"{initials} {name.family_name}".strip()


def same_first_initial(person: Person, initials: str) -> bool:
    """No initials on either side is no contradiction; otherwise the first letters agree."""
    theirs = (person.initials or initials_of(person.given_name))[:1].lower()
    ours = initials[:1].lower()
    return not theirs or not ours or theirs == ours


def describe(error: Exception) -> str:
    """One line for a librarian: a validation error's messages, else the error's first line."""
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
