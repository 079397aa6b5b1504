"""What the hostile-input tests share (issue 9): the hypothesis profile, the payloads, and a
small world of public records, one draft among them, for the fuzzers to aim at."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, settings

from publications import models
from publications.services import publication_sync_derived
from publications.tests import factories

# Deterministic in CI and on every machine: the same examples each run, no example database
# written to .hypothesis/, no deadline (a request's time depends on the shared machine).
settings.register_profile(
    "hostile",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")

# Classic SQL-injection payloads, as a query-string value, a slug or a form field might carry.
SQL_PAYLOADS = [
    "' OR 1=1--",
    "' OR '1'='1",
    '" OR ""="',
    "1; DROP TABLE publications_publication;--",
    "1); DROP TABLE publications_publication;--",
    "') UNION SELECT id, title FROM publications_publication--",
    "' UNION SELECT NULL,NULL,NULL--",
    "%' --",
    "%",
    "_",
    "\\",
    "\\'",
    "\\\\'; --",
    "$$; DROP TABLE publications_publication; $$",
    "$tag$ OR 1=1 $tag$",
    "1' AND pg_sleep(5)--",
    "'; SELECT pg_sleep(5);--",
    "E'\\x27 OR 1=1",
    "admin'/*",
    "*/ OR /*",
    "' OR id IS NOT NULL OR '",
    "& | ! <-> :* ( )",
    "!!",
    "(((",
    "'''",
]

# Markup that must stay text wherever it is shown.
MARKUP_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    "{{7*7}}{% debug %}",
    "]]><x>",
]

# Query-string values that are no value at all.
GARBAGE_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "\ufeff",
    "\u202e",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "²",
    "٣",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "9" * 5000,  # over Python's 4,300-digit int() limit
    "1e309",
    "NaN",
    "Infinity",
    "1.5",
    "true",
    "null",
    "[]",
    "{}",
    "a" * 10_000,
]

# Already percent-encoded pieces a client may send whatever they mean: invalid escapes, NULs,
# UTF-8 that is not, overlong encodings.
RAW_QUERY_PIECES = [
    "%",
    "%%",
    "%zz",
    "%00",
    "%ff",
    "%c0%ae",
    "%ed%a0%80",  # an encoded surrogate
    "%e2%82",  # a cut-off sequence
    "%fe%ff",
    "%2e%2e%2f",
    "+",
    "&&",
    "=",
    "==",
    ";",
    "#",
]


@dataclass
class World:
    """The records the fuzzers aim at: one of each entity, public, and a draft."""

    publication: models.Publication
    other: models.Publication
    draft: models.Publication
    person: models.Person
    organisation: models.Organisation
    journal: models.Journal
    subject_code: int

    @property
    def slugs(self) -> list[str]:
        return [
            self.publication.slug,
            self.person.slug,
            self.organisation.slug,
            self.journal.slug,
            self.draft.slug,
        ]


DRAFT_TITLE = "Confidential zebra manuscript"


def build_world() -> World:
    """A public article by an internal person, in a journal with an ASJC area, with a keyword
    and an affiliation; an unvalidated draft by the same person; a second public record that
    shares nothing with the first. The records' words are not in the injection payloads."""
    organisation = factories.OrganisationFactory(name="Department of Hostile Testing")
    journal = factories.JournalFactory(title="Journal of Hostile Input", publisher="Adversary")
    area = models.SubjectArea.objects.get(code=2403)
    journal.subject_areas.add(area)
    person = factories.PersonFactory(given_name="Ada", family_name="Lovelace")
    models.Membership.objects.create(person=person, organisation=organisation, role="Professor")
    keyword = models.Keyword.objects.create(term="robustness")
    publication = factories.PublicationFactory(
        title="Alpha beta gamma",
        abstract="Delta epsilon zeta.",
        journal=journal,
        doi="10.1234/hostile.alpha",
        language="en",
    )
    draft = factories.PublicationFactory(
        title=DRAFT_TITLE,
        journal=journal,
        doi="10.1234/hostile.draft",
        language="en",
        workflow_state=models.WorkflowState.IN_PROGRESS,
    )
    for record in (publication, draft):
        authorship = factories.AuthorshipFactory(publication=record, person=person, position=1)
        authorship.affiliations.add(organisation)
        models.PublicationKeyword.objects.create(publication=record, keyword=keyword, position=1)
        publication_sync_derived(publication=record)
    # A second public record that shares nothing with the first: a filter that widens shows it.
    other = factories.PublicationFactory(
        title="Omega psi chi",
        journal=factories.JournalFactory(title="Annals of Quiet Data", publisher="Calm Press"),
        output_type=models.OutputType.BOOK,
        peer_reviewed=False,
        language="de",
    )
    factories.AuthorshipFactory(
        publication=other,
        person=factories.PersonFactory(given_name="Grace", family_name="Hopper"),
        position=1,
    )
    publication_sync_derived(publication=other)
    return World(publication, other, draft, person, organisation, journal, area.code)


CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
