"""Domain errors: each has a stable machine-readable code and a message in Chinese and English."""

from __future__ import annotations


class DomainError(Exception):
    """A command the case refuses. Nothing is recorded when one is raised."""

    code = "domain_error"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field


class ForbiddenTransition(DomainError):
    """The case's stage does not allow this command (HTTP 409)."""

    code = "forbidden_transition"


class InvalidCommand(DomainError):
    """The command contradicts the case's facts, e.g. a date before the agreement (HTTP 422)."""

    code = "invalid_command"


class UnknownCase(DomainError):
    """A command other than registration sent to a case that was never registered (HTTP 404)."""

    code = "case_not_found"


class NotYourTurn(DomainError):
    """Another organisation sends this command on the case now (HTTP 403): the case moved on
    (签收, 上提…) after the caller last saw it."""

    code = "forbidden"


ERROR_TYPES: dict[str, type[DomainError]] = {
    cls.code: cls for cls in (ForbiddenTransition, InvalidCommand, UnknownCase, NotYourTurn)
}
