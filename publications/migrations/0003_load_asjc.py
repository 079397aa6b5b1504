"""Load all 334 ASJC codes from publications/data/asjc.csv (a copy of Scopus' published list)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "asjc.csv"
GROUPS = {
    "Life Sciences": "life",
    "Social Sciences & Humanities": "social",
    "Physical Sciences": "physical",
    "Health Sciences": "health",
    "Multidisciplinary": "multidisciplinary",
}


def pure_display_name(code: int, name: str) -> str:
    """Scopus and Pure show an xx00 area as '<Area>(all)': 1100 'Agricultural and Biological
    Sciences(all)' where the list says 'General Agricultural and Biological Sciences'."""
    if code % 100 == 0 and name.startswith("General "):
        return name.removeprefix("General ") + "(all)"
    return name


def load_asjc(apps, schema_editor):
    SubjectArea = apps.get_model("publications", "SubjectArea")
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        rows = [
            (int(row["Code"]), row["Field"].strip(), GROUPS[row["Subject area"].strip()])
            for row in csv.DictReader(handle, delimiter=";")
        ]
    areas = {}
    for code, name, group in sorted(rows):
        parent = None if code % 100 == 0 else areas[code // 100 * 100]
        areas[code], _ = SubjectArea.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "display_name": pure_display_name(code, name),
                "group": group,
                "parent": parent,
            },
        )


def unload_asjc(apps, schema_editor):
    SubjectArea = apps.get_model("publications", "SubjectArea")
    SubjectArea.objects.filter(parent__isnull=False).delete()
    SubjectArea.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("publications", "0002_extensions")]

    operations = [migrations.RunPython(load_asjc, unload_asjc)]
