"""Hostile files for the importer (issue 9): the real export files of tests/data/import cut at
random points, with bytes flipped, as junk, as XML bombs, as deeply nested JSON and oversized.
Each gives records, a per-record problem or one clear ImportFormatError — never another
exception, a traceback from the command, a 500 from the admin upload page, or a half-written
record."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from publications.importing.engine import Importer
from publications.importing.parsers import parse
from publications.importing.records import ImportedRecord, ImportFormatError, RecordProblem
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Organisation,
    Person,
    Publication,
    PublicationKeyword,
)
from publications.tests.hostile import HOSTILE, MARKUP_PAYLOADS, SQL_PAYLOADS

DATA = Path(__file__).parent / "data" / "import"
FILES = sorted(path for path in DATA.iterdir() if path.suffix != ".md")
CONTENTS = {path.name: path.read_bytes() for path in FILES}


def read_all(data: bytes, fmt: str = "auto") -> list[ImportedRecord | RecordProblem] | str:
    """The file's records and problems, or the one-line message of its ImportFormatError. Any
    other exception fails the test that called it."""
    try:
        items = list(parse(data, fmt))
    except ImportFormatError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
        return message
    for item in items:
        assert isinstance(item, ImportedRecord | RecordProblem)
        if isinstance(item, ImportedRecord):
            for name in ("title", "abstract", "doi", "journal_title"):
                assert "\x00" not in getattr(item, name)  # PostgreSQL refuses NUL in text
    return items


# Garbling: a cut, byte flips, inserted junk, a cut in the middle of a multi-byte character.
@st.composite
def garbled(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(CONTENTS)))
    data = bytearray(CONTENTS[name])
    kind = draw(st.sampled_from(["cut", "flip", "insert", "cut+flip", "repeat"]))
    if "cut" in kind:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    if "flip" in kind and data:
        for _ in range(draw(st.integers(min_value=1, max_value=20))):
            at = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[at] = draw(st.integers(min_value=0, max_value=255))
    if kind == "insert":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        junk = draw(
            st.one_of(
                st.binary(max_size=64),
                st.sampled_from(
                    [b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", b"<!--", b"]]>", b"{", b"@"]
                ),
            )
        )
        data[at:at] = junk
    if kind == "repeat":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + data + data[at:]
    return name, bytes(data)


@settings(HOSTILE, max_examples=300)
@given(garbled())
def test_garbled_files_give_records_problems_or_one_clear_error(example):
    _name, data = example
    read_all(data)


@settings(HOSTILE, max_examples=60)
@given(st.binary(max_size=2000), st.sampled_from(["auto", "bibtex", "ris", "pubmed", "crossref"]))
def test_binary_junk_is_refused_or_read_as_nothing(data, fmt):
    read_all(data, fmt)


# XML: entities are never expanded, external ones never read.

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>Laughs &lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>2</PMID><Article>'
    b"<ArticleTitle>" + b"&a;" * 20_000 + b"</ArticleTitle></Article></MedlineCitation>"
    b"</PubmedArticle></PubmedArticleSet>"
)


def external_entity(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "{target}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>3</PMID><Article>"
        "<ArticleTitle>Secret &xxe; here</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    ).encode()


def titles_of(result) -> str:
    if isinstance(result, str):
        return result
    return " ".join(item.title for item in result if isinstance(item, ImportedRecord))


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, QUADRATIC_BLOWUP], ids=["billion-laughs", "quadratic-blowup"]
)
def test_xml_entity_bombs_are_not_expanded(data):
    started = time.monotonic()
    result = read_all(data)
    assert time.monotonic() - started < 5
    assert isinstance(result, str) and "entity bomb" in result, result
    assert "lollollol" not in titles_of(result)
    assert "x" * 100_000 not in titles_of(result)


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "file:///etc/hostname", "http://127.0.0.1:9/secret", "/etc/passwd"],
)
def test_xml_external_entities_are_never_read(target):
    result = read_all(external_entity(target))
    text = titles_of(result)
    assert "root:" not in text
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in text


def test_an_xml_dtd_is_not_loaded_from_the_network_or_disk(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED-FROM-DTD">')
    data = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "file://{dtd}">'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>4</PMID><Article>"
        "<ArticleTitle>A &leak; title</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    ).encode()
    assert "LEAKED" not in titles_of(read_all(data))


# JSON nested deeper than any record: a clear error, not a RecursionError.


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 200_000,
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"items": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"DOI": "10.1/x", "title": ["a"]}\n' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"DOI": "10.1/x", "type": "journal-article", "title": ["a"], "author": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}",
    ],
    ids=["open", "array", "object", "items", "json-lines", "crossref-authors"],
)
def test_deeply_nested_json_is_refused_clearly(data):
    result = read_all(data)
    if isinstance(result, str):
        assert "nested too deeply" in result
    else:  # a JSON-lines file: its nested line is a problem of its own, the others are read
        assert any("nested too deeply" in getattr(item, "message", "") for item in result)


# Through the engine, with the database: whole records or nothing.

TABLES = (Publication, Authorship, Person, Journal, Organisation, Keyword, PublicationKeyword)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def import_items(data: bytes):
    result = read_all(data)
    if isinstance(result, str):
        return None, result
    return Importer(state="validated").run(result), result


def imported_or_untouched(data: bytes):
    """Imports the data and checks that the publications added are exactly those reported
    created, or, when the file is refused, that no row changed anywhere. Returns (summary,
    records, counts before, counts after), or None for a refused file."""
    before = counts()
    summary, result = import_items(data)
    after = counts()
    if summary is None:
        assert after == before, result
        return None
    assert after["Publication"] - before["Publication"] == summary.created
    return summary, result, before, after


@pytest.mark.django_db
def test_garbled_files_import_whole_records_or_nothing(db):
    """Each garbled file, imported: the publications added are exactly those reported created,
    and a file whose every record failed leaves no row anywhere."""

    @settings(HOSTILE, max_examples=25)
    @given(garbled())
    def check(example):
        _name, data = example
        if (imported := imported_or_untouched(data)) is None:
            return
        summary, result, before, after = imported
        if summary.created == 0 and summary.updated == 0:
            assert after == before, summary.messages
        assert summary.total == sum(1 for _ in result)
        for message in summary.messages:
            assert "\n" not in message and "Traceback" not in message
        Publication.objects.all().delete()  # the next example starts from the same state

    check()


def ris_record(**fields: str | list[str]) -> bytes:
    lines = ["TY  - JOUR"]
    for tag, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{tag}  - {item}")
    lines.append("ER  - ")
    return ("\n".join(lines) + "\n").encode()


GOOD = ris_record(TI="A good record", PY="2020", DO="10.5555/good.1", AU="Good, Ann")


# Limits (publications/importing/mapping.py): text over a column's size is cut to it (a 10 MB
# title keeps its first 2,000 characters); a record with an abstract over 100,000 characters
# (MAX_ABSTRACT), more than 20,000 authors (MAX_AUTHORS) or 1,000 keywords (MAX_KEYWORDS) is
# refused by name; a DOI over 255 characters is refused; a page "number" of more than nine
# digits is kept as text only.
OVERSIZED = {
    "10MB-title": (ris_record(TI="T" * 10_000_000, PY="2020", DO="10.5555/huge.title"), None),
    "2MB-abstract": (
        ris_record(
            TI="Huge abstract",
            AB=" ".join(f"w{n}x" for n in range(300_000)),  # distinct words: a large tsvector
            DO="10.5555/huge.abstract",
        ),
        "characters: the portal takes at most 100,000",
    ),
    "1MB-keyword": (ris_record(TI="Huge keyword", KW="k" * 1_000_000, DO="10.5555/kw"), None),
    "1MB-author": (ris_record(TI="Huge author", AU="A" * 1_000_000 + ", B", DO="10.5/au"), None),
    "1MB-journal": (ris_record(TI="Huge journal", JO="J" * 1_000_000, DO="10.5555/jo"), None),
    "100000-authors": (
        ris_record(TI="Many", AU=[f"Author{n}, A." for n in range(100_000)], DO="10.5555/many"),
        "it has 100,000 authors and editors: the portal takes at most 20,000 a record",
    ),
    "50000-keywords": (
        ris_record(TI="Many keywords", KW=[f"kw{n}" for n in range(50_000)], DO="10.5555/kws"),
        "it has 50,000 keywords: the portal takes at most 1,000 a record",
    ),
    "1MB-doi": (
        ris_record(TI="Huge DOI", DO="10.5555/" + "d" * 1_000_000),
        "doi: Ensure this value has at most 255 characters",
    ),
    "5000-digit-pages": (
        ris_record(TI="Huge pages", SP="1" * 5000, EP="2" * 5000, DO="10.5555/pages"),
        None,
    ),
    "11-digit-page-range": (
        ris_record(TI="Long range", SP="12345678901", EP="12345678902", DO="10.5555/range"),
        None,
    ),
    "5000-digit-year": (ris_record(TI="Huge year", PY="9" * 5000, DO="10.5555/year"), None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(OVERSIZED))
def test_oversized_fields_are_cut_or_refused_alone_with_a_clear_message(case, tmp_path):
    """An oversized record is imported with its over-long text cut to the field's size, or
    fails alone with a short one-line message naming the limit; the good record beside it is
    imported whole, and the failed one leaves no row."""
    bad, refusal = OVERSIZED[case]
    path = tmp_path / "big.ris"
    path.write_bytes(GOOD + bad)
    before = counts()
    err = io.StringIO()
    started = time.monotonic()
    try:
        call_command(
            "import_publications", str(path), "--state", "validated",
            stdout=io.StringIO(), stderr=err, verbosity=0,
        )  # fmt: skip
    except CommandError:
        lines = err.getvalue().strip().splitlines()
        assert refusal is not None, lines
        assert len(lines) == 1 and len(lines[0]) < 300, lines
        assert lines[0].startswith(f"{path}: record 2 (") and refusal in lines[0], lines
        assert counts()["Publication"] == before["Publication"] + 1
        assert counts()["Authorship"] == before["Authorship"] + 1  # the good record's
    else:
        assert refusal is None, f"expected a refusal: {refusal}"
        assert Publication.objects.count() == before["Publication"] + 2
        assert all(len(p.title) <= 2000 for p in Publication.objects.all())
    assert Publication.objects.filter(doi="10.5555/good.1").exists()
    assert time.monotonic() - started < 30


@pytest.mark.django_db
def test_a_copy_the_database_refuses_raises_djangos_error_that_the_importer_catches():
    """bulk.copy_rows writes through the raw psycopg cursor: its errors must come out as
    Django's DataError/IntegrityError, or the engine's per-record fallback never runs and the
    import command dies with a traceback (a 50,000-keyword record did, before MAX_KEYWORDS)."""
    from django.db import DataError, transaction

    from publications.bulk import copy_rows
    from publications.tests.factories import PublicationFactory

    keyword = Keyword.objects.create(term="overflow")
    publication = PublicationFactory()
    with pytest.raises(DataError), transaction.atomic():
        copy_rows(
            PublicationKeyword,
            ["publication_id", "keyword_id", "position"],
            [(publication.pk, keyword.pk, 40_000)],  # a smallint column
        )


@pytest.mark.django_db
def test_a_file_over_the_commands_limit_is_refused_by_name(tmp_path, monkeypatch):
    from publications.management.commands import import_publications

    monkeypatch.setattr(import_publications, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "large.ris"
    path.write_bytes(GOOD * 100)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_publications", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == f"{path}: larger than 0 MB"
    assert Publication.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["billion-laughs", "nested-json", "binary", "truncated-xml", "latin-1-ris"]
)
def test_the_command_reports_hostile_files_in_one_line(name, tmp_path):
    data = {
        "billion-laughs": BILLION_LAUGHS,
        "nested-json": b"[" * 100_000,
        "binary": bytes(range(256)) * 10,
        "truncated-xml": CONTENTS["pubmed-articles-1.xml"][:5000],
        "latin-1-ris": "TY  - JOUR\nTI  - Caf\xe9\nER  - \n".encode("latin-1"),
    }[name]
    path = tmp_path / "hostile.dat"
    path.write_bytes(data)
    err = io.StringIO()
    try:
        call_command("import_publications", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError as error:
        assert error.returncode == 1
    lines = err.getvalue().strip().splitlines()
    assert all(line.startswith(f"{path}: ") and len(line) < 500 for line in lines), lines
    assert "Traceback" not in err.getvalue()


# The admin's upload page: a form error or a summary, never a 500.


@pytest.fixture
def uploader(client, django_user_model):
    user = django_user_model.objects.create_superuser("uploader", password="pw-uploader-1")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        external_entity("file:///etc/passwd"),
        b"[" * 100_000,
        bytes(range(256)),
        CONTENTS["crossref-works.jsonl"][:40_000],
        CONTENTS["tugboat.bib"][:3000] + b"\xff\xfe\x00",
        ris_record(TI="Many authors", AU=[f"Author{n}, A." for n in range(40_000)]),
        json.dumps([{"type": "article", "title": "<script>x</script>", "author": "nope"}]).encode(),
    ],
    ids=["bomb", "xxe", "nested", "binary", "cut-jsonl", "garbled-bib", "authors", "bad-csl"],
)
def test_the_admin_upload_page_never_fails(uploader, data):
    upload = io.BytesIO(data)
    upload.name = "hostile.dat"
    response = uploader.post(
        "/admin/tools/import/", {"file": upload, "format": "auto", "state": "for_validation"}
    )
    assert response.status_code == 200
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_a_long_author_list_is_matched_in_linear_memory():
    """Each new person of a record kept a set of all the record's authors: 2,000 authors made
    4 million entries (300 MB), a real 5,000-author physics paper 2.5 GB, 20,000 authors more
    memory than the machine has. One shared set per record keeps it small."""
    import tracemalloc

    data = ris_record(TI="Long list", AU=[f"Author{n}, A." for n in range(2000)], DO="10.5/l")
    items = list(parse(data))
    tracemalloc.start()
    try:
        summary = Importer(state="validated").run(items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.created == 1
    assert peak < 60 * 2**20, f"{peak / 2**20:.0f} MB"


RIS_TAGS = ["TY", "TI", "T2", "JO", "J2", "AU", "A2", "ED", "AB", "KW", "PY", "DA", "VL", "IS"]
RIS_TAGS += ["SP", "EP", "DO", "UR", "SN", "PB", "CY", "LA", "N1", "AD", "ID", "M3", "C7", "ET"]
field_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
    st.sampled_from(["JOUR", "BOOK", "CHAP", "THES", "2020", "2020/02/30", "-1", "0000-0000"]),
    st.sampled_from(["10.5555/x", "10.1/ ", "0393-974X", "978-3-16-148410-0", "Smith, J."]),
    st.sampled_from([*SQL_PAYLOADS, *MARKUP_PAYLOADS]),
)


@pytest.mark.django_db
def test_random_field_values_import_whole_or_fail_alone(db):
    """Well-formed RIS records with random values in every tag, through the whole engine."""

    @settings(HOSTILE, max_examples=100)
    @given(
        st.lists(
            st.lists(st.tuples(st.sampled_from(RIS_TAGS), field_text), max_size=12),
            min_size=1,
            max_size=4,
        )
    )
    def check(records):
        lines = []
        for fields in records:
            lines.append("TY  - JOUR")
            lines += [f"{tag}  - {' '.join(value.split())}" for tag, value in fields]
            lines.append("TI  - A fuzzed record")  # most records get as far as the database
            lines.append("ER  - ")
        data = ("\n".join(lines) + "\n").encode()
        if (imported := imported_or_untouched(data)) is None:
            return
        for message in imported[0].messages:
            assert "\n" not in message and len(message) < 1000

    check()


CSL_KEYS = ["type", "title", "container-title", "author", "editor", "issued", "DOI", "ISSN"]
CSL_KEYS += ["volume", "issue", "page", "number", "keyword", "abstract", "language", "URL"]
CSL_KEYS += ["publisher", "event-title", "number-of-pages", "ISBN", "PMID", "id", "status"]
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
        st.sampled_from(["article-journal", "chapter", "10.5555/y", "Smith", "2020"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["family", "given", "literal", "date-parts"]), inner),
    ),
    max_leaves=8,
)


@pytest.mark.django_db
def test_csl_json_of_any_shape_imports_whole_or_fails_alone(db):
    """CSL-JSON items whose fields hold the wrong JSON types (numbers for names, lists for
    titles, nested objects for dates): a problem per item, never an exception."""

    @settings(HOSTILE, max_examples=100)
    @given(st.lists(st.dictionaries(st.sampled_from(CSL_KEYS), json_values), max_size=3))
    def check(items):
        for item in items:
            item.setdefault("type", "article-journal")
            item.setdefault("title", "A fuzzed item")
        data = json.dumps(items).encode()
        imported_or_untouched(data)

    check()


BIBTEX_FIELDS = ["title", "author", "journal", "year", "month", "volume", "number", "pages"]
BIBTEX_FIELDS += ["doi", "issn", "isbn", "abstract", "keywords", "publisher", "url", "note"]
bibtex_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(["{", "}", "{{", "}}", "\\", "\\'e", "$x^2$", "@", "%", "#", '"', "and"]),
    st.sampled_from([*SQL_PAYLOADS, *MARKUP_PAYLOADS]),
)


@pytest.mark.django_db
def test_bibtex_with_random_values_imports_whole_or_fails_alone(db):
    """BibTeX entries with random text in every field: unbalanced braces, TeX commands, `@`
    and `%` in values, string concatenation with #."""

    @settings(HOSTILE, max_examples=100)
    @given(
        st.lists(
            st.dictionaries(
                st.sampled_from(BIBTEX_FIELDS), st.lists(bibtex_text, min_size=1, max_size=3)
            ),
            min_size=1,
            max_size=3,
        ),
        st.sampled_from(["article", "book", "inproceedings", "misc", "phdthesis", "x"]),
    )
    def check(entries, kind):
        parts = []
        for number, entry in enumerate(entries):
            fields = [f"  title = {{A fuzzed entry {number}}}"]
            fields += [f"  {name} = {{{''.join(values)}}}" for name, values in entry.items()]
            parts.append(f"@{kind}{{key{number},\n" + ",\n".join(fields) + "\n}\n")
        data = "\n".join(parts).encode()
        imported_or_untouched(data)

    check()
