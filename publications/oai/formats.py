"""The metadata formats: `oai_dc` (simple Dublin Core, as the DRIVER and OpenAIRE 3 guidelines
fill it), `oai_openaire` (the OpenAIRE Guidelines for Literature Repositories v4 application
profile: DataCite creators, COAR resource types and access rights, citation details) and `mods`
(MODS 3.4 of the Library of Congress: structured names, the host journal and the citation).

Each writer turns one record's values (harvest.RecordData) into an XML string with no query."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from publications.models import CATEGORY_OF_TYPE, OPEN_ACCESS_STATES, OutputType
from publications.oai.harvest import Author, RecordData
from publications.oai.xml import attr, clean, element, text, utc
from publications.richtext import to_text

# Output type -> (info:eu-repo/semantics type, COAR resource type, its COAR label).
TYPES: dict[str, tuple[str, str, str]] = {
    "article": ("article", "c_6501", "journal article"),
    "review-article": ("article", "c_dcae04bc", "review article"),
    "letter": ("contributionToPeriodical", "c_545b", "letter to the editor"),
    "editorial": ("contributionToPeriodical", "c_b239", "editorial"),
    "comment": ("contributionToPeriodical", "c_3e5a", "contribution to journal"),
    "conference-article": ("conferenceObject", "c_5794", "conference paper"),
    "chapter": ("bookPart", "c_3248", "book part"),
    "conference-contribution-in-proceedings": ("conferenceObject", "c_5794", "conference paper"),
    "book": ("book", "c_2f33", "book"),
    "report": ("report", "c_93fc", "report"),
    "anthology": ("book", "c_2f33", "book"),
    "conference-paper": ("conferenceObject", "c_18cp", "conference paper not in proceedings"),
    "conference-poster": ("conferenceObject", "c_18co", "conference poster not in proceedings"),
    "conference-abstract": ("conferenceObject", "c_c94f", "conference object"),
    "doctoral-thesis": ("doctoralThesis", "c_db06", "doctoral thesis"),
    "masters-thesis": ("masterThesis", "c_bdcc", "master thesis"),
    "working-paper": ("workingPaper", "c_8042", "working paper"),
}
TYPE_LABELS = dict(OutputType.choices)
# Types whose ISBN is their own; any other record's ISBN is the book it appeared in.
OWN_ISBN = {"book", "anthology", "report", "doctoral-thesis", "masters-thesis", "working-paper"}
COAR_TYPE = "http://purl.org/coar/resource_type/"
COAR_ACCESS = "http://purl.org/coar/access_right/"
OPEN = ("info:eu-repo/semantics/openAccess", "c_abf2", "open access")
# Open-access status -> (info:eu-repo/semantics access right, COAR access right, its label).
# Closed means behind a paywall (restricted by the publisher); unknown means the portal holds
# the metadata only, which is all it can vouch for.
ACCESS: dict[str, tuple[str, str, str]] = {
    **dict.fromkeys(OPEN_ACCESS_STATES, OPEN),
    "closed": ("info:eu-repo/semantics/restrictedAccess", "c_16ec", "restricted access"),
    "unknown": ("", "c_14cb", "metadata only access"),
}


@dataclass(frozen=True)
class Context:
    """What the writers need from the request: the absolute URL of a record page by slug, the
    OAI identifier of a record by id, and the portal's name (the source of the records)."""

    record_url: Callable[[str], str]
    record_identifier: Callable[[int], str]
    source: str


def date_at_precision(date: datetime.date | None, precision: str) -> str:
    """'1997', '1997-01' or '1997-01-15', as Publication.date_iso."""
    if date is None:
        return ""
    return date.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def page_range(values: dict) -> str:
    if values["page_start"] and values["page_end"]:
        return f"{values['page_start']}-{values['page_end']}"
    return values["pages"]


def full_title(values: dict) -> str:
    title = values["title"]
    return f"{title}: {values['subtitle']}" if values["subtitle"] else title


def publisher_of(values: dict) -> str:
    return values["publisher"] or values["journal__publisher"] or ""


def container_of(values: dict) -> str:
    return values["journal__title"] or values["host_title"]


def citation(values: dict) -> str:
    """Where it appeared, as dc:source: 'Journal (ISSN), vol. 12, no. 3, pp. 74-78'."""
    container = container_of(values)
    if not container:
        return ""
    issn = values["journal__issn"] or values["journal__eissn"]
    parts = [f"{container} ({issn})" if issn else container]
    if values["volume"]:
        parts.append(f"vol. {values['volume']}")
    if values["issue"]:
        parts.append(f"no. {values['issue']}")
    if pages := page_range(values):
        parts.append(f"pp. {pages}")
    if values["article_number"]:
        parts.append(f"article {values['article_number']}")
    return ", ".join(parts)


# oai_dc

OAI_DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
)


def oai_dc(record: RecordData, context: Context) -> str:
    values = record.values
    out = [OAI_DC_OPEN, element("dc:title", full_title(values))]
    for author in record.authors:
        name = "dc:creator" if author.role == "author" else "dc:contributor"
        out.append(element(name, author.citation_name))
    out.extend(element("dc:subject", keyword) for keyword in record.keywords)
    out.extend(element("dc:subject", name) for _, name in record.subjects)
    if values["abstract"]:
        out.append(element("dc:description", to_text(values["abstract"])))
    out.append(element("dc:publisher", publisher_of(values)))
    out.append(element("dc:date", date_at_precision(values["date"], values["date_precision"])))
    kind = values["output_type"]
    out.append(element("dc:type", f"info:eu-repo/semantics/{TYPES[kind][0]}"))
    out.append(element("dc:type", f"{CATEGORY_OF_TYPE.get(kind, '')} › {TYPE_LABELS[kind]}"))
    out.append(element("dc:identifier", context.record_url(values["slug"])))
    if values["doi"]:
        out.append(element("dc:identifier", f"https://doi.org/{values['doi']}"))
    if values["pmid"]:
        out.append(element("dc:identifier", f"https://pubmed.ncbi.nlm.nih.gov/{values['pmid']}/"))
    if values["isbn"]:
        out.append(element("dc:identifier", f"urn:isbn:{values['isbn']}"))
    out.append(element("dc:source", citation(values)))
    out.append(element("dc:language", values["language"]))
    out.append(element("dc:rights", ACCESS[values["open_access"]][0]))
    out.append("</oai_dc:dc>")
    return "".join(out)


# oai_openaire

OPENAIRE_OPEN = (
    '<oaire:resource xmlns:oaire="http://namespace.openaire.eu/schema/oaire/" '
    'xmlns:datacite="http://datacite.org/schema/kernel-4" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://namespace.openaire.eu/schema/oaire/ '
    'https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd">'
)


def datacite_person(author: Author, tag: str) -> str:
    """The inside of a datacite:creator or datacite:contributor."""
    if not author.is_person:
        return element(f"datacite:{tag}Name", author.display_name, ' nameType="Organizational"')
    parts = [
        element(f"datacite:{tag}Name", author.citation_name, ' nameType="Personal"')
        or element(f"datacite:{tag}Name", "(no name)", ' nameType="Personal"'),
        element("datacite:givenName", author.given_name or ""),
        element("datacite:familyName", author.family_name or ""),
    ]
    if author.orcid:
        parts.append(
            element(
                "datacite:nameIdentifier",
                author.orcid,
                ' nameIdentifierScheme="ORCID" schemeURI="https://orcid.org"',
            )
        )
    parts.extend(element("datacite:affiliation", name) for name in author.affiliations)
    return "".join(parts)


def oai_openaire(record: RecordData, context: Context) -> str:
    values = record.values
    url = context.record_url(values["slug"])
    out = [OPENAIRE_OPEN, "<datacite:titles>"]
    out.append(
        element("datacite:title", values["title"]) or element("datacite:title", "(no title)")
    )
    out.append(element("datacite:title", values["subtitle"], ' titleType="Subtitle"'))
    out.append("</datacite:titles>")
    # A datacite creator or contributor must have a name: a name of nothing is left out.
    authors = [a for a in record.authors if a.role == "author" and clean(a.display_name).strip()]
    if authors:
        out.append("<datacite:creators>")
        for author in authors:
            out.append(f"<datacite:creator>{datacite_person(author, 'creator')}</datacite:creator>")
        out.append("</datacite:creators>")
    editors = [a for a in record.authors if a.role == "editor" and clean(a.display_name).strip()]
    if editors:
        out.append("<datacite:contributors>")
        for editor in editors:
            out.append(
                '<datacite:contributor contributorType="Editor">'
                f"{datacite_person(editor, 'contributor')}</datacite:contributor>"
            )
        out.append("</datacite:contributors>")
    related = []
    if values["journal__issn"]:
        related.append(("PISSN", values["journal__issn"]))
    if values["journal__eissn"]:
        related.append(("EISSN", values["journal__eissn"]))
    is_book = values["output_type"] in OWN_ISBN
    if values["isbn"] and not is_book:
        related.append(("ISBN", values["isbn"]))
    related_xml = "".join(
        element(
            "datacite:relatedIdentifier",
            value,
            f' relatedIdentifierType="{kind}" relationType="IsPartOf"',
        )
        for kind, value in related
    )
    if related_xml:
        out.append(f"<datacite:relatedIdentifiers>{related_xml}</datacite:relatedIdentifiers>")
    alternates = [("URL", url)] if values["doi"] else []
    if values["pmid"]:
        alternates.append(("PMID", values["pmid"]))
    if values["isbn"] and is_book:
        alternates.append(("ISBN", values["isbn"]))
    alternates_xml = "".join(
        element("datacite:alternateIdentifier", value, f' alternateIdentifierType="{kind}"')
        for kind, value in alternates
    )
    if alternates_xml:
        out.append(
            f"<datacite:alternateIdentifiers>{alternates_xml}</datacite:alternateIdentifiers>"
        )
    issued = date_at_precision(values["date"], values["date_precision"])
    if issued:
        out.append(
            f'<datacite:dates><datacite:date dateType="Issued">{issued}</datacite:date>'
            "</datacite:dates>"
        )
    out.append(element("dc:language", values["language"]))
    out.append(element("dc:publisher", publisher_of(values)))
    _, coar, label = TYPES[values["output_type"]]
    out.append(
        f'<oaire:resourceType resourceTypeGeneral="literature" uri="{COAR_TYPE}{coar}">'
        f"{label}</oaire:resourceType>"
    )
    if values["abstract"]:
        out.append(element("dc:description", to_text(values["abstract"])))
    if values["doi"]:
        out.append(f'<datacite:identifier identifierType="DOI">{text(values["doi"])}')
    else:
        out.append(f'<datacite:identifier identifierType="URL">{text(url)}')
    out.append("</datacite:identifier>")
    _, access, access_label = ACCESS[values["open_access"]]
    out.append(
        f'<datacite:rights rightsURI="{COAR_ACCESS}{access}">{access_label}</datacite:rights>'
    )
    out.append(element("dc:source", citation(values)))
    subjects = [element("datacite:subject", keyword) for keyword in record.keywords]
    subjects += [
        element("datacite:subject", name, ' subjectScheme="ASJC"') for _, name in record.subjects
    ]
    if any(subjects):
        out.append(f"<datacite:subjects>{''.join(subjects)}</datacite:subjects>")
    out.append(element("oaire:citationTitle", container_of(values)))
    out.append(element("oaire:citationVolume", values["volume"]))
    out.append(element("oaire:citationIssue", values["issue"]))
    start, end = values["page_start"], values["page_end"]
    out.append(element("oaire:citationStartPage", str(start) if start else ""))
    out.append(element("oaire:citationEndPage", str(end) if end else ""))
    out.append(element("oaire:citationEdition", values["edition"]))
    out.append(element("oaire:citationConferencePlace", values["conference_location"]))
    conference_dates = [
        d.isoformat() for d in (values["conference_start"], values["conference_end"]) if d
    ]
    out.append(element("oaire:citationConferenceDate", " - ".join(dict.fromkeys(conference_dates))))
    out.append("</oaire:resource>")
    return "".join(out)


# mods

MODS_OPEN = (
    '<mods xmlns="http://www.loc.gov/mods/v3" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.4" '
    'xsi:schemaLocation="http://www.loc.gov/mods/v3 '
    'http://www.loc.gov/standards/mods/v3/mods-3-4.xsd">'
)
ORCID = "https://orcid.org/"
# Author role -> its MARC relator term and code.
RELATORS = {"author": ("author", "aut"), "editor": ("editor", "edt")}
CONTRIBUTOR = ("contributor", "ctb")


def mods_name(author: Author) -> str:
    """The <name> of an author or editor, with name parts, ORCID, affiliations and role; "" for
    one with no name at all."""
    if author.is_person:
        parts = element("namePart", author.family_name or "", ' type="family"') + element(
            "namePart", author.given_name or author.initials or "", ' type="given"'
        )
        if parts and author.family_name:
            parts += element("displayForm", author.citation_name)
        parts = parts or element("namePart", author.display_name)
    else:
        parts = element("namePart", author.display_name)
    if not parts:
        return ""
    kind = "personal" if author.is_person else "corporate"
    # MODS 3.4 has no nameIdentifier (3.6 added it): an ORCID is the name's authority record.
    orcid = ""
    if author.orcid:
        orcid = f' authority="orcid" authorityURI="{ORCID}" valueURI="{attr(ORCID + author.orcid)}"'
    affiliations = "".join(element("affiliation", name) for name in author.affiliations)
    term, code = RELATORS.get(author.role, CONTRIBUTOR)
    return (
        f'<name type="{kind}"{orcid}>{parts}{affiliations}<role>'
        f'<roleTerm authority="marcrelator" type="text">{term}</roleTerm>'
        f'<roleTerm authority="marcrelator" type="code">{code}</roleTerm></role></name>'
    )


def mods_part(values: dict, issued: str) -> str:
    """Where in its host the record is: volume, issue, article number, pages, date; "" when
    none of them but the date is known."""
    details = "".join(
        f'<detail type="{kind}">{number}</detail>'
        for kind, value in (
            ("volume", values["volume"]),
            ("issue", values["issue"]),
            ("article", values["article_number"]),
        )
        if (number := element("number", value))
    )
    start, end = values["page_start"], values["page_end"]
    if start:
        pages = f"<start>{start}</start>" + (f"<end>{end}</end>" if end else "")
    else:
        pages = element("list", values["pages"])
    if not details and not pages:
        return ""
    extent = f'<extent unit="pages">{pages}</extent>' if pages else ""
    date = element("date", issued, ' encoding="w3cdtf"')
    return f"<part>{details}{extent}{date}</part>"


def mods(record: RecordData, context: Context) -> str:
    values = record.values
    url = context.record_url(values["slug"])
    title = element("title", values["title"])
    supplied = "" if title else ' supplied="yes"'  # "supplied": not taken from the item
    out = [
        MODS_OPEN,
        f"<titleInfo{supplied}>{title or '<title>(no title)</title>'}",
        element("subTitle", values["subtitle"]),
        "</titleInfo>",
    ]
    out.extend(mods_name(author) for author in record.authors)
    if conference := element("namePart", values["conference_name"]):
        out.append(f'<name type="conference">{conference}</name>')
    kind = values["output_type"]
    _, coar, label = TYPES[kind]
    out.append(
        "<typeOfResource>text</typeOfResource>"
        f'<genre authority="coar" authorityURI="{COAR_TYPE}" valueURI="{COAR_TYPE}{coar}">'
        f"{label}</genre>"
    )
    out.append(element("genre", f"{CATEGORY_OF_TYPE.get(kind, '')} › {TYPE_LABELS[kind]}"))
    issued = date_at_precision(values["date"], values["date_precision"])
    origin = element("placeTerm", values["place_of_publication"], ' type="text"')
    origin = f"<place>{origin}</place>" if origin else ""
    origin += element("publisher", publisher_of(values))
    origin += element("dateIssued", issued, ' encoding="w3cdtf" keyDate="yes"')
    origin += element("edition", values["edition"])
    if origin:
        out.append(f"<originInfo>{origin}</originInfo>")
    if language := element("languageTerm", values["language"], ' authority="rfc4646" type="code"'):
        out.append(f"<language>{language}</language>")
    if values["abstract"]:
        out.append(element("abstract", to_text(values["abstract"])))
    for keyword in record.keywords:
        if topic := element("topic", keyword):
            out.append(f"<subject>{topic}</subject>")
    for _, name in record.subjects:
        if topic := element("topic", name):
            out.append(f'<subject authority="asjc">{topic}</subject>')
    # The journal, book or proceedings it appeared in, and where in it.
    is_book = kind in OWN_ISBN
    host = element("title", container_of(values))
    host = f"<titleInfo>{host}</titleInfo>" if host else ""
    if values["journal__title"]:
        host += "<originInfo><issuance>continuing</issuance></originInfo>"
    host += element("identifier", values["journal__issn"], ' type="issn" displayLabel="print"')
    host += element(
        "identifier", values["journal__eissn"], ' type="issn" displayLabel="electronic"'
    )
    if not is_book:
        host += element("identifier", values["isbn"], ' type="isbn"')
    part = mods_part(values, issued)
    if host:
        out.append(f'<relatedItem type="host">{host}{part}</relatedItem>')
    else:
        out.append(part)
    out.append(element("identifier", values["doi"], ' type="doi"'))
    out.append(element("identifier", values["pmid"], ' type="pmid"'))
    if is_book:
        out.append(element("identifier", values["isbn"], ' type="isbn"'))
    out.append(
        f'<identifier type="uri">{text(url)}</identifier><location>'
        f'<url usage="primary display" access="object in context">{text(url)}</url></location>'
    )
    if values["open_access"] != "unknown":  # unknown: the portal cannot say
        _, access, access_label = ACCESS[values["open_access"]]
        out.append(
            f'<accessCondition type="restriction on access" xlink:href="{COAR_ACCESS}{access}">'
            f"{access_label}</accessCondition>"
        )
    out.append("<recordInfo>")
    out.append(element("recordContentSource", context.source))
    out.append(element("recordCreationDate", utc(values["created"]), ' encoding="w3cdtf"'))
    out.append(element("recordChangeDate", utc(values["modified"]), ' encoding="w3cdtf"'))
    out.append(element("recordIdentifier", context.record_identifier(values["pk"])))
    out.append("</recordInfo></mods>")
    return "".join(out)


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    write: Callable[[RecordData, Context], str]
    affiliations: bool = False  # whether the writer names the authors' affiliations


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat(
        "oai_dc",
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        oai_dc,
    ),
    "oai_openaire": MetadataFormat(
        "oai_openaire",
        "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
        "http://namespace.openaire.eu/schema/oaire/",
        oai_openaire,
        affiliations=True,
    ),
    "mods": MetadataFormat(
        "mods",
        "http://www.loc.gov/standards/mods/v3/mods-3-4.xsd",
        "http://www.loc.gov/mods/v3",
        mods,
        affiliations=True,
    ),
}
