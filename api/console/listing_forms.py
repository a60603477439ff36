"""挂牌督办 and 摘牌 on the case page: the forms, and when each is offered.

挂牌督办 is offered to a leader of a level the case's policy lets list (policy data: ``listing``
in the snapshot) while the case is not listed; 摘牌 to the lister (or the delegate they named)
while it is. The case decides again when the form is sent (403, 409, 422 beside the form).
"""

from __future__ import annotations

from typing import Any

from api.console.forms import Field, Options
from api.console.session import ConsoleUser
from domain.case.listing_records import leader_level
from domain.people.access import Permission

_OVERDUE = "到期未化解的，提醒承办单位、挂牌领导，再报上一级领导"
_RESOLVED = "案件须已化解（调解成功或已出具处理意见）"
LISTING_FIELDS: dict[str, list[Field]] = {
    "listing": [
        Field(
            "deadline",
            "督办时限",
            "date",
            True,
            hint="到期未化解的，提醒承办单位、挂牌领导，再报上一级领导",
        ),
        Field("supervising_unit", "督办单位", "select", True),
        Field("reason", "挂牌事由及督办要求", "textarea", True),
        Field("delegate", "可代为审批摘牌的人员账号", hint="选填；不填则只由本人审批摘牌"),
    ],
    "delisting": [
        Field(
            "note", "摘牌意见", "textarea", True, hint="案件须已化解（调解成功或已出具处理意见）"
        ),
    ],
}


def _open_listing(document: dict[str, Any]) -> dict[str, Any] | None:
    return next((x for x in document.get("listings") or () if not x.get("delisted_at")), None)


def may_list(user: ConsoleUser, document: dict[str, Any]) -> bool:
    """A leader whose level the case's policy names, on a case not listed now."""
    listing = ((document.get("policy") or {}).get("listing")) or {}
    level = leader_level(user.principal.jurisdiction)
    return (
        user.may(Permission.INSTRUCT)
        and level in (listing.get("levels") or ())
        and _open_listing(document) is None
    )


def offered(path: str, user: ConsoleUser, document: dict[str, Any]) -> bool:
    """Whether the listing form ``path`` is offered now (True for any other form)."""
    if path == "listing":
        return may_list(user, document)
    if path == "delisting":
        current = _open_listing(document)
        approvers = {current.get("lister_user_id"), current.get("delegate")} if current else set()
        return user.principal.user_id in approvers
    return True


def unit_options(organisations: tuple[Any, ...]) -> Options:
    return tuple((o.org_id, o.name) for o in organisations)
