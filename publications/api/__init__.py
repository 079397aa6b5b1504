"""The read-only JSON API under /api/v1/: public publications, persons, organisations, journals
and subject areas, searched and filtered by the listing's own FilterSet and query-string names.

Modules: `views` (thin DRF views), `queries` (one query builds a page's rows as plain values),
`representations` (rows to JSON-ready dicts), `params` (query-string checks: 400 on anything
the API cannot honour), `pagination` (keyset cursors), `conditional` (ETag, Last-Modified),
`throttling`, `errors`, `renderers`, `schema` (OpenAPI 3 and the server-rendered docs page).
"""

# publications.listing and publications.views import each other, and only the views-first order
# works (the URL conf's); every module here imports this package first.
import publications.views  # noqa: E402, F401
