"""PubMed XML (`<PubmedArticleSet>`, as EFetch and PubMed's "Save as XML" give it) and MEDLINE XML
(`<MedlineCitationSet>`, the older baseline files), read with lxml's iterparse so that a large
baseline file never sits in memory whole. The MEDLINE conventions shared with the text format
(abbreviated page ranges, MedlineDate, bracketed translated titles) live here too."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

from lxml import etree

from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem

from . import markup, names
from .common import (
    YEAR,
    Dated,
    Skip,
    clean,
    guarded,
    issns,
    make_date,
    month_number,
    normalise_doi,
    page_range,
    unique,
)
from .languages import iso_639_1

ROOTS = {
    "PubmedArticleSet": "pubmed",
    "PubmedArticle": "pubmed",
    "MedlineCitationSet": "medline",
    "MedlineCitation": "medline",
}
RECORDS = {"PubmedArticle", "MedlineCitation", "PubmedBookArticle"}
# PublicationType to output type, the first that a record has winning: a letter that comments
# on an article is a letter, a review is a review even when it is also a "Journal Article".
PUBLICATION_TYPES = [
    ("editorial", "editorial"),
    ("letter", "letter"),
    ("review", "review-article"),
    ("systematic review", "review-article"),
    ("comment", "comment"),
]


def records(text: str) -> Iterator[ImportedRecord | RecordProblem]:
    """Checks the whole file first (a damaged or cut-off file raises ImportFormatError before
    any record), then yields its records."""
    data = _as_utf8(text)
    fmt, single = _check(data)
    return _records(data, fmt, record_depth=0 if single else 1)


def _as_utf8(text: str) -> bytes:
    # The text is already decoded (whatever the file's encoding was); lxml gets it as UTF-8,
    # without the declaration that may name the original encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1).encode("utf-8")


def _events(data: bytes) -> etree.iterparse:
    return etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def _check(data: bytes) -> tuple[str, bool]:
    """The format, and whether the document is one record rather than a set of them."""
    fmt = ""
    single = False
    depth = 0
    try:
        for event, element in _events(data):
            if event == "start":
                if not fmt:
                    fmt = ROOTS.get(element.tag, "")
                    single = element.tag in RECORDS
                    if not fmt:
                        raise ImportFormatError(
                            f"This XML file is not PubMed or MEDLINE XML (it starts with "
                            f"<{etree.QName(element).localname}>)."
                        )
                depth += 1
                continue
            depth -= 1
            if depth == 1 and not single:
                _forget(element)
    except etree.XMLSyntaxError as exc:
        line = f" (line {exc.lineno})" if exc.lineno else ""
        reason = re.sub(r",? line \d+, column \d+$", "", clean(exc.msg))
        if "amplification" in reason or "reference loop" in reason:
            raise ImportFormatError(
                "The XML file defines entities that expand without bound (an entity bomb): "
                "it is not a PubMed export, and was not read."
            ) from None
        raise ImportFormatError(f"The XML file is cut off or damaged{line}: {reason}") from None
    if not fmt:
        raise ImportFormatError("The XML file has no elements.")
    return fmt, single


def _forget(element) -> None:
    """Frees a record's element once read, so that iterparse's tree stays small."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _records(data: bytes, fmt: str, record_depth: int) -> Iterator[ImportedRecord | RecordProblem]:
    depth = 0
    position = 0
    for event, element in _events(data):
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth != record_depth:
            continue
        if element.tag in RECORDS:
            position += 1
            pmid = clean(element.findtext(".//PMID"))
            yield guarded(fmt, position, pmid, lambda e=element, p=position: record(e, p, fmt))
        if depth == 1:
            _forget(element)


def record(element, position: int, fmt: str) -> ImportedRecord:
    if element.tag == "PubmedBookArticle":
        raise Skip("it is a book or chapter from the NCBI Bookshelf, which is not read yet")
    citation = element if element.tag == "MedlineCitation" else element.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise Skip("it has no article (MedlineCitation/Article) in it")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pmid = clean(citation.findtext("PMID"))
    locations = {
        (node.get("EIdType") or "").lower(): clean(node.text)
        for node in article.iterfind("ELocationID")
        if node.get("ValidYN") != "N"
    }
    pages = medline_pages(article.findtext("Pagination/MedlinePgn"))
    if not pages:
        pages = page_range(
            article.findtext("Pagination/StartPage"), article.findtext("Pagination/EndPage")
        )
    pii = locations.get("pii", "")
    date, precision = _pub_date(issue.find("PubDate") if issue is not None else None)
    if date is None:
        article_date = article.find("ArticleDate")
        if article_date is not None:
            date, precision = make_date(
                article_date.findtext("Year"),
                article_date.findtext("Month"),
                article_date.findtext("Day"),
            )
    types = [_text(node) for node in article.iterfind("PublicationTypeList/PublicationType")]
    keywords = [_text(node) for node in citation.iterfind("KeywordList/Keyword")]
    keywords += [_text(node) for node in citation.iterfind(".//MeshHeading/DescriptorName")]
    status = clean(element.findtext("PubmedData/PublicationStatus"))
    title = medline_title(_text(article.find("ArticleTitle"))) or medline_title(
        _text(article.find("VernacularTitle"))
    )
    return ImportedRecord(
        format=fmt,
        position=position,
        source_id=pmid,
        output_type=output_type_of(types),
        title=title,
        abstract=_abstract(article),
        authors=_authors(article),
        journal_title=clean(journal.findtext("Title")) if journal is not None else "",
        journal_abbreviation=clean(
            journal.findtext("ISOAbbreviation") if journal is not None else ""
        )
        or clean(citation.findtext("MedlineJournalInfo/MedlineTA")),
        issns=issns(
            [node.text for node in journal.iterfind("ISSN")] if journal is not None else [],
            citation.findtext("MedlineJournalInfo/ISSNLinking"),
        ),
        volume=clean(issue.findtext("Volume")) if issue is not None else "",
        issue=clean(issue.findtext("Issue")) if issue is not None else "",
        pages=pages,
        article_number=pii if not pages and re.fullmatch(r"[eE]?\d+", pii) else "",
        date=date,
        date_precision=precision,
        status="epub" if status == "aheadofprint" else "published",
        doi=normalise_doi(locations.get("doi")) or _article_id_doi(element),
        pmid=pmid,
        language=iso_639_1(article.findtext("Language")),
        keywords=unique(clean(keyword) for keyword in keywords),
    )


def _text(node) -> str:
    """An element's text content: markup such as <i> and <sup> in titles becomes plain text."""
    return clean("".join(node.itertext())) if node is not None else ""


def _abstract(article) -> str:
    parts = []
    for node in article.iterfind("Abstract/AbstractText"):
        inner = html.escape(node.text or "", quote=False) + "".join(
            etree.tostring(child, encoding="unicode", with_tail=True) for child in node
        )
        label = clean(node.get("Label"))
        if label and label.upper() != "UNLABELLED":
            inner = f"<b>{html.escape(label, quote=False)}:</b> {inner}"
        parts.append(inner)
    return markup.paragraphs(parts)


def _authors(article) -> list:
    result = []
    for author_list in article.iterfind("AuthorList"):
        role = "editor" if author_list.get("Type") == "editors" else "author"
        for author in author_list.iterfind("Author"):
            if author.get("ValidYN") == "N":
                continue
            affiliations = [_text(node) for node in author.iterfind("AffiliationInfo/Affiliation")]
            orcid = next(
                (
                    _text(node)
                    for node in author.iterfind("Identifier")
                    if (node.get("Source") or "").upper() == "ORCID"
                ),
                "",
            )
            family = author.findtext("LastName")
            if family is None and author.find("CollectiveName") is not None:
                name = names.group(
                    _text(author.find("CollectiveName")), affiliations=affiliations, role=role
                )
            else:
                name = names.person(
                    family,
                    author.findtext("ForeName"),
                    initials=author.findtext("Initials"),
                    orcid=orcid,
                    affiliations=affiliations,
                    role=role,
                )
            result.append(name)
    # Before 2014 MEDLINE gave one affiliation, of the first author, under Article.
    legacy = clean(article.findtext("Affiliation"))
    if legacy and result and not result[0].affiliations:
        result[0].affiliations.append(legacy)
    return result


def _pub_date(node) -> Dated:
    if node is None:
        return None, "year"
    medline_date = node.findtext("MedlineDate")
    if medline_date:
        return date_of_medline(medline_date)
    return make_date(node.findtext("Year"), node.findtext("Month"), node.findtext("Day"))


def _article_id_doi(element) -> str:
    for node in element.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "doi":
            return normalise_doi(node.text)
    return ""


# MEDLINE's conventions, shared with the MEDLINE text format


def medline_title(text: str) -> str:
    """MEDLINE ends every title with a period, and brackets the English translation of a title
    in another language: '[Vaccines are drugs].' -> 'Vaccines are drugs'."""
    text = clean(text)
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    return text


def medline_pages(value: object) -> str:
    """MEDLINE abbreviates the last page: '616-7' -> '616-617', '1199-201' -> '1199-1201',
    'e9-18' -> 'e9-e18'; 'e1234', '99ra86' and '41-46.e1' stay as they are."""
    text = clean(value)
    return ", ".join(_expand_range(part.strip()) for part in re.split(r"[,;]", text) if part)


def _expand_range(text: str) -> str:
    match = re.fullmatch(r"([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)", text)
    if not match:
        return text
    prefix, start, end_prefix, end = match.groups()
    if end_prefix and end_prefix != prefix:
        return text
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    if int(end) < int(start):
        return text
    if start == end:
        return f"{prefix}{start}"
    return f"{prefix}{start}-{prefix}{end}"


def date_of_medline(text: object) -> Dated:
    """MedlineDate and DP: '1998 Dec-1999 Jan' -> December 1998 (month), '2000 Spring' -> 2000
    (year), '2001 Dec 15-28' -> 15 December 2001 (day)."""
    tokens = re.findall(r"[A-Za-z]+|\d+", clean(text))
    if not tokens or not YEAR.fullmatch(tokens[0]):
        match = YEAR.search(clean(text))
        return make_date(match.group(0)) if match else (None, "year")
    month = tokens[1] if len(tokens) > 1 and month_number(tokens[1]) else None
    day = tokens[2] if month and len(tokens) > 2 and len(tokens[2]) <= 2 else None
    return make_date(tokens[0], month, day)


def output_type_of(types: list[str]) -> str:
    present = {clean(kind).lower() for kind in types}
    for name, output_type in PUBLICATION_TYPES:
        if name in present:
            return output_type
    return "article"
