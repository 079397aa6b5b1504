"""Builds publications/data/generate_vocabulary.json, the words `generate_publications` draws
titles, abstracts, keywords and names from, out of real bibliographic records.

Run by a developer, never by the portal (the portal reads only the JSON it writes):

    .venv/bin/python -m publications.generating.build_vocabulary ../shared/realdata

From the records' titles come topic phrases (a title cut at its function words: "Activation of
ERBB2 signaling causes resistance to…" gives "ERBB2 signaling"), the phrases that name a method
("multidimensional scaling analysis") and the settings after "in"/"among" ("in older adults");
from their keyword lists and MeSH headings, keywords; from their author lists, given and family
names (drawn apart again, so no real person is recreated). Each record is put in one of the four
ASJC groups by the words its journal title and title share with the ASJC names of each group.
Only words and short phrases are kept, never a sentence: the prose around them is written in
vocabulary.py.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
OUTPUT = DATA / "generate_vocabulary.json"
GROUPS = ("life", "health", "physical", "social")
GROUP_OF_ASJC = {
    "Life Sciences": "life",
    "Health Sciences": "health",
    "Physical Sciences": "physical",
    "Social Sciences & Humanities": "social",
}
# fmt: off
# Words that end a topic phrase in a title.
BREAK_WORDS = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "without",
    "within", "between", "among", "amongst", "and", "or", "but", "versus", "vs", "via", "into",
    "onto", "over", "under", "after", "before", "during", "through", "toward", "towards", "about",
    "as", "than", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do",
    "does", "did", "can", "could", "may", "might", "will", "would", "should", "its", "their",
    "our", "your", "his", "her", "this", "that", "these", "those", "which", "who", "whom",
    "whose", "what", "when", "where", "why", "how", "not", "no", "new", "novel", "using", "based",
    "following", "against", "across", "along", "around", "beyond", "near", "per", "upon", "while",
    "whether", "both", "either", "neither", "also", "more", "most", "less", "least", "very",
    "much", "many", "several", "some", "any", "all", "each", "every", "other", "another", "such",
    "same", "one", "two", "three", "four", "five", "first", "second", "third", "part", "causes",
    "cause", "caused", "causing", "induces", "induce", "induced", "inducing", "modulates",
    "modulate", "regulates", "regulate", "inhibits", "inhibit", "improves", "improve", "improved",
    "reduces", "reduce", "reduced", "increases", "increase", "increased", "predicts", "predict",
    "affects", "affect", "facilitates", "facilitate", "suggesting", "suggests", "suggest",
    "reveals", "reveal", "revealed", "shows", "show", "shown", "identifies", "identify",
    "identified", "enhances", "enhance", "promotes", "promote", "mediates", "mediate", "drives",
    "drive", "determines", "determine", "explains", "explain", "points", "point", "leads", "lead",
    "associated", "related", "compared", "obtain", "obtaining", "study", "certain", "relevant",
    "alone", "treated", "demonstrates", "demonstrate", "yet", "so", "if", "then", "there", "here",
    "bring", "brings", "protects", "protect", "assessed", "secondary", "en", "la", "el", "de",
    "des", "der", "die", "und", "les", "du",
}
# The last words of phrases that name a method.
METHOD_HEADS = {
    "analysis", "analyses", "model", "models", "modelling", "modeling", "simulation",
    "simulations", "trial", "survey", "sequencing", "spectrometry", "spectroscopy", "imaging",
    "microscopy", "regression", "estimation", "estimate", "framework", "algorithm", "algorithms",
    "assay", "assays", "experiment", "experiments", "meta-analysis", "review", "tomography",
    "cytometry", "interviews", "photometry", "method", "methods", "approach", "design",
    "learning", "measurement", "measurements", "monitoring", "mapping", "testing", "scaling",
    "characterization", "characterisation", "evaluation", "assessment", "selection", "proteomics",
    "computation", "sampling", "tests", "test", "stimulation", "screening", "scan",
}
# MeSH check tags and other headings that say nothing about a topic.
NOT_KEYWORDS = {
    "humans", "human", "male", "female", "animals", "adult", "aged", "middle aged", "young adult",
    "adolescent", "child", "child, preschool", "infant", "infant, newborn", "aged, 80 and over",
    "mice", "rats", "pregnancy", "cells, cultured", "cell line", "cell line, tumor",
    "time factors", "retrospective studies", "prospective studies", "follow-up studies",
    "cohort studies", "cross-sectional studies", "treatment outcome", "risk factors",
    "united states", "article", "controlled study", "major clinical study", "priority journal",
    "review", "journal article", "nonhuman", "animal", "mice, inbred c57bl",
    "rats, sprague-dawley", "congresses and conferences", "standards", "17",
}
# fmt: on
ACRONYM_RE = re.compile(r"[A-Z].*[A-Z0-9]|.*[a-z][A-Z]|[a-z]+[A-Z0-9]")
# Characters a phrase may not hold: markup, template braces, COPY's specials, mojibake.
UNSAFE_RE = re.compile(r"[\t\n\r\\{}<>\[\]|*#@$%^=~`\"\x80-\x9f\u00c3\u00e2\ufffd]")


@dataclass
class Record:
    title: str
    journal: str = ""
    keywords: list[str] = field(default_factory=list)
    authors: list[tuple[str, str]] = field(default_factory=list)  # (given, family)
    group: str = "health"  # the group when its words name none: the source's usual one


# Reading the sources


def text_of(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def strip_markup(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def crossref_records(path: Path) -> Iterator[Record]:
    for line in path.read_text(encoding="utf-8").splitlines():
        work = json.loads(line)
        authors = [(a.get("given", ""), a.get("family", "")) for a in work.get("author", [])]
        yield Record(
            title=strip_markup(" ".join(work.get("title") or [])),
            journal=" ".join(work.get("container-title") or []),
            keywords=list(work.get("subject") or []),
            authors=authors,
            group="physical",
        )


def pubmed_records(path: Path) -> Iterator[Record]:
    root = ET.parse(path).getroot()
    for citation in root.iter("MedlineCitation"):
        keywords = [text_of(k) for k in citation.iter("Keyword")]
        keywords += [text_of(d) for d in citation.iter("DescriptorName")]
        keywords += [text_of(s) for s in citation.iter("NameOfSubstance")]
        authors = [
            (text_of(a.find("ForeName")), text_of(a.find("LastName")))
            for a in citation.iter("Author")
        ]
        yield Record(
            title=text_of(citation.find(".//ArticleTitle")),
            journal=text_of(citation.find(".//Journal/Title")),
            keywords=keywords,
            authors=authors,
        )


def ris_records(path: Path, group: str) -> Iterator[Record]:
    record: Record | None = None
    tag = ""
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9])  -\s?(.*)$", raw)
        if match:
            tag, value = match[1], match[2].strip()
        elif tag == "KW" and raw.strip():
            value = raw.strip()  # Rayyan continues a KW field on plain lines
        else:
            continue
        if tag == "TY":
            record = Record(title="", group=group)
        elif record is None:
            continue
        elif tag == "ER":
            if record.title:
                yield record
            record = None
        elif tag in {"TI", "T1"} and not record.title:
            record.title = value
        elif tag in {"JO", "JF", "T2"} and not record.journal:
            record.journal = value
        elif tag == "KW":
            record.keywords.append(value)
        elif tag in {"AU", "A1"} and "," in value:
            family, given = value.split(",", 1)
            record.authors.append((given.strip(), family.strip()))


def csl_records(path: Path) -> Iterator[Record]:
    for item in json.loads(path.read_text(encoding="utf-8")):
        yield Record(
            title=strip_markup(item.get("title", "")),
            journal=item.get("container-title", ""),
            authors=[(a.get("given", ""), a.get("family", "")) for a in item.get("author", [])],
            group="physical",
        )


def read_records(root: Path) -> list[Record]:
    records = list(crossref_records(root / "crossref" / "works.jsonl"))
    for name in ("medline-2016-excerpt.xml", "biopython_pubmed1.xml", "biopython_pubmed2.xml"):
        records += pubmed_records(root / "pubmed" / name)
    for path in sorted((root / "ris").glob("*")):
        # asreview's baseline set is systematic reviews in the social sciences; the others are
        # medicine.
        records += ris_records(path, "social" if "baseline" in path.name else "health")
    records += csl_records(root / "csl-json" / "zotero-export.json")
    return records


# Classifying a record into an ASJC group


def stem(word: str) -> str:
    return word.lower()[:6]


def group_stems() -> dict[str, Counter]:
    """The stems of the words in each group's ASJC names ("immuno", "microb", …)."""
    generic = {"genera", "miscel", "scienc", "and", "the", "studie", "other", "applie", "health"}
    stems: dict[str, Counter] = {group: Counter() for group in GROUPS}
    with open(DATA / "asjc.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            group = GROUP_OF_ASJC.get(row["Subject area"])
            if group is None:
                continue
            for word in re.findall(r"[A-Za-z]{3,}", row["Field"]):
                if stem(word) not in generic:
                    stems[group][stem(word)] += 1
    return stems


def classify(record: Record, stems: dict[str, Counter], fallback: str) -> str:
    words = re.findall(r"[A-Za-z]{3,}", f"{record.journal} {record.journal} {record.title}")
    words += [w for k in record.keywords for w in re.findall(r"[A-Za-z]{3,}", k)]
    scores = {group: sum(1 for w in words if stem(w) in stems[group]) for group in GROUPS}
    best = max(GROUPS, key=lambda group: (scores[group], group == fallback))
    return best if scores[best] else fallback


# Phrases


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = text.replace("‐", "-").replace("–", "-").replace("’", "'")
    return " ".join(text.split()).strip(" .,;:!?'()")


def title_case(words: list[str]) -> bool:
    """Whether a title capitalises its words (Title Case) rather than only its proper nouns."""
    inner = [w for w in words[1:] if len(w) > 3 and w[:1].isalpha()]
    return bool(inner) and sum(w[:1].isupper() for w in inner) / len(inner) > 0.6


def fold_case(word: str, first: bool, titled: bool) -> str:
    """A word as it reads mid-sentence: acronyms and (in sentence-case titles) proper nouns
    keep their capitals."""
    if ACRONYM_RE.fullmatch(word):
        return word
    if first or titled:
        return word.lower()
    return word


def phrases(title: str) -> Iterator[list[str]]:
    """The title's runs of words between function words, punctuation and numbers."""
    words = clean(title).split()
    titled = title_case(words)
    run: list[str] = []
    for position, raw in enumerate(words):
        word = raw.strip(".,;:!?()'")
        ends = raw != word and raw[-1:] in ".,;:!?)"
        if (
            not any(char.isalnum() for char in word)
            or word.lower() in BREAK_WORDS
            or re.search(r"\d{2,}", word)
            and not ACRONYM_RE.fullmatch(word)
            or UNSAFE_RE.search(word)
            or raw[:1] == "("
        ):
            if run:
                yield run
            run = []
            continue
        run.append(fold_case(word, position == 0, titled))
        if ends:
            yield run
            run = []
    if run:
        yield run


def acceptable(phrase: str, most_words: int = 5) -> bool:
    words = phrase.split()
    return (
        1 <= len(words) <= most_words
        and words[0].lower() not in {"vitro", "vivo", "silico", "situ"}
        and 4 <= len(phrase) <= 70
        and not UNSAFE_RE.search(phrase)
        and words[-1].lower() not in BREAK_WORDS
        and not re.fullmatch(r"[\d\W]+", phrase)
        and phrase.count("(") == phrase.count(")")
        and not phrase.endswith("-")
    )


def keyword_form(term: str) -> str:
    """A keyword as librarians enter them: "Carcinoma, Non-Small-Cell Lung" reads
    "Non-Small-Cell Lung Carcinoma"; a first letter capitalised."""
    term = clean(term)
    if term.count(",") == 1:
        head, qualifier = (part.strip() for part in term.split(","))
        if not ACRONYM_RE.fullmatch(head.split()[0]):
            head = head[:1].lower() + head[1:]
        term = f"{qualifier} {head}"
    return term[:1].upper() + term[1:]


def contexts(title: str) -> Iterator[str]:
    """'in older adults', 'among patients with …' from a title."""
    for match in re.finditer(r"\b(in|among)\s+([^:;,.?()\[\]]{6,})", clean(title)):
        words = match[2].split()
        if 2 <= len(words) <= 6 and not BREAK_WORDS & {w.lower() for w in words[1:]} - {
            "of",
            "with",
            "and",
            "the",
            "a",
            "an",
        }:
            text = f"{match[1]} {' '.join(words)}"
            titled = title_case(clean(title).split())
            yield " ".join(fold_case(w, False, titled) for w in text.split())


def build(root: Path) -> dict:
    stems = group_stems()
    records = read_records(root)
    topics: dict[str, Counter] = defaultdict(Counter)
    methods: dict[str, Counter] = defaultdict(Counter)
    settings: dict[str, Counter] = defaultdict(Counter)
    keywords: dict[str, Counter] = defaultdict(Counter)
    given: Counter = Counter()
    family: Counter = Counter()
    for record in records:
        group = classify(record, stems, record.group)
        for run in phrases(record.title):
            phrase = " ".join(run)
            if not acceptable(phrase):
                continue
            if run[-1].lower() in METHOD_HEADS and len(run) >= 2:
                methods[group][phrase] += 1
            elif len(run) >= 2:
                topics[group][phrase] += 1
        for setting in contexts(record.title):
            if acceptable(setting, most_words=7):
                settings[group][setting] += 1
        for term in record.keywords:
            term = keyword_form(term)
            if term.lower() in NOT_KEYWORDS or not acceptable(term) or len(term) < 3:
                continue
            keywords[group][term] += 1
        for first, last in record.authors:
            first, last = clean(first), clean(last)
            if re.fullmatch(r"[\w'-]{2,}(?: [\w'-]{2,})?", first) and not first.isupper():
                given[first.split()[0]] += 1
            if (
                re.fullmatch(r"[\w'-]+(?: [\w'-]+){0,2}", last)
                and len(last) >= 2
                and not last.isupper()
                and last[:1].isupper()
            ):
                family[last] += 1
    for group in GROUPS:
        # A one-word keyword ("Endometriosis", "HIV") is a topic too, as it reads mid-sentence.
        for term in keywords[group]:
            if " " not in term and len(term) >= 4:
                topics[group][fold_case(term, True, False)] += 1
    return {
        "about": (
            "Words and phrases for generate_publications, built by "
            "publications/generating/build_vocabulary.py from real bibliographic records "
            "(Crossref works, MEDLINE citations, RIS and CSL-JSON exports; see "
            "publications/tests/data/import/README.md for their origins)."
        ),
        "names": {"given": sorted(given), "family": sorted(family)},
        "groups": {
            group: {
                "topics": unique_sorted(topics[group]),
                "methods": unique_sorted(methods[group]),
                "settings": unique_sorted(settings[group]),
                "keywords": unique_sorted(keywords[group]),
            }
            for group in GROUPS
        },
    }


def unique_sorted(counter: Counter) -> list[str]:
    """Each phrase once regardless of case (its most frequent form), sorted."""
    forms: dict[str, tuple[int, str]] = {}
    for phrase, count in counter.items():
        key = phrase.lower()
        if key not in forms or count > forms[key][0]:
            forms[key] = (count, phrase)
    return sorted(phrase for _, phrase in forms.values())


def main(argv: list[str]) -> None:
    root = Path(argv[1]) if len(argv) > 1 else Path("../shared/realdata")
    vocabulary = build(root)
    OUTPUT.write_text(json.dumps(vocabulary, ensure_ascii=False, indent=0) + "\n", "utf-8")
    sizes = {g: {k: len(v) for k, v in d.items()} for g, d in vocabulary["groups"].items()}
    sys.stdout.write(
        f"{OUTPUT}: {sizes}; names {len(vocabulary['names']['given'])} given, "
        f"{len(vocabulary['names']['family'])} family\n"
    )


if __name__ == "__main__":
    main(sys.argv)
