"""The importer's file parsers on excerpts of real exports (tests/data/import/README.md says
where each comes from). Pure Python: no database."""

from __future__ import annotations

import codecs
import datetime
import json
from pathlib import Path

import pytest

from publications.importing.parsers import FORMATS, detect, parse
from publications.importing.parsers.common import (
    date_from_text,
    issns,
    make_date,
    normalise_doi,
    normalise_orcid,
    normalise_pages,
)
from publications.importing.parsers.languages import iso_639_1
from publications.importing.parsers.markup import abstract, html_to_text, jats_to_html
from publications.importing.parsers.names import from_string, initials_of, person
from publications.importing.parsers.pubmed import date_of_medline, medline_pages, medline_title
from publications.importing.records import (
    ImportedName,
    ImportedRecord,
    ImportFormatError,
    RecordProblem,
)

DATA = Path(__file__).parent / "data" / "import"

# Every fixture: the format detected from its content, and how many records it holds.
FIXTURES = {
    "crossref-works.jsonl": ("crossref", 15),
    "crossref-work.json": ("crossref", 1),
    "crossref-list.json": ("crossref", 2),
    "pubmed-articles-1.xml": ("pubmed", 2),
    "pubmed-articles-2.xml": ("pubmed", 2),
    "medline-citations.xml": ("pubmed", 18),
    "medline-biopython.txt": ("pubmed", 1),
    "medline-converted.txt": ("pubmed", 5),
    "tugboat.bib": ("bibtex", 17),
    "pure.bib": ("bibtex", 1),
    "zotero.ris": ("ris", 5),
    "pubmed-via-zotero.ris": ("ris", 6),
    "scopus.ris": ("ris", 2),
    "rayyan.ris": ("ris", 19),
    "pure.ris": ("ris", 1),
    "utf-chars.ris": ("ris", 1),
    "zotero.json": ("csl-json", 17),
}


def read(name: str) -> list[ImportedRecord]:
    """The records of a fixture, which must all be readable."""
    items = list(parse((DATA / name).read_bytes()))
    problems = [item for item in items if isinstance(item, RecordProblem)]
    assert not problems, problems
    return items


def names_of(record: ImportedRecord) -> list[tuple[str, str, str, str]]:
    return [(name.particle, name.family, name.given, name.initials) for name in record.authors]


def only(items: list) -> ImportedRecord:
    assert len(items) == 1
    return items[0]


# Detection and counts


@pytest.mark.parametrize(("name", "expected"), [(k, v[0]) for k, v in FIXTURES.items()])
def test_the_format_is_detected_from_the_content(name, expected):
    assert detect((DATA / name).read_bytes()) == expected
    assert expected in FORMATS


@pytest.mark.parametrize(("name", "count"), [(k, v[1]) for k, v in FIXTURES.items()])
def test_every_record_of_a_fixture_is_read_in_file_order(name, count):
    records = read(name)
    assert len(records) == count
    assert [record.position for record in records] == list(range(1, count + 1))


@pytest.mark.parametrize(("name", "fmt"), [(k, v[0]) for k, v in FIXTURES.items()])
def test_the_format_can_be_named_instead_of_detected(name, fmt):
    assert len(list(parse((DATA / name).read_bytes(), fmt))) == FIXTURES[name][1]


def test_a_file_named_as_another_format_is_refused():
    with pytest.raises(ImportFormatError, match="looks like RIS, not BibTeX"):
        parse((DATA / "zotero.ris").read_bytes(), "bibtex")


# Crossref


def test_crossref_journal_article_with_affiliation_and_both_issns():
    record = read("crossref-works.jsonl")[0]
    assert record.format == "crossref"
    assert record.source_id == record.doi == "10.1112/jlms.12634"
    assert record.output_type == "article"
    assert record.title == "The stability manifold of local orbifold elliptic quotients"
    assert record.journal_title == "Journal of the London Mathematical Society"
    assert record.journal_abbreviation == "Journal of London Math Soc"
    assert record.issns == ["0024-6107", "1469-7750"]
    assert (record.volume, record.issue, record.pages) == ("106", "3", "2268-2304")
    assert (record.date, record.date_precision) == (datetime.date(2022, 6, 15), "day")
    assert (record.language, record.publisher) == ("en", "Wiley")
    [author] = record.authors
    assert (author.family, author.given, author.initials) == ("Rota", "Franco", "F.")
    assert author.affiliations == [
        "School of Mathematics and Statistics University of Glasgow Glasgow UK"
    ]


def test_crossref_article_numbers_are_not_pages():
    works = read("crossref-works.jsonl")
    assert (works[1].pages, works[1].article_number) == ("", "18")
    # PeerJ and Elsevier deposit the article number as the page too: it is printed once.
    assert (works[2].pages, works[2].article_number) == ("", "100463")
    assert (works[5].pages, works[5].article_number) == ("", "e17172")
    # Without an article number, a single e-page stays a page.
    assert (works[7].pages, works[7].article_number) == ("e1246", "")


def test_crossref_dates_keep_the_precision_they_have():
    works = read("crossref-works.jsonl")
    assert (works[2].date, works[2].date_precision) == (datetime.date(2024, 6, 1), "month")
    assert (works[14].date, works[14].date_precision) == (datetime.date(1997, 7, 1), "month")


def test_crossref_names_orcids_particles_and_initials():
    works = read("crossref-works.jsonl")
    trapp = works[3].authors[0]
    # "A C" is initials only.
    assert (trapp.family, trapp.given, trapp.initials) == ("Trapp", "", "A.C.")
    assert trapp.orcid == "0000-0003-4650-9358"
    assert names_of(works[11])[:2] == [
        ("", "Norman", "Kari E. A.", "K.E.A."),
        ("de", "Valpine", "Perry", "P."),
    ]
    # A Brazilian particle left at the end of the given name: "Elias Silva de" Medeiros.
    assert names_of(works[12])[0] == ("de", "Medeiros", "Elias Silva", "E.S.")
    assert works[12].authors[0].family_name == "de Medeiros"
    assert names_of(works[8])[2] == ("", "Qiu", "Zhi-Jing", "Z.-J.")


def test_crossref_editors_come_after_the_authors():
    work = read("crossref-works.jsonl")[10]
    assert [(name.family, name.role) for name in work.authors] == [
        ("Boettiger", "author"),
        ("Coulson", "editor"),
    ]


def test_crossref_titles_lose_their_inline_markup():
    works = read("crossref-works.jsonl")
    assert works[4].title == (
        "Imaging HER2-positive metastatic esophagogastric cancer with 89Zr-trastuzumab PET "
        "and 18F-FDG PET."
    )
    assert works[8].title.startswith("Primulina anisocymosa (Gesneriaceae), a new species")
    assert works[9].title == (
        "DIISC-VI (COS-DIISC): Ultraviolet Metal Absorption Relative to the H i Disk of Galaxies"
    )


def test_crossref_jats_abstracts_become_sanitised_html():
    works = read("crossref-works.jsonl")
    structured = works[6].abstract
    assert structured.startswith("<p><b>Introduction:</b> A global surge in SARS-CoV-2 cases")
    assert "<p><b>Methods:</b> Data were collected" in structured
    assert "jats" not in structured
    # The "Abstract" heading goes; italics, sub- and superscripts stay; links keep their text.
    assert works[9].abstract.startswith("<p>As part of the Deciphering the Interplay")
    assert "(&lt;4.5<i>R</i><sub>HI</sub>)" in works[9].abstract
    assert works[10].abstract.startswith("<p>Noise, as the term itself suggests")
    assert "Abstract" not in works[11].abstract[:40]
    assert works[11].abstract.startswith("<p><b>Aim:</b> Despite unprecedented")
    assert works[13].abstract == ""


def test_crossref_empty_subtitle_and_odd_volume_are_taken_as_they_are():
    work = read("crossref-works.jsonl")[13]
    assert (work.title, work.subtitle, work.volume, work.pages) == ("Icônes", "", "n° 95", "1-235")
    assert work.language == ""


def test_crossref_single_work_and_list_responses():
    [work] = read("crossref-work.json")
    assert work.doi == "10.1111/ele.13085"
    assert [record.doi for record in read("crossref-list.json")] == [
        "10.7717/peerj.1246",
        "10.3917/mult.095.0001",
    ]


def test_crossref_bare_work_and_list_of_works():
    first_line = (DATA / "crossref-works.jsonl").read_text().split("\n")[0]
    work = json.loads(first_line)
    assert only(list(parse(json.dumps(work).encode()))).doi == "10.1112/jlms.12634"
    assert len(list(parse(json.dumps([work, work]).encode()))) == 2


def test_crossref_types_that_are_not_publications_are_problems():
    work = {"DOI": "10.5061/DRYAD.X", "type": "dataset", "title": ["Data"]}
    chapter = {"DOI": "10.1/c", "type": "book-chapter", "title": ["C"], "container-title": ["B"]}
    problem, record = parse(json.dumps([work, chapter]).encode(), "crossref")
    assert isinstance(problem, RecordProblem)
    assert (problem.position, problem.source_id) == (1, "10.5061/dryad.x")
    assert "dataset" in problem.message
    assert (record.output_type, record.host_title, record.journal_title) == ("chapter", "B", "")


# PubMed XML, MEDLINE XML, MEDLINE text


def test_pubmed_xml_article_with_doi_from_the_article_ids():
    first, second = read("pubmed-articles-1.xml")
    assert first.format == "pubmed"
    assert (first.pmid, first.source_id) == ("12091962", "12091962")
    assert first.title == "The treatment of AIDS behind the walls of correctional facilities"
    assert first.output_type == "review-article"  # Journal Article + Review
    assert first.pages == "113-125"  # MedlinePgn "113-25"
    # PubDate has a season, not a month: the year alone.
    assert (first.date, first.date_precision) == (datetime.date(1990, 1, 1), "year")
    assert first.keywords[:3] == ["Health Care and Public Health", "Legal Approach"] + [
        "AIDS Serodiagnosis"
    ]
    assert names_of(first) == [("", "Olivero", "J Michael", "J.M.")]
    assert second.doi == "10.1016/0005-2795(76)90109-4"
    assert (second.date, second.date_precision) == (datetime.date(1976, 9, 28), "day")
    assert names_of(second) == [("", "Strekas", "", "T.C.")]


def test_pubmed_xml_affiliations_and_entities():
    record = read("pubmed-articles-2.xml")[0]
    assert record.authors[0].affiliations == [
        "Dipartimento di Scienze Ambientali, Università degli Studi della Tuscia, "
        "01100 Viterbo, Italy."
    ]
    assert "(P &lt; 0.001)" in record.abstract
    assert record.journal_abbreviation == "Cryobiology"
    assert record.issns == ["0011-2240"]


def test_medline_xml_labelled_abstract_and_year_only_date():
    record = read("medline-citations.xml")[0]
    assert record.format == "medline"
    assert record.abstract.startswith(
        "<p><b>PURPOSE:</b> An auditory electrophysiological study was conducted"
    )
    assert "</p><p><b>METHODS:</b> Mismatch negativity" in record.abstract
    assert record.abstract.count("<p>") == 4
    assert (record.issue, record.pages) == ("3-4", "195-210")
    assert (record.date, record.date_precision) == (datetime.date(2007, 1, 1), "year")
    assert record.journal_abbreviation == "Restor. Neurol. Neurosci."


def test_medline_abbreviated_page_ranges_are_written_out():
    records = {record.pmid: record for record in read("medline-citations.xml")}
    assert records["25345997"].pages == "474-480"  # "474-80"
    assert records["25766232"].pages == "1240-1242"  # "1240-2"
    assert records["25258324"].pages == "35987-36000"  # "35987-6000"
    assert records["21784659"].pages == "e9-e18"  # "e9-18"
    assert records["26163168"].pages == "e1-e8"
    assert records["26703908"].pages == "41-46.e1"
    assert records["26702441"].pages == "e1500916"


def test_medline_dates_and_issns():
    records = {record.pmid: record for record in read("medline-citations.xml")}
    jan_feb = records["21784659"]  # MedlineDate "2012 Jan-Feb"
    assert (jan_feb.date, jan_feb.date_precision) == (datetime.date(2012, 1, 1), "month")
    assert jan_feb.issns == ["1878-4321", "1049-3867"]  # electronic, then ISSNLinking
    assert jan_feb.doi == "10.1016/j.whi.2011.06.002"
    oct_dec = records["26702167"]
    assert (oct_dec.date, oct_dec.date_precision) == (datetime.date(2015, 10, 1), "month")
    assert records["25766232"].date == datetime.date(2015, 3, 13)


def test_medline_translated_titles_lose_brackets_and_period():
    records = {record.pmid: record for record in read("medline-citations.xml")}
    vaccines = records["26407462"]
    assert vaccines.title == "Vaccines are drugs"
    assert (vaccines.output_type, vaccines.language, vaccines.pages) == (
        "editorial",
        "it",
        "145-146",
    )
    assert records["26407470"].title == (
        "Débat public: the French way towards participatory decision-making"
    )


def test_medline_authors_with_particles_groups_and_orcids():
    records = {record.pmid: record for record in read("medline-citations.xml")}
    assert names_of(records["25378398"])[0] == ("da", "Palma", "Joel Ramos", "J.R.")
    assert names_of(records["25378398"])[5] == ("de", "Laureto", "Patrizia Polverino", "P.P.")
    # Capitalised prefixes are part of the family name.
    assert names_of(records["26702831"])[-3][1] == "Vander Kooi"
    passi = records["26668920"].authors
    assert passi[-1] == ImportedName(literal="Gruppo Tecnico PASSI")
    assert records["25345997"].authors[0].literal == "Movement Disorder Group"
    ruff = records["26702441"].authors[0]
    assert (ruff.family, ruff.orcid) == ("Ruff", "0000-0002-2208-0721")
    assert records["26555260"].authors[0].orcid == "0000-0002-5040-4500"  # given as a URL
    assert records["26702441"].keywords[:2] == ["Orbital order", "dielectric spectroscopy"]


def test_medline_author_keywords_come_before_mesh_terms():
    record = read("medline-citations.xml")[5]
    assert record.pmid == "25258324"
    assert record.keywords.index("Cdc7") < record.keywords.index("Amino Acid Sequence")
    assert record.output_type == "article"


def test_medline_text_record():
    record = only(read("medline-biopython.txt"))
    assert record.format == "medline-text"
    assert record.pmid == "12230038"
    assert record.title == "The Bio* toolkits--a brief overview"
    assert record.abstract.startswith("<p>Bioinformatics research is often difficult to do")
    assert "The Open Source BioPerl" in record.abstract  # continuation lines joined
    assert (record.volume, record.issue, record.pages) == ("3", "3", "296-302")
    assert (record.date, record.date_precision) == (datetime.date(2002, 9, 1), "month")
    assert record.issns == ["1467-5463"]
    assert (record.journal_title, record.journal_abbreviation) == (
        "Briefings in bioinformatics",
        "Brief Bioinform",
    )
    assert names_of(record) == [("", "Mangalam", "Harry", "H.")]
    assert record.authors[0].affiliations == [
        "tacg Informatics, Irvine, CA 92612, USA. hjm@tacgi.com"
    ]
    assert record.keywords[:2] == ["Computational Biology", "Computer Systems"]
    assert record.language == "en"


def test_medline_text_reads_as_its_xml_does():
    text = {record.pmid: record for record in read("medline-converted.txt")}
    xml = {record.pmid: record for record in read("medline-citations.xml")}
    for pmid, record in text.items():
        other = xml[pmid]
        for field in ("title", "volume", "issue", "pages", "date", "date_precision", "doi"):
            assert getattr(record, field) == getattr(other, field), (pmid, field)
        assert record.issns == other.issns
        assert record.output_type == other.output_type
        assert record.language == other.language
        assert [name.family for name in record.authors] == [n.family for n in other.authors]
        assert [name.literal for name in record.authors] == [n.literal for n in other.authors]
    assert text["21784659"].abstract.startswith("<p><b>PURPOSE:</b> We examined")
    assert "<p><b>CONCLUSION:</b> A high percentage" in text["21784659"].abstract
    assert text["26702441"].authors[0].orcid == "0000-0002-2208-0721"
    assert names_of(text["25378398"])[0] == ("da", "Palma", "Joel Ramos", "J.R.")
    assert text["26702441"].keywords[0] == "Orbital order"


def test_pubmed_ahead_of_print_is_an_epub():
    xml = b"""<?xml version="1.0"?><PubmedArticleSet><PubmedArticle>
    <MedlineCitation><PMID>1</PMID><Article><Journal><Title>J</Title></Journal>
    <ArticleTitle>On <i>E. coli</i> &lt;script&gt;alert(1)&lt;/script&gt;.</ArticleTitle>
    <Abstract><AbstractText>x<sup>2</sup> &lt;script&gt;alert(1)&lt;/script&gt;</AbstractText>
    </Abstract><Language>fre</Language></Article></MedlineCitation>
    <PubmedData><PublicationStatus>aheadofprint</PublicationStatus></PubmedData>
    </PubmedArticle></PubmedArticleSet>"""
    record = only(list(parse(xml)))
    assert record.status == "epub"
    assert record.language == "fr"
    assert record.title == "On E. coli <script>alert(1)</script>"
    # Escaped in the XML, it is text, and stays escaped text; real markup is kept or dropped.
    assert record.abstract == "<p>x<sup>2</sup> &lt;script&gt;alert(1)&lt;/script&gt;</p>"


# BibTeX


def test_bibtex_tugboat_macros_accents_and_months():
    records = read("tugboat.bib")
    first = records[0]
    assert first.format == "bibtex"
    assert first.source_id == "Welland:TB1-1-2"
    assert first.title == "Editor's Comments"
    assert first.journal_title == "TUGboat"  # the @string j-TUGboat
    assert first.issns == ["0896-3207"]
    assert (first.volume, first.issue, first.pages) == ("1", "1", "2-3")  # "2--3"
    assert (first.date, first.date_precision) == (datetime.date(1980, 10, 1), "month")  # oct
    assert records[1].title == "Publishing & TeX"
    assert records[2].title == "The format of TeX's DVI files"
    assert names_of(records[3]) == [("", "Emch", "Gérard", "G."), ("", "Pizer", "Arnold", "A.")]
    assert names_of(records[4]) == [
        ("", "Lawson", "", "C.L."),
        ("", "Zabala", "", "I."),
        ("", "Díaz", "", "M."),
    ]


def test_bibtex_tex_commands_become_unicode_and_logos():
    titles = {record.source_id: record for record in read("tugboat.bib")}
    assert titles["Mong:TB3-2-25"].title == "A Fortran version of METAFONT"
    assert titles["Anonymous:TB4-1-4"].title == "Library subscriptions—What are they?"
    assert titles["Fuchs:TB4-2-65"].title == "TeX vs. INITeX"
    assert titles["Fuss:TB8-1-46"].authors[0].family == "Fuß"
    assert titles["Nagy:TB10-1-108"].authors[0].given == "Dezső"  # "Dezs\H o"
    assert names_of(titles["Vesely:TB12-1-176"]) == [("", "Veselý", "Jiří", "J.")]
    assert titles["Rycko:TB14-3-171"].authors[1].given == "Bogusław"


def test_bibtex_group_authors_are_literals():
    records = {record.source_id: record for record in read("tugboat.bib")}
    assert records["L3PT:TB18-2-127"].authors == [ImportedName(literal="LaTeX 3 Project Team")]
    assert records["Team:TB21-1-16"].authors == [ImportedName(literal="The TUGboat Team")]
    # Braced word by word rather than as a whole: still a group.
    assert records["Structure:TB16-4-401"].authors == [
        ImportedName(literal="TUG Working Group on a TeX Directory Structure")
    ]


def test_bibtex_pure_thesis():
    record = only(read("pure.bib"))
    assert record.output_type == "doctoral-thesis"
    assert record.title.startswith("A multiscale analysis of the urban heat island effect: from")
    assert (record.date, record.date_precision) == (datetime.date(2018, 4, 25), "day")
    assert (record.isbn, record.language) == ("978-90-386-4503-2", "en")
    assert record.publisher == "Technische Universiteit Eindhoven"
    assert record.abstract == "<p>Designing the climates of cities</p>"
    assert names_of(record) == [("", "Toparlar", "", "Y.")]


BIBTEX = r"""
@string{jx = "Journal of Examples"}
@article{good1,
  author = {van der Zee, Jan and Jean-Pierre Dupont and {World Health Organization}
            and Smith, Jr., John and G. A. Rossi},
  title = {The {DNA} of {\"u}ber-{\'e}l{\`e}ves},
  journal = jx, year = 1997, month = jan, volume = {11}, number = {1-2},
  pages = {74--78}, doi = {https://doi.org/10.1000/ABC.1}, issn = {1234-5679, 2049-3630},
  keywords = {one; two, three; four}, language = {english}, eid = {e42}, pmid = {123},
  abstract = {First paragraph with $\alpha$.

  Second <script>alert(1)</script> paragraph.}
}
@article{broken, title = {Unclosed, year = 2001}
@inproceedings{good2, author = {Doe, J.}, title = {Paper}, booktitle = {Proc. of X},
  year = {2002}, month = {September}, publisher = {ACM}, address = {New York}}
@misc{good3, title = {A preprint}, year = {2020}}
@book{good4, editor = {Roe, Richard}, title = {Edited}, year = {2003}, edition = {2nd}}
@software{good5, title = {A program}, year = {2021}}
"""


def test_bibtex_fields_names_and_a_broken_entry_among_good_ones():
    good1, broken, good2, good3, good4, good5 = parse(BIBTEX.encode())
    assert names_of(good1) == [
        ("van der", "Zee", "Jan", "J."),
        ("", "Dupont", "Jean-Pierre", "J.-P."),
        ("", "", "", ""),
        ("", "Smith", "John", "J."),
        ("", "Rossi", "", "G.A."),
    ]
    assert good1.authors[2].literal == "World Health Organization"
    assert good1.title == "The DNA of über-élèves"
    assert good1.journal_title == "Journal of Examples"
    assert (good1.volume, good1.issue, good1.pages) == ("11", "1-2", "74-78")
    assert (good1.date, good1.date_precision) == (datetime.date(1997, 1, 1), "month")
    assert (good1.doi, good1.pmid, good1.article_number) == ("10.1000/abc.1", "123", "e42")
    assert good1.issns == ["1234-5679", "2049-3630"]
    assert good1.keywords == ["one", "two, three", "four"]
    assert good1.language == "en"
    assert good1.abstract == "<p>First paragraph with α.</p><p>Second paragraph.</p>"
    assert isinstance(broken, RecordProblem)
    assert (broken.format, broken.position, broken.source_id) == ("bibtex", 2, "broken")
    assert "line 14" in broken.message and "\n" not in broken.message
    assert good2.output_type == "conference-contribution-in-proceedings"
    assert (good2.host_title, good2.publisher, good2.place_of_publication) == (
        "Proc. of X",
        "ACM",
        "New York",
    )
    assert (good2.date, good2.date_precision) == (datetime.date(2002, 9, 1), "month")
    assert good3.output_type == "working-paper"
    assert (good4.output_type, good4.edition, good4.authors[0].role) == (
        "anthology",
        "2nd",
        "editor",
    )
    assert isinstance(good5, RecordProblem) and "@software" in good5.message


# RIS


def test_ris_zotero_export_with_crlf_and_particles():
    record = read("zotero.ris")[0]
    assert record.format == "ris"
    assert record.title.startswith("An open source machine learning framework")
    assert record.journal_title == "Nature Machine Intelligence"
    assert record.issns == ["2522-5839"]  # "25225839"
    assert (record.volume, record.issue, record.pages) == ("3", "2", "125-133")
    assert (record.date, record.date_precision) == (datetime.date(2021, 2, 1), "day")
    assert record.doi == "10.1038/s42256-020-00287-7"
    assert names_of(record)[:2] == [
        ("van de", "Schoot", "Rens", "R."),
        ("de", "Bruin", "Jonathan", "J."),
    ]
    assert len(record.authors) == 17


def test_ris_pubmed_records_exported_by_zotero():
    first, second = read("pubmed-via-zotero.ris")[:2]
    assert first.issns == ["1895-5770"]  # "1895-5770 1895-5770"
    assert (first.date, first.date_precision) == (datetime.date(2019, 1, 1), "year")  # 2019///
    assert (first.language, first.journal_abbreviation) == ("en", "Prz Gastroenterol")
    assert first.keywords[0] == "biological treatment"
    assert second.issns == ["1128-045X", "1123-6337"]
    assert (second.date, second.date_precision) == (datetime.date(2019, 10, 1), "month")
    assert names_of(second)[2] == ("", "Slesser", "", "A.A.P.")


def test_ris_scopus_export():
    review, article = read("scopus.ris")
    assert review.output_type == "review-article"  # M3 Review
    assert review.issns == ["0306-4530"]  # "03064530 (ISSN)"
    assert (review.article_number, review.pages) == ("104501", "")  # C7
    assert review.scopus_eid == "2-s2.0-85074596690"
    assert review.doi == "10.1016/j.psyneuen.2019.104501"
    assert review.language == "en"
    assert names_of(review)[0] == ("", "Labanski", "", "A.")
    assert review.keywords[:2] == ["Brain-gut axis", "Chronic-inflammatory bowel diseases"]
    assert article.output_type == "article"
    assert article.journal_abbreviation == "Epilepsy Behav."
    assert (article.pmid, article.article_number) == ("31574429", "106490")  # C2, C7
    # Keywords differing only in case are kept once ("Depression", "depression").
    assert [word.lower() for word in article.keywords].count("depression") == 1


def test_ris_rayyan_quirks():
    records = read("rayyan.ris")
    first = records[0]
    assert first.source_id == "1"
    assert first.keywords[:3] == ["Health Facility Administration", "Joint Commission", "Standards"]
    assert first.pages == "1-5"  # a range in SP
    assert first.authors == []
    month_only = records[4]  # DA "Jan", PY 2012
    assert (month_only.date, month_only.date_precision) == (datetime.date(2012, 1, 1), "month")
    case_study = records[13]  # TY CASE in a journal
    assert (case_study.output_type, case_study.journal_title) == (
        "article",
        "H&HN: Hospitals & Health Networks",
    )
    erratum = next(record for record in records if record.source_id == "835")  # TY GEN
    assert (erratum.output_type, erratum.pages) == ("article", "321")


def test_ris_pure_thesis_with_subtitle_in_t2():
    record = only(read("pure.ris"))
    assert record.output_type == "doctoral-thesis"
    assert record.title == "A multiscale analysis of the urban heat island effect"
    assert (
        record.subtitle
        == "from city averaged temperatures to the energy demand of individual buildings"
    )
    assert (record.date, record.date_precision) == (datetime.date(2018, 4, 25), "day")
    assert (record.isbn, record.issns) == ("978-90-386-4503-2", [])
    assert names_of(record) == [("", "Toparlar", "", "Y.")]
    assert record.place_of_publication == "Eindhoven"


def test_ris_cyrillic_with_bom_and_type_written_out():
    record = only(read("utf-chars.ris"))
    assert record.output_type == "article"  # TY "Journal Article"
    assert record.title.startswith("Состояние рецепторного аппарата эндометрия")  # ST
    assert record.abstract.startswith("<p>Состояние")
    assert record.abstract.count("<p>") == 2
    assert (record.volume, record.issue, record.pages) == ("8", "3", "52-57")  # VO, IS, SP/EP
    assert names_of(record)[:2] == [
        ("", "Dobrokhotova", "Yu E.", "Y.E."),
        ("", "Yusupova", "", "R.O."),
    ]


def test_ris_record_without_er_is_a_problem_and_the_others_are_read():
    text = (
        "TY  - JOUR\nTI  - One\nER  - \n\n"
        "TY  - JOUR\nID  - x2\nTI  - Two\n\n"
        "TY  - BOOK\nTI  - Three\nER  - \n"
    )
    one, two, three = parse(text.encode())
    assert one.title == "One" and three.output_type == "book"
    assert isinstance(two, RecordProblem)
    assert (two.position, two.source_id) == (2, "x2")
    assert "ER" in two.message


def test_ris_cut_off_file_reports_its_last_record():
    data = (DATA / "zotero.ris").read_bytes()
    cut = data[: data.rindex(b"ER  -")]
    items = list(parse(cut))
    assert len(items) == 5
    assert isinstance(items[-1], RecordProblem) and "cut off" in items[-1].message


# CSL-JSON


def test_csl_json_zotero_export():
    records = read("zotero.json")
    first = records[0]
    assert first.format == "csl-json"
    assert first.source_id == "tenopirChangesDataSharing2015"
    assert first.journal_title == first.journal_abbreviation == "PLOS ONE"
    assert (first.volume, first.issue, first.pages) == ("10", "8", "e0134826")
    assert first.doi == "10.1371/journal.pone.0134826"
    assert first.url.startswith("http://journals.plos.org/plosone/")
    book = records[1]
    assert (book.output_type, book.edition) == ("book", "2nd")
    assert (book.date, book.date_precision) == (datetime.date(2007, 1, 1), "year")  # ["2007"]
    assert records[5].issns == ["1006-4982", "1995-8196"]
    assert records[13].pmid == "25992719"  # from the note "PMID: 25992719"
    assert records[10].volume == "19, Part A"
    assert names_of(records[10])[1] == ("", "Hooke", "Roger LeB.", "R.L.")


def test_csl_json_quirks_of_zotero():
    records = read("zotero.json")
    # A TeX accent left in a title, and an arXiv paper typed as a journal article.
    arxiv = records[3]
    assert arxiv.title.startswith("Exposición Temprana de Nativos Digitales")
    assert (arxiv.output_type, arxiv.journal_title, arxiv.publisher) == (
        "working-paper",
        "",
        "arXiv",
    )
    # A title that the source stored as mojibake is read back.
    assert records[7].title == "A Miniscule System of a ‘Sailing Rock’"
    assert [record.language for record in records if record.language] == ["en"] * 6


def test_a_csl_book_is_not_taken_for_a_crossref_work():
    item = {"id": "b", "type": "book", "title": "A book", "editor": [{"literal": "Board"}]}
    assert detect(json.dumps([item]).encode()) == "csl-json"
    record = only(list(parse(json.dumps(item).encode())))
    assert (record.output_type, record.authors[0].role) == ("anthology", "editor")


def test_csl_json_names_with_particles_and_literals():
    item = {
        "id": "x",
        "type": "chapter",
        "title": "A <i>chapter</i>",
        "container-title": "The Book",
        "author": [
            {"family": "Zee", "given": "Jan", "non-dropping-particle": "van der"},
            {"literal": "ISIS-1 Collaborative Group"},
        ],
        "editor": [{"family": "Roe", "given": "R."}],
        "issued": {"raw": "2019-05"},
        "keyword": "alpha, beta",
        "abstract": "<jats:p>Text <jats:italic>here</jats:italic></jats:p>",
    }
    record = only(list(parse(json.dumps(item).encode())))
    assert record.format == "csl-json"
    assert (record.title, record.host_title, record.journal_title) == ("A chapter", "The Book", "")
    assert names_of(record)[0] == ("van der", "Zee", "Jan", "J.")
    assert record.authors[1].literal == "ISIS-1 Collaborative Group"
    assert record.authors[2].role == "editor"
    assert (record.date, record.date_precision) == (datetime.date(2019, 5, 1), "month")
    assert record.keywords == ["alpha", "beta"]
    assert record.abstract == "<p>Text <i>here</i></p>"


# Files that cannot be read


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x1f\x8b\x08\x00compressed", "gzip"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"Hello, this is a letter, not an export.\n", "not recognised"),
        (b'[{"DOI": "10.1/x", "title": ["cut', "cut off"),
        (b'{"status": "ok", "message": {"DOI": "10.1/x", "title": ["A"]}', "cut off"),
        (b"{not json at all}\n", "not valid JSON"),
        (b"[]", "no records"),
        (b'[{"name": "x"}]', "neither Crossref works nor CSL-JSON"),
        (b'{"status": "failed", "message": [{"type": "x", "message": "bad"}]}', "error"),
        (b"<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>", "cut off"),
        (b"<?xml version='1.0'?><rss><channel/></rss>", "not PubMed or MEDLINE XML"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "web page"),
        (b"caf\xe9 au lait\nTY  - JOUR\nER  - \n", "not UTF-8"),
        (b"TY  - JOUR\nTI  - caf\xe9\nER  - \n", "line 2"),
    ],
)
def test_unreadable_files_raise_one_line_errors(data, message):
    with pytest.raises(ImportFormatError) as error:
        list(parse(data))
    text = str(error.value)
    assert message in text
    assert "\n" not in text and "Traceback" not in text


def test_cut_off_files_are_refused_before_any_record():
    xml = (DATA / "medline-citations.xml").read_bytes()
    with pytest.raises(ImportFormatError, match="cut off or damaged"):
        parse(xml[: len(xml) // 2])
    document = (DATA / "zotero.json").read_bytes()
    with pytest.raises(ImportFormatError, match="cut off"):
        parse(document[:-200])


def test_explicit_formats_refuse_what_they_cannot_find():
    with pytest.raises(ImportFormatError, match="No RIS records"):
        parse(b"just text", "ris")
    with pytest.raises(ImportFormatError, match="No BibTeX entries"):
        parse(b"just text", "bibtex")
    with pytest.raises(ImportFormatError, match="No MEDLINE records"):
        parse(b"just text", "pubmed")
    with pytest.raises(ValueError, match="Unknown format"):
        parse(b"TY  - JOUR\nER  - \n", "endnote")


def test_a_broken_json_line_is_a_problem_and_the_others_are_read():
    lines = (DATA / "crossref-works.jsonl").read_bytes().split(b"\n")
    lines[2] = lines[2][:500]
    items = list(parse(b"\n".join(lines)))
    assert len(items) == 15
    assert isinstance(items[2], RecordProblem)
    assert items[2].position == 3 and "line 3" in items[2].message
    assert items[3].doi == "10.1093/mnras/stac2320"


@pytest.mark.parametrize("name", FIXTURES)
def test_cut_or_garbled_fixtures_give_errors_or_problems_never_exceptions(name):
    data = (DATA / name).read_bytes()
    garbled = bytes(b"{<@\\"[i % 4] if i % 97 == 0 else byte for i, byte in enumerate(data))
    for broken in (data[: len(data) // 3], data[: 2 * len(data) // 3], garbled):
        try:
            items = list(parse(broken))
        except ImportFormatError as error:
            assert "\n" not in str(error)
        else:
            assert all(isinstance(item, (ImportedRecord, RecordProblem)) for item in items)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8, b""])
def test_utf16_and_utf8_files_are_read_with_or_without_bom(bom):
    text = (DATA / "utf-chars.ris").read_text(encoding="utf-8-sig")
    encoding = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(bom)
    data = bom + text.encode(encoding or "utf-8")
    record = only(list(parse(data)))
    assert record.title.startswith("Состояние")


def test_utf16_without_bom_is_recognised():
    data = (DATA / "pure.bib").read_text().encode("utf-16-le")
    assert only(list(parse(data))).title.startswith("A multiscale analysis")


def test_xml_in_a_declared_latin1_encoding_is_read():
    xml = (
        "<?xml version='1.0' encoding='ISO-8859-1'?><PubmedArticleSet><PubmedArticle>"
        "<MedlineCitation><PMID>7</PMID><Article><ArticleTitle>Caf\u00e9 society.</ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode("latin-1")
    assert only(list(parse(xml))).title == "Café society"


# Hostile text


def test_script_in_an_abstract_is_removed_and_in_a_title_stays_as_text():
    work = {
        "DOI": "10.1/x",
        "type": "journal-article",
        "title": ["<script>alert(1)</script> Title <i>italic</i>"],
        "abstract": '<jats:p>Fine <script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">link</a> p<0.05 & x<y</jats:p>',
    }
    record = only(list(parse(json.dumps(work).encode())))
    assert record.title == "<script>alert(1)</script> Title italic"
    assert record.abstract == "<p>Fine link p&lt;0.05 &amp; x&lt;y</p>"
    ris = "TY  - JOUR\nTI  - <b>Bold</b> <script>x()</script>\nAB  - A <script>x()</script>b\nER  -"
    record = only(list(parse(ris.encode())))
    assert record.title == "<b>Bold</b> <script>x()</script>"
    assert record.abstract == "<p>A b</p>"


def test_control_characters_are_dropped():
    ris = "TY  - JOUR\nTI  - Bell\x07 and\x0b form\x0cfeed\x85\nER  - \n"
    assert only(list(parse(ris.encode()))).title == "Bell and formfeed"


# The shared rules


@pytest.mark.parametrize(
    ("given", "initials"),
    [
        ("Gian Andrea", "G.A."),
        ("Jean-Pierre", "J.-P."),
        ("G. A.", "G.A."),
        ("GA", "G.A."),
        ("J Michael", "J.M."),
        ("Óscar", "Ó."),
        ("Margaret (Peggy)", "M."),
    ],
)
def test_initials(given, initials):
    assert initials_of(given) == initials


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ghezzi S", ("", "Ghezzi", "", "S.")),
        ("Ghezzi, Silvia", ("", "Ghezzi", "Silvia", "S.")),
        ("Family, G.A.", ("", "Family", "", "G.A.")),
        ("Toparlar,Y.", ("", "Toparlar", "", "Y.")),
        ("van der Zee, Jan", ("van der", "Zee", "Jan", "J.")),
        ("de la Cruz, Ana María", ("de la", "Cruz", "Ana María", "A.M.")),
        ("Smith, John, Jr.", ("", "Smith", "John", "J.")),
        ("Jan van der Zee", ("van der", "Zee", "Jan", "J.")),
    ],
)
def test_names_written_as_one_string(text, expected):
    name = from_string(text)
    assert (name.particle, name.family, name.given, name.initials) == expected


def test_organisations_written_as_one_string_are_literals():
    assert from_string("World Health Organization").literal == "World Health Organization"
    assert from_string("ISIS-1 Collaborative Group").literal == "ISIS-1 Collaborative Group"


def test_a_family_name_that_is_all_particle_is_kept():
    name = person("van", "Jan")
    assert (name.particle, name.family) == ("", "van")
    assert person("De Luca", "F").family == "De Luca"


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("616-7", "616-617"),
        ("1199-201", "1199-1201"),
        ("145-6", "145-146"),
        ("35987-6000", "35987-36000"),
        ("e1234", "e1234"),
        ("e9-18", "e9-e18"),
        ("S1-3", "S1-S3"),
        ("41-46.e1", "41-46.e1"),
        ("99ra86", "99ra86"),
        ("123-5, 130-2", "123-125, 130-132"),
        ("54", "54"),
    ],
)
def test_medline_page_ranges(text, pages):
    assert medline_pages(text) == pages


@pytest.mark.parametrize(
    ("text", "pages"),
    [("74--78", "74-78"), ("74–78", "74-78"), ("pp. 74 - 78", "74-78"), ("4068-4068", "4068")],
)
def test_page_ranges_use_a_plain_hyphen(text, pages):
    assert normalise_pages(text) == pages


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("1998 Dec-1999 Jan", datetime.date(1998, 12, 1), "month"),
        ("2000 Spring", datetime.date(2000, 1, 1), "year"),
        ("2001 Dec 15-28", datetime.date(2001, 12, 15), "day"),
        ("1975-1976", datetime.date(1975, 1, 1), "year"),
        ("Summer 2009", datetime.date(2009, 1, 1), "year"),
    ],
)
def test_medline_dates(text, date, precision):
    assert date_of_medline(text) == (date, precision)


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("1997/01//", datetime.date(1997, 1, 1), "month"),
        ("2019/05/14", datetime.date(2019, 5, 14), "day"),
        ("2019/10//undefined", datetime.date(2019, 10, 1), "month"),
        ("2009", datetime.date(2009, 1, 1), "year"),
        ("2019-02-30", datetime.date(2019, 2, 1), "month"),
        ("March 2015", datetime.date(2015, 3, 1), "month"),
        ("12 March 2015", datetime.date(2015, 3, 12), "day"),
        ("in press", None, "year"),
    ],
)
def test_dates_never_invent_precision(text, date, precision):
    assert date_from_text(text) == (date, precision)


def test_month_names_and_numbers():
    assert make_date("1980", "oct") == (datetime.date(1980, 10, 1), "month")
    assert make_date(1980, 10, 3) == (datetime.date(1980, 10, 3), "day")
    assert make_date("1980", "Sept.") == (datetime.date(1980, 9, 1), "month")
    assert make_date("1980", "Marketing") == (datetime.date(1980, 1, 1), "year")


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("https://doi.org/10.1000/ABC.1", "10.1000/abc.1"),
        ("http://dx.doi.org/10.1371%2Fjournal.pbio.1001687", "10.1371/journal.pbio.1001687"),
        ("doi:10.1000/xyz", "10.1000/xyz"),
        ("DOI 10.1000/xyz", "10.1000/xyz"),
        ("not a doi", ""),
    ],
)
def test_dois_are_normalised(text, doi):
    assert normalise_doi(text) == doi


def test_issns_orcids_and_languages():
    assert issns("03064530 (ISSN)", ["1234-567x"], "0024-6107, 1469-7750") == [
        "0306-4530",
        "1234-567X",
        "0024-6107",
        "1469-7750",
    ]
    assert issns("978-90-386-4503-2") == []
    assert normalise_orcid("https://orcid.org/0000-0002-1825-009x") == "0000-0002-1825-009X"
    assert [iso_639_1(text) for text in ("eng", "fre", "ger", "English", "en-US", "ngerman")] == [
        "en",
        "fr",
        "de",
        "en",
        "en",
        "de",
    ]
    assert iso_639_1("und") == iso_639_1("xyz") == iso_639_1("") == ""


def test_medline_titles():
    assert medline_title("[Vaccines are drugs].") == "Vaccines are drugs"
    assert medline_title("Is it? Yes.") == "Is it? Yes"
    assert medline_title("A survey...") == "A survey..."


def test_abstract_markup_helpers():
    assert abstract("One\n\nTwo\nlines") == "<p>One</p><p>Two lines</p>"
    assert abstract("<div>One</div><div>Two</div>") == "<p>One</p><p>Two</p>"
    assert jats_to_html("<jats:title>Abstract</jats:title><jats:p>Text</jats:p>") == "<p>Text</p>"
    assert html_to_text("<p>One &amp; <i>two</i></p><p>Three</p>") == "One & two\n\nThree"
