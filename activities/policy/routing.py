"""Loading the routing rules (分流规则) from data: ``data/routing.json`` unless a file is named;
and the 重点人员 register's policy (``data/watched.json``).

A deployment replaces the shipped rules with its own file (``FENGQIAO_ROUTING_RULES_FILE``).
Files are validated with pydantic on load; a bad file is refused with its name and the error.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from activities.policy.book import PolicyError
from domain.organisation.registry import Registry
from domain.organisation.routing import RoutingRules
from domain.registers.watched import WatchPolicy

DEFAULT_ROUTING = Path(__file__).parent / "data" / "routing.json"
DEFAULT_WATCH_POLICY = Path(__file__).parent / "data" / "watched.json"
# The demo county (玄武区) that ``fengqiao demo`` seeds into the registry.
DEMO_REGISTRY = Path(__file__).parent / "data" / "demo_registry.json"


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PolicyError(f"{path}: {error}") from error


def load_routing_rules(path: Path | None = None) -> RoutingRules:
    """The routing rules of ``path`` (default: the shipped ones), validated."""
    path = path or DEFAULT_ROUTING
    try:
        return RoutingRules.model_validate(_read(path))
    except ValidationError as error:
        raise PolicyError(f"{path}: {error}") from error


def load_watch_policy(path: Path | None = None) -> WatchPolicy:
    """Who may read and write the 重点人员 register (``path`` or the shipped data), validated."""
    path = path or DEFAULT_WATCH_POLICY
    try:
        return WatchPolicy.model_validate(_read(path))
    except ValidationError as error:
        raise PolicyError(f"{path}: {error}") from error


@cache
def routing_rules(path: Path | None = None) -> RoutingRules:
    """The rules in force (``path`` or the shipped ones), read once per process and path."""
    return load_routing_rules(path)


def load_registry_file(path: Path) -> Registry:
    """A registry file (jurisdictions, organisations, mediators), validated as one whole."""
    try:
        return Registry.model_validate(_read(path))
    except ValidationError as error:
        raise PolicyError(f"{path}: {error}") from error


@cache
def watch_policy(path: Path | None = None) -> WatchPolicy:
    """The register's policy in force (``path`` or the shipped data), read once per path."""
    return load_watch_policy(path)
