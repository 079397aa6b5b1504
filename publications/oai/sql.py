"""SQL the ORM does not write the way the harvest needs it."""

from __future__ import annotations

from django.db.models import BooleanField, F, Func


class AnyOf(Func):
    """`field = ANY(%s)` with the ids as one array parameter. `field__in` binds a parameter per
    id, and merging 500 of them into the SQL text took longer than running the query."""

    output_field = BooleanField()

    def __init__(self, field_name: str, ids: list[int]):
        super().__init__(F(field_name))
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s::bigint[])", [*params, self.ids]
