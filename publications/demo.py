"""The demo data behind `manage.py load_demo`: the source record of the Pure page the portal is
modelled on, and a deterministic collection of some 540 more publications with their persons,
organisations and journals, so that every page has something true to show.

`build_demo()` describes everything in plain Python (a seeded random.Random, no database, no
network); `load_demo_data()` writes it. Rows are found by natural keys (organisation slug, journal
ISSN, person ORCID or slug, publication DOI or slug) and only rewritten when they differ from the
description, so a second run changes nothing and keeps every id. Running it again also restores
demo records a librarian has edited.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from publications.models import (
    CATEGORY_OF_TYPE,
    JOURNAL,
    STATUS_ORDER,
    Authorship,
    DatePrecision,
    Journal,
    Keyword,
    Membership,
    OpenAccess,
    Organisation,
    OrganisationKind,
    OutputType,
    Person,
    PersonNameVariant,
    Publication,
    PublicationKeyword,
    PublicationLink,
    PublicationStatus,
    PublicationStatusEntry,
    SubjectArea,
    Visibility,
    WorkflowState,
    initials_of,
)
from publications.validators import issn_check_digit, orcid_check_digit

SEED = 1997
PUBLIC_COUNT = 520  # besides the source record
LATEST_DATE = datetime.date(2026, 9, 30)  # no demo record is dated later than this
BATCH = 100  # publications written per round trip; progress is reported after each

SOURCE_TITLE = (
    "Experiences in immune reconstitution. The rationale for interleukin-2 administration to "
    "HIV-infected individuals"
)
SOURCE_ABSTRACT = (
    "Since the clinical earliest descriptions of patients with acquired immune deficiency "
    "syndrome (AIDS) it has been very clear that a profound state of immunologic dysfunction was "
    "the underlying cause of the emergence of life-threatening opportunistic infections and "
    "tumors. In addition to the progressive loss of CD4 'helper' T lymphocytes, a profound defect "
    "in interleukin-2 (IL-2) production was recognized as a major pathogenic component of the new "
    "disease. For these reasons, attempts to administer IL-2 to individuals infected with the "
    "human immunodeficiency virus (HIV), the causative agent of AIDS, have been made since the "
    "mid eighties, however with little success. On the other hand, the propensity of HIV to "
    "replicate in activated lymphocytes and macrophages, under the influence of the cytokine "
    "network, has represented, and in part still does, a major hurdle for the rationale of "
    "administering IL-2 or other cytokines to HIV-infected individuals. Major steps forward "
    "towards an understanding of the role of multiple components of the immune system, coupled "
    "with a potentially successful protocol of IL-2 administration in vivo, resulting in the "
    "stable uprising of circulating CD4+ T cells, shed an optimistic light on the possibility to "
    "achieve a substantial immune reconstitution in HIV-infected individuals, thus preventing the "
    "onset of AIDS."
)
SOURCE_KEYWORDS = ("CD4", "CD8", "Cytokines", "HIV", "IL-2", "Immunreconstitution")
# Immunology; Endocrinology, Diabetes and Metabolism; Endocrinology; Physiology (medical);
# Medicine (miscellaneous); Physiology; Agricultural and Biological Sciences(all): the page's order.
SOURCE_SUBJECT_CODES = (2403, 2712, 1310, 2737, 2701, 1314, 1100)
SOURCE_ISSN = "0393-974X"
INSTITUTION = "University of Example"
INSTITUTION_ROR = "05f950310"


def demo_slug(text: str, max_length: int = 80) -> str:
    """A readable slug cut at a word boundary: en dashes in year ranges become hyphens."""
    slug = slugify(text.replace("–", "-").replace("—", "-"))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug.strip("-") or "item"


SOURCE_SLUG = demo_slug(SOURCE_TITLE)


def source_publication() -> Publication:
    """The source record (raises Publication.DoesNotExist until load_demo has run)."""
    return Publication.objects.get(slug=SOURCE_SLUG)


# ---------------------------------------------------------------------------------------------
# What the demo holds, as plain data


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    kind: str
    parent: str | None = None  # slug
    ror: str = ""


@dataclass(frozen=True)
class JournalSpec:
    title: str
    abbreviation: str
    issn: str
    eissn: str
    publisher: str
    codes: tuple[int, ...]
    since: int  # first volume; volume numbers count from it
    languages: tuple[str, ...] = ("en",)

    @property
    def slug(self) -> str:
        return demo_slug(self.title)


@dataclass(frozen=True)
class MembershipSpec:
    organisation: str  # slug
    role: str
    start: datetime.date | None = None
    end: datetime.date | None = None


@dataclass
class PersonSpec:
    slug: str
    given_name: str
    family_name: str
    initials: str
    is_internal: bool
    field: str
    orcid: str = ""
    memberships: list[MembershipSpec] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)

    @property
    def printed_name(self) -> str:
        return f"{self.initials} {self.family_name}".strip()

    @property
    def active_from(self) -> int:
        """The first year the person can plausibly publish."""
        starts = [m.start.year for m in self.memberships if m.start]
        return min(starts) - 2 if starts else 1900

    def organisation_on(self, date: datetime.date) -> str | None:
        """The organisation the person belonged to on that date, else their first one."""
        for membership in self.memberships:
            if (membership.start is None or membership.start <= date) and (
                membership.end is None or date <= membership.end
            ):
                return membership.organisation
        return self.memberships[0].organisation if self.memberships else None


@dataclass(frozen=True)
class AuthorSpec:
    person: str  # slug
    name_as_printed: str
    affiliations: tuple[str, ...] = ()  # organisation slugs
    role: str = "author"
    corresponding: bool = False


@dataclass(frozen=True)
class StatusSpec:
    status: str
    date: datetime.date
    precision: str


@dataclass
class PublicationSpec:
    slug: str
    values: dict  # Publication field values; "journal" is a JournalSpec or None
    authors: list[AuthorSpec]
    keywords: list[str]
    statuses: list[StatusSpec]
    codes: tuple[int, ...]
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, label)


@dataclass
class DemoData:
    organisations: list[OrganisationSpec]
    journals: list[JournalSpec]
    persons: list[PersonSpec]
    publications: list[PublicationSpec]


@dataclass(frozen=True)
class DemoSummary:
    publications: int
    created: int
    updated: int
    persons: int
    organisations: int
    journals: int

    def __str__(self) -> str:
        return (
            f"Demo data: {self.publications} publications ({self.created} new, {self.updated} "
            f"updated), {self.persons} persons, {self.organisations} organisations, "
            f"{self.journals} journals."
        )


# ---------------------------------------------------------------------------------------------
# Organisations

UNIVERSITY = "university-of-example"
IMMUNOLOGY_DEPARTMENT = "department-of-immunology-and-infectious-diseases"

ORGANISATIONS = [
    OrganisationSpec(UNIVERSITY, INSTITUTION, OrganisationKind.UNIVERSITY, ror=INSTITUTION_ROR),
    OrganisationSpec("faculty-of-medicine", "Faculty of Medicine", "faculty", UNIVERSITY),
    OrganisationSpec("faculty-of-science", "Faculty of Science", "faculty", UNIVERSITY),
    OrganisationSpec("faculty-of-engineering", "Faculty of Engineering", "faculty", UNIVERSITY),
    OrganisationSpec(
        "faculty-of-humanities-and-social-sciences",
        "Faculty of Humanities and Social Sciences",
        "faculty",
        UNIVERSITY,
    ),
    OrganisationSpec(
        IMMUNOLOGY_DEPARTMENT,
        "Department of Immunology and Infectious Diseases",
        "department",
        "faculty-of-medicine",
    ),
    OrganisationSpec(
        "aids-immunopathogenesis-unit",
        "AIDS Immunopathogenesis Unit",
        "research_group",
        IMMUNOLOGY_DEPARTMENT,
    ),
    OrganisationSpec(
        "department-of-endocrinology-and-metabolism",
        "Department of Endocrinology and Metabolism",
        "department",
        "faculty-of-medicine",
    ),
    OrganisationSpec(
        "diabetes-research-group",
        "Diabetes Research Group",
        "research_group",
        "department-of-endocrinology-and-metabolism",
    ),
    OrganisationSpec(
        "department-of-chemistry", "Department of Chemistry", "department", "faculty-of-science"
    ),
    OrganisationSpec(
        "materials-chemistry-group",
        "Materials Chemistry Group",
        "research_group",
        "department-of-chemistry",
    ),
    OrganisationSpec(
        "department-of-physics", "Department of Physics", "department", "faculty-of-science"
    ),
    OrganisationSpec(
        "department-of-biology", "Department of Biology", "department", "faculty-of-science"
    ),
    OrganisationSpec(
        "department-of-computer-science",
        "Department of Computer Science",
        "department",
        "faculty-of-science",
    ),
    OrganisationSpec(
        "machine-learning-group",
        "Machine Learning Group",
        "research_group",
        "department-of-computer-science",
    ),
    OrganisationSpec(
        "department-of-civil-and-environmental-engineering",
        "Department of Civil and Environmental Engineering",
        "department",
        "faculty-of-engineering",
    ),
    OrganisationSpec(
        "department-of-economics",
        "Department of Economics",
        "department",
        "faculty-of-humanities-and-social-sciences",
    ),
    OrganisationSpec(
        "department-of-history",
        "Department of History",
        "department",
        "faculty-of-humanities-and-social-sciences",
    ),
    OrganisationSpec(
        "department-of-psychology",
        "Department of Psychology",
        "department",
        "faculty-of-humanities-and-social-sciences",
    ),
    OrganisationSpec(
        "northbridge-university-hospital", "Northbridge University Hospital", "external"
    ),
    OrganisationSpec(
        "alpine-institute-for-advanced-study", "Alpine Institute for Advanced Study", "external"
    ),
    OrganisationSpec(
        "harbour-city-institute-of-technology",
        "Harbour City Institute of Technology",
        "external",
    ),
    OrganisationSpec(
        "centro-ricerche-biomediche-lombardo", "Centro Ricerche Biomediche Lombardo", "external"
    ),
]
EXTERNAL_ORGANISATIONS = [spec.slug for spec in ORGANISATIONS if spec.kind == "external"]


# ---------------------------------------------------------------------------------------------
# Research fields: where their people work, where they publish, and the words they use


@dataclass(frozen=True)
class JournalDraft:
    """A journal before its ISSNs are drawn."""

    title: str
    abbreviation: str
    publisher: str
    codes: tuple[int, ...]
    since: int
    languages: tuple[str, ...] = ("en",)
    eissn: bool = True


@dataclass(frozen=True)
class ResearchField:
    key: str
    weight: float
    department: str
    group: str | None
    codes: tuple[int, ...]  # for outputs outside a journal
    journals: tuple[JournalDraft, ...]
    discipline: str
    topics: tuple[str, ...]
    contexts: tuple[str, ...]
    agents: tuple[str, ...]
    methods: tuple[str, ...]
    keywords: tuple[str, ...]
    languages: tuple[tuple[str, int], ...] = (("en", 1),)
    medical: bool = False
    types: tuple[tuple[str, int], ...] = ()  # extra weights on top of BASE_TYPES


# fmt: off
FIELDS: tuple[ResearchField, ...] = (
    ResearchField(
        key="immunology", weight=1.6, medical=True,
        department=IMMUNOLOGY_DEPARTMENT,
        group="aids-immunopathogenesis-unit", codes=(2403, 2725),
        journals=(
            JournalDraft(
                "Clinical and Experimental Retrovirology", "Clin Exp Retrovirol",
                "Meridian Scientific", (2403, 2406, 2725), 1989,
            ),
            JournalDraft(
                "European Journal of Cellular Immunology", "Eur J Cell Immunol",
                "Harbour Academic Press", (2403, 1307), 1993,
            ),
        ),
        discipline="HIV immunopathogenesis",
        topics=(
            "HIV-1 replication", "CD4+ T-cell depletion", "interleukin-2 signalling",
            "chemokine receptor usage", "macrophage activation", "viral latency",
            "regulatory T-cell function", "innate immune sensing", "B-cell exhaustion",
            "the HIV-1 reservoir", "immune reconstitution", "cytokine networks", "CCR5 expression",
            "type I interferon responses", "T-cell homeostasis",
        ),
        contexts=(
            "in HIV-infected individuals", "in primary human macrophages",
            "in a longitudinal cohort of treated patients", "during antiretroviral therapy",
            "in lymphoid tissue", "in chronically infected promonocytic cells",
            "during acute HIV-1 infection", "in elite controllers",
        ),
        agents=(
            "interleukin-2", "interferon-alpha", "tumour necrosis factor-alpha", "interleukin-10",
            "CCL5", "maraviroc", "integrase inhibitors", "interleukin-7",
        ),
        methods=(
            "flow cytometry", "single-cell RNA sequencing", "a randomised controlled trial",
            "mass cytometry", "ex vivo stimulation assays", "a prospective cohort study",
            "quantitative PCR",
        ),
        keywords=(
            "HIV", "CD4", "CD8", "Cytokines", "IL-2", "AIDS", "Macrophages", "Chemokines", "CCR5",
            "Viral latency", "Antiretroviral therapy", "Interferon", "T lymphocytes",
            "Innate immunity", "Regulatory T cells",
        ),
    ),
    ResearchField(
        key="endocrinology", weight=1.2, medical=True,
        department="department-of-endocrinology-and-metabolism",
        group="diabetes-research-group", codes=(2712, 2739),
        journals=(
            JournalDraft(
                "Journal of Metabolic Medicine", "J Metab Med", "Meridian Scientific", (2712, 1310),
                1995,
            ),
            JournalDraft(
                "Diabetes and Vascular Research", "Diabetes Vasc Res", "Castellan & Rowe",
                (2712, 2705), 2001,
            ),
            JournalDraft(
                "Epidemiology and Public Health Reports", "Epidemiol Public Health Rep",
                "Example University Press", (2713, 2739), 1994,
            ),
        ),
        discipline="endocrinology and metabolism",
        topics=(
            "insulin resistance", "beta-cell function", "thyroid hormone signalling",
            "adipose tissue inflammation", "glycaemic control", "bone mineral density",
            "vitamin D status", "obesity-related hypertension", "gestational diabetes",
            "cortisol rhythms", "hepatic steatosis", "growth hormone secretion",
        ),
        contexts=(
            "in adults with type 2 diabetes", "in a population-based cohort",
            "in postmenopausal women", "in children and adolescents", "in primary care",
            "in a multicentre trial", "in older adults",
        ),
        agents=(
            "metformin", "GLP-1 receptor agonists", "SGLT2 inhibitors", "levothyroxine",
            "dietary fibre", "physical activity", "bariatric surgery", "vitamin D supplementation",
        ),
        methods=(
            "a randomised controlled trial", "Mendelian randomisation",
            "continuous glucose monitoring", "a nationwide registry",
            "a systematic review and meta-analysis", "hyperinsulinaemic clamp studies",
        ),
        keywords=(
            "Diabetes mellitus", "Insulin resistance", "Obesity", "Thyroid", "Metabolism",
            "Vitamin D", "Epidemiology", "Glucose", "Adipose tissue", "Public health",
            "Cohort study", "Hypertension", "Osteoporosis",
        ),
    ),
    ResearchField(
        key="chemistry", weight=1.0, medical=False,
        department="department-of-chemistry",
        group="materials-chemistry-group", codes=(1600, 2505),
        journals=(
            JournalDraft(
                "Journal of Applied Molecular Chemistry", "J Appl Mol Chem", "Castellan & Rowe",
                (1600, 1606), 1990,
            ),
            JournalDraft(
                "Materials Chemistry Letters", "Mater Chem Lett", "Meridian Scientific",
                (2505, 1603), 2004,
            ),
        ),
        discipline="materials chemistry",
        topics=(
            "metal–organic frameworks", "perovskite thin films", "asymmetric catalysis",
            "lithium-ion cathode materials", "supramolecular assembly",
            "photocatalytic water splitting", "covalent organic frameworks", "ionic liquids",
            "polymer electrolytes", "carbon dioxide reduction", "nanoparticle surface chemistry",
            "electrochemical nitrogen fixation",
        ),
        contexts=(
            "under ambient conditions", "at the solid–liquid interface", "in aqueous media",
            "at elevated temperatures", "on the gram scale", "in continuous flow",
        ),
        agents=(
            "copper catalysts", "ligand design", "solvent polarity", "dopant concentration",
            "visible light", "mechanical stress",
        ),
        methods=(
            "in situ X-ray diffraction", "density functional theory",
            "solid-state NMR spectroscopy", "operando Raman spectroscopy",
            "high-throughput screening", "transmission electron microscopy",
        ),
        keywords=(
            "Catalysis", "Metal–organic frameworks", "Perovskites", "Electrochemistry", "DFT",
            "Nanoparticles", "Photocatalysis", "Batteries", "Polymers", "CO2 reduction",
            "Spectroscopy", "Self-assembly",
        ),
    ),
    ResearchField(
        key="physics", weight=1.0, medical=False,
        department="department-of-physics",
        group=None, codes=(3100, 3104),
        journals=(
            JournalDraft(
                "Annals of Condensed Matter Physics", "Ann Condens Matter Phys",
                "Harbour Academic Press", (3104, 2504), 1985,
            ),
            JournalDraft(
                "Journal of Optics and Photonics Research", "J Opt Photonics Res",
                "Meridian Scientific", (3107, 2504), 1998,
            ),
            JournalDraft(
                "Letters in High-Energy Physics", "Lett High-Energy Phys", "Castellan & Rowe",
                (3106,), 1992,
            ),
        ),
        discipline="condensed matter physics",
        topics=(
            "unconventional superconductivity", "topological edge states", "quantum spin liquids",
            "exciton dynamics", "charge density waves", "cold-atom lattices",
            "neutrino oscillations", "Higgs boson decays", "ultrafast demagnetisation",
            "photonic crystals", "the quantum Hall effect", "dark matter searches",
        ),
        contexts=(
            "in twisted bilayer graphene", "at low temperature",
            "in proton–proton collisions at 13 TeV", "in thin films", "under high magnetic fields",
            "in optical lattices", "at the nanoscale",
        ),
        agents=(
            "uniaxial strain", "disorder", "spin–orbit coupling", "electron–phonon coupling",
            "femtosecond laser pulses", "hydrostatic pressure",
        ),
        methods=(
            "angle-resolved photoemission spectroscopy", "neutron scattering",
            "Monte Carlo simulations", "scanning tunnelling microscopy", "tensor-network methods",
            "time-resolved spectroscopy",
        ),
        keywords=(
            "Superconductivity", "Topological insulators", "Graphene", "Quantum materials",
            "Magnetism", "Photonics", "Particle physics", "Neutrinos", "Spectroscopy", "Simulation",
            "Cold atoms",
        ),
    ),
    ResearchField(
        key="biology", weight=1.0, medical=True,
        department="department-of-biology",
        group=None, codes=(1105, 1102),
        journals=(
            JournalDraft(
                "Plant Ecology and Evolution Letters", "Plant Ecol Evol Lett",
                "Example University Press", (1105, 1110), 1996,
            ),
            JournalDraft(
                "Journal of Sustainable Agronomy", "J Sustain Agron", "Harbour Academic Press",
                (1102, 1111), 1991, eissn=False,
            ),
        ),
        discipline="plant ecology",
        topics=(
            "drought tolerance", "soil microbial diversity", "pollinator decline",
            "root architecture", "nitrogen use efficiency", "seed dispersal",
            "invasive plant species", "crop yield stability", "mycorrhizal networks",
            "phenological shifts", "grassland biodiversity", "wheat rust resistance",
        ),
        contexts=(
            "in Mediterranean grasslands", "across an elevational gradient",
            "in long-term field trials", "under climate warming", "in alpine ecosystems",
            "in smallholder farming systems", "in maize",
        ),
        agents=(
            "nitrogen fertilisation", "grazing pressure", "elevated CO2", "cover cropping",
            "experimental warming", "land-use change",
        ),
        methods=(
            "a 20-year field experiment", "DNA metabarcoding", "remote sensing",
            "genome-wide association mapping", "a global meta-analysis",
            "common-garden experiments",
        ),
        keywords=(
            "Ecology", "Biodiversity", "Climate change", "Agronomy", "Soil", "Drought",
            "Pollination", "Plant science", "Crop yield", "Mycorrhiza", "Nitrogen", "Grasslands",
        ),
    ),
    ResearchField(
        key="computing", weight=1.1, medical=False,
        department="department-of-computer-science",
        group="machine-learning-group", codes=(1700, 1702),
        journals=(
            JournalDraft(
                "Journal of Machine Learning Systems", "J Mach Learn Syst", "Meridian Scientific",
                (1702, 1712), 2012,
            ),
            JournalDraft(
                "Computational Linguistics Review", "Comput Linguist Rev",
                "Example University Press", (1702, 3310), 1995,
            ),
            JournalDraft(
                "Transactions on Distributed Computing", "Trans Distrib Comput", "Castellan & Rowe",
                (1705, 1708), 1988,
            ),
        ),
        discipline="machine learning",
        topics=(
            "graph neural networks", "federated learning", "code summarisation",
            "neural machine translation", "anomaly detection", "consensus protocols",
            "program synthesis", "energy-efficient scheduling", "explainable recommendation",
            "speech recognition for low-resource languages", "differential privacy",
            "large language models",
        ),
        contexts=(
            "on edge devices", "at scale", "in heterogeneous clusters", "for scientific workflows",
            "under distribution shift", "with limited supervision",
        ),
        agents=(
            "curriculum learning", "data augmentation", "model compression", "Byzantine faults",
            "attention mechanisms", "transfer learning",
        ),
        methods=(
            "a large-scale benchmark", "formal verification", "an empirical study",
            "contrastive pre-training", "reinforcement learning", "a user study",
        ),
        keywords=(
            "Machine learning", "Deep learning", "Distributed systems",
            "Natural language processing", "Privacy", "Graph neural networks", "Benchmarking",
            "Federated learning", "Software engineering", "Large language models", "Explainability",
        ),
        types=(
            (OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS, 25),
            (OutputType.CONFERENCE_PAPER, 6),
        ),
    ),
    ResearchField(
        key="economics", weight=0.8, medical=False,
        department="department-of-economics",
        group=None, codes=(2002, 3312),
        journals=(
            JournalDraft(
                "Journal of Applied Labour Economics", "J Appl Labour Econ", "Castellan & Rowe",
                (2002, 3312), 1993, languages=("en", "es"),
            ),
            JournalDraft(
                "Review of Economic History and Institutions", "Rev Econ Hist Inst",
                "Example University Press", (2002, 1202), 1997, languages=("en", "de"),
            ),
        ),
        discipline="labour economics",
        topics=(
            "minimum wages", "regional labour mobility", "household savings",
            "trade liberalisation", "the gender pay gap", "informal employment",
            "monetary policy transmission", "public debt sustainability", "firm productivity",
            "housing affordability", "pension reform", "remote work",
        ),
        contexts=(
            "in Southern Europe", "after the 2008 financial crisis", "in emerging economies",
            "in the euro area", "in Italian provinces", "over the business cycle",
        ),
        agents=(
            "fiscal transfers", "immigration", "automation", "credit constraints",
            "collective bargaining", "interest rates",
        ),
        methods=(
            "a difference-in-differences design", "matched employer–employee data",
            "a structural model", "a natural experiment", "household panel data",
            "a regression discontinuity design",
        ),
        keywords=(
            "Labour economics", "Productivity", "Inequality", "Monetary policy", "Fiscal policy",
            "Migration", "Wages", "Housing", "Pensions", "Econometrics", "Europe",
        ),
        languages=(("en", 16), ("es", 2), ("de", 1)),
        types=((OutputType.WORKING_PAPER, 14), (OutputType.REPORT, 3)),
    ),
    ResearchField(
        key="history", weight=0.7, medical=False,
        department="department-of-history",
        group=None, codes=(1202, 1200),
        journals=(
            JournalDraft(
                "Journal of Early Modern Studies", "J Early Mod Stud", "Example University Press",
                (1202, 1208), 1986, languages=("en", "fr"),
            ),
            JournalDraft(
                "Zeitschrift für Stadtgeschichte", "Z Stadtgesch", "Lindqvist Verlag", (1202, 3305),
                1979, languages=("de", "en"), eissn=False,
            ),
            JournalDraft(
                "Rivista di Storia Medievale e Moderna", "Riv Stor Mediev Mod",
                "Edizioni Accademiche Ambrosiane", (1202,), 1994, languages=("it", "en", "fr"),
                eissn=False,
            ),
        ),
        discipline="early modern history",
        topics=(
            "urban literacy", "merchant networks", "confraternities", "plague regulation",
            "notarial culture", "the grain trade", "women's guild membership", "print censorship",
            "pilgrimage routes", "civic ritual", "hospital administration", "the book trade",
        ),
        contexts=(
            "in early modern Venice", "in fifteenth-century Milan", "in the Holy Roman Empire",
            "in medieval Lombardy", "in the Kingdom of Naples", "across the Alps",
            "in sixteenth-century Lyon",
        ),
        agents=(
            "the printing press", "the Council of Trent", "epidemic disease", "royal taxation",
            "the Reformation", "famine",
        ),
        methods=(
            "notarial records", "parish registers", "merchant account books",
            "a prosopographical approach", "digitised correspondence", "municipal statutes",
        ),
        keywords=(
            "Early modern history", "Medieval history", "Urban history", "Book history", "Italy",
            "Venice", "Religion", "Trade", "Gender", "History of medicine", "Archives",
        ),
        languages=(("en", 10), ("de", 4), ("it", 4), ("fr", 3)),
        types=((OutputType.BOOK, 8), (OutputType.CHAPTER, 16), (OutputType.ANTHOLOGY, 3)),
    ),
    ResearchField(
        key="psychology", weight=0.8, medical=True,
        department="department-of-psychology",
        group=None, codes=(3200, 3204),
        journals=(
            JournalDraft(
                "Journal of Cognitive Development Research", "J Cogn Dev Res",
                "Harbour Academic Press", (3204, 3205), 1992, languages=("en", "es"),
            ),
            JournalDraft(
                "Clinical Psychology Perspectives", "Clin Psychol Perspect", "Meridian Scientific",
                (3203, 2738), 2003,
            ),
        ),
        discipline="developmental psychology",
        topics=(
            "working memory", "language acquisition", "attentional control", "emotion regulation",
            "reading development", "social cognition", "numerical cognition",
            "sleep-dependent memory consolidation", "adolescent risk-taking",
            "mindfulness-based interventions", "executive function",
            "bilingual language processing",
        ),
        contexts=(
            "in preschool children", "in older adults", "in bilingual speakers",
            "across the lifespan", "in a clinical sample", "in adolescents",
        ),
        agents=(
            "screen time", "socioeconomic status", "sleep deprivation", "cognitive training",
            "parental education", "acute stress",
        ),
        methods=(
            "a longitudinal study", "eye tracking", "a preregistered replication", "EEG",
            "a randomised controlled trial", "experience sampling",
        ),
        keywords=(
            "Cognition", "Development", "Working memory", "Attention", "Language", "Emotion",
            "Bilingualism", "Children", "Ageing", "Replication", "Mental health",
        ),
        languages=(("en", 12), ("es", 1)),
    ),
    ResearchField(
        key="engineering", weight=0.8, medical=False,
        department="department-of-civil-and-environmental-engineering",
        group=None, codes=(2205, 2305),
        journals=(
            JournalDraft(
                "Journal of Urban Water Engineering", "J Urban Water Eng", "Castellan & Rowe",
                (2305, 2312), 1999,
            ),
            JournalDraft(
                "Structural Engineering and Materials", "Struct Eng Mater",
                "Harbour Academic Press", (2205, 2211), 1987,
            ),
        ),
        discipline="civil engineering",
        topics=(
            "urban stormwater management", "seismic retrofitting", "bridge deck deterioration",
            "groundwater contamination", "self-healing concrete", "flood risk",
            "wastewater treatment", "timber–concrete composite floors",
            "soil–structure interaction", "nature-based solutions", "pavement recycling",
            "drinking water distribution",
        ),
        contexts=(
            "in Alpine catchments", "in masonry buildings", "under cyclic loading",
            "in coastal cities", "at full scale", "in the Po Valley",
        ),
        agents=(
            "fibre reinforcement", "climate change", "green roofs", "sediment transport",
            "recycled aggregates", "extreme rainfall",
        ),
        methods=(
            "finite element analysis", "shake-table tests", "hydraulic modelling",
            "life-cycle assessment", "long-term field monitoring", "a digital twin",
        ),
        keywords=(
            "Civil engineering", "Concrete", "Earthquake engineering", "Hydrology", "Water quality",
            "Sustainability", "Flood risk", "Structural health monitoring", "Urban drainage",
            "Life-cycle assessment",
        ),
        types=((OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS, 8),),
    ),
)
# fmt: on
FIELD_BY_KEY = {research_field.key: research_field for research_field in FIELDS}

SOURCE_JOURNAL = JournalSpec(
    title="Journal of Biological Regulators and Homeostatic Agents",
    abbreviation="J Biol Regul Homeost Agents",
    issn=SOURCE_ISSN,
    eissn="1724-6083",
    publisher="",
    codes=SOURCE_SUBJECT_CODES,
    since=1987,
)

BASE_TYPES: tuple[tuple[str, int], ...] = (
    (OutputType.ARTICLE, 140),
    (OutputType.REVIEW_ARTICLE, 16),
    (OutputType.LETTER, 5),
    (OutputType.EDITORIAL, 3),
    (OutputType.COMMENT, 2),
    (OutputType.CONFERENCE_ARTICLE, 5),
    (OutputType.CHAPTER, 5),
    (OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS, 4),
    (OutputType.BOOK, 1),
    (OutputType.REPORT, 1),
    (OutputType.CONFERENCE_POSTER, 2),
    (OutputType.CONFERENCE_ABSTRACT, 2),
    (OutputType.DOCTORAL_THESIS, 4),
    (OutputType.MASTERS_THESIS, 1),
)
UNREVIEWED_JOURNAL_TYPES = {OutputType.LETTER, OutputType.EDITORIAL, OutputType.COMMENT}
THESIS_TYPES = {OutputType.DOCTORAL_THESIS, OutputType.MASTERS_THESIS}
BOOK_TYPES = {OutputType.BOOK, OutputType.REPORT, OutputType.ANTHOLOGY}
# Outside journals, the kinds of output that usually have a DOI.
DOI_TYPES = {
    OutputType.CHAPTER,
    OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS,
    OutputType.BOOK,
    OutputType.ANTHOLOGY,
    OutputType.REPORT,
    OutputType.WORKING_PAPER,
}
SHORT_TYPES = {
    OutputType.EDITORIAL,
    OutputType.COMMENT,
    OutputType.LETTER,
    OutputType.CONFERENCE_POSTER,
    OutputType.CONFERENCE_ABSTRACT,
}

TITLE_TEMPLATES = (
    "{Topic} {context}",
    "{Topic} and {topic2} {context}",
    "Effects of {agent} on {topic} {context}",
    "{Topic}: new evidence from {method}",
    "The role of {agent} in {topic}",
    "Assessing {topic} with {method}",
    "Towards a better understanding of {topic} {context}",
    "Linking {topic} to {topic2}",
    "{Agent} and {topic} {context}",
    "Long-term trends in {topic} {context}",
    "Rethinking {topic}: insights from {method}",
)
TYPE_TITLE_TEMPLATES = {
    OutputType.REVIEW_ARTICLE: (
        "{Topic}: a review",
        "Recent advances in {topic}",
        "{Topic} {context}: a systematic review",
        "{Topic} and {topic2}: where do we stand?",
    ),
    OutputType.EDITORIAL: ("{Topic}: an editorial introduction", "Why {topic} matters now"),
    OutputType.COMMENT: ("{Topic} {context}: a comment", "Reply to the debate on {topic}"),
    OutputType.LETTER: ("{Topic} {context}", "A note on {topic} and {agent}"),
    OutputType.ANTHOLOGY: ("{Topic} {context}", "Studies in {topic} and {topic2}"),
}
SUBTITLES = ("a comparative study", "evidence from {method}", "lessons {context}")
BACKGROUND = (
    "Research on {topic} is central to {discipline}, yet its relation to {topic2} remains poorly "
    "understood.",
    "Decades of work on {topic} have left the part played by {agent} unresolved.",
    "Little is known about {topic} {context}.",
)
APPROACH = (
    "Here we used {method} to examine {topic} {context}.",
    "We combined {method} with {method2} to study {topic2}.",
    "This study draws on {method} to assess the effect of {agent}.",
)
FINDINGS = (
    "We found {effect} in {topic} associated with {agent}.",
    "We observed {effect} in {topic2}, which held across alternative specifications.",
    "The results show {effect} in {topic} after accounting for {agent}.",
)
CONCLUSIONS = (
    "These findings have implications for {topic2}.",
    "Our results suggest that {agent} should be considered in any account of {topic}.",
    "Together, these data point to new directions for research on {topic2}.",
)
EFFECTS = (
    "a marked increase",
    "a modest decrease",
    "no detectable change",
    "a transient rise",
    "a consistent reduction",
    "substantial heterogeneity",
)

# Titles and abstracts of the records not written in English: templates and sentences per
# language, topics per language and research field (only the fields whose languages list it).
# fmt: off
FOREIGN_VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "titles": (
            "{Topic} in {place}, {period}", "{Topic} und {topic2} in {place}",
            "Neue Perspektiven auf {topic}", "{Topic} im Spiegel der Quellen",
        ),
        "history": (
            "Stadtgesellschaft", "Kaufmannsnetzwerke", "Bruderschaften", "Pestordnungen",
            "Buchzensur", "Zunftwesen", "Armenfürsorge",
        ),
        "economics": (
            "Arbeitsmärkte", "Lohnentwicklung", "Zunftwesen", "Kreditmärkte", "Getreidepreise",
            "Migration",
        ),
        "places": ("Augsburg", "Nürnberg", "Basel", "Venedig", "Mailand", "Süddeutschland"),
        "periods": ("1450–1600", "1500–1650", "1348–1500", "1550–1700"),
        "sentences": (
            "Der Beitrag untersucht {topic} in {place} im Zeitraum {period}.",
            "Auf der Grundlage bisher kaum beachteter Quellen wird gezeigt, dass {topic2} eine "
            "größere Rolle spielte als bisher angenommen.",
            "Abschließend werden Folgerungen für die vergleichende Forschung gezogen.",
        ),
    },
    "fr": {
        "titles": (
            "{Topic} à {place} ({period})", "{Topic} et {topic2} à {place}, {period}",
            "{Topic} : nouvelles perspectives",
        ),
        "history": (
            "la culture notariale", "les réseaux marchands", "les confréries",
            "la régulation des épidémies", "le commerce du livre", "l'assistance aux pauvres",
            "la mobilité des artisans",
        ),
        "places": ("Lyon", "Genève", "Marseille", "Turin", "Avignon"),
        "periods": ("1450–1600", "1500–1650", "1348–1500"),
        "sentences": (
            "Cet article étudie {topic} à {place} au cours de la période {period}.",
            "À partir de sources inédites, il montre que {topic2} a joué un rôle plus important "
            "qu'on ne le pensait.",
            "Il propose enfin quelques pistes pour une approche comparative.",
        ),
    },
    "it": {
        "titles": (
            "{Topic} a {place} ({period})", "{Topic} e {topic2} a {place}",
            "{Topic}: nuove prospettive di ricerca",
        ),
        "history": (
            "la cultura notarile", "le reti mercantili", "le confraternite",
            "la regolamentazione delle epidemie", "il commercio librario", "l'assistenza ai poveri",
        ),
        "places": ("Milano", "Venezia", "Bergamo", "Brescia", "Pavia", "Cremona"),
        "periods": ("1450–1600", "1500–1650", "1348–1500"),
        "sentences": (
            "Il saggio esamina {topic} a {place} nel periodo {period}.",
            "Sulla base di fonti inedite, si mostra che {topic2} ebbe un ruolo più rilevante di "
            "quanto finora ritenuto.",
            "Si propongono infine alcune linee per una ricerca comparativa.",
        ),
    },
    "es": {
        "titles": (
            "{Topic} en {place}, {period}", "{Topic} y {topic2} en {place}",
            "{Topic}: nueva evidencia empírica",
        ),
        "economics": (
            "el salario mínimo", "la movilidad laboral", "el ahorro de los hogares",
            "el empleo informal", "la brecha salarial de género",
        ),
        "psychology": (
            "el desarrollo lingüístico", "la memoria de trabajo", "la regulación emocional",
            "el control atencional", "la comprensión lectora",
        ),
        "places": ("España", "México", "Andalucía", "Chile", "Cataluña"),
        "periods": ("1995–2015", "2000–2020", "2008–2018"),
        "sentences": (
            "Este artículo analiza {topic} en {place} durante el periodo {period}.",
            "Los resultados muestran que {topic2} desempeña un papel más importante de lo que se "
            "suponía.",
            "Se discuten las implicaciones para las políticas públicas.",
        ),
    },
}
# fmt: on

# ---------------------------------------------------------------------------------------------
# People

GIVEN_NAMES = (
    "Alessandro", "Chiara", "Francesca", "Luca", "Giulia", "Marco", "Sofia", "Matteo", "Anna",
    "Thomas", "Katharina", "Jonas", "Lena", "Claire", "Julien", "Camille", "Mathieu", "Lucía",
    "Javier", "Carmen", "Pablo", "Emma", "Oliver", "Hannah", "James", "Sarah", "Daniel", "Laura",
    "Pieter", "Sanne", "Wei", "Mei", "Jun", "Yuki", "Hiroshi", "Priya", "Arjun", "Ananya",
    "Fatima", "Omar", "Leila", "Mehmet", "Elif", "Ingrid", "Lars", "Astrid", "Nikos", "Eleni",
    "Tomasz", "Agnieszka", "Zuzana", "Kwame", "Ama", "Rafael", "Beatriz", "Gian Andrea",
    "Jean-Pierre", "Anne-Marie", "Mia", "Sean",
)  # fmt: skip
FAMILY_NAMES = (
    "Rossi", "Bianchi", "Colombo", "Ferrari", "Esposito", "Romano", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Fontana", "Caruso", "Mancini", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Santoro", "Mariani", "Rinaldi", "Galli", "Ferrara",
    "Villa", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Serra", "Fabbri", "Müller",
    "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch",
    "Richter", "Klein", "Wolf", "Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau",
    "Laurent", "Girard", "Rousseau", "Fournier", "García", "Fernández", "Núñez", "López",
    "Martínez", "Sánchez", "Romero", "Navarro", "Smith", "Johnson", "Brown", "Taylor", "Wilson",
    "Evans", "Walker", "Wright", "Thompson", "Hughes", "O'Connor", "MacLeod", "de Vries",
    "van Dijk", "Bakker", "Visser", "Jansen", "Johansson", "Andersen", "Nielsen", "Lindqvist",
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Sato", "Suzuki", "Takahashi", "Tanaka",
    "Sharma", "Patel", "Gupta", "Iyer", "Reddy", "Demir", "Kaya", "Aydin", "Papadopoulos",
    "Georgiou", "Kowalski", "Nowak", "Dvořák", "Novák", "Mensah", "Okafor", "Boateng", "Silva",
    "Santos", "Pereira", "Oliveira", "Kuznetsova", "Ivanova",
)  # fmt: skip
# Career roles of a field's internal persons, most senior first, with the years they started.
ROLES = (
    ("Professor", 1980, 1995),
    ("Associate Professor", 1990, 2006),
    ("Research scientist", 1995, 2012),
    ("Assistant Professor", 2004, 2016),
    ("Postdoctoral researcher", 2014, 2021),
    ("PhD student", 2019, 2023),
)
SENIOR_ROLES = {"Professor", "Associate Professor", "Research scientist"}
INTERNAL_PER_FIELD = {
    "immunology": 6,
    "endocrinology": 6,
    "chemistry": 6,
    "physics": 6,
    "biology": 6,
    "computing": 6,
    "economics": 5,
    "history": 5,
    "psychology": 5,
    "engineering": 6,
}
EXTERNAL_COUNT = 56

SOURCE_PERSONS = [
    PersonSpec(
        slug="silvia-ghezzi",
        given_name="Silvia",
        family_name="Ghezzi",
        initials="S.",
        is_internal=True,
        field="immunology",
        memberships=[
            MembershipSpec(IMMUNOLOGY_DEPARTMENT, "Research scientist", datetime.date(1994, 10, 1))
        ],
        variants=["Ghezzi, S.", "Ghezzi S"],
    ),
    PersonSpec(
        slug="elisa-vicenzi",
        given_name="Elisa",
        family_name="Vicenzi",
        initials="E.",
        is_internal=True,
        field="immunology",
        memberships=[
            MembershipSpec(
                IMMUNOLOGY_DEPARTMENT, "Senior research scientist", datetime.date(1992, 3, 1)
            )
        ],
        variants=["Vicenzi, E.", "Vicenzi E"],
    ),
    PersonSpec(
        slug="l-soldini",
        given_name="",
        family_name="Soldini",
        initials="L.",
        is_internal=False,
        field="immunology",
    ),
    PersonSpec(
        slug="g-tambussi",
        given_name="",
        family_name="Tambussi",
        initials="G.",
        is_internal=False,
        field="immunology",
    ),
    PersonSpec(
        slug="m-murone",
        given_name="",
        family_name="Murone",
        initials="M.",
        is_internal=False,
        field="immunology",
    ),
    PersonSpec(
        slug="a-lazzarin",
        given_name="",
        family_name="Lazzarin",
        initials="A.",
        is_internal=False,
        field="immunology",
    ),
    PersonSpec(
        slug="guido-poli",
        given_name="Guido",
        family_name="Poli",
        initials="G.",
        is_internal=True,
        field="immunology",
        memberships=[MembershipSpec(IMMUNOLOGY_DEPARTMENT, "Professor", datetime.date(1991, 9, 1))],
        variants=["Poli, G.", "Poli G"],
    ),
]


# ---------------------------------------------------------------------------------------------
# Building the description


def valid_issn(seven_digits: str) -> str:
    return f"{seven_digits[:4]}-{seven_digits[4:]}{issn_check_digit(seven_digits)}"


def valid_orcid(fifteen_digits: str) -> str:
    full = fifteen_digits + orcid_check_digit(fifteen_digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


def valid_isbn13(twelve_digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve_digits))
    return twelve_digits + str((10 - total % 10) % 10)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, slots: dict[str, str]) -> str:
    """Fills {topic} with the slot and {Topic} with it capitalised."""
    return template.format(**slots, **{_cap(key): _cap(value) for key, value in slots.items()})


class _Builder:
    """Draws the demo deterministically: every choice comes from one seeded Random, in order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.issns: set[str] = {SOURCE_ISSN, SOURCE_JOURNAL.eissn}
        self.orcids: set[str] = set()
        self.isbns: set[str] = set()
        self.pmids: set[str] = set()
        self.titles: set[str] = {SOURCE_TITLE.lower()}
        self.slugs: set[str] = {SOURCE_SLUG}
        self.author_load: Counter[str] = Counter()
        self.journal_load: Counter[str] = Counter()

    # identifiers -------------------------------------------------------------------------

    def _unique(self, used: set[str], draw: Callable[[], str]) -> str:
        value = draw()
        while value in used:
            value = draw()
        used.add(value)
        return value

    def issn(self) -> str:
        return self._unique(self.issns, lambda: valid_issn(f"{self.rng.randrange(10**7):07d}"))

    def orcid(self) -> str:
        rng = self.rng
        return self._unique(
            self.orcids,
            lambda: valid_orcid(f"0000000{rng.choice('123')}{rng.randrange(10**7):07d}"),
        )

    def isbn(self) -> str:
        rng = self.rng
        return self._unique(
            self.isbns,
            lambda: valid_isbn13(f"978{rng.choice('0123589')}{rng.randrange(10**8):08d}"),
        )

    def pmid(self, year: int) -> str:
        # PubMed ids grow with time: about 8.5 million in 1995, about 40 million in 2025.
        base = 8_500_000 + (year - 1995) * 1_050_000
        return self._unique(self.pmids, lambda: str(base + self.rng.randrange(1_000_000)))

    # journals and persons ----------------------------------------------------------------

    def journals(self) -> dict[str, list[JournalSpec]]:
        by_field: dict[str, list[JournalSpec]] = {}
        for research_field in FIELDS:
            by_field[research_field.key] = [
                JournalSpec(
                    title=draft.title,
                    abbreviation=draft.abbreviation,
                    issn=self.issn(),
                    eissn=self.issn() if draft.eissn else "",
                    publisher=draft.publisher,
                    codes=draft.codes,
                    since=draft.since,
                    languages=draft.languages,
                )
                for draft in research_field.journals
            ]
        # The source record's journal takes more immunology and endocrinology papers, so its
        # page lists more than one.
        by_field["immunology"].append(SOURCE_JOURNAL)
        by_field["endocrinology"].append(SOURCE_JOURNAL)
        return by_field

    def persons(self) -> list[PersonSpec]:
        rng = self.rng
        persons = list(SOURCE_PERSONS)
        slugs = {person.slug for person in persons}
        family_names = rng.sample(FAMILY_NAMES, len(FAMILY_NAMES))
        for research_field in FIELDS:
            unit = research_field.group or research_field.department
            for role, first, last in ROLES[: INTERNAL_PER_FIELD[research_field.key]]:
                given, family = rng.choice(GIVEN_NAMES), family_names.pop()
                start = datetime.date(rng.randint(first, last), rng.choice((1, 3, 9, 10)), 1)
                organisation = research_field.department if role in SENIOR_ROLES else unit
                memberships = [MembershipSpec(organisation, role, start)]
                if role == "Professor" or (role != "PhD student" and rng.random() < 0.3):
                    earlier = "Associate Professor" if role == "Professor" else "PhD student"
                    earlier_start = start.replace(year=start.year - rng.randint(4, 8))
                    memberships.append(
                        MembershipSpec(
                            research_field.department,
                            earlier,
                            earlier_start,
                            start - datetime.timedelta(days=1),
                        )
                    )
                persons.append(
                    self._person(given, family, True, research_field.key, memberships, slugs)
                )
        for n in range(EXTERNAL_COUNT):
            family = family_names.pop()
            given = rng.choice(GIVEN_NAMES) if rng.random() < 0.5 else ""
            memberships = []
            if rng.random() < 0.5:
                memberships.append(MembershipSpec(rng.choice(EXTERNAL_ORGANISATIONS), "Researcher"))
            research_field = FIELDS[n % len(FIELDS)].key
            persons.append(self._person(given, family, False, research_field, memberships, slugs))
        return persons

    def _person(
        self,
        given: str,
        family: str,
        internal: bool,
        research_field: str,
        memberships: list[MembershipSpec],
        slugs: set[str],
    ) -> PersonSpec:
        rng = self.rng
        initials = (
            initials_of(given)
            if given
            else "".join(
                f"{letter}." for letter in rng.sample("ABCDEFGHJKLMNPRSTVW", rng.choice((1, 1, 2)))
            )
        )
        slug = demo_slug(f"{given or initials} {family}")
        while slug in slugs:  # two persons may share a name, never a slug
            slug = demo_slug(f"{slug}-{len(slugs)}")
        slugs.add(slug)
        orcid = self.orcid() if internal or rng.random() < 0.4 else ""
        variants = []
        if internal and rng.random() < 0.4:
            variants = [f"{family}, {initials}", f"{family} {initials.replace('.', '')}"]
            folded = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
            if folded != family:
                variants.append(f"{folded}, {initials}")  # "Muller, T." for "Müller"
        return PersonSpec(
            slug=slug,
            given_name=given,
            family_name=family,
            initials=initials,
            is_internal=internal,
            field=research_field,
            orcid=orcid,
            memberships=memberships,
            variants=variants,
        )

    # publications ------------------------------------------------------------------------

    def publications(
        self, journals: dict[str, list[JournalSpec]], persons: list[PersonSpec]
    ) -> list[PublicationSpec]:
        rng = self.rng
        internal: dict[str, list[PersonSpec]] = defaultdict(list)
        external: dict[str, list[PersonSpec]] = defaultdict(list)
        source_persons = {person.slug for person in SOURCE_PERSONS}
        for person in persons:
            # The source record's authors are real people: no invented papers for them.
            if person.slug not in source_persons:
                (internal if person.is_internal else external)[person.field].append(person)
        plan = [(WorkflowState.VALIDATED, Visibility.PUBLIC)] * PUBLIC_COUNT
        plan += [(WorkflowState.IN_PROGRESS, Visibility.PUBLIC)] * 6
        plan += [(WorkflowState.FOR_VALIDATION, Visibility.PUBLIC)] * 6
        plan += [(WorkflowState.VALIDATED, Visibility.CAMPUS)] * 4
        plan += [(WorkflowState.VALIDATED, Visibility.BACKEND)] * 4
        # Two large collaborations, as every portal has: author lists of 30 and more.
        consortia = {137: ("physics", 41), 388: ("endocrinology", 33)}
        years = list(range(1995, LATEST_DATE.year + 1))
        year_weights = [1 + (year - 1995) * 0.12 for year in years]
        field_weights = [research_field.weight for research_field in FIELDS]
        specs = []
        for n, (state, visibility) in enumerate(plan):
            if n in consortia:
                research_field, author_count = FIELD_BY_KEY[consortia[n][0]], consortia[n][1]
            else:
                research_field, author_count = rng.choices(FIELDS, field_weights)[0], 0
            year = rng.choices(years, year_weights)[0]
            specs.append(
                self.publication(
                    n,
                    research_field,
                    year,
                    state,
                    visibility,
                    journals[research_field.key],
                    internal,
                    external,
                    author_count,
                )
            )
        return specs

    def publication(
        self,
        n: int,
        research_field: ResearchField,
        year: int,
        state: str,
        visibility: str,
        journals: list[JournalSpec],
        internal: dict[str, list[PersonSpec]],
        external: dict[str, list[PersonSpec]],
        author_count: int,
    ) -> PublicationSpec:
        rng = self.rng
        weights = dict(BASE_TYPES)
        for output_type, weight in research_field.types:
            weights[output_type] = weights.get(output_type, 0) + weight
        output_type = (
            OutputType.ARTICLE
            if author_count
            else rng.choices(list(weights), list(weights.values()))[0]
        )
        in_journal = CATEGORY_OF_TYPE[output_type] == JOURNAL
        languages, language_weights = zip(*research_field.languages, strict=True)
        language = rng.choices(languages, language_weights)[0]
        journal = None
        if in_journal:
            journal = self._journal(journals, year, language)
            if language not in journal.languages:
                language = "en"
        statuses = self._statuses(year, state, in_journal)
        published = max(statuses, key=lambda status: STATUS_ORDER[status.status])
        title, abstract = self._text(research_field, output_type, language)
        slug = demo_slug(title)
        while slug in self.slugs:
            slug = demo_slug(f"{slug[:70]}-{n}")
        self.slugs.add(slug)
        values = {
            "title": title,
            "subtitle": "",
            "abstract": abstract,
            "output_type": output_type,
            "peer_reviewed": self._peer_reviewed(output_type),
            "language": language,
            "journal": journal,
            "volume": "",
            "issue": "",
            "pages": "",
            "page_start": None,
            "page_end": None,
            "number_of_pages": None,
            "article_number": "",
            "doi": "",
            "pmid": "",
            "scopus_eid": "",
            "isbn": "",
            "open_access": self._open_access(year),
            "workflow_state": state,
            "visibility": visibility,
        }
        if language == "en" and output_type not in SHORT_TYPES and rng.random() < 0.08:
            values["subtitle"] = _fill(rng.choice(SUBTITLES), self._slots(research_field))
        values.update(self._venue(output_type, journal, year))
        registered = (
            in_journal
            or output_type in DOI_TYPES
            or (output_type in THESIS_TYPES and rng.random() < 0.4)
        )
        if (
            registered
            and published.status in {PublicationStatus.PUBLISHED, PublicationStatus.EPUB}
            and rng.random() < (0.6 if year < 2000 else 0.92)
        ):
            values["doi"] = f"10.5555/demo.{year}.{n + 1:05d}"
        if research_field.medical and in_journal and rng.random() < 0.6:
            values["pmid"] = self.pmid(year)
        if in_journal and rng.random() < 0.4:
            values["scopus_eid"] = f"2-s2.0-{84_000_000_000 + n * 7919 + year}"
        authors = self._authors(
            research_field, output_type, published.date, internal, external, author_count
        )
        keywords = rng.sample(research_field.keywords, rng.randint(2, 6))
        codes = journal.codes if journal else research_field.codes
        links = []
        if values["open_access"] == OpenAccess.GREEN:
            links.append(
                (f"https://repository.example.org/demo/{slug}.pdf", "Author accepted manuscript")
            )
        return PublicationSpec(slug, values, authors, keywords, statuses, codes, links)

    def _journal(self, journals: list[JournalSpec], year: int, language: str) -> JournalSpec:
        """A journal running in that year, preferring one that takes the language and one that
        has had few demo papers so far (so every journal page has some)."""
        running = [journal for journal in journals if journal.since <= year] or journals
        speaking = [journal for journal in running if language in journal.languages] or running
        least = min(self.journal_load[journal.issn] for journal in speaking)
        candidates = [j for j in speaking if self.journal_load[j.issn] <= least + 3]
        journal = self.rng.choice(candidates)
        self.journal_load[journal.issn] += 1
        return journal

    def _slots(self, research_field: ResearchField) -> dict[str, str]:
        rng = self.rng
        topic, topic2 = rng.sample(research_field.topics, 2)
        method, method2 = rng.sample(research_field.methods, 2)
        return {
            "topic": topic,
            "topic2": topic2,
            "context": rng.choice(research_field.contexts),
            "agent": rng.choice(research_field.agents),
            "method": method,
            "method2": method2,
            "discipline": research_field.discipline,
            "effect": rng.choice(EFFECTS),
        }

    def _text(
        self, research_field: ResearchField, output_type: str, language: str
    ) -> tuple[str, str]:
        """A title no other demo record has, and an abstract of 2-4 sentences (none for the
        short kinds of output, which seldom have one)."""
        rng = self.rng
        while True:
            if language == "en":
                slots = self._slots(research_field)
                templates = TYPE_TITLE_TEMPLATES.get(output_type, TITLE_TEMPLATES)
                title = _fill(rng.choice(templates), slots)
                sentences = [rng.choice(BACKGROUND), rng.choice(APPROACH)]
                sentences += [rng.choice(FINDINGS), rng.choice(CONCLUSIONS)][: rng.randint(0, 2)]
            else:
                vocabulary = FOREIGN_VOCABULARY[language]
                topic, topic2 = rng.sample(vocabulary[research_field.key], 2)
                slots = {
                    "topic": topic,
                    "topic2": topic2,
                    "place": rng.choice(vocabulary["places"]),
                    "period": rng.choice(vocabulary["periods"]),
                }
                title = _fill(rng.choice(vocabulary["titles"]), slots)
                sentences = list(vocabulary["sentences"][: rng.randint(2, 3)])
            if title.lower() not in self.titles:
                self.titles.add(title.lower())
                break
        if output_type in SHORT_TYPES and rng.random() < 0.7:
            return title, ""
        return title, " ".join(_fill(sentence, slots) for sentence in sentences)

    def _peer_reviewed(self, output_type: str) -> bool:
        if CATEGORY_OF_TYPE[output_type] == JOURNAL:
            return output_type not in UNREVIEWED_JOURNAL_TYPES
        if output_type == OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS:
            return self.rng.random() < 0.8
        return output_type == OutputType.CHAPTER and self.rng.random() < 0.3

    def _open_access(self, year: int) -> str:
        rng = self.rng
        if year < 2005:
            return rng.choices(
                (OpenAccess.UNKNOWN, OpenAccess.CLOSED, OpenAccess.BRONZE), (4, 5, 1)
            )[0]
        return rng.choices(
            (
                OpenAccess.GOLD,
                OpenAccess.HYBRID,
                OpenAccess.GREEN,
                OpenAccess.BRONZE,
                OpenAccess.CLOSED,
                OpenAccess.UNKNOWN,
            ),
            (25, 10, 20, 5, 30, 10),
        )[0]

    def _statuses(self, year: int, state: str, in_journal: bool) -> list[StatusSpec]:
        """The lifecycle: mostly published (with the date at year, month or day precision),
        some with earlier submitted / accepted / e-pub steps; the newest not published yet."""
        rng = self.rng
        last_month = LATEST_DATE.month if year == LATEST_DATE.year else 12
        month, day = rng.randint(1, last_month), rng.randint(1, 28)
        precision = rng.choices(
            (DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY),
            (5, 4, 2) if year < 2000 else (2, 4, 4),
        )[0]
        exact = datetime.date(year, month, day)
        if precision == DatePrecision.YEAR:
            shown = datetime.date(year, 1, 1)
        elif precision == DatePrecision.MONTH:
            shown = datetime.date(year, month, 1)
        else:
            shown = exact
        day_ = DatePrecision.DAY
        unfinished = state != WorkflowState.VALIDATED
        if unfinished and rng.random() < 0.6:
            # A record still being entered is often a manuscript under review.
            status = rng.choice((PublicationStatus.SUBMITTED, PublicationStatus.IN_PREPARATION))
            return [StatusSpec(status, exact, day_)]
        if exact > LATEST_DATE - datetime.timedelta(days=120) and in_journal:
            accepted = StatusSpec(
                PublicationStatus.ACCEPTED, exact - datetime.timedelta(days=30), day_
            )
            if rng.random() < 0.5:
                return [accepted, StatusSpec(PublicationStatus.EPUB, exact, day_)]
            return [
                StatusSpec(PublicationStatus.SUBMITTED, exact - datetime.timedelta(days=150), day_),
                accepted,
            ]
        statuses = [StatusSpec(PublicationStatus.PUBLISHED, shown, precision)]
        if in_journal and year >= 2003 and rng.random() < 0.45:
            epub = exact - datetime.timedelta(days=rng.randint(20, 90))
            statuses.insert(0, StatusSpec(PublicationStatus.EPUB, epub, day_))
            if rng.random() < 0.5:
                accepted = epub - datetime.timedelta(days=rng.randint(7, 40))
                submitted = accepted - datetime.timedelta(days=rng.randint(60, 300))
                statuses[:0] = [
                    StatusSpec(PublicationStatus.SUBMITTED, submitted, day_),
                    StatusSpec(PublicationStatus.ACCEPTED, accepted, day_),
                ]
        return statuses

    def _venue(self, output_type: str, journal: JournalSpec | None, year: int) -> dict:
        """Volume, issue and pages or article number in a journal; pages and ISBN of a book."""
        rng = self.rng
        if journal is not None:
            values = {"volume": str(year - journal.since + 1)}
            kind = rng.choices(("single", "double", "supplement"), (20, 2, 1))[0]
            first = rng.randint(1, 11)
            values["issue"] = {
                "single": str(first),
                "double": f"{first}-{first + 1}",  # as printed: "1-2"
                "supplement": "Suppl 1",
            }[kind]
            if output_type == OutputType.ARTICLE and year >= 2008 and rng.random() < 0.35:
                values["article_number"] = rng.choice(
                    (f"e{rng.randint(10000, 99999)}", str(rng.randint(100000, 999999)))
                )
                values["number_of_pages"] = rng.randint(6, 22)
                return values
            length = {
                OutputType.REVIEW_ARTICLE: (10, 30),
                OutputType.LETTER: (1, 2),
                OutputType.EDITORIAL: (1, 3),
                OutputType.COMMENT: (2, 4),
            }.get(output_type, (5, 18))
            start, pages = rng.randint(1, 1800), rng.randint(*length)
            if pages == 1:
                values.update(pages=str(start), number_of_pages=1)
            else:
                values["pages"] = f"{start}-{start + pages - 1}"
            return values
        if output_type in BOOK_TYPES or output_type in THESIS_TYPES:
            values = {"number_of_pages": rng.randint(120, 480)}
            if output_type not in THESIS_TYPES or rng.random() < 0.4:
                values["isbn"] = self.isbn()
            return values
        if output_type in {OutputType.CHAPTER, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS}:
            start = rng.randint(1, 400)
            return {"pages": f"{start}-{start + rng.randint(8, 30)}", "isbn": self.isbn()}
        if output_type == OutputType.WORKING_PAPER:
            return {"number_of_pages": rng.randint(20, 60)}
        return {}

    def _authors(
        self,
        research_field: ResearchField,
        output_type: str,
        date: datetime.date,
        internal: dict[str, list[PersonSpec]],
        external: dict[str, list[PersonSpec]],
        author_count: int,
    ) -> list[AuthorSpec]:
        """An ordered author list with at least one internal person: usually an internal lead
        author (the least published so far, so every profile fills), co-authors from the field
        and outside, and often a senior internal last author."""
        rng = self.rng
        colleagues = [p for p in internal[research_field.key] if p.active_from <= date.year]
        colleagues = colleagues or internal[research_field.key]
        outsiders = external[research_field.key]
        if output_type in THESIS_TYPES:
            count = 1
        elif author_count:
            count = author_count
        elif output_type in BOOK_TYPES:
            count = rng.choice((1, 1, 2, 3))
        elif output_type in SHORT_TYPES:
            count = rng.randint(1, 5)
        else:
            count = rng.choices(range(1, 13), (8, 12, 15, 15, 13, 10, 8, 6, 4, 3, 3, 3))[0]
        least = min(self.author_load[p.slug] for p in colleagues)
        lead = rng.choice([p for p in colleagues if self.author_load[p.slug] == least])
        chosen = [lead]
        others = [p for p in colleagues if p is not lead]
        rng.shuffle(others)
        if count > 2 and others and rng.random() < 0.6:
            seniors = [p for p in others if p.memberships[0].role in SENIOR_ROLES] or others
            last = rng.choice(seniors)
            others.remove(last)
        else:
            last = None
        pool = others[:3] + rng.sample(outsiders, min(len(outsiders), 4))
        if count > len(pool) + len(chosen) + (last is not None):
            everyone = [p for people in (*internal.values(), *external.values()) for p in people]
            pool += rng.sample(
                [p for p in everyone if p not in pool and p not in chosen and p is not last], count
            )
        rng.shuffle(pool)
        middle_count = count - 1 - (last is not None)
        chosen += pool[: max(middle_count, 0)]
        if last is not None and count > 1:
            chosen.append(last)
        if rng.random() < 0.2 and len(chosen) > 1 and chosen[0].is_internal and not author_count:
            # Sometimes an outside colleague leads and ours follows.
            chosen[0], chosen[1] = chosen[1], chosen[0]
        corresponding = None
        if rng.random() < 0.6:
            corresponding = chosen[-1] if last is not None and rng.random() < 0.5 else chosen[0]
        role = "editor" if output_type == OutputType.ANTHOLOGY else "author"
        authors = []
        for person in chosen:
            self.author_load[person.slug] += 1
            organisation = person.organisation_on(date)
            authors.append(
                AuthorSpec(
                    person=person.slug,
                    name_as_printed=person.printed_name,
                    affiliations=(organisation,) if organisation else (),
                    role=role,
                    corresponding=person is corresponding,
                )
            )
        return authors


def source_record_spec() -> PublicationSpec:
    """The Pure page of /work/shared/seed/source-page.txt, field by field."""
    internal = (IMMUNOLOGY_DEPARTMENT,)
    authors = [
        AuthorSpec("silvia-ghezzi", "S. Ghezzi", internal),
        AuthorSpec("elisa-vicenzi", "E. Vicenzi", internal),
        AuthorSpec("l-soldini", "L. Soldini"),
        AuthorSpec("g-tambussi", "G. Tambussi"),
        AuthorSpec("m-murone", "M. Murone"),
        AuthorSpec("a-lazzarin", "A. Lazzarin"),
        AuthorSpec("guido-poli", "G. Poli", internal),
    ]
    values = {
        "title": SOURCE_TITLE,
        "subtitle": "",
        "abstract": SOURCE_ABSTRACT,
        "output_type": OutputType.ARTICLE,
        "peer_reviewed": True,
        "language": "en",
        "journal": SOURCE_JOURNAL,
        "volume": "",  # the page shows none
        "issue": "1-2",
        "pages": "74-78",  # page_start, page_end and number_of_pages are derived
        "page_start": None,
        "page_end": None,
        "number_of_pages": None,
        "article_number": "",
        "doi": "",
        "pmid": "",
        "scopus_eid": "",
        "isbn": "",
        "open_access": OpenAccess.UNKNOWN,
        "workflow_state": WorkflowState.VALIDATED,
        "visibility": Visibility.PUBLIC,
    }
    published = StatusSpec(
        PublicationStatus.PUBLISHED, datetime.date(1997, 1, 1), DatePrecision.MONTH
    )
    return PublicationSpec(
        SOURCE_SLUG, values, authors, list(SOURCE_KEYWORDS), [published], SOURCE_SUBJECT_CODES
    )


def build_demo(seed: int = SEED) -> DemoData:
    """The whole demo as plain data: the same seed always gives the same data."""
    builder = _Builder(seed)
    journals = builder.journals()
    persons = builder.persons()
    publications = [source_record_spec(), *builder.publications(journals, persons)]
    unique_journals = list({j.issn: j for js in journals.values() for j in js}.values())
    return DemoData(list(ORGANISATIONS), unique_journals, persons, publications)


# ---------------------------------------------------------------------------------------------
# Writing it


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """update_or_create that validates (full_clean) and writes only when something differs."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
    elif all(getattr(instance, name) == value for name, value in values.items()):
        return instance
    else:
        for name, value in values.items():
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _load_organisations(specs: Iterable[OrganisationSpec]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:  # parents come before their children
        organisation = _upsert(
            Organisation,
            {"slug": spec.slug},
            {
                "name": spec.name,
                "kind": spec.kind,
                "parent_id": ids[spec.parent] if spec.parent else None,
                "ror": spec.ror,
            },
        )
        ids[spec.slug] = organisation.pk
    return ids


def _load_journals(specs: Iterable[JournalSpec], area_ids: dict[int, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:
        journal = _upsert(
            Journal,
            {"issn": spec.issn},
            {
                "title": spec.title,
                "abbreviation": spec.abbreviation,
                "eissn": spec.eissn,
                "publisher": spec.publisher,
                "slug": spec.slug,
            },
        )
        journal.subject_areas.set([area_ids[code] for code in spec.codes])  # writes only changes
        ids[spec.issn] = journal.pk
    return ids


def _load_persons(specs: list[PersonSpec], organisation_ids: dict[str, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for spec in specs:
        lookup = {"orcid": spec.orcid} if spec.orcid else {"slug": spec.slug}
        values = {
            "given_name": spec.given_name,
            "family_name": spec.family_name,
            "initials": spec.initials,
            "is_internal": spec.is_internal,
            "slug": spec.slug,
            "orcid": spec.orcid,
        }
        values.pop(next(iter(lookup)))
        ids[spec.slug] = _upsert(Person, lookup, values).pk

    memberships: dict[int, set] = defaultdict(set)
    for row in Membership.objects.filter(person_id__in=ids.values()).values_list(
        "person_id", "organisation_id", "role", "start_date", "end_date"
    ):
        memberships[row[0]].add(row[1:])
    variants: dict[int, set] = defaultdict(set)
    for person_id, name in PersonNameVariant.objects.filter(person_id__in=ids.values()).values_list(
        "person_id", "name"
    ):
        variants[person_id].add(name)

    new_memberships, new_variants, stale_memberships, stale_variants = [], [], [], []
    for spec in specs:
        person_id = ids[spec.slug]
        wanted = {
            (organisation_ids[m.organisation], m.role, m.start, m.end) for m in spec.memberships
        }
        if wanted != memberships[person_id]:
            stale_memberships.append(person_id)
            new_memberships += [
                Membership(
                    person_id=person_id,
                    organisation_id=organisation_ids[m.organisation],
                    role=m.role,
                    start_date=m.start,
                    end_date=m.end,
                )
                for m in spec.memberships
            ]
        if set(spec.variants) != variants[person_id]:
            stale_variants.append(person_id)
            new_variants += [PersonNameVariant(person_id=person_id, name=v) for v in spec.variants]
    Membership.objects.filter(person_id__in=stale_memberships).delete()
    PersonNameVariant.objects.filter(person_id__in=stale_variants).delete()
    Membership.objects.bulk_create(new_memberships)
    PersonNameVariant.objects.bulk_create(new_variants)
    return ids


def _load_keywords(terms: Iterable[str]) -> dict[str, int]:
    """Keyword ids by lower-cased term; a term already there in another case is reused."""
    wanted = {}
    for term in terms:
        wanted.setdefault(term.lower(), term)
    ids = dict(
        Keyword.objects.annotate(lower=Lower("term"))
        .filter(lower__in=wanted)
        .values_list("lower", "pk")
    )
    missing = [Keyword(term=term) for lower, term in wanted.items() if lower not in ids]
    for keyword in Keyword.objects.bulk_create(missing):
        ids[keyword.term.lower()] = keyword.pk
    return ids


PUBLICATION_FIELDS = (
    "title",
    "subtitle",
    "abstract",
    "output_type",
    "peer_reviewed",
    "language",
    "journal_id",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "number_of_pages",
    "article_number",
    "doi",
    "pmid",
    "scopus_eid",
    "isbn",
    "open_access",
    "status",
    "date",
    "date_precision",
    "workflow_state",
    "visibility",
    "slug",
)


@dataclass
class _Ids:
    organisations: dict[str, int]
    journals: dict[str, int]
    persons: dict[str, int]
    keywords: dict[str, int]
    areas: dict[int, int]


def _target(spec: PublicationSpec, ids: _Ids) -> Publication:
    """The publication as the spec describes it, with derived pages and status applied."""
    values = dict(spec.values)
    journal = values.pop("journal")
    publication = Publication(
        **values, slug=spec.slug, journal_id=ids.journals[journal.issn] if journal else None
    )
    publication.fill_derived_fields()
    publication.apply_status_history(
        [
            PublicationStatusEntry(status=s.status, date=s.date, date_precision=s.precision)
            for s in spec.statuses
        ]
    )
    return publication


def _load_publication_batch(specs: list[PublicationSpec], ids: _Ids) -> tuple[int, int]:
    """Writes one batch of publications and, where they differ, their authors, keywords,
    status history, subject areas and links. Returns (created, updated)."""
    targets = [_target(spec, ids) for spec in specs]
    existing = Publication.objects.filter(
        models.Q(slug__in=[t.slug for t in targets])
        | models.Q(doi__in=[t.doi for t in targets if t.doi])
    )
    by_doi = {p.doi: p for p in existing if p.doi}
    by_slug = {p.slug: p for p in existing}
    publications, to_create, to_update = [], [], []
    now = timezone.now()
    for target in targets:
        current = (target.doi and by_doi.get(target.doi)) or by_slug.get(target.slug)
        if current is None:
            to_create.append(target)
            publications.append(target)
            continue
        if any(getattr(current, name) != getattr(target, name) for name in PUBLICATION_FIELDS):
            for name in PUBLICATION_FIELDS:
                setattr(current, name, getattr(target, name))
            current.modified = now
            to_update.append(current)
        publications.append(current)
    Publication.objects.bulk_create(to_create)
    Publication.objects.bulk_update(to_update, [*PUBLICATION_FIELDS, "modified"])
    pub_ids = [p.pk for p in publications]

    affiliation = Authorship.affiliations.through
    area_link = Publication.subject_areas.through

    # What each publication has now, in a comparable form.
    have_authors: dict[int, list] = defaultdict(list)
    affiliations: dict[int, set[int]] = defaultdict(set)
    for authorship_id, organisation_id in affiliation.objects.filter(
        authorship__publication_id__in=pub_ids
    ).values_list("authorship_id", "organisation_id"):
        affiliations[authorship_id].add(organisation_id)
    for row in (
        Authorship.objects.filter(publication_id__in=pub_ids)
        .order_by("position")
        .values_list(
            "pk",
            "publication_id",
            "position",
            "person_id",
            "name_as_printed",
            "role",
            "corresponding",
        )
    ):
        have_authors[row[1]].append((*row[2:], frozenset(affiliations[row[0]])))
    have_keywords: dict[int, list] = defaultdict(list)
    for publication_id, keyword_id, position in (
        PublicationKeyword.objects.filter(publication_id__in=pub_ids)
        .order_by("position")
        .values_list("publication_id", "keyword_id", "position")
    ):
        have_keywords[publication_id].append((keyword_id, position))
    have_statuses: dict[int, set] = defaultdict(set)
    for publication_id, *status in PublicationStatusEntry.objects.filter(
        publication_id__in=pub_ids
    ).values_list("publication_id", "status", "date", "date_precision"):
        have_statuses[publication_id].add(tuple(status))
    have_areas: dict[int, set] = defaultdict(set)
    for publication_id, area_id in area_link.objects.filter(publication_id__in=pub_ids).values_list(
        "publication_id", "subjectarea_id"
    ):
        have_areas[publication_id].add(area_id)
    have_links: dict[int, list] = defaultdict(list)
    for publication_id, url, label in (
        PublicationLink.objects.filter(publication_id__in=pub_ids)
        .order_by("pk")
        .values_list("publication_id", "url", "label")
    ):
        have_links[publication_id].append((url, label))

    stale: dict[str, list[int]] = defaultdict(list)
    new_authors: list[tuple[Authorship, list[int]]] = []
    new_keywords, new_statuses, new_areas, new_links = [], [], [], []
    for spec, publication in zip(specs, publications, strict=True):
        pk = publication.pk
        authors = [
            (
                position,
                ids.persons[a.person],
                a.name_as_printed,
                a.role,
                a.corresponding,
                frozenset(ids.organisations[o] for o in a.affiliations),
            )
            for position, a in enumerate(spec.authors, start=1)
        ]
        if authors != have_authors[pk]:
            stale["authors"].append(pk)
            for position, person_id, name, role, corresponding, organisations in authors:
                authorship = Authorship(
                    publication_id=pk,
                    position=position,
                    person_id=person_id,
                    name_as_printed=name,
                    role=role,
                    corresponding=corresponding,
                )
                new_authors.append((authorship, sorted(organisations)))
        keywords = [
            (ids.keywords[term.lower()], n) for n, term in enumerate(spec.keywords, start=1)
        ]
        if keywords != have_keywords[pk]:
            stale["keywords"].append(pk)
            new_keywords += [
                PublicationKeyword(publication_id=pk, keyword_id=k, position=n) for k, n in keywords
            ]
        statuses = {(s.status, s.date, s.precision) for s in spec.statuses}
        if statuses != have_statuses[pk]:
            stale["statuses"].append(pk)
            new_statuses += [
                PublicationStatusEntry(
                    publication_id=pk, status=s.status, date=s.date, date_precision=s.precision
                )
                for s in spec.statuses
            ]
        areas = {ids.areas[code] for code in spec.codes}
        if areas != have_areas[pk]:
            stale["areas"].append(pk)
            new_areas += [area_link(publication_id=pk, subjectarea_id=a) for a in sorted(areas)]
        if spec.links != have_links[pk]:
            stale["links"].append(pk)
            new_links += [
                PublicationLink(publication_id=pk, url=u, label=lbl) for u, lbl in spec.links
            ]

    Authorship.objects.filter(publication_id__in=stale["authors"]).delete()
    PublicationKeyword.objects.filter(publication_id__in=stale["keywords"]).delete()
    PublicationStatusEntry.objects.filter(publication_id__in=stale["statuses"]).delete()
    area_link.objects.filter(publication_id__in=stale["areas"]).delete()
    PublicationLink.objects.filter(publication_id__in=stale["links"]).delete()

    Authorship.objects.bulk_create([authorship for authorship, _ in new_authors])
    affiliation.objects.bulk_create(
        [
            affiliation(authorship_id=authorship.pk, organisation_id=organisation_id)
            for authorship, organisations in new_authors
            for organisation_id in organisations
        ]
    )
    PublicationKeyword.objects.bulk_create(new_keywords)
    PublicationStatusEntry.objects.bulk_create(new_statuses)
    area_link.objects.bulk_create(new_areas)
    PublicationLink.objects.bulk_create(new_links)
    return len(to_create), len(to_update)


def load_demo_data(*, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Writes the demo (see the module docstring) in one transaction; progress(done, total) is
    called after every batch of publications."""
    data = build_demo()
    area_ids = dict(SubjectArea.objects.values_list("code", "pk"))
    needed = {code for journal in data.journals for code in journal.codes}
    needed |= {code for spec in data.publications for code in spec.codes}
    if missing := needed - area_ids.keys():
        raise RuntimeError(
            f"ASJC subject areas {sorted(missing)} are missing: run `manage.py migrate` first."
        )
    created = updated = 0
    with transaction.atomic():
        organisation_ids = _load_organisations(data.organisations)
        ids = _Ids(
            organisations=organisation_ids,
            journals=_load_journals(data.journals, area_ids),
            persons=_load_persons(data.persons, organisation_ids),
            keywords=_load_keywords(term for spec in data.publications for term in spec.keywords),
            areas=area_ids,
        )
        total = len(data.publications)
        for start in range(0, total, BATCH):
            new, changed = _load_publication_batch(data.publications[start : start + BATCH], ids)
            created, updated = created + new, updated + changed
            if progress is not None:
                progress(min(start + BATCH, total), total)
    return DemoSummary(
        publications=len(data.publications),
        created=created,
        updated=updated,
        persons=len(data.persons),
        organisations=len(data.organisations),
        journals=len(data.journals),
    )
