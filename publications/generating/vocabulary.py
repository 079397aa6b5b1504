"""What generated records are made of: the words mined from real records
(data/generate_vocabulary.json, see build_vocabulary.py) and the prose written here around them:
title and abstract templates, journal-title patterns, publishers, roles, places.

The templates' slots: {topic}, {topic2}, {topic3} (phrases of the record's field), {method},
{method2}, {setting} ("in older adults"), {field} (the ASJC name of its subject area), {unit}
(what was studied: patients, samples, respondents…), {n}, {k}, {pct}, {period}, {stat}, {pval},
{change}. A capitalised slot ({Topic}) is the phrase with its first letter capitalised.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from publications.models import OutputType

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "generate_vocabulary.json"
GROUPS = ("life", "health", "physical", "social")
# COPY's text format gives tab, newline and backslash a meaning; every word is checked once on
# loading, so the rows built from them need no escaping.
UNSAFE = re.compile(r"[\t\n\r\\]")

# ---------------------------------------------------------------------------------------------
# Words by group, written here where the mined ones are few (the social sciences above all).

# fmt: off
EXTRA_METHODS = {
    "life": (
        "RNA sequencing", "whole-genome sequencing", "confocal microscopy",
        "a knockout mouse model", "quantitative PCR", "CRISPR-Cas9 screening",
        "phylogenetic analysis", "flow cytometry", "metabolomic profiling", "a field experiment",
        "mass spectrometry", "cryo-electron microscopy",
    ),
    "health": (
        "a randomised controlled trial", "a retrospective cohort study", "a case-control study",
        "a cross-sectional survey", "multivariable logistic regression", "a systematic review",
        "Cox proportional hazards models", "a prospective cohort study",
        "propensity score matching",
    ),
    "physical": (
        "density functional theory", "finite element analysis", "Monte Carlo simulation",
        "molecular dynamics simulations", "X-ray diffraction", "numerical simulation",
        "a convex optimisation approach", "machine learning", "spectroscopic analysis",
        "a stochastic model", "remote sensing", "high-resolution imaging",
    ),
    "social": (
        "semi-structured interviews", "a panel survey", "discourse analysis",
        "multilevel regression", "ethnographic fieldwork", "a natural experiment",
        "difference-in-differences analysis", "qualitative content analysis",
        "a discrete choice experiment", "archival research", "structural equation modelling",
        "a mixed-methods design", "comparative case studies",
    ),
}
EXTRA_SETTINGS = {
    "life": (
        "in mice", "in zebrafish embryos", "in human cell lines", "in Arabidopsis thaliana",
        "in temperate forests", "in freshwater ecosystems", "in primary human macrophages",
    ),
    "health": (
        "in older adults", "in primary care", "in children and adolescents", "in intensive care",
        "in patients with type 2 diabetes", "in a population-based cohort", "in pregnant women",
    ),
    "physical": (
        "at room temperature", "under high pressure", "in thin films", "in urban catchments",
        "in wireless sensor networks", "in the early universe", "in porous media",
        "in coastal regions", "in large-scale distributed systems",
    ),
    "social": (
        "in European cities", "in secondary schools", "among young adults", "in rural communities",
        "in small and medium-sized enterprises", "in post-war Europe", "among migrant workers",
        "in the public sector", "in online communities", "in developing economies",
    ),
}
UNITS = {
    "life": (
        "samples", "specimens", "animals", "cell lines", "individuals", "plots",
    ),
    "health": (
        "patients", "participants", "adults", "children", "women", "cases",
    ),
    "physical": (
        "samples", "simulations", "specimens", "observations", "devices", "sites",
    ),
    "social": (
        "respondents", "participants", "households", "firms", "students", "interviews",
    ),
}
STATS = {
    "life": (
        "r = 0.{d2}, p < 0.001", "fold change {f1}, p = 0.0{d1}", "p < 0.01",
    ),
    "health": (
        "odds ratio 1.{d2}, 95% CI 1.0{d1} to 1.{d3}", "hazard ratio 0.{d2}, p = 0.0{d1}",
        "relative risk 1.{d2}, p = 0.0{d1}",
    ),
    "physical": (
        "R² = 0.9{d1}", "mean error {f1}%", "a speed-up of {f1} times",
    ),
    "social": (
        "β = 0.{d2}, p = 0.0{d1}", "r = 0.{d2}", "p < 0.05",
    ),
}
CHANGES = (
    "marked increase", "modest decrease", "substantial reduction", "small but consistent rise",
    "significant improvement", "clear shift", "steady decline", "twofold increase",
)
# fmt: on

# ---------------------------------------------------------------------------------------------
# Titles

TITLE_TEMPLATES = (
    "{Topic} {setting}",
    "{Topic} and {topic2} {setting}",
    "{Topic} and {topic2}: evidence from {method}",
    "{Topic}: {method}",
    "Effects of {topic} on {topic2}",
    "The role of {topic} in {topic2}",
    "Association between {topic} and {topic2} {setting}",
    "{Method} of {topic}",
    "{Method} of {topic} {setting}",
    "Towards a better understanding of {topic}",
    "Rethinking {topic}: insights from {method}",
    "Long-term trends in {topic} {setting}",
    "{Topic} as a determinant of {topic2}",
    "New perspectives on {topic} in {field}",
    "On the relation between {topic} and {topic2}",
    "Predictors of {topic} {setting}",
    "Changes in {topic} {setting}",
    "Mechanisms linking {topic} to {topic2}",
    "Assessing {topic} with {method}",
    "{Topic}, {topic2} and {topic3}",
    "Does {topic} explain {topic2}?",
    "{Topic} {setting}: a {span} perspective",
)
TYPE_TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    OutputType.REVIEW_ARTICLE: (
        "{Topic}: a systematic review",
        "{Topic} and {topic2}: a review of the evidence",
        "Recent advances in {topic}",
        "{Topic} {setting}: a narrative review",
        "{Topic} in {field}: state of the art and open questions",
    ),
    OutputType.EDITORIAL: (
        "{Topic}: where do we stand?",
        "Why {topic} matters for {field}",
        "Introduction to the special issue on {topic}",
    ),
    OutputType.COMMENT: (
        "Reply to: {Topic} and {topic2}",
        "{Topic}: a response to the debate",
        "Comment on {topic} {setting}",
    ),
    OutputType.LETTER: ("{Topic} {setting}: a brief report", "A note on {topic} and {topic2}"),
    OutputType.CONFERENCE_ABSTRACT: (
        "{Topic} {setting}: preliminary results",
        "Early results on {topic} from {method}",
    ),
    OutputType.CONFERENCE_POSTER: ("{Topic} {setting}: preliminary results",),
    OutputType.BOOK: (
        "{Topic}: theory and practice",
        "Handbook of {topic}",
        "{Field}: {topic} and {topic2}",
    ),
    OutputType.ANTHOLOGY: ("Studies in {topic} and {topic2}", "Perspectives on {topic}"),
    OutputType.REPORT: ("Report on {topic} {setting}", "{Topic} and {topic2}: policy options"),
    OutputType.DOCTORAL_THESIS: (
        "{Topic} and {topic2}: {method} {setting}",
        "Essays on {topic}",
        "Understanding {topic}: studies with {method}",
    ),
    OutputType.MASTERS_THESIS: ("{Topic} {setting}", "{Method} of {topic}"),
    OutputType.WORKING_PAPER: ("{Topic} and {topic2} {setting}", "{Topic}: new evidence"),
}
SUBTITLES = ("a comparative study", "evidence from {method}", "a {span} perspective")

# ---------------------------------------------------------------------------------------------
# Abstracts: a background, an aim, the methods, results until the abstract is long enough,
# and a conclusion. Group-specific sentences join the common ones of their section.

BACKGROUND = (
    "{Topic} is a central question in {field}, yet its relation to {topic2} remains poorly "
    "understood.",
    "Although {topic} has been studied for decades, little is known about its interaction with "
    "{topic2}.",
    "Evidence on {topic} {setting} is scarce and often inconsistent.",
    "Recent work has drawn attention to {topic} as a possible driver of {topic2}.",
    "{Topic} has become an important subject in {field} over the past decade.",
    "Previous studies of {topic} relied mainly on small samples and short observation periods.",
    "The mechanisms that link {topic} to {topic2} are still debated.",
    "Understanding {topic} is essential for progress in {field}.",
    "Despite growing interest in {topic}, few studies have examined {topic2} {setting}.",
    "Current approaches to {topic} do not account for {topic2}.",
)
AIMS = (
    "This study aimed to assess the relationship between {topic} and {topic2} {setting}.",
    "Here we examine {topic} {setting} using {method}.",
    "We set out to determine whether {topic} predicts {topic2}.",
    "The objective of this work was to characterise {topic} and to quantify its effect on "
    "{topic2}.",
    "In this paper we propose a new account of {topic} based on {method}.",
    "We investigated how {topic} changes {setting}.",
)
METHODS = (
    "We combined {method} with {method2} in {n} {unit}.",
    "Data from {n} {unit} collected between {period} were analysed with {method}.",
    "The analysis drew on {method} and accounted for {topic3}.",
    "Outcomes were compared across {k} groups defined by {topic3}.",
    "We used {method} to estimate the contribution of {topic} to {topic2}.",
    "A total of {n} {unit} met the inclusion criteria.",
    "Sensitivity analyses examined the robustness of the results to alternative definitions of "
    "{topic3}.",
)
RESULTS = (
    "{Topic} was associated with {topic2} ({stat}).",
    "We observed a {change} in {topic2} among {unit} with higher levels of {topic}.",
    "Overall, {pct}% of {unit} showed signs of {topic3}.",
    "The effect of {topic} on {topic2} was strongest {setting}.",
    "{Method} identified {k} distinct patterns of {topic2}.",
    "After adjustment for {topic3}, the association remained significant ({stat}).",
    "No consistent relationship between {topic3} and {topic2} was found.",
    "{Topic2} differed substantially between groups ({pval}).",
    "The results were consistent across {k} independent samples.",
    "Compared with {method2}, {method} improved the estimates by {pct}%.",
    "These differences persisted over the whole observation period.",
    "The largest changes occurred in {topic3}, which accounted for {pct}% of the variation.",
    "A {change} in {topic} was seen in {pct}% of {unit}.",
)
CONCLUSIONS = (
    "These findings suggest that {topic} plays a key role in {topic2}.",
    "Our results have implications for research on {topic2} and for practice in {field}.",
    "Further studies are needed to establish whether {topic} is causally related to {topic2}.",
    "{Topic} should be considered when designing studies of {topic2}.",
    "Together, these data point to new directions for research on {topic} {setting}.",
    "The approach described here can be extended to other questions in {field}.",
    "In conclusion, {method} offers a practical way to study {topic}.",
)
GROUP_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "health": {
        "background": (
            "{Topic} is a leading cause of morbidity {setting}, but its management remains "
            "controversial.",
        ),
        "methods": (
            "Patients were followed for a median of {k} years, and {topic2} was recorded at each "
            "visit.",
        ),
        "results": ("Adverse events were rare and did not differ between groups ({pval}).",),
        "conclusions": ("These results support the use of {method} in routine clinical practice.",),
    },
    "life": {
        "background": ("{Topic} is conserved across species, but its function is poorly known.",),
        "methods": ("Expression of {topic2} was measured with {method2} in {n} {unit}.",),
        "results": ("Loss of {topic} reduced {topic2} by {pct}% ({stat}).",),
        "conclusions": ("These data reveal a previously unrecognised function of {topic}.",),
    },
    "physical": {
        "background": ("Models of {topic} usually neglect the influence of {topic2}.",),
        "methods": ("The model was validated against {n} {unit} and an analytical solution.",),
        "results": ("The proposed method reduced the error by {pct}% ({stat}).",),
        "conclusions": ("The framework extends naturally to {topic3}.",),
    },
    "social": {
        "background": ("Debates on {topic} have shaped policy {setting} for a generation.",),
        "methods": ("We drew on {method} with {n} {unit} between {period}.",),
        "results": (
            "Respondents who reported {topic} were more likely to report {topic2} ({stat}).",
        ),
        "conclusions": ("We discuss the implications for policy on {topic2}.",),
    },
}

# ---------------------------------------------------------------------------------------------
# Journals, books and conferences

# fmt: off
JOURNAL_TEMPLATES = (
    "Journal of {X}", "{X} Research", "International Journal of {X}", "Annals of {X}",
    "Advances in {X}", "{X} Letters", "{X} Reports", "European Journal of {X}",
    "Journal of {X} and {Y}", "{X} and {Y}", "Current Opinion in {X}", "Frontiers of {X}",
    "Review of {X}", "{X} Quarterly", "Asian Journal of {X}", "Nordic Journal of {X}",
    "American Journal of {X}", "Journal of Applied {X}", "Progress in {X}", "{X} Today",
    "Studies in {X}", "Archives of {X}", "Acta {X}", "Open Journal of {X}",
    "{X}: Theory and Practice",
)
ABBREVIATIONS = {
    "journal": "J", "international": "Int", "research": "Res", "annals": "Ann", "advances": "Adv",
    "european": "Eur", "american": "Am", "asian": "Asian", "nordic": "Nord", "letters": "Lett",
    "reports": "Rep", "current": "Curr", "opinion": "Opin", "review": "Rev", "quarterly": "Q",
    "applied": "Appl", "progress": "Prog", "studies": "Stud", "archives": "Arch", "open": "Open",
    "theory": "Theory", "practice": "Pract", "science": "Sci", "sciences": "Sci",
    "medicine": "Med", "medical": "Med", "biology": "Biol", "biological": "Biol",
    "chemistry": "Chem", "chemical": "Chem", "physics": "Phys", "engineering": "Eng",
    "technology": "Technol", "computational": "Comput", "environmental": "Environ",
    "management": "Manag", "economics": "Econ", "psychology": "Psychol", "clinical": "Clin",
    "molecular": "Mol", "materials": "Mater", "mathematics": "Math", "mathematical": "Math",
    "social": "Soc", "health": "Health", "frontiers": "Front", "education": "Educ",
    "development": "Dev", "analysis": "Anal",
}
PUBLISHERS = (
    "Meridian Scientific", "Harbour Academic Press", "Castellan & Rowe",
    "Northgate University Press", "Albion Scholarly", "Lindqvist Academic", "Vanterpool Press",
    "Orchard Science Publishing", "Kestrel Academic", "Bramwell & Sons", "Aurelian Press",
    "Silverline Scientific",
)
PUBLISHER_PLACES = (
    "London", "Cambridge", "Amsterdam", "Berlin", "New York", "Milan", "Oxford",
)
CONFERENCE_PATTERNS = (
    "International Conference on {X}", "European Congress of {X}", "Annual Meeting on {X}",
    "World Congress on {X}", "Symposium on {X}", "Workshop on {X}",
)
CONFERENCE_PLACES = (
    "Milan, Italy", "Vienna, Austria", "Lisbon, Portugal", "Barcelona, Spain",
    "Copenhagen, Denmark", "Boston, United States", "Kyoto, Japan", "Prague, Czech Republic",
    "Montreal, Canada", "Melbourne, Australia", "Edinburgh, United Kingdom", "Berlin, Germany",
)
HOST_PATTERNS = (
    "Proceedings of the {X} Conference", "Advances in {X}", "Handbook of {X}",
    "{X}: Methods and Protocols", "Perspectives on {X}",
)
# Invented places: the generated institution is none that exists.
UNIVERSITY_PLACES = (
    "Northbridge", "Eastmere", "Westhaven", "Kingsford", "Ashcombe", "Larkspur", "Fenwick",
    "Stonebury", "Redmarsh", "Oakhollow", "Brightwater", "Calderwood", "Highmoor", "Elmstead",
)
ROLES = (
    ("Professor", 8), ("Associate Professor", 10), ("Assistant Professor", 12),
    ("Postdoctoral researcher", 20), ("PhD student", 30), ("Researcher", 15), ("Lecturer", 5),
)
# fmt: on


@dataclass(frozen=True)
class Words:
    """The mined words of one group, ready to draw from."""

    topics: tuple[str, ...]
    methods: tuple[str, ...]
    settings: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    groups: dict[str, Words]
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """The mined words (read once per process), each group's few methods and settings widened
    with the ones written above, and life and health sharing their topics (MEDLINE, where most
    of the words come from, does not tell the two apart)."""
    data = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    mined = data["groups"]
    groups = {}
    for group in GROUPS:
        topics = list(mined[group]["topics"])
        if group in ("life", "health"):
            other = "health" if group == "life" else "life"
            topics += mined[other]["topics"][::3]
        groups[group] = Words(
            topics=tuple(dict.fromkeys(topics)),
            methods=tuple(dict.fromkeys([*mined[group]["methods"], *EXTRA_METHODS[group]])),
            settings=tuple(dict.fromkeys([*mined[group]["settings"], *EXTRA_SETTINGS[group]])),
            keywords=tuple(mined[group]["keywords"]),
        )
    result = Vocabulary(
        groups=groups,
        given_names=tuple(data["names"]["given"]),
        family_names=tuple(data["names"]["family"]),
    )
    check_safe(result)
    return result


def check_safe(words: Vocabulary) -> None:
    texts = [*words.given_names, *words.family_names]
    for group in words.groups.values():
        texts += [*group.topics, *group.methods, *group.settings, *group.keywords]
    unsafe = [text for text in texts if UNSAFE.search(text) or "{" in text or "}" in text]
    if unsafe:
        raise ValueError(f"{VOCABULARY_FILE.name} holds unusable text: {unsafe[:3]!r}")
