"""The declarative base and the column types every table module shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class SerializedJson(str):
    """JSON text serialized already (pydantic's ``model_dump_json``): written as it is."""

    __slots__ = ()


class _OrderedJson(TypeDecorator[Any]):
    """JSON (not jsonb: the case document keeps the workflow's key order, command answers pass
    it on). A value given as ``SerializedJson`` skips ``json.dumps``: the projection serializes
    the case with pydantic's serializer in one step instead of a dict and then its text."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        dumps = self.impl_instance.bind_processor(dialect)

        def process(value: Any) -> Any:
            if isinstance(value, SerializedJson):
                return str(value)
            return dumps(value) if dumps is not None else value

        return process


OrderedJsonDocument = _OrderedJson()


class Base(DeclarativeBase):
    pass
