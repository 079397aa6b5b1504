"""The words and mixes the builder draws from, outside any one research field: the kinds of output
and their shares, title and abstract templates (English and other languages), names and career
roles, and where books appear and conferences meet. Pure data."""

from __future__ import annotations

from publications.demo.organisations import INSTITUTION, INSTITUTION_PLACE
from publications.models import OutputType

# ---------------------------------------------------------------------------------------------
# Kinds of output

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

# Presented at (or published from) a conference: these name the meeting.
CONFERENCE_TYPES = {
    OutputType.CONFERENCE_ARTICLE,
    OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS,
    OutputType.CONFERENCE_PAPER,
    OutputType.CONFERENCE_POSTER,
    OutputType.CONFERENCE_ABSTRACT,
}

# ---------------------------------------------------------------------------------------------
# Titles and abstracts

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

# ---------------------------------------------------------------------------------------------
# Where books appear and conferences meet

# Every publisher the demo names (journals' publishers included) and the place on its imprint.
PUBLISHER_PLACES = {
    INSTITUTION: INSTITUTION_PLACE,
    "Example University Press": INSTITUTION_PLACE,
    "Harbour Academic Press": "London",
    "Meridian Scientific": "Amsterdam",
    "Castellan & Rowe": "New York",
    "Lindqvist Verlag": "Stuttgart",
    "Verlag am Oberrhein": "Freiburg im Breisgau",
    "Edizioni Accademiche Ambrosiane": "Milano",
    "Editrice Universitaria Padana": "Bologna",
    "Presses universitaires du Rhône": "Lyon",
    "Ediciones Universitarias del Sur": "Sevilla",
}
# Who publishes a book (or the edited volume a chapter is in), by the language it is written in.
BOOK_PUBLISHERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Example University Press",
        "Harbour Academic Press",
        "Meridian Scientific",
        "Castellan & Rowe",
    ),
    "de": ("Lindqvist Verlag", "Verlag am Oberrhein"),
    "it": ("Edizioni Accademiche Ambrosiane", "Editrice Universitaria Padana"),
    "fr": ("Presses universitaires du Rhône",),
    "es": ("Ediciones Universitarias del Sur",),
}
# How often a book, an anthology or a report is a later edition, and which.
EDITION_SHARES = {OutputType.BOOK: 0.25, OutputType.ANTHOLOGY: 0.15, OutputType.REPORT: 0.1}
EDITIONS = (("2nd", 8), ("3rd", 3), ("4th", 1))
# Titles of the edited volumes chapters appear in: English ones take a field's slots, the others
# a place and a period of FOREIGN_VOCABULARY.
HOST_TITLES = (
    "Handbook of {topic}",
    "Advances in {topic}",
    "{Topic}: perspectives from {discipline}",
    "New directions in {topic} research",
    "{Topic} and {topic2}: an interdisciplinary view",
    "Studies in {topic} {context}",
)
FOREIGN_HOST_TITLES: dict[str, tuple[str, ...]] = {
    "de": (
        "Stadt und Gesellschaft in {place}, {period}",
        "Studien zur Wirtschafts- und Sozialgeschichte",
        "Handel, Kirche und Fürsorge in {place}",
    ),
    "fr": (
        "Villes et sociétés à {place}, {period}",
        "Études d'histoire économique et sociale",
        "Marchands, notaires et confréries",
    ),
    "it": (
        "Città e società a {place}, {period}",
        "Studi di storia economica e sociale",
        "Mercanti, notai e confraternite a {place}",
    ),
    "es": (
        "Estudios de economía y sociedad",
        "Trabajo, familia y sociedad en {place}, {period}",
    ),
}
# Where conferences meet ("City, Country", as Pure prints it), mostly in Europe.
CONFERENCE_LOCATIONS = (
    "Milan, Italy", "Bologna, Italy", "Barcelona, Spain", "Vienna, Austria", "Lisbon, Portugal",
    "Prague, Czech Republic", "Copenhagen, Denmark", "Edinburgh, United Kingdom",
    "Berlin, Germany", "Lyon, France", "Amsterdam, Netherlands", "Zurich, Switzerland",
    "Stockholm, Sweden", "Kraków, Poland", "Athens, Greece", "Dublin, Ireland",
    "Boston, United States", "Montréal, Canada", "Vancouver, Canada", "Kyoto, Japan",
    "Seoul, South Korea", "Singapore, Singapore", "Melbourne, Australia", "Cape Town, South Africa",
)  # fmt: skip
# The months conferences meet in, with weights: spring and early autumn, never in winter.
CONFERENCE_MONTHS = ((3, 2), (4, 3), (5, 4), (6, 5), (7, 3), (8, 1), (9, 5), (10, 4), (11, 3))
