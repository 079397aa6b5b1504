"""The research fields of the demo: where their people work, where they publish and meet, and the
words they use. Pure data; the builder draws from it.

Every conference series ran before 1995, the first demo year, so its meeting of any demo year has a
number.
"""

from __future__ import annotations

from publications.demo.organisations import IMMUNOLOGY_DEPARTMENT
from publications.demo.specs import ConferenceSeries, JournalDraft, ResearchField
from publications.models import OutputType

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
        conferences=(
            ConferenceSeries(
                "International Workshop on HIV Immunopathogenesis", "IWHI", 1989,
                "Meridian Scientific",
            ),
            ConferenceSeries(
                "European Congress of Clinical Retrovirology", "ECCR", 1991,
                "Harbour Academic Press",
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
        conferences=(
            ConferenceSeries(
                "European Symposium on Metabolic Medicine", "ESMM", 1986, "Meridian Scientific"
            ),
            ConferenceSeries(
                "International Meeting on Diabetes and Vascular Disease", "IMDVD", 1993,
                "Castellan & Rowe",
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
        conferences=(
            ConferenceSeries(
                "International Conference on Molecular Materials", "ICMM", 1988, "Castellan & Rowe"
            ),
            ConferenceSeries(
                "European Forum on Catalysis and Sustainable Chemistry", "EFCSC", 1994,
                "Meridian Scientific",
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
        conferences=(
            ConferenceSeries(
                "International Conference on Quantum Materials", "ICQM", 1984,
                "Harbour Academic Press",
            ),
            ConferenceSeries(
                "Symposium on Photonics and Ultrafast Phenomena", "SPUP", 1990,
                "Meridian Scientific",
            ),
            ConferenceSeries(
                "Workshop on High-Energy Collider Physics", "WHECP", 1992, "Castellan & Rowe"
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
        conferences=(
            ConferenceSeries(
                "European Plant Ecology Congress", "EPEC", 1983, "Example University Press"
            ),
            ConferenceSeries(
                "International Symposium on Sustainable Agronomy", "ISSA", 1992,
                "Harbour Academic Press",
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
        conferences=(
            ConferenceSeries(
                "International Conference on Machine Learning Systems", "ICMLS", 1994,
                "Meridian Scientific",
            ),
            ConferenceSeries(
                "Symposium on Principles of Distributed Computing Systems", "SPDCS", 1982,
                "Castellan & Rowe",
            ),
            ConferenceSeries(
                "Conference on Computational Language Technologies", "CCLT", 1991,
                "Example University Press",
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
        conferences=(
            ConferenceSeries(
                "European Conference on Labour Economics", "ECLE", 1989, "Castellan & Rowe"
            ),
            ConferenceSeries(
                "Workshop on Economic History and Institutions", "WEHI", 1994,
                "Example University Press",
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
        conferences=(
            ConferenceSeries(
                "International Congress of Early Modern Studies", "ICEMS", 1986,
                "Example University Press",
            ),
            ConferenceSeries(
                "European Colloquium on Urban and Mercantile History", "ECUMH", 1990,
                "Edizioni Accademiche Ambrosiane",
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
        conferences=(
            ConferenceSeries(
                "European Conference on Cognitive Development", "ECCD", 1987,
                "Harbour Academic Press",
            ),
            ConferenceSeries(
                "International Meeting on Clinical and Developmental Psychology", "IMCDP", 1993,
                "Meridian Scientific",
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
        conferences=(
            ConferenceSeries(
                "International Conference on Urban Water Engineering", "ICUWE", 1990,
                "Castellan & Rowe",
            ),
            ConferenceSeries(
                "European Conference on Structural Engineering and Materials", "ECSEM", 1985,
                "Harbour Academic Press",
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
