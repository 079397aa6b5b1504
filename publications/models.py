"""The research-information model: subject areas, journals, organisations, persons, publications
and their ordered authorships, keywords, status lifecycle and workflow.

The database keeps the invariants (named constraints below); validators give librarians the reason.
"""

from __future__ import annotations

import datetime
import re

from django.conf.locale import LANG_INFO
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear, Lower
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from publications import validators
from publications.querysets import (
    SEARCH_CONFIG,
    JournalQuerySet,
    OrganisationQuerySet,
    PersonQuerySet,
    PublicationQuerySet,
    organisation_refresh_lineage,
)

LANGUAGE_CHOICES = sorted(
    ((code, info["name"]) for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info),
    key=lambda choice: choice[1],
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def slug_base(text: str, max_length: int = 80) -> str:
    """A readable slug, cut at a word boundary; dashes in ranges ("1550–1700") become hyphens."""
    slug = slugify(text.replace("–", "-").replace("—", "-"))
    if len(slug) > max_length:
        # Keep a word that ends exactly at the limit; otherwise cut before the word that crosses it.
        cut = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug
        slug = cut[:max_length]
    return slug.strip("-") or "item"


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 80, pk=None) -> str:
    """A slug from text that no other row of the model has yet: 'title', 'title-2', …"""
    return unique_slugs(model, [text], max_length=max_length, exclude_pk=pk)[0]


SLUG_PREFIXES_A_STATEMENT = 500


def unique_slugs(
    model: type[models.Model], texts: list[str], *, max_length: int = 80, exclude_pk=None
) -> list[str]:
    """Slugs for several new rows at once, unique among the model's rows and each other, from
    one query (the slug's pattern index): the next free 'base-N' after the highest taken."""
    bases = [slug_base(text, max_length) for text in texts]
    prefixes = {base[: max_length - 8] if len(base) > max_length - 8 else base for base in bases}
    if not prefixes:
        return []
    # One index range scan per prefix (the slug's pattern index), SLUG_PREFIXES_A_STATEMENT
    # prefixes a statement (a UNION of thousands exceeds PostgreSQL's stack depth).
    table = model._meta.db_table
    patterns = [prefix.replace("\\", "\\\\").replace("_", "\\_") + "%" for prefix in prefixes]
    taken: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(patterns), SLUG_PREFIXES_A_STATEMENT):
            chunk = patterns[start : start + SLUG_PREFIXES_A_STATEMENT]
            scans = [f"(SELECT id, slug FROM {table} WHERE slug LIKE %s)"] * len(chunk)
            cursor.execute(" UNION ALL ".join(scans), chunk)
            taken.update(slug for pk, slug in cursor.fetchall() if pk != exclude_pk)
    next_number: dict[str, int] = {}
    slugs = []
    for base in bases:
        slug = base
        if slug in taken:
            n = next_number.get(base, 2)
            while True:
                suffix = f"-{n}"
                slug = base[: max_length - len(suffix)] + suffix
                n += 1
                if slug not in taken:
                    break
            next_number[base] = n
        taken.add(slug)
        slugs.append(slug)
    return slugs


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


def format_partial_date(date: datetime.date | None, precision: str) -> str:
    """A date at its precision, as Pure prints it: '1997', 'Jan 1997', '15 Jan 1997'."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def unaccented_lower(field: str) -> models.Func:
    """portal_unaccent(lower(field)): the immutable form trigram indexes and searches share."""
    return models.Func(Lower(field), function="portal_unaccent", output_field=models.TextField())


def title_key(field: str = "title") -> models.Func:
    """The title with case, accents and everything but letters and digits folded away: two
    records with the same key are likely the same work (duplicate detection)."""
    return models.Func(
        unaccented_lower(field),
        models.Value("[^[:alnum:]]+"),
        models.Value(""),
        models.Value("g"),
        function="regexp_replace",
        output_field=models.TextField(),
    )


def precision_is_consistent_q(date_field: str, precision_field: str) -> Q:
    """A year-precision date is stored as 1 January, a month-precision date as the 1st."""
    return (
        Q(**{precision_field: DatePrecision.DAY})
        | Q(**{precision_field: DatePrecision.MONTH, f"{date_field}__day": 1})
        | Q(
            **{
                precision_field: DatePrecision.YEAR,
                f"{date_field}__day": 1,
                f"{date_field}__month": 1,
            }
        )
    )


class IdentifierField(models.CharField):
    """A text identifier stored in one normal form. Form input, saves and lookups are normalised
    alike, so a pasted resolver link is accepted and filter(doi="https://doi.org/10.1/ABC") finds
    '10.1/abc'."""

    @staticmethod
    def normalise(value: str) -> str:
        return value.strip()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = self.normalise(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        # The form accepts the longer pasted forms (resolver links); the model stores the short one.
        kwargs.setdefault("max_length", 200)
        return super().formfield(**kwargs)


class DOIField(IdentifierField):
    normalise = staticmethod(validators.normalise_doi)


class ISSNField(IdentifierField):
    normalise = staticmethod(validators.normalise_issn)


class ORCIDField(IdentifierField):
    normalise = staticmethod(validators.normalise_orcid)


class RORField(IdentifierField):
    normalise = staticmethod(validators.normalise_ror)


class SubjectGroup(models.TextChoices):
    LIFE = "life", "Life Sciences"
    SOCIAL = "social", "Social Sciences & Humanities"
    PHYSICAL = "physical", "Physical Sciences"
    HEALTH = "health", "Health Sciences"
    MULTIDISCIPLINARY = "multidisciplinary", "Multidisciplinary"


class SubjectArea(models.Model):
    """An ASJC (All Science Journal Classification) code, as Scopus and Pure use them."""

    code = models.PositiveSmallIntegerField(
        unique=True, help_text="Four-digit ASJC code, e.g. 2403."
    )
    name = models.CharField(max_length=200, help_text="The name in the ASJC list.")
    display_name = models.CharField(
        max_length=200,
        help_text="The name Scopus and Pure show: “Immunology”, or “Medicine(all)” for 2700.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The two-digit area (its xx00 code); empty for the areas themselves.",
    )
    group = models.CharField(max_length=20, choices=SubjectGroup.choices)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__gte=1000, code__lte=3699), name="subjectarea_code_in_asjc_range"
            ),
            models.CheckConstraint(
                condition=Q(group__in=SubjectGroup.values), name="subjectarea_group_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("subject_area_detail", kwargs={"code": self.code})

    @property
    def is_area(self) -> bool:
        """True for the 27 two-digit areas (codes ending in 00)."""
        return self.code % 100 == 0

    def codes_within(self) -> list[int]:
        """This code and, for an xx00 area, all its codes (2400 → 2400…2499)."""
        if self.is_area:
            return list(range(self.code, self.code + 100))
        return [self.code]


class Journal(models.Model):
    title = models.CharField(max_length=500)
    abbreviation = models.CharField(
        max_length=200,
        blank=True,
        help_text="ISO 4 abbreviation, e.g. “J Biol Regul Homeost Agents”.",
    )
    issn = ISSNField(
        "ISSN (print)",
        max_length=9,
        validators=[validators.validate_issn],
        help_text="Print ISSN, e.g. 0393-974X.",
    )
    eissn = ISSNField(
        "ISSN (electronic)",
        max_length=9,
        validators=[validators.validate_issn],
        help_text="Electronic ISSN, e.g. 1724-6083.",
    )
    publisher = models.CharField(max_length=300, blank=True)
    subject_areas = models.ManyToManyField(
        SubjectArea,
        blank=True,
        related_name="journals",
        help_text="ASJC codes of the journal; new publications in it inherit them.",
    )
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    objects = JournalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["issn"], condition=~Q(issn=""), name="journal_issn_unique"
            ),
            models.UniqueConstraint(
                fields=["eissn"], condition=~Q(eissn=""), name="journal_eissn_unique"
            ),
            models.CheckConstraint(
                condition=Q(issn="") | Q(issn__regex=validators.ISSN_RE.pattern),
                name="journal_issn_format",
            ),
            models.CheckConstraint(
                condition=Q(eissn="") | Q(eissn__regex=validators.ISSN_RE.pattern),
                name="journal_eissn_format",
            ),
        ]
        indexes = [
            # Journal autocomplete in the admin.
            models.Index(Lower("title"), name="journal_title_lower_idx"),
            # /journals/?q=: accent- and typo-tolerant title matching.
            GinIndex(
                OpClass(unaccented_lower("title"), name="gin_trgm_ops"), name="journal_title_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Journal, self.title, pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("journal_detail", kwargs={"slug": self.slug})


class OrganisationKind(models.TextChoices):
    UNIVERSITY = "university", "University"
    FACULTY = "faculty", "Faculty"
    DEPARTMENT = "department", "Department"
    RESEARCH_GROUP = "research_group", "Research group"
    EXTERNAL = "external", "External organisation"


class Organisation(models.Model):
    name = models.CharField(max_length=300)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.DEPARTMENT
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The organisation this one belongs to (a department's faculty, say).",
    )
    ror = RORField(
        "ROR ID",
        max_length=9,
        validators=[validators.validate_ror],
        help_text="Research Organization Registry ID, e.g. 05f950310.",
    )
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    lineage = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        editable=False,
        help_text="This organisation's id and those of all above it, kept by save().",
    )

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lineage"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ror"], condition=~Q(ror=""), name="organisation_ror_unique"
            ),
            models.CheckConstraint(
                condition=Q(ror="") | Q(ror__regex=validators.ROR_RE.pattern),
                name="organisation_ror_format",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="organisation_not_own_parent"
            ),
        ]
        indexes = [
            # The organisation filter and facet: organisations at or below a given one.
            GinIndex(fields=["lineage"], name="organisation_lineage_gin"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Organisation, self.name, pk=self.pk)
        super().save(*args, **kwargs)
        # The lineage of this organisation and everything below it follows its place in the tree.
        organisation_refresh_lineage(self.pk)
        self.lineage = Organisation.objects.values_list("lineage", flat=True).get(pk=self.pk)

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", kwargs={"slug": self.slug})

    def subtree_ids(self) -> list[int]:
        """This organisation's id and those of all organisations below it (one query)."""
        return list(
            Organisation.objects.filter(lineage__contains=[self.pk]).values_list("pk", flat=True)
        )


class Person(models.Model):
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200)
    initials = models.CharField(
        max_length=20, blank=True, help_text="As printed in citations, e.g. “S.” or “G.A.”."
    )
    orcid = ORCIDField(
        "ORCID iD",
        max_length=19,
        validators=[validators.validate_orcid],
        help_text="e.g. 0000-0002-1825-0097 (the https://orcid.org/ prefix is removed).",
    )
    is_internal = models.BooleanField(
        "internal",
        default=False,
        help_text="Affiliated with the institution: gets a profile page, and its name links there.",
    )
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="persons", blank=True
    )
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~Q(orcid=""), name="person_orcid_unique"
            ),
            models.CheckConstraint(
                condition=Q(orcid="") | Q(orcid__regex=validators.ORCID_RE.pattern),
                name="person_orcid_format",
            ),
            models.CheckConstraint(
                condition=~Q(family_name=""), name="person_family_name_required"
            ),
        ]
        indexes = [
            # Person autocomplete in the admin (search by family name).
            models.Index(Lower("family_name"), name="person_family_name_lower_idx"),
            # /persons/ A to Z (PersonQuerySet.alphabetical): the first page reads 50 entries
            # instead of sorting every internal person (280 ms at 100,000).
            models.Index(
                unaccented_lower("family_name"),
                unaccented_lower("given_name"),
                "id",
                condition=Q(is_internal=True),
                name="person_internal_az_idx",
            ),
            # /persons/?q= and "Did you mean": accent- and typo-tolerant name matching.
            GinIndex(
                OpClass(unaccented_lower("family_name"), name="gin_trgm_ops"),
                name="person_family_name_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Person, self.full_name, pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("person_detail", kwargs={"slug": self.slug})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.family_name}, {self.given_name}".strip(", ")

    def clean(self) -> None:
        if not self.initials and self.given_name:
            self.initials = initials_of(self.given_name)


def initials_of(given_name: str) -> str:
    """'Gian Andrea' -> 'G.A.', 'Jean-Pierre' -> 'J.-P.'"""
    parts = []
    for word in given_name.split():
        pieces = [piece[0].upper() + "." for piece in word.split("-") if piece]
        parts.append("-".join(pieces))
    return "".join(parts)


class PersonNameVariant(models.Model):
    """Another form of a person's name seen in print ("Ghezzi, Silvia", "S. Ghezzi")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_variants")
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "person", Lower("name"), name="personnamevariant_unique_per_person"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in an organisation, with a role and the dates it held."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Professor, PhD student.")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=F("end_date")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organisation}" + (f" ({self.role})" if self.role else "")


class Keyword(models.Model):
    """A free-text keyword, unique regardless of case."""

    term = models.CharField(max_length=200)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(Lower("term"), name="keyword_term_unique_ci"),
            models.CheckConstraint(condition=~Q(term=""), name="keyword_term_not_empty"),
        ]
        indexes = [
            # "Did you mean": keywords close to a misspelt word.
            GinIndex(
                OpClass(unaccented_lower("term"), name="gin_trgm_ops"), name="keyword_term_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class OutputType(models.TextChoices):
    """Pure's two-level research-output vocabulary; the category is in OUTPUT_CATEGORIES."""

    ARTICLE = "article", "Article"
    REVIEW_ARTICLE = "review-article", "Review article"
    LETTER = "letter", "Letter"
    EDITORIAL = "editorial", "Editorial"
    COMMENT = "comment", "Comment/debate"
    CONFERENCE_ARTICLE = "conference-article", "Conference article"
    CHAPTER = "chapter", "Chapter"
    CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS = (
        "conference-contribution-in-proceedings",
        "Conference contribution",
    )
    BOOK = "book", "Book"
    REPORT = "report", "Report"
    ANTHOLOGY = "anthology", "Anthology"
    CONFERENCE_PAPER = "conference-paper", "Paper"
    CONFERENCE_POSTER = "conference-poster", "Poster"
    CONFERENCE_ABSTRACT = "conference-abstract", "Abstract"
    DOCTORAL_THESIS = "doctoral-thesis", "Doctoral Thesis"
    MASTERS_THESIS = "masters-thesis", "Master's Thesis"
    WORKING_PAPER = "working-paper", "Working paper"


JOURNAL = "Contribution to journal"
CHAPTER = "Chapter in Book/Report/Conference proceeding"
OUTPUT_CATEGORIES: dict[str, list[OutputType]] = {
    JOURNAL: [
        OutputType.ARTICLE,
        OutputType.REVIEW_ARTICLE,
        OutputType.LETTER,
        OutputType.EDITORIAL,
        OutputType.COMMENT,
        OutputType.CONFERENCE_ARTICLE,
    ],
    CHAPTER: [OutputType.CHAPTER, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS],
    "Book/Report": [OutputType.BOOK, OutputType.REPORT, OutputType.ANTHOLOGY],
    "Conference contribution": [
        OutputType.CONFERENCE_PAPER,
        OutputType.CONFERENCE_POSTER,
        OutputType.CONFERENCE_ABSTRACT,
    ],
    "Thesis": [OutputType.DOCTORAL_THESIS, OutputType.MASTERS_THESIS],
    "Working paper": [OutputType.WORKING_PAPER],
}
CATEGORY_OF_TYPE = {
    kind.value: category for category, kinds in OUTPUT_CATEGORIES.items() for kind in kinds
}
OUTPUT_TYPE_CHOICES = [
    (category, [(kind.value, kind.label) for kind in kinds])
    for category, kinds in OUTPUT_CATEGORIES.items()
]


class PublicationStatus(models.TextChoices):
    """The publication-status lifecycle, in the order a publication goes through it."""

    IN_PREPARATION = "in-preparation", "In preparation"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted/In press"
    EPUB = "epub", "E-pub ahead of print"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


STATUS_ORDER = {status.value: rank for rank, status in enumerate(PublicationStatus)}


class WorkflowState(models.TextChoices):
    IN_PROGRESS = "in_progress", "Entry in progress"
    FOR_VALIDATION = "for_validation", "For validation"
    VALIDATED = "validated", "Validated"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public – no restriction"
    CAMPUS = "campus", "Campus – restricted to the institution"
    BACKEND = "backend", "Backend – restricted to editors"


class OpenAccess(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    CLOSED = "closed", "Closed access"
    GOLD = "gold", "Gold open access"
    HYBRID = "hybrid", "Hybrid open access"
    BRONZE = "bronze", "Bronze open access"
    GREEN = "green", "Green open access"


OPEN_ACCESS_STATES = (OpenAccess.GOLD, OpenAccess.HYBRID, OpenAccess.BRONZE, OpenAccess.GREEN)
# The full-text indexes hold, beside the words, the columns that the listing's filters test for
# equality, so that PostgreSQL intersects a word with a type (or language, status...) inside one
# index scan instead of reading every record with the word to test its type.
SEARCH_INDEX_FIELDS = [
    "search_vector", "output_type", "language", "status", "peer_reviewed", "open_access",
]  # fmt: skip


class Publication(models.Model):
    title = models.CharField(max_length=1000)
    subtitle = models.CharField(max_length=1000, blank=True)
    abstract = models.TextField(blank=True)
    output_type = models.CharField(
        "type", max_length=50, choices=OUTPUT_TYPE_CHOICES, default=OutputType.ARTICLE
    )
    peer_reviewed = models.BooleanField(default=False)
    language = models.CharField(
        max_length=2, choices=LANGUAGE_CHOICES, default="en", help_text="ISO 639-1 code."
    )
    # Indexed by publication_journal_date_idx (journal_id, date); a second index would only slow
    # writes.
    journal = models.ForeignKey(
        Journal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
        db_index=False,
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(
        "issue number", max_length=50, blank=True, help_text="As printed: “1-2”."
    )
    pages = models.CharField(
        max_length=50,
        blank=True,
        help_text="As printed: “74-78”. Numeric pages fill the fields below.",
    )
    page_start = models.PositiveIntegerField(null=True, blank=True)
    page_end = models.PositiveIntegerField(null=True, blank=True)
    number_of_pages = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Worked out from a page range; enter it for a book or a thesis.",
    )
    article_number = models.CharField(max_length=50, blank=True, help_text="e.g. e1002345.")
    host_title = models.CharField(
        "title of host publication",
        max_length=1000,
        blank=True,
        help_text="The book or proceedings a chapter or conference paper appeared in.",
    )
    edition = models.CharField(max_length=50, blank=True, help_text="e.g. 2nd.")
    publisher = models.CharField(max_length=300, blank=True, help_text="Of a book or report.")
    place_of_publication = models.CharField(max_length=200, blank=True)
    conference_name = models.CharField(max_length=500, blank=True)
    conference_location = models.CharField(
        max_length=200, blank=True, help_text="City and country, e.g. “Milan, Italy”."
    )
    conference_start = models.DateField(null=True, blank=True)
    conference_end = models.DateField(null=True, blank=True)
    doi = DOIField(
        "DOI",
        max_length=255,
        validators=[validators.validate_doi],
        help_text="e.g. 10.1000/xyz123; a pasted https://doi.org/ link is fine.",
    )
    pmid = models.CharField("PubMed ID", max_length=20, blank=True)
    scopus_eid = models.CharField("Scopus EID", max_length=40, blank=True)
    isbn = models.CharField("ISBN", max_length=20, blank=True)
    keywords = models.ManyToManyField(
        Keyword, through="PublicationKeyword", related_name="publications", blank=True
    )
    subject_areas = models.ManyToManyField(
        SubjectArea,
        related_name="publications",
        blank=True,
        verbose_name="ASJC subject areas",
        help_text="Taken from the journal when left empty; set them here to override.",
    )
    open_access = models.CharField(
        max_length=10, choices=OpenAccess.choices, default=OpenAccess.UNKNOWN
    )
    status = models.CharField(
        "publication status",
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PUBLISHED,
        help_text="The current status; its date is in the status history.",
    )
    date = models.DateField(
        null=True, blank=True, help_text="Date of the current status, at its precision."
    )
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.YEAR
    )
    year = models.GeneratedField(
        expression=ExtractYear("date"), output_field=models.IntegerField(null=True), db_persist=True
    )
    workflow_state = models.CharField(
        max_length=20, choices=WorkflowState.choices, default=WorkflowState.IN_PROGRESS
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    search_keywords = models.TextField(
        blank=True, editable=False, help_text="The keywords, for search (kept by services)."
    )
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Author names and the journal's title, for search (kept by services).",
    )
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("subtitle", "search_keywords", weight="B", config=SEARCH_CONFIG)
        + SearchVector("abstract", weight="C", config=SEARCH_CONFIG)
        + SearchVector("search_names", weight="D", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="The record's address; made from the title when left empty. When it changes, "
        "the old address redirects here.",
    )
    workflow_note = models.TextField(
        blank=True,
        help_text="Why the record was returned to entry in progress, for whoever picks it up.",
    )
    source_ids = ArrayField(
        models.CharField(max_length=300),
        default=list,
        blank=True,
        help_text="Ids the record has in the files it was imported from (“bibtex:ghezzi1997”, "
        "“ris:123”): a re-import of the same record updates it.",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = PublicationQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["year", "search_vector", "search_keywords", "search_names"]
    )

    class Meta:
        ordering = [F("date").desc(nulls_last=True), "title", "pk"]
        permissions = [("validate_publication", "Can validate publications (make them public)")]
        constraints = [
            models.UniqueConstraint(
                Lower("doi"), condition=~Q(doi=""), name="publication_doi_unique_ci"
            ),
            models.CheckConstraint(
                condition=Q(doi="")
                | (Q(doi__regex=validators.DOI_RE.pattern) & Q(doi=Lower("doi"))),
                name="publication_doi_normalised",
            ),
            models.CheckConstraint(
                condition=Q(page_start__isnull=True)
                | Q(page_end__isnull=True)
                | Q(page_start__lte=F("page_end")),
                name="publication_page_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(number_of_pages__isnull=True) | Q(number_of_pages__gte=1),
                name="publication_number_of_pages_positive",
            ),
            models.CheckConstraint(
                condition=Q(output_type__in=OutputType.values),
                name="publication_output_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values),
                name="publication_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(workflow_state__in=WorkflowState.values),
                name="publication_workflow_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values),
                name="publication_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(open_access__in=OpenAccess.values),
                name="publication_open_access_valid",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True)
                | precision_is_consistent_q("date", "date_precision"),
                name="publication_date_matches_precision",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="publication_title_required"),
            models.CheckConstraint(
                condition=Q(conference_start__isnull=True)
                | Q(conference_end__isnull=True)
                | Q(conference_start__lte=F("conference_end")),
                name="publication_conference_dates_ordered",
            ),
        ]
        indexes = [
            # /publications/ and the home page: public records, newest first.
            models.Index(
                F("date").desc(nulls_last=True),
                "title",
                "id",
                condition=Q(workflow_state="validated", visibility="public"),
                name="publication_public_newest_idx",
            ),
            # The listing and the API sorted oldest first and by title: without these, every
            # public row was sorted for each page.
            models.Index(
                F("date").asc(nulls_last=True),
                "title",
                "id",
                condition=Q(workflow_state="validated", visibility="public"),
                name="publication_public_oldest_idx",
            ),
            models.Index(
                Lower("title"),
                "id",
                # With the title itself, a deep page of the title sort is an index-only scan
                # (page 2,000: 23 ms instead of 100).
                include=["title"],
                condition=Q(workflow_state="validated", visibility="public"),
                name="publication_public_title_inc",
            ),
            # Journal pages list a journal's public publications.
            models.Index(fields=["journal", "date"], name="publication_journal_date_idx"),
            # A search with a year range over a sample (publications.counting): PostgreSQL
            # combines a sample's full-text index with a date index only if their conditions
            # share no clause, and the public-records conditions of the listing's date indexes
            # are the samples' too (migration 0028).
            models.Index(fields=["date"], name="publication_date_idx"),
            # Full-text search on /publications/?q=, with the columns its filters test
            # (btree_gin): a word and a type are found together in the index, so a search for
            # a common word in a rare type reads only its results (migration 0022).
            GinIndex(fields=SEARCH_INDEX_FIELDS, name="publication_search_gin"),
            # Re-import and duplicate detection by PubMed ID.
            models.Index(fields=["pmid"], condition=~Q(pmid=""), name="publication_pmid_idx"),
            # Duplicate detection: records with the same folded title.
            models.Index(title_key(), name="publication_title_key_idx"),
            # Re-import finds the record a file's record id was imported into.
            GinIndex(fields=["source_ids"], name="publication_source_ids_gin"),
            # OAI-PMH selective harvesting by date (from/until) and earliestDatestamp.
            models.Index(
                fields=["modified"],
                condition=Q(workflow_state="validated", visibility="public"),
                name="publication_oai_modified",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.fill_derived_fields()
        if not self.slug:
            self.slug = unique_slug(Publication, self.title, pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publication_detail", kwargs={"slug": self.slug})

    @property
    def abstract_text(self) -> str:
        """The abstract as plain text (exports, feeds, metadata); the page shows its HTML."""
        from publications.richtext import to_text

        return to_text(self.abstract)

    @property
    def output_category(self) -> str:
        return CATEGORY_OF_TYPE.get(self.output_type, "")

    @property
    def is_public(self) -> bool:
        return (
            self.workflow_state == WorkflowState.VALIDATED and self.visibility == Visibility.PUBLIC
        )

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def page_range(self) -> str:
        """'74-78' from the numeric pages, else the pages as printed."""
        if self.page_start and self.page_end:
            return f"{self.page_start}-{self.page_end}"
        return self.pages

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        """ISO 8601 at the date's precision: '1997', '1997-01', '1997-01-15'."""
        if self.date is None:
            return ""
        length = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7}.get(self.date_precision, 10)
        return self.date.isoformat()[:length]

    @property
    def citation_date(self) -> str:
        """Google Scholar's citation_publication_date: YYYY/MM/DD for a full date, else YYYY."""
        if self.date is None:
            return ""
        if self.date_precision == DatePrecision.DAY:
            return self.date.strftime("%Y/%m/%d")
        return str(self.date.year)

    @property
    def conference_period(self) -> str:
        """'12/09/2019 - 14/09/2019', as Pure prints a conference's dates."""
        dates = [d.strftime("%d/%m/%Y") for d in (self.conference_start, self.conference_end) if d]
        return " - ".join(dict.fromkeys(dates))

    def fill_derived_fields(self) -> None:
        """Page numbers from the printed range ('74-78' gives 74 and 78, so a corrected range
        corrects them), and the number of pages from the page numbers (74-78 is 5 pages)."""
        pages = (self.pages or "").strip()
        # Up to nine digits: a longer number is no page, and overflows the integer columns.
        match = re.fullmatch(r"(\d{1,9})\s*[-–—]\s*(\d{1,9})", pages)
        if match:
            self.page_start, self.page_end = int(match[1]), int(match[2])
        elif pages.isascii() and pages.isdigit() and len(pages) <= 9:  # int() refuses "²"
            self.page_start, self.page_end = int(pages), None
        elif not pages and self.page_start:
            self.pages = str(self.page_start) + (f"-{self.page_end}" if self.page_end else "")
        if (
            self.page_start is not None
            and self.page_end is not None
            and self.page_end >= self.page_start
        ):
            self.number_of_pages = self.page_end - self.page_start + 1

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.fill_derived_fields()
        if self.page_start and self.page_end and self.page_end < self.page_start:
            raise ValidationError(
                {
                    "page_end": f"The last page ({self.page_end}) comes before "
                    f"the first ({self.page_start})."
                }
            )

    def apply_status_history(self, entries: list[PublicationStatusEntry]) -> None:
        """Set status and date from the lifecycle: the furthest status reached is the current one,
        and the date shown is the publication date when there is one."""
        if not entries:
            return
        current = max(entries, key=lambda entry: STATUS_ORDER[entry.status])
        self.status = current.status
        self.date, self.date_precision = current.date, current.date_precision


class PublicationStatusEntry(models.Model):
    """One step of a publication's status lifecycle, with its date at its precision."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField(max_length=20, choices=PublicationStatus.choices)
    date = models.DateField(
        null=True, blank=True, help_text="For a month or a year, enter the 1st (of January)."
    )
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "publication status"
        verbose_name_plural = "publication status history"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "status"], name="publicationstatusentry_one_per_status"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values),
                name="publicationstatusentry_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True)
                | precision_is_consistent_q("date", "date_precision"),
                name="publicationstatusentry_date_matches_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} - {self.date_display}".rstrip(" -")

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    @property
    def rank(self) -> int:
        return STATUS_ORDER[self.status]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.date is None:
            return
        if self.date_precision == DatePrecision.YEAR and (self.date.month, self.date.day) != (1, 1):
            raise ValidationError(
                {
                    "date": "The date is more precise than a year: enter 1 January, "
                    "or choose a finer precision."
                }
            )
        if self.date_precision == DatePrecision.MONTH and self.date.day != 1:
            raise ValidationError(
                {
                    "date": "The date is more precise than a month: enter the 1st, "
                    "or choose day precision."
                }
            )


class PublicationKeyword(models.Model):
    """A keyword of a publication, in the order the authors gave them."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="publication_keywords"
    )
    keyword = models.ForeignKey(
        Keyword, on_delete=models.PROTECT, related_name="publication_keywords"
    )
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "keyword"], name="publicationkeyword_unique_keyword"
            ),
            models.UniqueConstraint(
                fields=["publication", "position"], name="publicationkeyword_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return str(self.keyword)


class PublicationLink(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="links")
    url = models.URLField("URL", max_length=1000)
    label = models.CharField(max_length=200, blank=True, help_text="e.g. “Full text (publisher)”.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label or self.url


class PublicationSlug(models.Model):
    """A slug a publication had before: its URL redirects (301) to the current one."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.slug


class PersonSlug(models.Model):
    """A slug a person had before, or the slug of a person merged into this one: its profile
    URL redirects (301) here."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.slug


class DuplicateReason(models.TextChoices):
    SAME_IDENTIFIER = "identifier", "Same DOI or PubMed ID"
    SAME_TITLE_YEAR = "title_year", "Same title and year"
    SIMILAR_TITLE = "similar_title", "Similar title, same journal and year"


class PossibleDuplicate(models.Model):
    """Two publications that may be the same work, flagged on save and on import; a librarian
    merges them or dismisses the pair ("Possible duplicates" in the admin)."""

    first = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=DuplicateReason.choices)
    similarity = models.FloatField(help_text="Title similarity, 0 to 1.")
    dismissed = models.BooleanField(
        default=False, help_text="A librarian decided these are different works."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dismissed", "-similarity", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.get_reason_display()})"


class AuthorRole(models.TextChoices):
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"


class Authorship(models.Model):
    """One author (or editor) of a publication, at a position in the author list."""

    # Both keys lead an index already (authorship_unique_position, authorship_person_pub_idx);
    # single-column indexes on them would only slow writes.
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="authorships", db_index=False
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorships",
        help_text="Empty only for a corporate author (a consortium or group) named as printed.",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(help_text="1 for the first author.")
    name_as_printed = models.CharField(
        max_length=300, blank=True, help_text="The name as the publication prints it: “S. Ghezzi”."
    )
    role = models.CharField(max_length=10, choices=AuthorRole.choices, default=AuthorRole.AUTHOR)
    affiliations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="authorships",
        help_text="The author's organisations at the time of publication.",
    )
    corresponding = models.BooleanField("corresponding author", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["publication", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "position"], name="authorship_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="authorship_position_from_one"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name_as_printed=""),
                name="authorship_person_or_name",
            ),
            models.CheckConstraint(
                condition=Q(role__in=AuthorRole.values), name="authorship_role_valid"
            ),
        ]
        indexes = [
            # Person pages and the person filter: a person's authorships.
            models.Index(fields=["person", "publication"], name="authorship_person_pub_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.display_name}"

    @property
    def citation_name(self) -> str:
        """'Family, Given' when the given name is known, else the name as printed."""
        if self.person_id and self.person.given_name:
            return self.person.sort_name
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as printed, else the person's initials and family name."""
        if self.name_as_printed:
            return self.name_as_printed
        if self.person_id:
            return f"{self.person.initials} {self.person.family_name}".strip()
        return ""


class PublicationTombstone(models.Model):
    """A publication that was public and is no longer (returned to a librarian, hidden, merged
    into another or deleted). OAI-PMH reports it as deleted (deletedRecord=persistent), so a
    harvester removes its copy instead of keeping it forever. Database triggers (migration 0012)
    keep this table for every write path, COPY and queryset.update() included; nothing in Python
    writes it."""

    id = models.BigIntegerField(
        primary_key=True, help_text="The publication's id, as in its OAI identifier."
    )
    deleted = models.DateTimeField(help_text="When it left public view: its OAI datestamp.")
    set_specs = ArrayField(
        models.CharField(max_length=300),
        null=True,
        blank=True,
        help_text="The OAI sets it was in when it left public view; empty (null) when that is "
        "not known (a deleted row), and then it is reported as deleted in every set.",
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            # OAI-PMH selective harvesting by date (from/until).
            models.Index(fields=["deleted"], name="tombstone_deleted_idx"),
        ]

    def __str__(self) -> str:
        return f"Publication #{self.id}, withdrawn {self.deleted:%Y-%m-%d %H:%M}"


class PublicationFacetIds(models.Model):
    """What the listing's person, organisation, keyword and subject-area facets count, one row
    per publication: the distinct ids of its authors, of the organisations its authors are
    affiliated with (not their parents: the facet adds those from the organisation tree), of its
    keywords and of its subject areas. Counting a result set's facets then reads one narrow row
    per result instead of every authorship, affiliation, keyword and area row of each.

    Derived data: statement triggers on the four source tables (migration 0016) rewrite the rows
    of the publications a statement touched, for every write path, COPY and queryset.update()
    included; nothing in Python writes it. A publication without any of these has no row."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="facet_ids"
    )
    persons = ArrayField(models.BigIntegerField(), default=list)
    organisations = ArrayField(models.BigIntegerField(), default=list)
    keywords = ArrayField(models.BigIntegerField(), default=list)
    subject_areas = ArrayField(models.BigIntegerField(), default=list)

    def __str__(self) -> str:
        return f"Facet ids of publication #{self.publication_id}"


class StoredFigure(models.Model):
    """A figure of a prolific person's or journal's page (its chart, co-authors and journals,
    and its listing's total, facets and pages when nothing is searched or filtered), kept in
    the database while nothing it counts changes (publications.figures); or of the whole
    collection's listing, kept for the data version it was computed at.

    The shared cache keys figures by the data version, which every public write moves, so one
    edited record empties every figure. A person's or journal's rows are forgotten only for
    what was written: statement triggers (migrations 0018 and 0024) delete the rows of the persons
    and journals of every publication whose row, authorships, facet ids or concepts a statement
    changed, and all of them when a name, title or label they may show changes. The
    collection's rows carry the data version in their scope ("publications@<digest>"), so no
    writer touches them; a page that stores newer ones deletes the older. Derived data, never
    shown to the admin."""

    scope = models.CharField(max_length=40)  # "person:<id>", "journal:<id>", "publications@…"
    name = models.TextField()  # the figure's name (publications.figures.Figures.get)
    deployment = models.CharField(max_length=32)  # the code that computed it (figures.deployment)
    value = models.BinaryField()  # pickled, as the cache holds it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "name"], name="storedfigure_scope_name")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.name}"


class CollectionCount(models.Model):
    """How many public publications each organisation (with every unit below it) and each ASJC
    code, two-digit area and group has, in all and per year, as running sums: the organisation
    list, the subject areas, the home page, the API and the organisation and subject-area pages
    read them instead of counting the whole collection (7 s, 2.5 s and 6 s at a million
    publications, after every public write).

    Derived data, kept by statement triggers (migration 0020): each statement that changes a
    publication's facet ids, makes a publication public or not, changes a public one's year, or
    moves an organisation in the tree adds rows of +1 and -1 for what it changed (and migration
    0021's, the public publications in all and per journal, for the home page), for the key
    (`kind` "unit", "code", "area" or "group") and for the key and year ("unit-year", …). Only
    inserts: no counter row is ever locked, and a writer waits only for the writers of the same
    records and units (the triggers' FOR SHARE); querysets.collection_counts() sums the rows and
    folds them into one per key once they pile up. Never shown to the admin."""

    # "unit", "code", "area", "group", one of them "-year"; "journal" and "all" (migration 0021)
    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=40)  # an organisation's, a code, area, group, journal, ""
    year = models.SmallIntegerField(null=True)  # of the "-year" kinds (None: undated)
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key"], name="collectioncount_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.year or ''}: {self.n:+d}"


class DataVersion(models.Model):
    """One row whose value changes with every write to the portal's tables (statement-level
    triggers take it from a sequence, migration 0005). Cached whole-collection figures are keyed
    by it, so they are never stale; a sequence never repeats, even after a rollback."""

    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataversion_single_row")]

    def __str__(self) -> str:
        return str(self.value)


# The fingerprint tables live beside the code that fills them.
from publications.fingerprints.models import (  # noqa: E402, F401
    AggregateConcept,
    Concept,
    FingerprintVector,
    PublicationConcept,
)
