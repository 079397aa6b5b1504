"""The source record: the journal article of the Pure page the portal is modelled on
(/work/shared/seed/source-page.txt), its journal and its seven authors, exactly as the page shows
them."""

from __future__ import annotations

import datetime

from publications.demo.organisations import IMMUNOLOGY_DEPARTMENT
from publications.demo.specs import (
    BLANK_DETAILS,
    AuthorSpec,
    JournalSpec,
    MembershipSpec,
    PersonSpec,
    PublicationSpec,
    StatusSpec,
    demo_slug,
)
from publications.models import (
    DatePrecision,
    OpenAccess,
    OutputType,
    Publication,
    PublicationStatus,
    Visibility,
    WorkflowState,
)

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

SOURCE_SLUG = demo_slug(SOURCE_TITLE)


def source_publication() -> Publication:
    """The source record (raises Publication.DoesNotExist until load_demo has run)."""
    return Publication.objects.get(slug=SOURCE_SLUG)


SOURCE_JOURNAL = JournalSpec(
    title="Journal of Biological Regulators and Homeostatic Agents",
    abbreviation="J Biol Regul Homeost Agents",
    issn=SOURCE_ISSN,
    eissn="1724-6083",
    publisher="",
    codes=SOURCE_SUBJECT_CODES,
    since=1987,
)

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
        # No volume, DOI, host publication or conference: the page shows none.
        **BLANK_DETAILS,
        "issue": "1-2",
        "pages": "74-78",  # page_start, page_end and number_of_pages are derived
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
