"""What the source page (shared/seed/source-page.txt) shows, as the tests expect it: literal
values, not read back from the demo data they check."""

AUTHORS_AS_PRINTED = [
    "S. Ghezzi",
    "E. Vicenzi",
    "L. Soldini",
    "G. Tambussi",
    "M. Murone",
    "A. Lazzarin",
    "G. Poli",
]
FAMILY_NAMES = [name.split(" ", 1)[1] for name in AUTHORS_AS_PRINTED]
