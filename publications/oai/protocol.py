"""The protocol's rules for a request: which arguments each verb takes, their syntax, and the
error each violation gives (OAI-PMH 2.0, sections 3.1.1, 3.6 and 4)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

PROTOCOL_VERSION = "2.0"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# verb: (required arguments, optional arguments). A resumptionToken, where a verb takes one,
# is exclusive: it comes with no other argument.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})

# The schema's patterns (OAI-PMH.xsd: metadataPrefixType, setSpecType).
METADATA_PREFIX_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SET_SPEC_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*")
DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
SECONDS_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
# What the request element may echo of an identifier: the characters of the oai-identifier
# scheme, so the echo is always a valid anyURI.
IDENTIFIER_CHARS_RE = re.compile(r"[A-Za-z0-9\-_.!~*'();/?:@&=+$,%]+")
BIGINT_MAX = 2**63 - 1
# oai-identifier.xsd: a repository identifier is a domain name.
REPOSITORY_IDENTIFIER_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(?:\.[a-zA-Z][a-zA-Z0-9\-]*)+")


class OAIError(Exception):
    """A protocol error: answered with <error code="…"> and HTTP 200, as the protocol says."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def bad_argument(message: str) -> OAIError:
    return OAIError("badArgument", message)


@dataclass(frozen=True)
class Request:
    """A request whose verb and arguments passed the protocol's syntax rules."""

    verb: str
    arguments: dict[str, str]


def parse_request(arguments: dict[str, list[str]]) -> Request:
    """The verb and its arguments, or the badVerb or badArgument the protocol prescribes: a
    missing, repeated or unknown verb; an argument the verb does not take, a repeated one, a
    required one missing, or a resumption token with anything else."""
    verbs = arguments.get("verb", [])
    if len(verbs) != 1:
        raise OAIError(
            "badVerb",
            "The verb argument is missing." if not verbs else "The verb argument is repeated.",
        )
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", "The value of the verb argument is not a legal OAI-PMH verb.")
    required, optional = VERBS[verb]
    allowed = required | optional | ({"resumptionToken"} if verb in RESUMABLE else set())
    names = set(arguments) - {"verb"}
    problems = []
    if illegal := sorted(names - allowed):
        # Named in the message, within reason (the names are the client's).
        shown = ", ".join(name[:40] for name in illegal[:5]) + (", …" if len(illegal) > 5 else "")
        problems.append(f"{verb} does not take {shown}.")
    if repeated := sorted(name for name in names & allowed if len(arguments[name]) > 1):
        problems.append(f"Repeated argument: {', '.join(repeated)}.")
    if "resumptionToken" in names:
        if names - {"resumptionToken"}:
            problems.append("resumptionToken is an exclusive argument: send it alone.")
    elif missing := sorted(required - names):
        problems.append(f"{verb} requires {', '.join(missing)}.")
    if problems:
        raise bad_argument(" ".join(problems))
    return Request(verb, {name: arguments[name][0] for name in names})


def check_metadata_prefix(value: str) -> str:
    if not METADATA_PREFIX_RE.fullmatch(value):
        raise bad_argument("The metadataPrefix has an illegal syntax.")
    return value


def check_set_spec(value: str) -> str:
    if not SET_SPEC_RE.fullmatch(value):
        raise bad_argument("The set argument has an illegal syntax.")
    return value


@dataclass(frozen=True)
class DateBound:
    """A from or until argument: its text, its granularity and the instant it stands for."""

    value: str
    seconds: bool  # granularity: YYYY-MM-DDThh:mm:ssZ, else YYYY-MM-DD
    moment: datetime.datetime


def parse_date(value: str, name: str) -> DateBound:
    """A from/until argument at either granularity the repository supports."""
    match = SECONDS_RE.fullmatch(value) or DAY_RE.fullmatch(value)
    if not match:
        raise bad_argument(
            f"The {name} argument is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDThh:mm:ssZ)."
        )
    try:
        moment = datetime.datetime(*(int(part) for part in match.groups()), tzinfo=datetime.UTC)
    except ValueError:
        raise bad_argument(f"The {name} argument is not a valid date.") from None
    return DateBound(value, len(match.groups()) == 6, moment)


@dataclass(frozen=True)
class DateRange:
    """The datestamp range of a selective harvest: `start` inclusive, `end` exclusive (None:
    unbounded). `until` is inclusive at its granularity: until=2024-05-01 takes the whole day,
    until=…T12:00:00Z the whole second (datestamps are stored to the microsecond)."""

    from_value: str = ""
    until_value: str = ""
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None


def parse_range(from_value: str | None, until_value: str | None) -> DateRange:
    lower = parse_date(from_value, "from") if from_value is not None else None
    upper = parse_date(until_value, "until") if until_value is not None else None
    if lower and upper:
        if lower.seconds != upper.seconds:
            raise bad_argument("The from and until arguments have different granularities.")
        if lower.moment > upper.moment:
            raise bad_argument("The from argument is later than the until argument.")
    end = None
    if upper:
        step = datetime.timedelta(seconds=1) if upper.seconds else datetime.timedelta(days=1)
        try:
            end = upper.moment + step
        except OverflowError:  # until=9999-12-31: no upper bound
            end = None
    return DateRange(
        from_value=lower.value if lower else "",
        until_value=upper.value if upper else "",
        start=lower.moment if lower else None,
        end=end,
    )


def record_identifier(repository: str, pk: int) -> str:
    """The OAI identifier of a publication: oai:<repository host>:publications/<id>."""
    return f"oai:{repository}:publications/{pk}"


def parse_identifier(value: str, repository: str) -> int | None:
    """The publication id an OAI identifier of this repository names, or None (an identifier
    of another repository, or no identifier at all)."""
    prefix = f"oai:{repository}:publications/"
    if not value.startswith(prefix):
        return None
    number = value[len(prefix) :]
    if not (number.isascii() and number.isdigit()) or number.startswith("0"):
        return None
    pk = int(number)
    return pk if 0 < pk <= BIGINT_MAX else None


def echoable_identifier(value: str) -> bool:
    """Whether the request element may repeat the identifier (its schema type is anyURI)."""
    return bool(IDENTIFIER_CHARS_RE.fullmatch(value)) and len(value) <= 1000
