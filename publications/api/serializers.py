"""The shapes of the API's JSON, for the OpenAPI schema and its docs page only: the answers are
built as plain dicts by publications.api.representations (DRF serializers are far too slow for a
page of 100 records with their authors), and test_api_schema validates real answers against these.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from publications.filters import PublicationFilterSet, YearFilter

# What each listing filter means (DESIGN.md, "Listing query string"): the docs page shows these.
FILTER_DESCRIPTIONS = {
    "q": 'Full-text search in web-search syntax: words, "a phrase", OR, -word; accents and '
    "word forms ignored; title hits rank first. A pasted DOI (with or without https://doi.org/) "
    "finds its record. At most 300 characters.",
    "year_from": "Published in or after this year (four digits).",
    "year_to": "Published in or before this year (four digits); a reversed range is read the "
    "right way round.",
    "type": "Output type (repeatable).",
    "peer_reviewed": "Peer-reviewed (`true`) or not (`false`).",
    "status": "Publication status (repeatable).",
    "subject": "ASJC code (repeatable); an area code such as 2400 includes its codes 2401–2499.",
    "journal": "Journal slug (repeatable).",
    "person": "Person slug (repeatable): publications with the person among the authors.",
    "organisation": "Organisation slug (repeatable): publications with an author affiliated with "
    "it or with any unit below it.",
    "language": "ISO 639-1 language code, e.g. `en` (repeatable).",
    "keyword": "Keyword, case ignored (repeatable).",
    "concept": "Research-concept slug of the fingerprints (repeatable).",
    "has_doi": "With a DOI (`true`) or without (`false`).",
    "open_access": "`true` (any open access), `false` (closed or unknown), or one status "
    "(repeatable).",
}
SINGLE_VALUED = {"q", "year_from", "year_to", "peer_reviewed", "has_doi"}


def choice_values(choices) -> list[str]:
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group of choices (output types by category)
            values.extend(str(v) for v, _ in label)
        else:
            values.append(str(value))
    return values


def filter_parameters() -> list[OpenApiParameter]:
    """One query parameter per filter of PublicationFilterSet, with its values where fixed."""
    parameters = []
    for name, item in PublicationFilterSet.base_filters.items():
        choices = item.extra.get("choices")
        numeric = isinstance(item, YearFilter) or name == "subject"
        parameters.append(
            OpenApiParameter(
                name,
                int if numeric else str,
                many=name not in SINGLE_VALUED,
                enum=choice_values(choices) if choices else None,
                description=FILTER_DESCRIPTIONS.get(name, str(item.label)),
            )
        )
    return parameters


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong, in words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On a 400 about the query string: each bad parameter with its problems.",
    )


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The machine value (as the filters take it).")
    label = serializers.CharField(help_text="The value in words.")


class OrganisationRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField(allow_null=True, help_text="Null for an external organisation.")
    ror = serializers.CharField(allow_null=True, help_text="ROR ID, e.g. 05f950310.")
    internal = serializers.BooleanField(help_text="An organisation of the institution.")
    url = serializers.URLField(allow_null=True, help_text="Its API resource (internal only).")


class PersonRefSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, help_text="Null for an external person.")
    given_name = serializers.CharField(allow_null=True)
    family_name = serializers.CharField()
    orcid = serializers.CharField(allow_null=True, help_text="ORCID iD, e.g. 0000-0002-1825-0097.")
    internal = serializers.BooleanField(help_text="Affiliated with the institution.")
    url = serializers.URLField(allow_null=True, help_text="Its API resource (internal only).")
    html_url = serializers.URLField(allow_null=True, help_text="Its profile page (internal only).")


class AuthorSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 for the first author.")
    name = serializers.CharField(help_text="The name as printed, e.g. “S. Ghezzi”.")
    role = serializers.ChoiceField(choices=["author", "editor"])
    corresponding = serializers.BooleanField()
    person = PersonRefSerializer(allow_null=True, help_text="Null for a group author.")
    affiliations = OrganisationRefSerializer(
        many=True, help_text="Organisations at the time of publication."
    )


class JournalRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    abbreviation = serializers.CharField(allow_null=True)
    issn = serializers.CharField(allow_null=True, help_text="Print ISSN.")
    eissn = serializers.CharField(allow_null=True, help_text="Electronic ISSN.")
    publisher = serializers.CharField(allow_null=True)
    url = serializers.URLField()


class SubjectRefSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="ASJC code.")
    name = serializers.CharField()
    url = serializers.URLField()


class TypeSerializer(ChoiceSerializer):
    category = serializers.CharField(help_text="e.g. “Contribution to journal”.")


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-1.")
    name = serializers.CharField()


class StatusSerializer(ChoiceSerializer):
    date = serializers.CharField(
        allow_null=True, help_text="ISO 8601 at its precision: 1997, 1997-01 or 1997-01-15."
    )


class ConferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    location = serializers.CharField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class IdentifiersSerializer(serializers.Serializer):
    doi = serializers.CharField(allow_null=True, help_text="Lower-case, without a resolver.")
    pmid = serializers.CharField(allow_null=True)
    scopus_eid = serializers.CharField(allow_null=True)
    isbn = serializers.CharField(allow_null=True)


class OpenAccessSerializer(ChoiceSerializer):
    is_open = serializers.BooleanField(help_text="Gold, hybrid, bronze or green.")


class LinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    label = serializers.CharField(allow_null=True)


class PublicationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.URLField(help_text="This resource.")
    html_url = serializers.URLField(help_text="The record page.")
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_null=True)
    abstract = serializers.CharField(allow_null=True, help_text="Plain text.")
    type = TypeSerializer()
    peer_reviewed = serializers.BooleanField()
    language = LanguageSerializer()
    status = StatusSerializer(help_text="The current status and its date.")
    status_history = StatusSerializer(many=True, help_text="Every status reached, oldest first.")
    date = serializers.CharField(allow_null=True, help_text="Of the current status (ISO 8601).")
    year = serializers.IntegerField(allow_null=True)
    journal = JournalRefSerializer(allow_null=True)
    host_title = serializers.CharField(allow_null=True, help_text="Book or proceedings title.")
    volume = serializers.CharField(allow_null=True)
    issue = serializers.CharField(allow_null=True)
    pages = serializers.CharField(allow_null=True, help_text="As printed, e.g. 74-78.")
    page_start = serializers.IntegerField(allow_null=True)
    page_end = serializers.IntegerField(allow_null=True)
    number_of_pages = serializers.IntegerField(allow_null=True)
    article_number = serializers.CharField(allow_null=True)
    edition = serializers.CharField(allow_null=True)
    publisher = serializers.CharField(allow_null=True)
    place_of_publication = serializers.CharField(allow_null=True)
    conference = ConferenceSerializer(allow_null=True)
    identifiers = IdentifiersSerializer()
    open_access = OpenAccessSerializer()
    keywords = serializers.ListField(child=serializers.CharField(), help_text="In order.")
    subject_areas = SubjectRefSerializer(many=True)
    authors = AuthorSerializer(many=True, help_text="In order.")
    links = LinkSerializer(many=True)
    modified = serializers.DateTimeField(help_text="When the record itself was last saved.")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The filter value.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Results with this value applied alone.")
    selected = serializers.BooleanField()
    url = serializers.URLField(help_text="This listing with the value applied.")


class FacetSerializer(serializers.Serializer):
    label = serializers.CharField()
    has_more = serializers.BooleanField(help_text="More options than shown (see `more`).")
    approximate = serializers.BooleanField(
        help_text="Counts estimated from a fixed sample of a set of more than 2,000 records, "
        "rounded to two significant figures; otherwise exact."
    )
    options = FacetOptionSerializer(many=True)


class PageLinksSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")


class PublicationPageSerializer(PageLinksSerializer):
    count = serializers.IntegerField(help_text="All results (the listing's result count).")
    count_exact = serializers.BooleanField(
        help_text="Whether `count` is exact; past 2,000 results it is estimated from a fixed "
        "sample and rounded to two significant figures, as the listing's “About N”."
    )
    results = PublicationSerializer(many=True)
    facets = serializers.DictField(
        child=FacetSerializer(), required=False, help_text="With `facets`: by facet name."
    )


class MembershipSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer()
    role = serializers.CharField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class PersonSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.URLField()
    html_url = serializers.URLField()
    given_name = serializers.CharField(allow_null=True)
    family_name = serializers.CharField()
    initials = serializers.CharField(allow_null=True)
    orcid = serializers.CharField(allow_null=True)
    memberships = MembershipSerializer(many=True)
    publication_count = serializers.IntegerField(help_text="Public publications.")
    publications_url = serializers.URLField(help_text="Their publications in this API.")


class ParentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.URLField()
    html_url = serializers.URLField()
    name = serializers.CharField()
    kind = ChoiceSerializer()
    ror = serializers.CharField(allow_null=True)
    parent = ParentSerializer(allow_null=True)
    publication_count = serializers.IntegerField(help_text="Including those of its units.")
    publications_url = serializers.URLField()


class JournalSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.URLField()
    html_url = serializers.URLField()
    title = serializers.CharField()
    abbreviation = serializers.CharField(allow_null=True)
    issn = serializers.CharField(allow_null=True)
    eissn = serializers.CharField(allow_null=True)
    publisher = serializers.CharField(allow_null=True)
    subject_areas = SubjectRefSerializer(many=True)
    publication_count = serializers.IntegerField(help_text="Public publications.")
    publications_url = serializers.URLField()


class SubjectAreaSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    url = serializers.URLField()
    html_url = serializers.URLField()
    name = serializers.CharField()
    display_name = serializers.CharField(help_text="As Scopus and Pure show it.")
    group = ChoiceSerializer()
    parent = serializers.IntegerField(allow_null=True, help_text="The area (xx00) of a code.")
    is_area = serializers.BooleanField(help_text="A two-digit area (its code ends in 00).")
    publication_count = serializers.IntegerField(help_text="An area counts its codes' too.")
    publications_url = serializers.URLField()


class PersonPageSerializer(PageLinksSerializer):
    results = PersonSerializer(many=True)


class OrganisationPageSerializer(PageLinksSerializer):
    results = OrganisationSerializer(many=True)


class JournalPageSerializer(PageLinksSerializer):
    results = JournalSerializer(many=True)


class SubjectAreaPageSerializer(PageLinksSerializer):
    results = SubjectAreaSerializer(many=True)
