"""Concept extraction for fingerprints: which phrases become concepts, their keys, labels and
weights, and the recall measure. Pure Python: no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from publications.fingerprints.extract import (
    ABSTRACT_WEIGHT,
    TITLE_WEIGHT,
    Term,
    extract,
    normalise,
    recall_at_k,
)
from publications.fingerprints.vocabulary import GENERIC, STOPWORDS

SOURCE_TITLE = (
    "Experiences in immune reconstitution. The rationale for interleukin-2 administration to "
    "HIV-infected individuals"
)
SOURCE_ABSTRACT = (
    "In addition to the progressive loss of CD4 'helper' T lymphocytes, a profound defect in "
    "interleukin-2 (IL-2) production was recognized as a major pathogenic component of the new "
    "disease. For these reasons, attempts to administer IL-2 to individuals infected with the "
    "human immunodeficiency virus (HIV), the causative agent of AIDS, have been made since the "
    "mid eighties. A protocol of IL-2 administration resulted in the stable uprising of "
    "circulating CD4+ T cells."
)


def by_key(terms: list[Term]) -> dict[str, Term]:
    return {term.key: term for term in terms}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("interleukin-2", "Interleukin 2"),
        ("T-cells", "T cell"),
        ("T cells", "t-cell"),
        ("Crohn's disease", "Crohn disease"),
        ("Crohn\u2019s disease", "crohn disease"),
        ("Sjögren syndrome", "Sjogren syndrome"),
        ("Cytokines", "cytokine"),
        ("Immune Reconstitution", "immune reconstitution"),
        ("HIV/AIDS", "HIV AIDS"),
        ("CD4+ T cells", "CD4 T-cell"),
        ("MRIs", "MRI"),
        ("IMMUNE RECONSTITUTION", "immune reconstitution"),
        ("ﬁbrosis", "fibrosis"),  # NFKC: the "fi" ligature is two letters
    ],
)
def test_spellings_of_one_concept_share_a_key(one, other):
    assert normalise(one) == normalise(other)


def test_a_key_is_stemmed_words_joined_by_spaces():
    assert normalise("Interleukin-2") == "interleukin 2"
    assert normalise("T-cells") == "t cell"
    assert normalise("Crohn's disease") == normalise("crohn disease") == "crohn diseas"
    assert normalise("") == normalise("  ,. ") == ""


def test_acronyms_are_not_stemmed_into_words():
    assert normalise("AIDS") == "aids"
    assert normalise("AIDS") != normalise("aids")  # hearing aids
    assert normalise("HIV") == normalise("hiv") == "hiv"


def test_labels_keep_acronyms_and_are_otherwise_title_case():
    labels = {term.key: term.label for term in extract(SOURCE_TITLE, SOURCE_ABSTRACT)}
    assert labels[normalise("HIV")] == "HIV"
    assert labels[normalise("IL-2")] == "IL-2"
    assert labels[normalise("AIDS")] == "AIDS"
    assert labels[normalise("CD4+ T cells")] == "CD4+ T Cells"
    assert labels[normalise("immune reconstitution")] == "Immune Reconstitution"
    assert labels[normalise("interleukin-2")] == "Interleukin-2"
    assert labels[normalise("human immunodeficiency virus")] == "Human Immunodeficiency Virus"
    assert extract("Effects of pH on mRNA", "")[-1].label == "pH"


def test_the_label_is_the_most_frequent_form():
    terms = by_key(extract("", "T-cells and T cells. T cells again, and a T-cell."))
    assert terms["t cell"].label == "T Cells"
    assert terms["t cell"].count == 4


def test_stopwords_and_generic_words_are_never_a_concept_on_their_own():
    abstract = (
        "The results of this study show that patients in both groups were significantly "
        "improved. However, the method is also new, and its role and effect remain to be "
        "analysed. Data were collected in a cohort study."
    )
    terms = by_key(extract("A study of the results", abstract))
    alone = {normalise(word) for word in GENERIC | STOPWORDS}
    assert alone.isdisjoint(terms)
    for key in terms:
        assert not set(key.split()) & {normalise(word) for word in STOPWORDS}
    assert "cohort studi" in terms  # a generic word inside a concept is fine


def test_numbers_and_single_letters_only_inside_a_concept():
    terms = by_key(extract("", "In 127 adults with type 2 diabetes, vitamin D and 25 (P < 0.05) x"))
    assert "type 2 diabet" in terms
    assert "vitamin d" in terms
    assert not {"127", "2", "25", "0 05", "p", "d", "x", "type", "type 2"} & set(terms)


def test_markup_and_entities_in_abstracts_are_ignored():
    abstract = (
        "<p><b>METHODS:</b> <i>Mycobacterium tuberculosis</i> in CD4<sup>+</sup> T cells, "
        "in Sj&ouml;gren&#8217;s syndrome.</p><p><b>EXPERIMENTAL DESIGN:</b> Cohort.</p>"
    )
    terms = by_key(extract("", abstract))
    assert terms["mycobacterium tuberculosi"].label == "Mycobacterium Tuberculosis"
    assert terms["cd4 t cell"].label == "CD4+ T Cells"
    assert "sjogren syndrom" in terms
    words = {word for key in terms for word in key.split()}
    assert not words & {"p", "b", "i", "sup", "experiment", "experimental", "design"}


def test_title_and_keyword_occurrences_weigh_more_than_abstract_ones():
    assert TITLE_WEIGHT > ABSTRACT_WEIGHT
    in_title = by_key(extract("Malaria in children", ""))["malaria"]
    in_abstract = by_key(extract("", "Malaria in children"))["malaria"]
    in_keyword = by_key(extract("", "", ["Malaria"]))["malaria"]
    assert in_title.count > in_abstract.count
    assert in_title.count == in_keyword.count == TITLE_WEIGHT
    both = by_key(extract("Malaria", "Malaria and malaria."))["malaria"]
    assert both.count == TITLE_WEIGHT + 2 * ABSTRACT_WEIGHT


def test_a_keyword_is_a_concept_whole_even_with_stopwords():
    terms = by_key(extract("", "", ["Quality of Life", "Methods", "Type 2"]))
    assert terms["qualiti of life"].label == "Quality of Life"
    assert terms["life"].count == TITLE_WEIGHT
    assert not {"method", "type 2", "type"} & set(terms)


def test_a_phrase_always_followed_by_the_same_word_is_not_a_concept_of_its_own():
    abstract = (
        "Muscle-invasive bladder cancer. Acquired immune deficiency syndrome; immune deficiency"
    )
    terms = by_key(extract("", abstract))
    assert "muscl invas bladder cancer" in terms
    assert "bladder cancer" in terms  # always preceded by the same word: still a concept
    assert "muscl invas bladder" not in terms  # always followed by "cancer": a modifier
    assert "acquir immun defici" not in terms
    assert terms["immun defici"].count == 2  # also seen on its own
    assert "acquir" in terms  # single words stay


def test_an_acronym_defined_in_the_text_counts_for_its_long_form():
    terms = by_key(extract("", "Serum brain-derived neurotrophic factor (BDNF). BDNF and BDNF."))
    assert terms["bdnf"].count == 3
    assert terms["brain deriv neurotroph factor"].count == 1 + 3


def test_terms_are_sorted_by_key_and_the_same_every_time():
    first = extract(SOURCE_TITLE, SOURCE_ABSTRACT, ["HIV", "Cytokines", "IL-2"])
    assert first == extract(SOURCE_TITLE, SOURCE_ABSTRACT, ["HIV", "Cytokines", "IL-2"])
    assert [term.key for term in first] == sorted(term.key for term in first)


def test_terms_do_not_depend_on_hash_ordering():
    """Run in fresh interpreters with different string hash seeds, so set and dict orders that
    the output might lean on differ."""
    script = (
        "from publications.fingerprints.extract import extract\n"
        f"print(extract({SOURCE_TITLE!r}, {SOURCE_ABSTRACT!r}, ['HIV', 'Cytokines']))\n"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1
    assert "Term(key=" in outputs.pop()


def test_an_empty_text_has_no_concepts():
    assert extract("", "") == []
    assert extract("", "", []) == []
    assert extract("The", "<p>Of the, and 12 (3).</p>", ["", "  "]) == []


def test_recall_counts_keywords_found_exactly_or_by_containment():
    predicted = ["hiv infect", "cd4", "cytokin network", "immun", "t cell", "interleukin 2"]
    keywords = ["HIV", "CD4", "Cytokines", "Immune reconstitution", "IL-2", "cd4", "Male"]
    # hiv: inside "hiv infect"; cd4: equal; cytokines: inside "cytokin network"; immune
    # reconstitution: contains "immun"; IL-2 and Male: not found; "cd4" twice counts once.
    assert recall_at_k(predicted, keywords, k=10) == (4, 6)
    assert recall_at_k(predicted, keywords, k=10, rule="exact") == (1, 6)
    assert recall_at_k(predicted, keywords, k=1) == (1, 6)  # only "hiv infect" is looked at
    assert recall_at_k(predicted, [], k=10) == (0, 0)


def test_recall_containment_is_by_whole_words():
    assert recall_at_k(["cd40 ligand"], ["CD4"]) == (0, 1)
    assert recall_at_k(["t cell"], ["B cell"]) == (0, 1)
    with pytest.raises(ValueError):
        recall_at_k(["a"], ["a"], rule="fuzzy")


def test_the_compiled_stemmer_stems_as_the_reference_snowball_stemmer():
    """PyStemmer (C) makes the keys; snowballstemmer (pure Python, Snowball's reference port)
    must agree on the vocabulary of the real import fixtures."""
    import re
    from pathlib import Path

    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    folder = Path(__file__).parent / "data" / "import"
    text = " ".join(path.read_text(errors="ignore") for path in folder.iterdir())
    words = sorted({word.lower() for word in re.findall(r"[^\W\d_]+", text)})
    assert len(words) > 5000
    compiled, reference = Stemmer.Stemmer("english"), EnglishStemmer()
    assert [compiled.stemWord(w) for w in words] == [reference.stemWord(w) for w in words]
