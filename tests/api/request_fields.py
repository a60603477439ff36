"""Every string a client can send the JSON API: each route's body fields (nested models and lists
walked) and string query parameters, found by introspecting the app, not listed by hand."""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from pydantic import BaseModel

from activities.runtime.settings import Settings
from api.app import create_app

# Path parameters: any value of the right shape (the refusal comes before the route runs).
PATH_VALUES = {
    "alert_id": "JF-2026-000001-A1",
    "org_id": "xw-center",
    "mediator_id": "m-probe",
    "recipient_id": "probe",
    "reception_id": "JD-00000000000000000000",
}


@dataclass(frozen=True)
class StringField:
    """One string a request carries: ``where`` is body or query, ``path`` its field path."""

    method: str
    route: str
    where: str
    path: tuple[str | int, ...]

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def case_id(self) -> str:
        return f"{self.method} {self.route} {self.where}:{self.name}"


def _routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            if isinstance(route, _IncludedRouter):
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                yield prefix, route

    for prefix, route in walk(app.router.routes, ""):
        if route.include_in_schema:  # the JSON API (the console's forms have their own test)
            yield prefix + route.path_format, route


def _is_string(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, str)


def _string_paths(annotation: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Field paths of every string inside ``annotation`` (a list or tuple item is index 0)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _string_paths(get_args(annotation)[0], path)
    elif origin in (Union, types.UnionType):
        seen: set[tuple[str | int, ...]] = set()
        for member in get_args(annotation):
            for found in _string_paths(member, path):
                if found not in seen:
                    seen.add(found)
                    yield found
    elif origin in (list, tuple, set, frozenset):
        items = [a for a in get_args(annotation) if a is not Ellipsis]
        if items:
            yield from _string_paths(items[0], (*path, 0))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            yield from _string_paths(info.annotation, (*path, info.alias or name))
    elif origin is Literal:  # a command's discriminator, fixed by the route
        return
    elif _is_string(annotation):
        yield path


def request_string_fields() -> list[StringField]:
    app = create_app(Settings())
    fields: list[StringField] = []
    for url, route in _routes(app):
        for method in sorted(route.methods):
            if route.body_field is not None:
                body = route.body_field.field_info.annotation
                fields += [
                    StringField(method, url, "body", path) for path in _string_paths(body, ())
                ]
            for param in route.dependant.query_params:
                if any(True for _ in _string_paths(param.field_info.annotation, ())):
                    fields.append(StringField(method, url, "query", (param.alias,)))
    return fields


def body_with(path: tuple[str | int, ...], value: str) -> Any:
    """The smallest body holding ``value`` at ``path`` (lists for indices)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    inner = body_with(rest, value)
    return [inner] if isinstance(head, int) else {head: inner}
