"""OAI-PMH at /oai, as a harvester (OpenAIRE, BASE) sees it: every response is checked against
the official OAI-PMH 2.0 schemas (publications/tests/data/oai-pmh/) and every MODS record against
the official MODS 3.4 schema, every error condition is produced and checked, and a harvest across
resumption tokens returns each record exactly once while records are added and edited."""

from __future__ import annotations

import datetime
import importlib.util
import re
from io import StringIO
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from publications.models import (
    Keyword,
    Organisation,
    OrganisationKind,
    OutputType,
    Publication,
    PublicationKeyword,
    PublicationTombstone,
    SubjectArea,
    Visibility,
    WorkflowState,
)
from publications.oai import views as oai_views
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)

SCHEMAS = Path(__file__).parent / "data" / "oai-pmh"
OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "mods": "http://www.loc.gov/mods/v3",
    "xlink": "http://www.w3.org/1999/xlink",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
ERROR_CODES = {
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noMetadataFormats",
    "noRecordsMatch",
    "noSetHierarchy",
}


# Validation against the official schemas, offline.


def eulxml_schemas() -> Path:
    """The schemas the eulxml package ships as package data (requirements-dev.txt), among them
    the Library of Congress' MODS 3.4 schema. Only the files are used: eulxml is not imported."""
    spec = importlib.util.find_spec("eulxml")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("eulxml is not installed: pip install -r requirements-dev.txt")
    return Path(spec.submodule_search_locations[0]) / "schema_data"


MODS_XSD = eulxml_schemas() / "mods-3-4.xsd"


class LocalSchemas(etree.Resolver):
    """The remote schemaLocations the schemas import, answered from the local copies."""

    LOCAL = {
        "http://www.w3.org/2001/03/xml.xsd": SCHEMAS / "xml.xsd",
        "http://www.w3.org/2009/01/xml.xsd": SCHEMAS / "xml.xsd",
        # What mods-3-4.xsd imports.
        "http://www.loc.gov/mods/xml.xsd": SCHEMAS / "xml.xsd",
        "http://www.loc.gov/standards/xlink/xlink.xsd": MODS_XSD.parent / "xlink.xsd",
    }

    def resolve(self, url, pubid, context):
        path = self.LOCAL.get(url)
        if path:
            return self.resolve_filename(str(path), context)
        return None


def load_schema(*imports: tuple[str, str]) -> etree.XMLSchema:
    """One schema importing the given (namespace, file) pairs."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    lines = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{Path(location).resolve().as_uri()}"/>'
        for namespace, location in imports
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(driver, parser, base_url=str(SCHEMAS) + "/"))


OAI_SCHEMA = load_schema(
    (OAI, SCHEMAS / "OAI-PMH.xsd"),
    (NS["oai_dc"], SCHEMAS / "oai_dc.xsd"),
    (NS["id"], SCHEMAS / "oai-identifier.xsd"),
    (NS["oaire"], SCHEMAS / "oaire-envelope.xsd"),
    (NS["mods"], MODS_XSD),
)
# The MODS schema alone, for a record taken out of its OAI-PMH envelope.
MODS_SCHEMA = load_schema((NS["mods"], MODS_XSD))


def validated(content: bytes) -> etree._Element:
    """The response parsed, after checking it against OAI-PMH.xsd (and oai_dc.xsd or MODS 3.4
    for oai_dc or mods records): a harvester's validator would reject anything that fails."""
    document = etree.fromstring(content)
    if not OAI_SCHEMA.validate(document):
        raise AssertionError(f"Invalid OAI-PMH response: {OAI_SCHEMA.error_log}\n{content[:3000]}")
    return document


def mods_records(document: etree._Element) -> list[etree._Element]:
    """The MODS records of a response, each taken out of its envelope and checked as a document
    of its own against the MODS 3.4 schema alone (as a harvester storing MODS would)."""
    records = []
    for metadata in document.iterfind(".//oai:metadata/mods:mods", NS):
        record = etree.fromstring(etree.tostring(metadata))
        if not MODS_SCHEMA.validate(record):
            raise AssertionError(f"Invalid MODS record: {MODS_SCHEMA.error_log}")
        records.append(record)
    return records


def oai(client, method: str = "get", **arguments) -> etree._Element:
    """An OAI-PMH request (GET or POST): HTTP 200, XML, valid against the schemas."""
    send = client.get if method == "get" else client.post
    response = send("/oai", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validated(response.content)


def oai_raw(client, query: str) -> etree._Element:
    """A GET with a query string as sent, malformed or not."""
    response = client.get("/oai?" + query)
    assert response.status_code == 200, query
    return validated(response.content)


def error_codes(document: etree._Element) -> list[str]:
    return [error.get("code") for error in document.findall("oai:error", NS)]


def identifiers(document: etree._Element) -> list[str]:
    return [element.text for element in document.iterfind(".//oai:header/oai:identifier", NS)]


def token_of(document: etree._Element) -> etree._Element | None:
    return document.find(".//oai:resumptionToken", NS)


def oai_id(publication: Publication) -> str:
    return f"oai:testserver:publications/{publication.pk}"


def get_record(client, publication: Publication, prefix: str = "oai_dc") -> etree._Element:
    return oai(client, verb="GetRecord", identifier=oai_id(publication), metadataPrefix=prefix)


def harvest(client, verb: str = "ListIdentifiers", **arguments) -> list[etree._Element]:
    """Every page of a list request, following the resumption tokens."""
    pages = [oai(client, verb=verb, **arguments)]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(client, verb=verb, resumptionToken=token.text))
    return pages


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of three, so a handful of records needs resumption tokens."""
    monkeypatch.setattr(oai_views, "RECORDS_PER_PAGE", 3)
    monkeypatch.setattr(oai_views, "IDENTIFIERS_PER_PAGE", 3)
    monkeypatch.setattr(oai_views, "SETS_PER_PAGE", 3)


def hidden(**kwargs) -> Publication:
    return PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION, **kwargs)


# Identify, ListMetadataFormats


@pytest.mark.django_db
def test_identify_describes_the_repository(client, settings):
    settings.PORTAL_NAME = "Example Research Portal"
    settings.PORTAL_OAI_ADMIN_EMAIL = "library@example.org"
    first = PublicationFactory()
    PublicationFactory()
    document = oai(client, verb="Identify")
    identify = document.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == "Example Research Portal"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "library@example.org"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    first.refresh_from_db()
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == (
        first.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    request = document.find("oai:request", NS)
    assert request.get("verb") == "Identify"
    assert request.text == "http://testserver/oai"
    # "testserver" is no domain name: the oai-identifier description would not be valid.
    assert identify.find("oai:description", NS) is None


@pytest.mark.django_db
def test_identify_gives_the_oai_identifier_scheme_of_a_named_repository(client, settings):
    settings.PORTAL_OAI_REPOSITORY_IDENTIFIER = "portal.example.org"
    publication = PublicationFactory()
    document = oai(client, verb="Identify")
    description = document.find(".//id:oai-identifier", NS)
    assert description.findtext("id:repositoryIdentifier", namespaces=NS) == "portal.example.org"
    assert description.findtext("id:sampleIdentifier", namespaces=NS) == (
        "oai:portal.example.org:publications/1"
    )
    records = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(records) == [f"oai:portal.example.org:publications/{publication.pk}"]


@pytest.mark.django_db
def test_earliest_datestamp_of_an_empty_repository_is_valid(client):
    document = oai(client, verb="Identify")
    assert document.findtext(".//oai:earliestDatestamp", namespaces=NS)


@pytest.mark.django_db
def test_list_metadata_formats_offers_dublin_core_openaire_and_mods(client):
    publication = PublicationFactory()
    for arguments in ({}, {"identifier": oai_id(publication)}):
        document = oai(client, verb="ListMetadataFormats", **arguments)
        formats = {
            f.findtext("oai:metadataPrefix", namespaces=NS): (
                f.findtext("oai:schema", namespaces=NS),
                f.findtext("oai:metadataNamespace", namespaces=NS),
            )
            for f in document.iterfind(".//oai:metadataFormat", NS)
        }
        assert formats == {
            "oai_dc": (
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
            ),
            "oai_openaire": (
                "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
                "http://namespace.openaire.eu/schema/oaire/",
            ),
            "mods": (
                "http://www.loc.gov/standards/mods/v3/mods-3-4.xsd",
                "http://www.loc.gov/mods/v3",
            ),
        }


@pytest.mark.django_db
def test_list_metadata_formats_of_unknown_and_deleted_items(client):
    withdrawn = PublicationFactory()
    Publication.objects.filter(pk=withdrawn.pk).update(visibility=Visibility.BACKEND)
    never_public = hidden()
    for identifier, code in [
        (oai_id(withdrawn), "noMetadataFormats"),
        (oai_id(never_public), "idDoesNotExist"),
        ("oai:testserver:publications/999999", "idDoesNotExist"),
        ("oai:elsewhere.org:publications/1", "idDoesNotExist"),
    ]:
        document = oai(client, verb="ListMetadataFormats", identifier=identifier)
        assert error_codes(document) == [code]
        # After errors other than badVerb and badArgument, the request element keeps its
        # arguments.
        request = document.find("oai:request", NS)
        assert request.get("identifier") == identifier


# ListSets


@pytest.mark.django_db
def test_list_sets_names_types_subject_areas_and_the_institutions_units(client):
    unit = OrganisationFactory(name="Department of Immunology", slug="immunology")
    OrganisationFactory(name="Other University", kind=OrganisationKind.EXTERNAL, slug="other")
    pages = harvest(client, verb="ListSets")
    sets = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for page in pages
        for s in page.iterfind(".//oai:set", NS)
    }
    assert sets["type"] == "Output types"
    assert sets["type:article"] == "Contribution to journal › Article"
    assert sets["type:doctoral-thesis"] == "Thesis › Doctoral Thesis"
    assert sets["subject:2700"] == "ASJC 2700 Medicine"
    assert sets["subject:2700:2705"].startswith("ASJC 2705 ")
    assert "subject:2700:2700" not in sets
    assert sets[f"organisation:{unit.slug}"] == "Department of Immunology"
    assert "organisation:other" not in sets
    assert len(sets) == 3 + len(OutputType.values) + SubjectArea.objects.count() + 1


@pytest.mark.django_db
def test_list_sets_resumes_through_every_set_once(client, small_pages):
    units = [OrganisationFactory() for _ in range(4)]
    pages = harvest(client, verb="ListSets")
    specs = [s.text for page in pages for s in page.iterfind(".//oai:set/oai:setSpec", NS)]
    expected = 3 + len(OutputType.values) + SubjectArea.objects.count() + len(units)
    assert len(specs) == len(set(specs)) == expected
    assert specs[-4:] == [f"organisation:{unit.slug}" for unit in units]
    cursors = [int(token_of(page).get("cursor")) for page in pages]
    assert cursors == list(range(0, expected, 3))
    assert {token_of(page).get("completeListSize") for page in pages} == {str(expected)}
    assert token_of(pages[-1]).text is None  # the last page's token is empty


# GetRecord: the metadata formats


@pytest.fixture
def described(db) -> Publication:
    """A record with everything a harvester maps: authors (one with an ORCID and an
    affiliation, one corporate), an editor, keywords, subject areas, identifiers, abstract."""
    unit = OrganisationFactory(name="Department of Immunology")
    publication = PublicationFactory(
        title="Interleukin-2 & <T cells>",
        subtitle="a review",
        abstract="<p>First paragraph.</p><p>Second <i>one</i>.</p>",
        doi="10.1000/xyz.123",
        pmid="12345678",
        date=datetime.date(1997, 1, 1),
        date_precision="month",
        open_access="gold",
        language="it",
    )
    ghezzi = PersonFactory(given_name="Silvia", family_name="Ghezzi", orcid="0000-0002-1825-0097")
    first = AuthorshipFactory(publication=publication, person=ghezzi, position=1)
    first.affiliations.add(unit)
    AuthorshipFactory(
        publication=publication, person=None, name_as_printed="The Study Group", position=2
    )
    AuthorshipFactory(
        publication=publication,
        person=PersonFactory(given_name="", initials="L.", family_name="Soldini"),
        name_as_printed="L. Soldini",
        position=3,
    )
    AuthorshipFactory(
        publication=publication,
        person=PersonFactory(given_name="Ed", family_name="Itor"),
        position=4,
        role="editor",
    )
    for position, term in enumerate(["immunology", "cytokines"], start=1):
        PublicationKeyword.objects.create(
            publication=publication,
            keyword=Keyword.objects.create(term=term),
            position=position,
        )
    publication.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2723]))
    return publication


@pytest.mark.django_db
def test_get_record_in_dublin_core(client, described):
    document = get_record(client, described)
    header = document.find(".//oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id(described)
    assert [s.text for s in header.iterfind("oai:setSpec", NS)] == [
        "type",
        "type:article",
        "organisation",
        f"organisation:{Organisation.objects.get().slug}",
        "subject",
        "subject:2400",
        "subject:2400:2403",
        "subject:2700",
        "subject:2700:2723",
    ]
    dc = document.find(".//oai_dc:dc", NS)

    def values(name: str) -> list[str]:
        return [element.text for element in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == ["Interleukin-2 & <T cells>: a review"]
    assert values("creator") == ["Ghezzi, Silvia", "The Study Group", "Soldini, L."]
    assert values("contributor") == ["Itor, Ed"]
    assert values("subject")[:2] == ["immunology", "cytokines"]
    assert "Immunology" in values("subject")
    assert values("description") == ["First paragraph.\n\nSecond one."]
    assert values("date") == ["1997-01"]
    assert values("type") == ["info:eu-repo/semantics/article", "Contribution to journal › Article"]
    assert values("identifier") == [
        f"http://testserver{described.get_absolute_url()}",
        "https://doi.org/10.1000/xyz.123",
        "https://pubmed.ncbi.nlm.nih.gov/12345678/",
    ]
    assert values("language") == ["it"]
    assert values("rights") == ["info:eu-repo/semantics/openAccess"]
    assert values("source")[0].startswith(described.journal.title)


@pytest.mark.django_db
def test_get_record_in_openaire_format(client, described):
    document = get_record(client, described, "oai_openaire")
    resource = document.find(".//oaire:resource", NS)
    assert resource.findtext("datacite:titles/datacite:title", namespaces=NS) == (
        "Interleukin-2 & <T cells>"
    )
    assert resource.find("datacite:titles/datacite:title[@titleType='Subtitle']", NS).text == (
        "a review"
    )
    creators = resource.findall("datacite:creators/datacite:creator", NS)
    assert [c.findtext("datacite:creatorName", namespaces=NS) for c in creators] == [
        "Ghezzi, Silvia",
        "The Study Group",
        "Soldini, L.",
    ]
    assert [c.find("datacite:creatorName", NS).get("nameType") for c in creators] == [
        "Personal",
        "Organizational",
        "Personal",
    ]
    assert creators[2].find("datacite:givenName", NS) is None
    assert creators[2].findtext("datacite:familyName", namespaces=NS) == "Soldini"
    orcid = creators[0].find("datacite:nameIdentifier", NS)
    assert (orcid.get("nameIdentifierScheme"), orcid.text) == ("ORCID", "0000-0002-1825-0097")
    assert creators[0].findtext("datacite:affiliation", namespaces=NS) == "Department of Immunology"
    editor = resource.find("datacite:contributors/datacite:contributor", NS)
    assert editor.get("contributorType") == "Editor"
    identifier = resource.find("datacite:identifier", NS)
    assert (identifier.get("identifierType"), identifier.text) == ("DOI", "10.1000/xyz.123")
    kind = resource.find("oaire:resourceType", NS)
    assert kind.get("uri") == "http://purl.org/coar/resource_type/c_6501"
    assert kind.get("resourceTypeGeneral") == "literature"
    rights = resource.find("datacite:rights", NS)
    assert rights.get("rightsURI") == "http://purl.org/coar/access_right/c_abf2"
    date = resource.find("datacite:dates/datacite:date", NS)
    assert (date.get("dateType"), date.text) == ("Issued", "1997-01")
    assert resource.findtext("oaire:citationTitle", namespaces=NS) == described.journal.title
    assert resource.findtext("oaire:citationStartPage", namespaces=NS) == "10"
    assert resource.findtext("oaire:citationEndPage", namespaces=NS) == "20"
    issn = resource.find("datacite:relatedIdentifiers/datacite:relatedIdentifier", NS)
    assert (issn.get("relatedIdentifierType"), issn.get("relationType")) == ("PISSN", "IsPartOf")


@pytest.mark.django_db
def test_get_record_in_mods(client, described, settings):
    settings.PORTAL_NAME = "Example Research Portal"
    [record] = mods_records(get_record(client, described, "mods"))

    def texts(path: str, element: etree._Element = record) -> list[str]:
        return element.xpath(f"{path}/text()", namespaces=NS)

    assert texts("mods:titleInfo/mods:title") == ["Interleukin-2 & <T cells>"]
    assert texts("mods:titleInfo/mods:subTitle") == ["a review"]
    names = record.findall("mods:name", NS)

    def name(element: etree._Element) -> tuple:
        parts = [(p.get("type"), p.text) for p in element.iterfind("mods:namePart", NS)]
        roles = texts("mods:role/mods:roleTerm[@authority='marcrelator']", element)
        return element.get("type"), parts, roles

    # The authors in order, then the editor, each with a MARC relator term and code.
    assert [name(element) for element in names] == [
        ("personal", [("family", "Ghezzi"), ("given", "Silvia")], ["author", "aut"]),
        ("corporate", [(None, "The Study Group")], ["author", "aut"]),
        ("personal", [("family", "Soldini"), ("given", "L.")], ["author", "aut"]),
        ("personal", [("family", "Itor"), ("given", "Ed")], ["editor", "edt"]),
    ]
    assert texts("mods:displayForm", names[0]) == ["Ghezzi, Silvia"]
    # MODS 3.4 has no nameIdentifier: the ORCID is the name's authority record.
    assert (names[0].get("authority"), names[0].get("valueURI")) == (
        "orcid",
        "https://orcid.org/0000-0002-1825-0097",
    )
    assert names[2].get("valueURI") is None
    assert texts("mods:affiliation", names[0]) == ["Department of Immunology"]
    assert texts("mods:affiliation", names[2]) == []
    assert texts("mods:typeOfResource") == ["text"]
    genre = record.find("mods:genre[@authority='coar']", NS)
    assert (genre.get("valueURI"), genre.text) == (
        "http://purl.org/coar/resource_type/c_6501",
        "journal article",
    )
    issued = record.find("mods:originInfo/mods:dateIssued", NS)
    assert (issued.get("encoding"), issued.text) == ("w3cdtf", "1997-01")
    assert texts("mods:originInfo/mods:publisher") == [described.journal.publisher]
    language = record.find("mods:language/mods:languageTerm", NS)
    assert (language.get("authority"), language.get("type"), language.text) == (
        "rfc4646",
        "code",
        "it",
    )
    assert texts("mods:abstract") == ["First paragraph.\n\nSecond one."]
    assert texts("mods:subject[not(@authority)]/mods:topic") == ["immunology", "cytokines"]
    assert texts("mods:subject[@authority='asjc']/mods:topic") == list(
        SubjectArea.objects.filter(code__in=[2403, 2723])
        .order_by("code")
        .values_list("display_name", flat=True)
    )
    # The journal, and where in it.
    [host] = record.findall("mods:relatedItem[@type='host']", NS)
    assert texts("mods:titleInfo/mods:title", host) == [described.journal.title]
    assert texts("mods:identifier[@type='issn']", host) == [described.journal.issn]
    assert texts("mods:part/mods:detail[@type='volume']/mods:number", host) == ["12"]
    assert texts("mods:part/mods:detail[@type='issue']/mods:number", host) == ["3"]
    extent = host.find("mods:part/mods:extent", NS)
    assert extent.get("unit") == "pages"
    assert (texts("mods:start", extent), texts("mods:end", extent)) == (["10"], ["20"])
    assert texts("mods:part/mods:date", host) == ["1997-01"]
    identifiers_by_type = {
        element.get("type"): element.text for element in record.iterfind("mods:identifier", NS)
    }
    assert identifiers_by_type == {
        "doi": "10.1000/xyz.123",
        "pmid": "12345678",
        "uri": f"http://testserver{described.get_absolute_url()}",
    }
    access = record.find("mods:accessCondition", NS)
    assert access.text == "open access"
    assert access.get(f"{{{NS['xlink']}}}href") == "http://purl.org/coar/access_right/c_abf2"
    assert texts("mods:recordInfo/mods:recordIdentifier") == [oai_id(described)]
    assert texts("mods:recordInfo/mods:recordContentSource") == ["Example Research Portal"]


@pytest.mark.django_db
def test_mods_records_of_every_kind_validate_against_the_official_schema(client):
    """A ListRecords page in mods where records hold many authors, accents, markup and
    characters XML cannot carry: each record is a valid MODS 3.4 document and says what was
    entered, as text."""
    crowded = PublicationFactory(
        title='<script>alert("title")</script> Études sur l’œuvre de Łukasz Żółć & co',
        subtitle="Ñandú, Ærø og Ångström",
        abstract="<p>Résumé.</p><script>alert(1)</script>",
        journal=JournalFactory(title="Zeitschrift für <i>Ökologie</i> & Umwelt", eissn=""),
        open_access="closed",
        language="de",
    )
    for position in range(1, 61):
        person = PersonFactory(given_name=f"José {position}", family_name=f"Müller-Ñúñez{position}")
        AuthorshipFactory(publication=crowded, person=person, position=position)
    AuthorshipFactory(
        publication=crowded,
        person=PersonFactory(given_name="Zoë", family_name="O’Brien", orcid="0000-0002-1694-233X"),
        position=61,
    )
    AuthorshipFactory(
        publication=crowded, person=None, name_as_printed="<script>x</script>", position=62
    )
    PublicationKeyword.objects.create(
        publication=crowded, keyword=Keyword.objects.create(term="<script>kw</script>"), position=1
    )
    controlled = PublicationFactory(
        title="Control\x01 characters\x0b in\ufffe a title",
        subtitle="\x02",
        abstract="An \x1fabstract",
        volume="\x03",
    )
    AuthorshipFactory(
        publication=controlled,
        person=PersonFactory(given_name="\x04", family_name="Bell\x07"),
        name_as_printed="",
        position=1,
    )
    untitled = PublicationFactory(
        title="\x01",
        subtitle="",
        journal=None,
        volume="",
        issue="",
        pages="",
        open_access="unknown",
    )
    PublicationFactory(
        output_type=OutputType.CHAPTER,
        journal=None,
        host_title="Handbook of <Things>",
        isbn="978-3-16-148410-0",
        pages="101-120",
        conference_name="Conférence <internationale>",
    )
    report = PublicationFactory(
        output_type=OutputType.REPORT,
        journal=None,
        volume="",
        issue="",
        pages="iv, 120",
        isbn="978-3-16-148410-0",
        publisher="Istituto Superiore di Sanità",
        place_of_publication="Roma",
        edition="2nd",
    )
    for kind in OutputType.values:
        PublicationFactory(output_type=kind, open_access="green", isbn="978-3-16-148410-0")

    document = oai(client, verb="ListRecords", metadataPrefix="mods")
    records = dict(zip(identifiers(document), mods_records(document), strict=True))
    assert len(records) == 5 + len(OutputType.values)
    # Every element is a MODS element: the markup in the values was written as text.
    for record in records.values():
        assert {etree.QName(element).namespace for element in record.iter()} == {NS["mods"]}
    record = records[oai_id(crowded)]
    assert record.findtext("mods:titleInfo/mods:title", namespaces=NS) == crowded.title
    names = record.findall("mods:name", NS)
    assert len(names) == 62
    families = [n.findtext("mods:namePart[@type='family']", namespaces=NS) for n in names[:60]]
    assert families == [f"Müller-Ñúñez{position}" for position in range(1, 61)]
    assert names[60].get("valueURI") == "https://orcid.org/0000-0002-1694-233X"
    assert names[61].findtext("mods:namePart", namespaces=NS) == "<script>x</script>"
    assert record.findtext("mods:abstract", namespaces=NS) == "Résumé."
    assert record.findtext("mods:subject/mods:topic", namespaces=NS) == "<script>kw</script>"
    assert record.findtext("mods:relatedItem/mods:titleInfo/mods:title", namespaces=NS) == (
        "Zeitschrift für <i>Ökologie</i> & Umwelt"
    )
    assert record.findtext("mods:accessCondition", namespaces=NS) == "restricted access"

    record = records[oai_id(controlled)]
    assert record.findtext("mods:titleInfo/mods:title", namespaces=NS) == (
        "Control characters in a title"
    )
    assert record.find("mods:titleInfo/mods:subTitle", NS) is None
    [name] = record.findall("mods:name", NS)
    assert [part.text for part in name.iterfind("mods:namePart", NS)] == ["Bell"]
    assert record.find(".//mods:detail[@type='volume']", NS) is None

    record = records[oai_id(untitled)]
    assert record.find("mods:titleInfo", NS).get("supplied") == "yes"
    assert record.find("mods:relatedItem", NS) is None
    assert record.find("mods:accessCondition", NS) is None  # unknown: nothing is claimed

    record = records[oai_id(report)]
    # A report's ISBN is its own; it has no host, and its pages are a part of its own.
    assert record.findtext("mods:identifier[@type='isbn']", namespaces=NS) == report.isbn
    assert record.find("mods:relatedItem", NS) is None
    assert record.findtext("mods:part/mods:extent/mods:list", namespaces=NS) == "iv, 120"
    assert record.findtext("mods:originInfo/mods:place/mods:placeTerm", namespaces=NS) == "Roma"


@pytest.mark.django_db
def test_records_of_every_output_type_validate(client):
    for kind in OutputType.values:
        PublicationFactory(output_type=kind, open_access="closed", isbn="978-3-16-148410-0")
    for prefix in ("oai_dc", "oai_openaire", "mods"):
        document = oai(client, verb="ListRecords", metadataPrefix=prefix)
        assert len(identifiers(document)) == len(OutputType.values)
        if prefix == "oai_openaire":
            coar = {r.get("uri") for r in document.iterfind(".//oaire:resourceType", NS)}
            assert "http://purl.org/coar/resource_type/c_db06" in coar  # doctoral thesis
    genres = {
        g.get("valueURI") for r in mods_records(document) for g in r.iterfind("mods:genre", NS)
    }
    assert "http://purl.org/coar/resource_type/c_db06" in genres


@pytest.mark.django_db
def test_text_xml_cannot_carry_is_dropped(client):
    publication = PublicationFactory(
        title="Control\x01 characters\x0b in\ufffe a title", abstract="An \x1fabstract"
    )
    for prefix in ("oai_dc", "oai_openaire", "mods"):
        document = get_record(client, publication, prefix)
        text = etree.tostring(document, encoding="unicode")
        assert "Control characters in a title" in text


@pytest.mark.django_db
def test_get_record_of_a_record_never_public_does_not_exist(client):
    for publication in [hidden(), PublicationFactory(visibility=Visibility.CAMPUS)]:
        document = get_record(client, publication)
        assert error_codes(document) == ["idDoesNotExist"]


# Deleted records


def deleted_header(client, publication_id: int) -> etree._Element:
    document = oai(
        client,
        verb="GetRecord",
        identifier=f"oai:testserver:publications/{publication_id}",
        metadataPrefix="oai_dc",
    )
    record = document.find(".//oai:record", NS)
    assert record.find("oai:metadata", NS) is None
    header = record.find("oai:header", NS)
    assert header.get("status") == "deleted"
    return header


@pytest.mark.django_db
def test_a_record_returned_to_a_librarian_is_reported_deleted(client):
    publication = PublicationFactory()
    publication.workflow_state = WorkflowState.IN_PROGRESS
    publication.save()
    header = deleted_header(client, publication.pk)
    tombstone = PublicationTombstone.objects.get(pk=publication.pk)
    assert header.findtext("oai:datestamp", namespaces=NS) == (
        tombstone.deleted.strftime("%Y-%m-%dT%H:%M:%SZ")
    )


@pytest.mark.django_db
def test_a_record_hidden_by_a_bulk_update_is_reported_deleted(client):
    publications = [PublicationFactory() for _ in range(3)]
    Publication.objects.filter(pk__in=[p.pk for p in publications[:2]]).update(
        visibility=Visibility.CAMPUS
    )
    listed = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")[0]
    statuses = {
        header.findtext("oai:identifier", namespaces=NS): header.get("status")
        for header in listed.iterfind(".//oai:header", NS)
    }
    assert statuses == {
        oai_id(publications[0]): "deleted",
        oai_id(publications[1]): "deleted",
        oai_id(publications[2]): None,
    }
    records = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(records.findall(".//oai:metadata", NS)) == 1


@pytest.mark.django_db
def test_a_deleted_row_is_reported_deleted_in_every_set(client):
    publication = PublicationFactory(output_type=OutputType.BOOK)
    pk = publication.pk
    publication.delete()
    deleted_header(client, pk)
    # Its sets died with its related rows: it is reported in every set, never silently gone.
    for set_spec in ("type:article", "subject:2700"):
        document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        assert identifiers(document) == [f"oai:testserver:publications/{pk}"]


@pytest.mark.django_db
def test_a_merged_away_record_is_reported_deleted(client, staff_user):
    from publications.merging import merge_publications

    winner, loser = PublicationFactory(), PublicationFactory()
    merge_publications(winner, [loser], user=staff_user)
    deleted_header(client, loser.pk)
    document = get_record(client, winner)
    assert document.find(".//oai:metadata", NS) is not None


@pytest.mark.django_db
def test_a_record_hidden_before_it_was_ever_public_leaves_no_trace(client):
    publication = hidden()
    publication.visibility = Visibility.BACKEND
    publication.save()
    publication.delete()
    assert not PublicationTombstone.objects.exists()
    assert error_codes(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == [
        "noRecordsMatch"
    ]


@pytest.mark.django_db
def test_a_withdrawn_record_keeps_its_sets_and_is_deleted_in_them(client):
    unit = OrganisationFactory()
    publication = PublicationFactory(output_type=OutputType.LETTER)
    authorship = AuthorshipFactory(publication=publication, position=1)
    authorship.affiliations.add(unit)
    publication.subject_areas.set(SubjectArea.objects.filter(code=2705))
    live = get_record(client, publication)
    live_specs = [s.text for s in live.iterfind(".//oai:header/oai:setSpec", NS)]

    Publication.objects.filter(pk=publication.pk).update(workflow_state="for_validation")
    header = deleted_header(client, publication.pk)
    # The tombstone's sets (from the database) are the ones the live record had.
    assert [s.text for s in header.iterfind("oai:setSpec", NS)] == live_specs
    for set_spec in ("type:letter", f"organisation:{unit.slug}", "subject:2700", "subject"):
        document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        assert identifiers(document) == [oai_id(publication)], set_spec
    for set_spec in ("type:article", "subject:2400"):
        document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        assert error_codes(document) == ["noRecordsMatch"], set_spec


@pytest.mark.django_db
def test_a_record_made_public_again_is_live_with_a_new_datestamp(client):
    publication = PublicationFactory()
    Publication.objects.filter(pk=publication.pk).update(visibility=Visibility.BACKEND)
    withdrawn = PublicationTombstone.objects.get(pk=publication.pk).deleted
    Publication.objects.filter(pk=publication.pk).update(visibility=Visibility.PUBLIC)
    assert not PublicationTombstone.objects.exists()
    publication.refresh_from_db()
    assert publication.modified >= withdrawn
    document = get_record(client, publication)
    assert document.find(".//oai:header", NS).get("status") is None


@pytest.mark.django_db
def test_a_restored_row_clears_its_tombstone(client):
    """A row inserted again with its old id (a restore, a fixture load) is live, not deleted."""
    publication = PublicationFactory()
    values = Publication.objects.filter(pk=publication.pk).values().get()
    for generated in ("year", "search_vector"):
        values.pop(generated)
    Publication.objects.filter(pk=publication.pk).delete()
    assert PublicationTombstone.objects.filter(pk=publication.pk).exists()
    Publication.objects.bulk_create([Publication(**values)])
    assert not PublicationTombstone.objects.exists()
    document = get_record(client, publication)
    assert document.find(".//oai:metadata", NS) is not None


@pytest.mark.django_db
def test_a_record_returned_by_the_librarians_bulk_action_is_reported_deleted(client, librarian):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    publication = PublicationFactory()
    response = librarian.post(
        "/admin/publications/publication/",
        {
            "action": "return_to_entry_in_progress",
            ACTION_CHECKBOX_NAME: [publication.pk],
            "post": "yes",
            "reason": "The second author is missing.",
        },
        follow=True,
    )
    assert response.status_code == 200
    publication.refresh_from_db()
    assert publication.workflow_state == WorkflowState.IN_PROGRESS
    deleted_header(client, publication.pk)


RIS = "\n".join(
    [
        "TY  - JOUR",
        "TI  - {title}",
        "AU  - Ghezzi, Silvia",
        "PY  - 2020",
        "JO  - Journal of Imported Studies",
        "DO  - 10.1000/imported.1",
        "ER  - ",
        "",
    ]
)


@pytest.mark.django_db
def test_imported_records_are_harvested_and_a_reimport_moves_their_datestamp(client, tmp_path):
    """An import writes its records with COPY; a re-import updates them in place."""
    from django.core.management import call_command

    source = tmp_path / "records.ris"
    source.write_text(RIS.format(title="An imported study"))
    call_command("import_publications", str(source), "--state", "validated", stdout=StringIO())
    publication = Publication.objects.get(doi="10.1000/imported.1")
    document = get_record(client, publication)
    assert document.findtext(".//dc:title", namespaces=NS) == "An imported study"

    set_modified(publication, timezone.now() - datetime.timedelta(days=10))
    source.write_text(RIS.format(title="An imported study, corrected"))
    call_command("import_publications", str(source), "--state", "validated", stdout=StringIO())
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    document = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": since})
    assert identifiers(document) == [oai_id(publication)]
    assert document.findtext(".//dc:title", namespaces=NS) == "An imported study, corrected"


@pytest.mark.django_db
def test_a_row_copied_back_with_its_old_id_clears_its_tombstone(client):
    publication = PublicationFactory()
    fields = [f for f in Publication._meta.concrete_fields if not f.generated]
    row = [f.get_db_prep_save(getattr(publication, f.attname), connection) for f in fields]
    pk = publication.pk
    Publication.objects.filter(pk=pk).delete()
    assert PublicationTombstone.objects.filter(pk=pk).exists()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY publications_publication ({columns}) FROM STDIN") as copy,
    ):
        copy.write_row(row)
    assert not PublicationTombstone.objects.filter(pk=pk).exists()
    document = get_record(client, publication)
    assert document.find(".//oai:metadata", NS) is not None


# Datestamps


@pytest.mark.django_db
def test_a_queryset_update_moves_the_datestamp(client):
    publication = PublicationFactory()
    old = timezone.now() - datetime.timedelta(days=30)
    Publication.objects.filter(pk=publication.pk).update(modified=old)  # an explicit value stays
    publication.refresh_from_db()
    assert publication.modified == old
    Publication.objects.filter(pk=publication.pk).update(volume="13")
    publication.refresh_from_db()
    assert publication.modified > old + datetime.timedelta(days=29)
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert identifiers(document) == [oai_id(publication)]


def set_modified(publication: Publication, moment: datetime.datetime) -> None:
    Publication.objects.filter(pk=publication.pk).update(modified=moment)


@pytest.mark.django_db
def test_from_and_until_select_by_datestamp_at_both_granularities(client):
    utc = datetime.UTC
    early, noon, late = PublicationFactory(), PublicationFactory(), PublicationFactory()
    set_modified(early, datetime.datetime(2024, 5, 1, 8, 0, 0, tzinfo=utc))
    set_modified(noon, datetime.datetime(2024, 5, 2, 12, 0, 0, 500000, tzinfo=utc))
    set_modified(late, datetime.datetime(2024, 5, 3, 23, 59, 59, 999999, tzinfo=utc))

    def listed(**dates) -> list[str]:
        document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates)
        return identifiers(document) if not error_codes(document) else []

    assert listed(**{"from": "2024-05-02"}) == [oai_id(noon), oai_id(late)]
    assert listed(until="2024-05-02") == [oai_id(early), oai_id(noon)]
    assert listed(**{"from": "2024-05-02", "until": "2024-05-02"}) == [oai_id(noon)]
    # until is inclusive to the second: 12:00:00.5 is within until=…T12:00:00Z.
    assert listed(until="2024-05-02T12:00:00Z") == [oai_id(early), oai_id(noon)]
    assert listed(until="2024-05-02T11:59:59Z") == [oai_id(early)]
    assert listed(**{"from": "2024-05-02T12:00:01Z"}) == [oai_id(late)]
    assert listed(**{"from": "2024-05-03T23:59:59Z", "until": "2024-05-03T23:59:59Z"}) == [
        oai_id(late)
    ]
    document = oai(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2025-01-01"}
    )
    assert error_codes(document) == ["noRecordsMatch"]
    # The datestamps are given to the second, in UTC.
    datestamps = [
        d.text
        for d in oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(
            ".//oai:datestamp", NS
        )
    ]
    assert datestamps == ["2024-05-01T08:00:00Z", "2024-05-02T12:00:00Z", "2024-05-03T23:59:59Z"]


# Sets


@pytest.mark.django_db
def test_sets_select_by_type_subject_and_organisation(client):
    faculty = OrganisationFactory(kind=OrganisationKind.FACULTY)
    department = OrganisationFactory(parent=faculty)
    external = OrganisationFactory(kind=OrganisationKind.EXTERNAL)
    article, book, unaffiliated = (
        PublicationFactory(),
        PublicationFactory(output_type=OutputType.BOOK),
        PublicationFactory(),
    )
    AuthorshipFactory(publication=article, position=1).affiliations.add(department)
    AuthorshipFactory(publication=unaffiliated, position=1).affiliations.add(external)
    article.subject_areas.set(SubjectArea.objects.filter(code=2705))
    book.subject_areas.set(SubjectArea.objects.filter(code=2700))
    hidden_article = hidden()
    AuthorshipFactory(publication=hidden_article, position=1).affiliations.add(department)

    def members(set_spec: str) -> list[str]:
        document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        return identifiers(document) if not error_codes(document) else []

    assert members("type") == [oai_id(article), oai_id(book), oai_id(unaffiliated)]
    assert members("type:article") == [oai_id(article), oai_id(unaffiliated)]
    assert members("type:book") == [oai_id(book)]
    assert members("type:thesis") == []
    assert members("subject") == [oai_id(article), oai_id(book)]
    assert members("subject:2700") == [oai_id(article), oai_id(book)]
    assert members("subject:2700:2705") == [oai_id(article)]
    assert members("subject:2400") == []
    assert members("subject:2700:2400") == []
    assert members(f"organisation:{faculty.slug}") == [oai_id(article)]
    assert members(f"organisation:{department.slug}") == [oai_id(article)]
    assert members("organisation") == [oai_id(article)]
    assert members(f"organisation:{external.slug}") == []  # external units are no sets
    assert members("nosuchset") == []
    # Every record's header names the sets that select it.
    for publication in (article, book, unaffiliated):
        document = get_record(client, publication)
        for spec in document.iterfind(".//oai:header/oai:setSpec", NS):
            assert oai_id(publication) in members(spec.text), spec.text


# Resumption


@pytest.mark.django_db
def test_a_harvest_returns_every_record_once_while_records_are_added_and_edited(
    client, small_pages
):
    originals = [PublicationFactory() for _ in range(10)]
    seen: dict[str, list[str | None]] = {}

    def collect(document: etree._Element) -> None:
        for header in document.iterfind(".//oai:header", NS):
            identifier = header.findtext("oai:identifier", namespaces=NS)
            seen.setdefault(identifier, []).append(header.get("status"))

    page = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    collect(page)
    added: list[Publication] = []
    step = 0
    while (token := token_of(page)) is not None and token.text:
        step += 1
        # Between pages: a new record; an edit of one already harvested and of one still to
        # come (both take the newest datestamp); once, a record still to come leaves public view.
        added.append(PublicationFactory())
        for publication in (originals[0], originals[-1]):
            publication.title = f"Edited {step}"
            publication.save()
        if step == 1:
            Publication.objects.filter(pk=originals[5].pk).update(visibility=Visibility.CAMPUS)
        page = oai(client, verb="ListRecords", resumptionToken=token.text)
        collect(page)
    expected = {oai_id(p) for p in originals + added}
    assert set(seen) == expected
    assert all(len(statuses) == 1 for statuses in seen.values())  # each exactly once
    assert seen[oai_id(originals[5])] == ["deleted"]  # reported, not silently gone
    assert seen[oai_id(originals[-1])] == [None]


@pytest.mark.django_db
def test_resumption_tokens_carry_cursor_and_complete_list_size(client, small_pages):
    publications = [PublicationFactory() for _ in range(7)]
    pages = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type")
    assert [len(identifiers(page)) for page in pages] == [3, 3, 1]
    tokens = [token_of(page) for page in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "3", "6"]
    assert {t.get("completeListSize") for t in tokens} == {"7"}
    assert tokens[-1].text is None
    assert sum((identifiers(page) for page in pages), []) == [oai_id(p) for p in publications]
    # The token holds the request: its echo in the request element, and nothing else with it.
    request = pages[1].find("oai:request", NS)
    assert request.get("resumptionToken") == tokens[0].text
    assert request.get("metadataPrefix") is None


@pytest.mark.django_db
def test_subject_and_organisation_lists_give_their_size_on_their_last_page(client, small_pages):
    # Counting these sets reads every member's subject areas or authors (seconds at 1,000,000
    # records); completeListSize is optional, and exact once the harvest reaches the end.
    unit = OrganisationFactory()
    publications = [PublicationFactory() for _ in range(7)]
    for publication in publications:
        AuthorshipFactory(publication=publication, position=1).affiliations.add(unit)
        publication.subject_areas.set(SubjectArea.objects.filter(code=2705))
    PublicationFactory()  # in neither set
    for set_spec in (f"organisation:{unit.slug}", "subject:2700"):
        pages = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        tokens = [token_of(page) for page in pages]
        assert [t.get("cursor") for t in tokens] == ["0", "3", "6"]
        assert [t.get("completeListSize") for t in tokens] == [None, None, "7"]
        assert sum(map(identifiers, pages), []) == [oai_id(p) for p in publications]


@pytest.mark.django_db
def test_the_list_size_is_counted_once_until_the_data_changes(
    client, small_pages, django_assert_num_queries
):
    for _ in range(4):
        PublicationFactory()

    def first_page_size() -> str:
        page = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type:article")
        return token_of(page).get("completeListSize")

    # The page's keysets (2) and sets (1); the data version, and the live and deleted records
    # counted (2) unless the size is cached for this version.
    with django_assert_num_queries(6):
        assert first_page_size() == "4"
    with django_assert_num_queries(4):
        assert first_page_size() == "4"
    PublicationFactory()
    assert first_page_size() == "5"


@pytest.mark.django_db
def test_the_whole_repository_is_sized_by_its_running_sum_without_counting_it(client, small_pages):
    """The whole list's completeListSize: the public records' running sum (migration 0021)
    and the tombstones. Counting a million public records took 100 ms."""
    records = [PublicationFactory() for _ in range(5)]
    PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)  # not in the repository
    records[0].workflow_state = WorkflowState.IN_PROGRESS
    records[0].save()  # withdrawn: reported deleted
    with CaptureQueriesContext(connection) as queries:
        page = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert token_of(page).get("completeListSize") == "5"
    counting_records = re.compile(r'COUNT\(\*\).*FROM "publications_publication"', re.S)
    assert not [q for q in queries.captured_queries if counting_records.search(q["sql"])]
    pages = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    headers = [header for page in pages for header in page.iterfind(".//oai:header", NS)]
    assert len(headers) == 5 and sum(h.get("status") == "deleted" for h in headers) == 1


@pytest.mark.django_db
def test_a_list_of_one_page_has_no_resumption_token(client, small_pages):
    PublicationFactory()
    document = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert token_of(document) is None


@pytest.mark.django_db
def test_a_resumption_token_is_not_accepted_by_another_verb(client, small_pages):
    for _ in range(4):
        PublicationFactory()
    token = token_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")).text
    for verb in ("ListRecords", "ListSets"):
        document = oai(client, verb=verb, resumptionToken=token)
        assert error_codes(document) == ["badResumptionToken"]
    following = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert len(identifiers(following)) == 1


# Errors: every condition of the protocol, each response valid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=", "badVerb"),
        ("verb=ListThings", "badVerb"),
        ("verb=identify", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
        ("verb=Identify&foo=bar", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListIdentifiers&set=type", "badArgument"),
        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
        ("verb=GetRecord&identifier=oai:testserver:publications/1", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=a::b", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=type%20article", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00.5Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00%2B01:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=%D9%A2024-01-01", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-02T00:00:00Z",
            "badArgument",
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-02&until=2024-01-01", "badArgument"),
        ("verb=ListSets&set=type", "badArgument"),
        ("verb=ListMetadataFormats&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&resumptionToken=", "badResumptionToken"),
        ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
        ("verb=ListRecords&resumptionToken=%00%01", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=MXxTfHx8fHwwfDB8MA", "badResumptionToken"),
        ("verb=ListRecords&metadataPrefix=marcxml", "cannotDisseminateFormat"),
        (
            "verb=GetRecord&metadataPrefix=marc&identifier=oai:testserver:publications/1",
            "cannotDisseminateFormat",
        ),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=nonsense", "idDoesNotExist"),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:publications/0",
            "idDoesNotExist",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc"
            "&identifier=oai:testserver:publications/99999999999999999999999",
            "idDoesNotExist",
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:publications/%D9%A1",
            "idDoesNotExist",
        ),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=%00", "idDoesNotExist"),
        ("verb=ListMetadataFormats&identifier=oai:testserver:publications/7", "idDoesNotExist"),
        ("verb=ListRecords&metadataPrefix=oai_dc", "noRecordsMatch"),
        ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=type:article", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=organisation:nobody", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=1990-01-01", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=9999-12-31", "noRecordsMatch"),
    ],
)
def test_every_error_condition_is_a_valid_error_response(client, query, code):
    document = oai_raw(client, query)
    assert error_codes(document) == [code]
    request = document.find("oai:request", NS)
    if code in {"badVerb", "badArgument"}:
        # The protocol: after these two, the request element carries no attributes.
        assert dict(request.attrib) == {}
    else:
        assert request.get("verb")


@pytest.mark.django_db
def test_an_error_of_a_deleted_item_is_no_metadata_formats_and_validates(client):
    publication = PublicationFactory()
    identifier = oai_id(publication)
    publication.delete()
    document = oai(client, verb="ListMetadataFormats", identifier=identifier)
    assert error_codes(document) == ["noMetadataFormats"]


# Malformed requests never fail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "verb=ListRecords&metadataPrefix=oai_dc&set=%00",
        "verb=%00",
        "verb=GetRecord&metadataPrefix=%FF%FE&identifier=%FF",
        "verb=ListRecords&metadataPrefix=oai_dc&from=%E2%80%AE2024-01-01",
        "verb=ListRecords&resumptionToken=" + "A" * 5000,
        "verb=ListRecords&resumptionToken=%F0%9F%92%A9",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&from=0000-01-01",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&from=9999-12-31T23:59:59Z",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=subject:99999999999999999999",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=organisation:a:b:c",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + "x" * 10000,
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=%22%3E%3Cx%3E",
        "%=&&=&verb",
        "&".join(f"arg{n}=1" for n in range(1200)),
    ],
)
def test_a_malformed_request_gets_an_error_element_never_a_500(client, query):
    document = oai_raw(client, query)
    assert set(error_codes(document)) <= ERROR_CODES and error_codes(document)


@pytest.mark.django_db
def test_tampered_resumption_tokens_are_bad_resumption_tokens(client, small_pages):
    import base64

    for _ in range(4):
        PublicationFactory()
    token = token_of(oai(client, verb="ListRecords", metadataPrefix="oai_dc")).text
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    fields = raw.split("|")
    tampered = [
        fields[:-1],  # a field short
        fields + ["x"],  # a field too many
        ["2", *fields[1:]],  # another version
        [*fields[:2], "bad prefix", *fields[3:]],
        [*fields[:3], "::", *fields[4:]],
        [*fields[:4], "2024-13-01", *fields[5:]],
        [*fields[:6], "-1", *fields[7:]],
        [*fields[:6], "99999999999999999999", *fields[7:]],
        [*fields[:7], "03", *fields[8:]],
        [*fields[:8], "0"],
    ]
    for parts in tampered:
        value = base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")
        document = oai(client, verb="ListRecords", resumptionToken=value)
        assert error_codes(document) == ["badResumptionToken"], parts
    # Padding or a changed character is another token.
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token + "=")) == [
        "badResumptionToken"
    ]


@pytest.mark.django_db
def test_a_token_for_a_format_never_offered_is_a_bad_resumption_token(client):
    import base64

    PublicationFactory()
    value = base64.urlsafe_b64encode(b"1|R|marcxml||||0|0|1").decode().rstrip("=")
    document = oai(client, verb="ListRecords", resumptionToken=value)
    assert error_codes(document) == ["badResumptionToken"]


@pytest.mark.django_db
def test_unreadable_post_bodies_are_bad_arguments(client):
    response = client.post("/oai", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 200
    assert error_codes(validated(response.content))
    response = client.post("/oai", "verb=Identify", content_type="text/plain")
    assert error_codes(validated(response.content)) == ["badVerb"]


@pytest.mark.django_db
def test_other_http_methods_are_not_allowed(client):
    assert client.put("/oai").status_code == 405
    assert client.head("/oai?verb=Identify").status_code == 200


# GET and POST alike


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments",
    [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListSets"},
        {
            "verb": "GetRecord",
            "identifier": "oai:testserver:publications/{pk}",
            "metadataPrefix": "oai_dc",
        },
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_openaire"},
        {"verb": "ListRecords", "metadataPrefix": "oai_openaire", "set": "type:article"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2000-01-01"},
        {"verb": "ListRecords", "metadataPrefix": "mods"},
    ],
)
def test_every_verb_answers_the_same_by_get_and_post(client, arguments):
    publication = PublicationFactory()
    arguments = {k: v.format(pk=publication.pk) for k, v in arguments.items()}
    by_get = oai(client, "get", **arguments)
    by_post = oai(client, "post", **arguments)
    assert not error_codes(by_get)

    def body(document: etree._Element) -> bytes:
        document.remove(document.find("oai:responseDate", NS))
        return etree.tostring(document)

    assert body(by_get) == body(by_post)


# Query budget


@pytest.mark.django_db
def test_list_records_runs_the_same_queries_whatever_the_page_holds(
    client, small_pages, monkeypatch
):
    """A following page: the live records' and the tombstones' keysets (2), the live records'
    sets (1), the records (1), their authors (1), keywords (1), subject areas (1); oai_openaire
    and mods add the authors' affiliations (1); a subject or organisation set the ids of its
    codes or units (1). (The first page of the repository or a type set also counts the list,
    see test_the_list_size_is_counted_once_until_the_data_changes.)"""
    unit = OrganisationFactory()

    def queries(prefix: str, **selection: str) -> int:
        first = oai(client, verb="ListRecords", metadataPrefix=prefix, **selection)
        with CaptureQueriesContext(connection) as captured:
            following = oai(client, verb="ListRecords", resumptionToken=token_of(first).text)
        assert len(identifiers(following)) == oai_views.RECORDS_PER_PAGE
        return len(captured)

    def budgets() -> dict[str, int]:
        by_prefix = {prefix: queries(prefix) for prefix in ("oai_dc", "oai_openaire", "mods")}
        return {
            **by_prefix,
            "subject": queries("oai_dc", set="subject:2700"),
            "organisation": queries("oai_dc", set=f"organisation:{unit.slug}"),
        }

    for _ in range(12):
        publication = PublicationFactory()
        AuthorshipFactory(publication=publication, position=1).affiliations.add(unit)
        publication.subject_areas.set(SubjectArea.objects.filter(code=2705))
    few = budgets()
    assert few == {"oai_dc": 7, "oai_openaire": 8, "mods": 8, "subject": 8, "organisation": 8}

    for publication in Publication.objects.all():
        for position in range(2, 10):
            AuthorshipFactory(publication=publication, position=position).affiliations.add(unit)
        publication.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2705, 1100]))
    many_authors = budgets()
    assert many_authors == few
    monkeypatch.setattr(oai_views, "RECORDS_PER_PAGE", 5)
    larger_pages = budgets()
    assert larger_pages == few


@pytest.mark.django_db
def test_identify_and_get_record_have_small_fixed_budgets(
    client, described, django_assert_num_queries
):
    # Identify: the earliest datestamps of live and deleted records.
    with django_assert_num_queries(2):
        oai(client, verb="Identify")
    # GetRecord: the live record and its sets, then its values, authors, keywords, subject areas.
    with django_assert_num_queries(6):
        get_record(client, described)
    # mods (and oai_openaire) also read the authors' affiliations.
    with django_assert_num_queries(7):
        get_record(client, described, "mods")
