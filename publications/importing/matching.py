"""Matching a record's journal and authors to the portal's journals and persons, and its
keywords to keyword rows, with per-run caches. Journals: any ISSN, then the folded title, else a
new journal. Persons: ORCID; else, among the persons of the folded family name and first
initial, the one with the strongest evidence (a co-author already matched on the record 3, an
organisation of the affiliation 2, a paper in the same journal 1; among equals the oldest);
else a new external person."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.utils import bulk_update_with_history

from publications.bulk import copy_create_with_history
from publications.importing.mapping import (
    RecordError,
    first_initial,
    fold,
    journal_key,
    record_issns,
    same_first_initial,
    valid_orcid,
    wants_journal,
)
from publications.importing.records import ImportedName, ImportedRecord
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Organisation,
    Person,
    initials_of,
    unaccented_lower,
    unique_slugs,
)

BIG = 2**62  # orders the batch's new persons after every stored one


class Namesakes:
    """A batch's persons by folded family name, and within it by first initial: for an author,
    those whom `same_first_initial` accepts, without testing each namesake (a common family name
    has hundreds of persons at a million publications: 2 million tests for 2,034 Crossref works,
    whose import went from 194-211 to 226-227 records/s without them)."""

    def __init__(self, candidates: dict[str, list[Person]]) -> None:
        self.everyone = candidates
        self.by_initial: dict[str, dict[str, list[Person]]] = {}
        for folded, persons in candidates.items():
            groups = self.by_initial[folded] = {}
            for person in persons:
                groups.setdefault(first_initial(person), []).append(person)

    def of(self, folded: str, initials: str) -> list[Person]:
        """The persons of this folded family name whose first initial agrees with `initials`'
        (or who have none; all of them when `initials` is empty)."""
        ours = initials[:1].lower()
        if not ours:
            return self.everyone.get(folded, [])
        groups = self.by_initial.get(folded, {})
        return groups.get(ours, []) + groups.get("", [])


def best(scored: list[tuple[int, int, Person]]) -> Person | None:
    """The candidate with the strongest evidence; among equals the oldest (lowest id), so a
    name seen again is not split into ever more namesakes. None without any evidence."""
    with_evidence = [entry for entry in scored if entry[0] > 0]
    if not with_evidence:
        return None
    return min(with_evidence, key=lambda entry: (-entry[0], entry[1]))[2]


NONE: frozenset[int] = frozenset()


class Matcher:
    """Journals, keywords and organisations seen in this run are cached; `forget()` drops the
    caches when a transaction that created some of them is rolled back."""

    def __init__(self, *, user=None) -> None:
        self.user = user
        self.journals: dict[str, Journal] = {}
        self.keywords: dict[str, Keyword] = {}
        self._organisations: dict[str, int] | None = None

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

    def persons_for(
        self, records: list[ImportedRecord], journals: list[Journal | None]
    ) -> list[list[Person | None]]:
        """The person of every author of these records, by the rules of `person_for`, from a
        handful of queries for the whole batch; new persons are created in one statement."""
        names = [name for record in records for name in record.authors if not name.literal]
        orcids = {orcid for name in names if (orcid := valid_orcid(name.orcid))}
        by_orcid = {person.orcid: person for person in Person.objects.filter(orcid__in=orcids)}
        folded_names = sorted({fold(name.family_name) for name in names})
        candidates: dict[str, list[Person]] = {}
        # Plain SQL with array parameters: a batch's names, ids and journals run to thousands,
        # and one placeholder each made the statements' preparation the slow part.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, family_name, given_name, initials, orcid, "
                "portal_unaccent(lower(family_name)) FROM publications_person "
                "WHERE portal_unaccent(lower(family_name)) = ANY(%s)",
                [folded_names],
            )
            for pk, family, given, initials, orcid, folded in cursor.fetchall():
                person = Person(
                    id=pk, family_name=family, given_name=given, initials=initials, orcid=orcid
                )
                person._state.adding = False
                candidates.setdefault(folded, []).append(person)
            ids = sorted({person.pk for group in candidates.values() for person in group})
            journal_ids = sorted({journal.pk for journal in journals if journal})
            cursor.execute(
                "SELECT DISTINCT a.person_id, p.journal_id FROM publications_authorship a "
                "JOIN publications_publication p ON p.id = a.publication_id "
                "WHERE a.person_id = ANY(%s) AND p.journal_id = ANY(%s)",
                [ids, journal_ids],
            )
            in_journal = set(cursor.fetchall())
            # Co-author evidence is only ever sought between persons who may stand for two
            # authors of the same record: the pairs are looked for within each record's
            # candidates (all co-authors of all namesakes came to 2 million pairs a batch
            # among 1,000,000 records).
            namesakes = Namesakes(candidates)
            pairs = record_candidates(records, namesakes, by_orcid)
            cursor.execute(
                """
                WITH r AS (
                    SELECT DISTINCT record, person_id
                    FROM unnest(%s::int[], %s::bigint[]) AS r(record, person_id)
                )
                SELECT DISTINCT a.person_id, b.person_id
                FROM r ra
                JOIN publications_authorship a ON a.person_id = ra.person_id
                JOIN publications_authorship b ON b.publication_id = a.publication_id
                JOIN r rb ON rb.record = ra.record AND rb.person_id = b.person_id
                WHERE b.person_id <> a.person_id
                """,
                [[record for record, _ in pairs], [person for _, person in pairs]],
            )
            # Evidence as sets per candidate, tested by intersection: testing each of a
            # record's matched authors in turn was quadratic in long author lists.
            co_authors: dict[int, set[int]] = {}
            for person_id, other in cursor.fetchall():
                co_authors.setdefault(person_id, set()).add(other)
            cursor.execute(
                "SELECT person_id, organisation_id FROM publications_membership "
                "WHERE person_id = ANY(%s)",
                [ids],
            )
            memberships: dict[int, set[int]] = {}
            for person_id, organisation in cursor.fetchall():
                memberships.setdefault(person_id, set()).add(organisation)
        new: list[Person] = []
        # New persons of this batch, by folded name and initial, with the journals and
        # co-authors (a set of id()s per record) they were seen with: evidence for the
        # batch's later records.
        new_by_key: dict[tuple[str, str], list[tuple[Person, set, list[set]]]] = {}
        new_entries: dict[int, tuple[Person, set, list[set]]] = {}
        orcid_updates: list[Person] = []
        result = []
        for record, journal in zip(records, journals, strict=True):
            people: list[Person | None] = []
            matched: list[Person] = []
            matched_ids: set[int] = set()  # the matched authors already in the database
            matched_now: set[int] = set()  # id() of each of `matched`
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
                    organisations = set(self.organisations_in(name.affiliations))
                    scored = [
                        (
                            3 * bool(co_authors.get(candidate.pk, NONE) & matched_ids)
                            + 2 * bool(memberships.get(candidate.pk, NONE) & organisations)
                            + bool(journal and (candidate.pk, journal.pk) in in_journal),
                            candidate.pk,
                            candidate,
                        )
                        for candidate in namesakes.of(fold(family), initials)
                    ]
                    key = (fold(family), initials[:1].lower())
                    scored += [
                        (
                            3 * any(not together.isdisjoint(matched_now) for together in seen_with)
                            + bool(journal and journal.pk in seen_journals),
                            BIG + order,
                            person,
                        )
                        for order, (person, seen_journals, seen_with) in enumerate(
                            new_by_key.get(key, [])
                        )
                    ]
                    chosen = best(scored)
                    if chosen is not None:
                        person = chosen
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
                        entry = (person, set(), [])
                        new_by_key.setdefault(key, []).append(entry)
                        new_entries[id(person)] = entry
                    if orcid:
                        by_orcid[orcid] = person
                people.append(person)
                matched.append(person)
                matched_now.add(id(person))
                if person.pk:
                    matched_ids.add(person.pk)
            # One set of the record's authors, shared by its new persons: a set of its own
            # for each made an 8,000-author record hold 64 million entries (6 GB).
            for person in matched:
                if entry := new_entries.get(id(person)):
                    if journal:
                        entry[1].add(journal.pk)
                    entry[2].append(matched_now)
            result.append(people)
        slugs = unique_slugs(Person, [person.full_name for person in new])
        for person, slug in zip(new, slugs, strict=True):
            person.slug = slug
        copy_create_with_history(Person, new, user=self.user)
        if orcid_updates:
            # The candidates hold only the fields matching reads: the history needs whole rows.
            orcids = {person.pk: person.orcid for person in orcid_updates}
            whole = list(Person.objects.filter(pk__in=orcids))
            for person in whole:
                person.orcid = orcids[person.pk]
            bulk_update_with_history(whole, Person, ["orcid"], default_user=self.user)
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
            for person in Person.objects.annotate(folded=unaccented_lower("family_name"))
            .filter(folded=fold(family))
            .order_by("pk")[:50]
            if same_first_initial(person, initials)
        ]
        chosen = best(
            [
                (self.evidence(person, matched, journal, name.affiliations), person.pk, person)
                for person in candidates
            ]
        )
        if chosen is not None:
            person = chosen
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

    def evidence(
        self, person: Person, matched: list[int], journal: Journal | None, affiliations
    ) -> int:
        """How strongly the record ties an existing person to this author: a co-author of
        theirs already matched on it (3), an organisation of theirs in the affiliation (2),
        a paper of theirs in the same journal (1)."""
        authorships = Authorship.objects.filter(person=person)
        organisations = self.organisations_in(affiliations)
        return (
            3
            * bool(
                matched
                and authorships.filter(publication__authorships__person__in=matched).exists()
            )
            + 2
            * bool(
                organisations and person.memberships.filter(organisation__in=organisations).exists()
            )
            + bool(journal and authorships.filter(publication__journal=journal).exists())
        )

    def organisations_in(self, affiliations: list[str]) -> list[int]:
        """Known organisations named in affiliation strings: the whole string or one of its
        comma-separated parts ("Department of X, University of Y, City") equals a name."""
        if not affiliations:
            return []
        if self._organisations is None:
            self._organisations = {
                fold(name): pk for pk, name in Organisation.objects.values_list("pk", "name")
            }
        names = self._organisations
        found = []
        for affiliation in affiliations:
            parts = [affiliation, *affiliation.split(",")]
            for part in parts:
                pk = names.get(fold(part))
                if pk and pk not in found:
                    found.append(pk)
        return found


def record_candidates(
    records: list[ImportedRecord], namesakes: Namesakes, by_orcid: dict[str, Person]
) -> list[tuple[int, int]]:
    """(record number, person id) for every person in the database who may be chosen for an
    author of the record: a namesake with the same first initial, or the holder of the
    author's ORCID iD."""
    pairs = set()
    for number, record in enumerate(records):
        for name in record.authors:
            if name.literal:
                continue
            if (orcid := valid_orcid(name.orcid)) and orcid in by_orcid:
                pairs.add((number, by_orcid[orcid].pk))
            initials = name.initials or initials_of(name.given)
            for candidate in namesakes.of(fold(name.family_name.strip()), initials):
                pairs.add((number, candidate.pk))
    return sorted(pairs)
