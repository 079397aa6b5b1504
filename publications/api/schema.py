"""The OpenAPI 3 schema (drf-spectacular, from the views and publications.api.serializers) at
/api/v1/schema/, and a server-rendered docs page made from it at /api/v1/docs/: no JavaScript,
nothing fetched from elsewhere (Swagger UI and Redoc would need both)."""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from publications.api import params
from publications.api.errors import json_error

SCHEMA_SETTINGS = {
    "TITLE": f"{settings.PORTAL_NAME} API",
    "DESCRIPTION": (
        f"Read-only JSON API of the public research output of {settings.PORTAL_INSTITUTION}: "
        "publications (searched and filtered with the research-output listing's own query "
        "string, with its counts and facets), persons, organisations, journals and ASJC subject "
        "areas. Cursor pagination, ETag and Last-Modified with 304 answers, CORS for GET, and "
        "a rate limit for anonymous clients (429 with Retry-After). Human-readable docs: "
        "/api/v1/docs/."
    ),
    "VERSION": "1.0.0",
    # Endpoints and parameters in the order they are declared: publications first; search,
    # filters, sort, paging.
    "SORT_OPERATIONS": False,
    "SORT_OPERATION_PARAMETERS": False,
}


@cache
def openapi_schema() -> dict:
    """The schema, generated once per process (it changes only with the code)."""
    with patched_settings(SCHEMA_SETTINGS):
        return SchemaGenerator().get_schema(request=None, public=True)


@extend_schema(exclude=True)
class SchemaView(APIView):
    """The OpenAPI document: JSON unless the Accept header asks for YAML
    (application/vnd.oai.openapi or application/yaml)."""

    http_method_names = ["get", "head", "options"]
    renderer_classes = [
        OpenApiJsonRenderer2,
        OpenApiJsonRenderer,
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
    ]

    def get(self, request: Request) -> Response:
        params.detail_request(request.query_params)
        return Response(openapi_schema())  # rendered, never changed


CODE_SPAN = re.compile(r"`([^`]+)`")


def prose(text: str) -> SafeString:
    """A schema description as HTML: escaped, with its `code spans` (Markdown, as OpenAPI
    descriptions are written) in <code>."""
    return mark_safe(CODE_SPAN.sub(r"<code>\1</code>", escape(text)))  # noqa: S308 (escaped)


def type_of(schema: dict) -> str:
    """A property's type in words: "string", "array of Author", "Journal or null"."""
    if "$ref" in schema:
        text = schema["$ref"].rsplit("/", 1)[-1]
    elif "allOf" in schema:
        text = " and ".join(type_of(part) for part in schema["allOf"])
    elif schema.get("type") == "array":
        text = f"array of {type_of(schema.get('items', {}))}"
    elif schema.get("type") == "object" and "additionalProperties" in schema:
        text = f"object of {type_of(schema['additionalProperties'])}"
    else:
        text = schema.get("type", "any")
        if schema.get("format"):
            text += f" ({schema['format']})"
    return f"{text} or null" if schema.get("nullable") else text


def described(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    values = [
        v for v in schema.get("enum") or schema.get("items", {}).get("enum") or [] if v is not None
    ]
    if all(isinstance(value, int) for value in values):
        values.sort()  # the schema lists them as text sorts them: 100, 25, 50
    kind = type_of(schema)
    if schema.get("type") == "array":
        how = "repeatable" if parameter.get("explode", True) else "comma-separated"
        kind = f"{type_of(schema.get('items', {}))}, {how}"
    return {
        "name": parameter["name"],
        "in": parameter.get("in", "query"),
        "type": kind,
        "values": values,
        "description": prose(parameter.get("description", "")),
    }


def docs_context(schema: dict) -> dict:
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = []
            for status, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": type_of(body) if body else "",
                    }
                )
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "description": prose(operation.get("description", "")),
                    "parameters": [described(p) for p in operation.get("parameters", [])],
                    "responses": responses,
                }
            )
    components = [
        {
            "name": name,
            "properties": [
                {
                    "name": prop,
                    "type": type_of(spec),
                    "description": prose(spec.get("description", "")),
                    "values": spec.get("enum", []),
                }
                for prop, spec in component.get("properties", {}).items()
            ],
        }
        for name, component in schema.get("components", {}).get("schemas", {}).items()
    ]
    info = {**schema["info"], "description": prose(schema["info"].get("description", ""))}
    return {"info": info, "operations": operations, "components": components}


@csrf_exempt  # a 405 for any other method, not the CSRF check's HTML 403
def docs(request: HttpRequest) -> HttpResponse:
    """/api/v1/docs/: the schema as a page to read."""
    if request.method not in ("GET", "HEAD"):
        return json_error(405, f"Method “{request.method}” not allowed.", headers={"Allow": "GET"})
    return render(request, "api/docs.html", docs_context(openapi_schema()))
