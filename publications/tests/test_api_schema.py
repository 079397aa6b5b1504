"""The OpenAPI 3 schema at /api/v1/schema/ (valid, complete, true to the answers) and the docs page
made from it, which a reader can use with JavaScript off and no network."""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml
from drf_spectacular.validation import validate_schema

from publications.filters import PublicationFilterSet
from publications.models import Organisation, SubjectArea
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)
from publications.tests.test_api import fresh_rate_limits  # noqa: F401

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/publications/": "publications_list",
    "/api/v1/publications/{slug}/": "publications_retrieve",
    "/api/v1/persons/": "persons_list",
    "/api/v1/persons/{slug}/": "persons_retrieve",
    "/api/v1/organisations/": "organisations_list",
    "/api/v1/organisations/{slug}/": "organisations_retrieve",
    "/api/v1/journals/": "journals_list",
    "/api/v1/journals/{slug}/": "journals_retrieve",
    "/api/v1/subject-areas/": "subject_areas_list",
    "/api/v1/subject-areas/{code}/": "subject_areas_retrieve",
}


@pytest.fixture
def schema(visitor) -> dict:
    response = visitor.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    operations = {
        path: operation["operationId"]
        for path, methods in schema["paths"].items()
        for operation in methods.values()
    }
    assert operations == ENDPOINTS


def test_the_schema_lists_every_filter_of_the_listing_and_the_api_parameters(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/publications/"]["get"]["parameters"]
    }
    names = set(PublicationFilterSet.base_filters)
    assert names | {"sort", "per_page", "cursor", "facets", "more"} == set(parameters)
    assert parameters["type"]["schema"]["type"] == "array"  # repeatable
    assert "review-article" in parameters["type"]["schema"]["items"]["enum"]
    assert parameters["year_from"]["schema"]["type"] == "integer"
    assert set(parameters["sort"]["schema"]["enum"]) == {"relevance", "newest", "oldest", "title"}
    listing = schema["paths"]["/api/v1/persons/"]["get"]["parameters"]
    assert {parameter["name"] for parameter in listing} == {"per_page", "cursor"}


def test_the_schema_is_also_yaml_on_request(visitor, schema):
    response = visitor.get("/api/v1/schema/", headers={"Accept": "application/yaml"})
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == schema


def nullable_as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as plain JSON Schema (`type: [x, "null"]`), and `$ref`s
    into the document's components, so that jsonschema can check answers against it."""
    if isinstance(node, list):
        return [nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: nullable_as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_every_answer_is_what_the_schema_says(visitor, schema):
    university = Organisation.objects.create(name="Uni", kind="university")
    journal = JournalFactory()
    journal.subject_areas.add(SubjectArea.objects.get(code=2403))
    publication = PublicationFactory(journal=journal, doi="10.5555/x.1")
    person = PersonFactory(orcid="0000-0002-1825-0097")
    person.memberships.create(organisation=university)
    add_authors(publication, [person, PersonFactory(is_internal=False)])
    AuthorshipFactory(publication=publication, person=None, position=3, name_as_printed="A Group")
    publication.authorships.first().affiliations.add(university)
    publication.subject_areas.add(SubjectArea.objects.get(code=2403))
    PublicationFactory(journal=None, date=None, host_title="A book", conference_name="Meeting")

    document = nullable_as_json_schema(schema)
    answers = {
        "/api/v1/publications/?facets=all": ("publications_list", "PublicationPage"),
        f"/api/v1/publications/{publication.slug}/": ("publications_retrieve", "Publication"),
        "/api/v1/persons/": ("persons_list", "PersonPage"),
        f"/api/v1/persons/{person.slug}/": ("persons_retrieve", "Person"),
        "/api/v1/organisations/": ("organisations_list", "OrganisationPage"),
        f"/api/v1/organisations/{university.slug}/": ("organisations_retrieve", "Organisation"),
        "/api/v1/journals/": ("journals_list", "JournalPage"),
        f"/api/v1/journals/{journal.slug}/": ("journals_retrieve", "Journal"),
        "/api/v1/subject-areas/?per_page=100": ("subject_areas_list", "SubjectAreaPage"),
        "/api/v1/subject-areas/2403/": ("subject_areas_retrieve", "SubjectArea"),
        "/api/v1/publications/?type=nope": ("publications_list", "Error"),
    }
    for url, (_, component) in answers.items():
        answer = visitor.get(url).json()
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
        )
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(answer)]
        assert not errors, (url, errors[:5])
        if component != "Error":
            # Every field an answer has is described, and every described field is there.
            properties = document["components"]["schemas"][component]["properties"]
            assert set(answer) <= set(properties), url
            assert set(properties) - set(answer) <= {"facets"}, url


def test_the_docs_page_reads_without_javascript_or_the_network(visitor):
    response = visitor.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    main = page.split('<main id="main"', 1)[1]
    assert "<script" not in main
    # Nothing is loaded from another site (only links to read, such as doi.org, may leave).
    assert not re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="https?://', page)
    for path in ENDPOINTS:
        assert f"GET {path}" in page
    for name in PublicationFilterSet.base_filters:
        assert f"<code>{name}</code>" in page
    assert "If-None-Match" in page and "429" in page and "Retry-After" in page


def test_the_api_root_links_every_collection_the_schema_and_the_docs(visitor):
    root = visitor.get("/api/v1/").json()
    for name in ["publications", "persons", "organisations", "journals", "subject_areas"]:
        assert visitor.get(root[name]).status_code == 200
    assert visitor.get(root["schema"]).status_code == 200
    assert visitor.get(root["docs"]).status_code == 200
