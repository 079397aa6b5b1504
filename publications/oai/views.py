"""The OAI-PMH endpoint: /oai, by GET and by POST. Every answer is an OAI-PMH document with HTTP
200, errors included, as the protocol says; nothing a harvester sends gives a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from publications.oai import harvest, sets
from publications.oai.formats import FORMATS, Context, MetadataFormat
from publications.oai.protocol import (
    GRANULARITY,
    PROTOCOL_VERSION,
    REPOSITORY_IDENTIFIER_RE,
    OAIError,
    Request,
    check_metadata_prefix,
    check_set_spec,
    echoable_identifier,
    parse_identifier,
    parse_range,
    parse_request,
    record_identifier,
)
from publications.oai.tokens import Token, decode
from publications.oai.xml import attr, text, utc

# Page sizes: OpenAIRE recommends 100 to 500 records a request; headers are small.
RECORDS_PER_PAGE = 500
IDENTIFIERS_PER_PAGE = 1000
SETS_PER_PAGE = 500

OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
OAI_IDENTIFIER_OPEN = (
    '<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
    'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
)


class Responder:
    """One request: what every answer needs from it (base URL, repository identifier)."""

    def __init__(self, request: HttpRequest):
        self.request = request
        self.base_url = request.build_absolute_uri(reverse("oai"))
        self.repository = repository_identifier(request)
        placeholder = "oai-record-slug"
        page = request.build_absolute_uri(
            reverse("publication_detail", kwargs={"slug": placeholder})
        )
        before, after = page.split(placeholder)
        self.context = Context(
            record_url=lambda slug: f"{before}{slug}{after}",
            record_identifier=self.identifier,
            source=settings.PORTAL_NAME,
        )

    def identifier(self, pk: int) -> str:
        return record_identifier(self.repository, pk)

    def header(self, header: harvest.Header) -> str:
        status = ' status="deleted"' if header.deleted else ""
        specs = "".join(f"<setSpec>{spec}</setSpec>" for spec in header.set_specs)
        return (
            f"<header{status}><identifier>{text(self.identifier(header.pk))}</identifier>"
            f"<datestamp>{utc(header.datestamp)}</datestamp>{specs}</header>"
        )


def repository_identifier(request: HttpRequest) -> str:
    """The host in OAI identifiers: the setting, else the request's host without its port."""
    if settings.PORTAL_OAI_REPOSITORY_IDENTIFIER:
        return settings.PORTAL_OAI_REPOSITORY_IDENTIFIER
    domain, _ = split_domain_port(request.get_host())
    return domain or "localhost"


def request_arguments(request: HttpRequest) -> dict[str, list[str]]:
    """The protocol arguments: the query string of a GET, the form body of a POST."""
    try:
        data: QueryDict = request.POST if request.method == "POST" else request.GET
        return {name: data.getlist(name) for name in data}
    except (SuspiciousOperation, MultiPartParserError, BadRequest, UnicodeDecodeError):
        # Too many fields, a body too large or malformed: not a request the protocol can read.
        raise OAIError("badArgument", "The request's arguments cannot be read.") from None


def echoed(verb: str, arguments: dict[str, str]) -> str:
    """The attributes of the request element: the verb and the arguments that passed the
    syntax checks (the element's schema types them; after a badVerb or badArgument the
    protocol wants none)."""
    attributes = [f' verb="{verb}"']
    for name in ("identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"):
        value = arguments.get(name)
        if value is None:
            continue
        if name == "identifier" and not echoable_identifier(value):
            continue
        if name == "resumptionToken" and len(value) > 1000:
            continue
        attributes.append(f' {name}="{attr(value)}"')
    return "".join(attributes)


def document(responder: Responder, request_attributes: str, body: str) -> HttpResponse:
    response_date = utc(timezone.now())
    content = (
        f"{OPEN}<responseDate>{response_date}</responseDate>"
        f"<request{request_attributes}>{text(responder.base_url)}</request>{body}</OAI-PMH>"
    )
    return HttpResponse(content, content_type="text/xml; charset=utf-8")


@csrf_exempt  # harvesters POST without a CSRF token; the endpoint only reads
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    """An OAI-PMH 2.0 request, answered with the verb's response or the protocol's errors."""
    responder = Responder(request)
    oai_request = None
    try:
        oai_request = parse_request(request_arguments(request))
        body = VERBS[oai_request.verb](responder, oai_request)
    except OAIError as error:
        if oai_request is None or error.code in {"badVerb", "badArgument"}:
            attributes = ""
        else:
            attributes = echoed(oai_request.verb, oai_request.arguments)
        body = f'<error code="{error.code}">{text(error.message)}</error>'
        return document(responder, attributes, body)
    return document(responder, echoed(oai_request.verb, oai_request.arguments), body)


# The verbs


def identify(responder: Responder, oai_request: Request) -> str:
    earliest = harvest.earliest_datestamp() or timezone.now()
    repository = responder.repository
    parts = [
        "<Identify>",
        f"<repositoryName>{text(settings.PORTAL_NAME)}</repositoryName>",
        f"<baseURL>{text(responder.base_url)}</baseURL>",
        f"<protocolVersion>{PROTOCOL_VERSION}</protocolVersion>",
        f"<adminEmail>{text(settings.PORTAL_OAI_ADMIN_EMAIL)}</adminEmail>",
        f"<earliestDatestamp>{utc(earliest)}</earliestDatestamp>",
        "<deletedRecord>persistent</deletedRecord>",
        f"<granularity>{GRANULARITY}</granularity>",
    ]
    # The oai-identifier description needs a domain name (with a dot) as the repository id.
    if REPOSITORY_IDENTIFIER_RE.fullmatch(repository):
        parts += [
            f"<description>{OAI_IDENTIFIER_OPEN}<scheme>oai</scheme>",
            f"<repositoryIdentifier>{repository}</repositoryIdentifier>",
            "<delimiter>:</delimiter>",
            f"<sampleIdentifier>{responder.identifier(1)}</sampleIdentifier>",
            "</oai-identifier></description>",
        ]
    parts.append("</Identify>")
    return "".join(parts)


def format_for(prefix: str) -> MetadataFormat:
    chosen = FORMATS.get(check_metadata_prefix(prefix))
    if chosen is None:
        raise OAIError(
            "cannotDisseminateFormat",
            f"The metadata formats are {', '.join(FORMATS)}.",
        )
    return chosen


def existing_header(responder: Responder, identifier: str) -> harvest.Header:
    pk = parse_identifier(identifier, responder.repository)
    header = harvest.header_of(pk) if pk is not None else None
    if header is None:
        raise OAIError("idDoesNotExist", "No record has this identifier in this repository.")
    return header


def list_metadata_formats(responder: Responder, oai_request: Request) -> str:
    identifier = oai_request.arguments.get("identifier")
    if identifier is not None and existing_header(responder, identifier).deleted:
        raise OAIError(
            "noMetadataFormats", "The record is deleted: no metadata is disseminated for it."
        )
    formats = "".join(
        f"<metadataFormat><metadataPrefix>{f.prefix}</metadataPrefix><schema>{f.schema}</schema>"
        f"<metadataNamespace>{f.namespace}</metadataNamespace></metadataFormat>"
        for f in FORMATS.values()
    )
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def record_xml(
    responder: Responder,
    header: harvest.Header,
    data: harvest.RecordData | None,
    chosen: MetadataFormat,
) -> str:
    if header.deleted or data is None:
        # A record deleted since its header was read is reported as deleted too.
        deleted = harvest.Header(header.pk, header.datestamp, True, header.set_specs)
        return f"<record>{responder.header(deleted)}</record>"
    metadata = chosen.write(data, responder.context)
    return f"<record>{responder.header(header)}<metadata>{metadata}</metadata></record>"


def get_record(responder: Responder, oai_request: Request) -> str:
    chosen = format_for(oai_request.arguments["metadataPrefix"])
    header = existing_header(responder, oai_request.arguments["identifier"])
    data = None
    if not header.deleted:
        found = harvest.records([header.pk], affiliations=chosen.affiliations)
        data = found.get(header.pk)
    return f"<GetRecord>{record_xml(responder, header, data, chosen)}</GetRecord>"


def list_sets(responder: Responder, oai_request: Request) -> str:
    token_value = oai_request.arguments.get("resumptionToken")
    fixed = sets.fixed_sets()
    if token_value is None:
        token = Token("ListSets", total=len(fixed) + sets.organisation_set_count())
    else:
        token = decode(token_value, "ListSets")
    page = fixed[token.cursor : token.cursor + SETS_PER_PAGE]
    room = SETS_PER_PAGE - len(page)
    units = sets.organisation_sets(token.after, room + 1)
    more = token.cursor + len(page) < len(fixed) or len(units) > room
    units = units[:room]
    page += [oai_set for _, oai_set in units]
    if not page:
        raise OAIError("badResumptionToken", "The list of sets has changed: start again.")
    after = units[-1][0] if units else token.after
    total = max(token.total or 0, token.cursor + len(page) + (1 if more else 0))
    items = "".join(
        f"<set><setSpec>{oai_set.spec}</setSpec><setName>{text(oai_set.name)}</setName></set>"
        for oai_set in page
    )
    end = list_end(token, len(page), more, after, total, token_value)
    return f"<ListSets>{items}{end}</ListSets>"


def list_end(
    token: Token, count: int, more: bool, after: int, total: int | None, token_value: str | None
) -> str:
    """The resumptionToken element of a list page: the next page's token; an empty one (with
    the final cursor) on the last page of a list that had more than one; nothing for a list of
    one page. completeListSize is left out when the list was not counted (it is optional)."""
    size = f' completeListSize="{total}"' if total is not None else ""
    if more:
        following = token.next(after, count, total)
        return (
            f'<resumptionToken{size} cursor="{token.cursor}">{following.encode()}</resumptionToken>'
        )
    if token_value is not None:
        return f'<resumptionToken{size} cursor="{token.cursor}"/>'
    return ""


def list_items(responder: Responder, oai_request: Request) -> str:
    """ListIdentifiers and ListRecords: one page of the list, in id order."""
    verb = oai_request.verb
    arguments = oai_request.arguments
    token_value = arguments.get("resumptionToken")
    if token_value is not None:
        token = decode(token_value, verb)
        if token.metadata_prefix not in FORMATS:  # a token this repository never gave
            raise OAIError("badResumptionToken", "The resumption token is invalid.")
        dates = parse_range(token.from_value or None, token.until_value or None)
    else:
        prefix = check_metadata_prefix(arguments["metadataPrefix"])
        set_spec = check_set_spec(arguments["set"]) if "set" in arguments else ""
        dates = parse_range(arguments.get("from"), arguments.get("until"))
        token = Token(
            verb,
            metadata_prefix=prefix,
            set_spec=set_spec,
            from_value=dates.from_value,
            until_value=dates.until_value,
        )
    chosen = format_for(token.metadata_prefix)
    narrow = sets.selector(token.set_spec) if token.set_spec else None
    if token.set_spec and narrow is None:
        raise OAIError("noRecordsMatch", "There is no such set.")
    selection = harvest.Selection(dates, token.set_spec, narrow)
    per_page = RECORDS_PER_PAGE if verb == "ListRecords" else IDENTIFIERS_PER_PAGE
    headers = harvest.headers_after(selection, token.after, per_page + 1)
    more = len(headers) > per_page
    headers = headers[:per_page]
    if not headers:
        raise OAIError("noRecordsMatch", "No record matches the arguments.")
    total = token.total
    if token_value is None:  # the first page counts the list; later pages carry the count
        total = selection.count() if more else len(headers)
    if total is not None:
        # Records added during a harvest make the list longer than it was counted.
        total = max(total, token.cursor + len(headers) + (1 if more else 0))
    elif not more:  # an uncounted list's size is known on its last page
        total = token.cursor + len(headers)
    end = list_end(token, len(headers), more, headers[-1].pk, total, token_value)
    if verb == "ListIdentifiers":
        items = "".join(responder.header(header) for header in headers)
        return f"<ListIdentifiers>{items}{end}</ListIdentifiers>"
    live = [header.pk for header in headers if not header.deleted]
    data = harvest.records(live, affiliations=chosen.affiliations)
    items = "".join(
        record_xml(responder, header, data.get(header.pk), chosen) for header in headers
    )
    return f"<ListRecords>{items}{end}</ListRecords>"


VERBS: dict[str, Callable[[Responder, Request], str]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_items,
    "ListRecords": list_items,
}
