"""Model instances from hand-written SQL, for the few queries that run on every request.

Building a query through the ORM costs about a millisecond of CPU per query, several times what
the database takes to answer the primary-key lookups that every page makes (the user with their
role, the county in the user's scope). These helpers write such a query's column list from the
models' metadata, so a renamed field cannot be missed, and turn a result row back into model
instances with their related objects attached, as `select_related` would. A query's text is
built once per database kind: its builder takes `connection.vendor` as the key of its cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def quote(name: str) -> str:
    """A table or column name quoted for the current database."""
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], field: str) -> str:
    """A field's column name quoted; `pk` for the primary key."""
    meta = model._meta
    return quote(meta.pk.column if field == "pk" else meta.get_field(field).column)


Fields = tuple[str, ...] | None
"""Which fields a query reads (their names, the primary key among them); None: all. The model
instances built from it defer the others, as `only()` would."""


def _fields(model: type[Model], only: Fields) -> list[Any]:
    concrete = model._meta.concrete_fields
    if only is None:
        return list(concrete)
    return [f for f in concrete if f.name in only or f.attname in only]


def columns(model: type[Model], alias: str, only: Fields = None) -> str:
    """The model's concrete columns (or those of `only`), as `alias.column`, in field order."""
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model, only))


def width(model: type[Model], only: Fields = None) -> int:
    return len(_fields(model, only))


def split(row: Sequence[Any], *widths: int) -> list[Sequence[Any]]:
    """A result row cut into the parts of consecutive `columns(...)` lists of these widths,
    and what follows them."""
    parts, start = [], 0
    for size in widths:
        parts.append(row[start : start + size])
        start += size
    return [*parts, row[start:]]


_Reader = tuple[list[str], int, list[tuple[int, Any, list[Any]]]]
_readers: dict[tuple[str, type[Model], Fields], _Reader] = {}


def _reader(model: type[Model], only: Fields) -> _Reader:
    """Attribute names, the primary key's position and the database's value converters of
    the columns read (SQLite returns datetimes as text and booleans as integers, JSON comes
    as text), as the ORM applies them; computed once per database kind, model and fields."""
    key = (connection.vendor, model, only)
    if key not in _readers:
        fields = _fields(model, only)
        converters = []
        for i, field in enumerate(fields):
            expression = field.get_col(model._meta.db_table)
            found = [
                *connection.ops.get_db_converters(expression),
                *field.get_db_converters(connection),
            ]
            if found:
                converters.append((i, expression, found))
        names = [f.attname for f in fields]
        _readers[key] = (names, names.index(model._meta.pk.attname), converters)
    return _readers[key]


def instance(model: type[Model], values: Sequence[Any], only: Fields = None) -> Model | None:
    """The model instance of a row's `columns(model, only)` part; None for the all-NULL part of
    a LEFT JOIN without a match (a primary key is never NULL otherwise)."""
    names, pk, converters = _reader(model, only)
    if values[pk] is None:
        return None
    converted = list(values)
    for i, expression, functions in converters:
        for function in functions:
            converted[i] = function(converted[i], expression, connection)
    return model.from_db(connection.alias, names, converted)


def attach(owner: Model, descriptor: Any, related: Model | None) -> None:
    """Cache `related` on `owner` through a relation's descriptor (a foreign key's or a reverse
    one-to-one's), so reading it makes no query; None caches "no such object"."""
    cache = descriptor.field if hasattr(descriptor, "field") else descriptor.related
    cache.set_cached_value(owner, related)
