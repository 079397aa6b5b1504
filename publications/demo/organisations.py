"""The institution's organisation tree and the outside organisations its authors come from."""

from __future__ import annotations

from publications.demo.specs import OrganisationSpec
from publications.models import OrganisationKind

INSTITUTION = "University of Example"
INSTITUTION_ROR = "05f950310"
# Where the institution (and its press) publishes: the imprint of its theses and reports.
INSTITUTION_PLACE = "Milan"

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
