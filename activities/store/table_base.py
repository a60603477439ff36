"""The declarative base and the column types every table module shares."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# The case document keeps the workflow's key order (json, not jsonb): command answers pass it on.
OrderedJsonDocument = JSON()
# SQLite only auto-increments an INTEGER PRIMARY KEY.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass
