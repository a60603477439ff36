"""structlog: console in development, JSON in production; stdlib logs rendered the same way.

Every line passes through ``scrub_personal_data`` last: no ID number or mobile number is ever
written in clear, whoever logged it (our code, the Temporal SDK, SQLAlchemy errors).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from activities.runtime.settings import Settings
from domain.people.privacy import scrub_text

SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub_text(str(value))


def scrub_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return {key: _scrub(value) for key, value in event_dict.items()}


def log_handler(stream: TextIO, *, json: bool, colors: bool = False) -> logging.Handler:
    """A handler rendering every record (structlog's and stdlib's) the same, scrubbed, way."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=colors)
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=SHARED_PROCESSORS,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,  # the traceback is scrubbed too
                scrub_personal_data,
                renderer,
            ],
        )
    )
    return handler


def configure_structlog() -> None:
    """structlog hands its events to stdlib logging, whose handlers render them."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def configure_logging(settings: Settings) -> None:
    configure_structlog()
    root = logging.getLogger()
    # Replaces earlier handlers (no line printed twice), except ones marked to stay (a test's
    # capture of every line of the session).
    kept = [handler for handler in root.handlers if getattr(handler, "fengqiao_keep", False)]
    root.handlers[:] = [
        *kept,
        log_handler(sys.stderr, json=settings.json_logs, colors=sys.stderr.isatty()),
    ]
    root.setLevel(settings.log_level.upper())
    for noisy in ("sqlalchemy.engine", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
