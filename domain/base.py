"""The one base class every domain model shares."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """An immutable value: unknown fields are refused, nothing is mutated in place."""

    model_config = ConfigDict(frozen=True, extra="forbid")
