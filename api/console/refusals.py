"""Refusals (退回的表单): a request model's or the API's refusal in the Chinese words shown beside
the console field it concerns (or above the form)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.console.forms import Field, FormState
from api.errors import ApiError
from domain.people.privacy import scrub_text
from domain.text import CONTROL_CHARS_ZH, is_control_chars_error

_MESSAGES: dict[str, str] = {
    "missing": "此项必填",
    "string_too_short": "此项必填",
    "too_short": "至少填写一项",
    "date_parsing": "请按“年-月-日”填写有效日期，如 2026-03-02",
    "date_from_datetime_parsing": "请按“年-月-日”填写有效日期，如 2026-03-02",
    "date_from_datetime_inexact": "请按“年-月-日”填写有效日期，如 2026-03-02",
    "date_type": "请按“年-月-日”填写有效日期，如 2026-03-02",
    "enum": "请选择有效选项",
    "literal_error": "请选择有效选项",
    "int_parsing": "请填写整数",
    "bool_parsing": "请选择是或否",
    "extra_forbidden": "不接受此项",
}


def refusal_text(item: Mapping[str, Any]) -> str:
    """A pydantic refusal in the Chinese words shown beside the field."""
    kind = str(item.get("type"))
    context = item.get("ctx") or {}
    loc = [str(part) for part in item.get("loc", ())]
    if kind == "string_too_long":
        return f"过长：最多 {context.get('max_length')} 字"
    if kind == "too_long":
        return f"过多：最多 {context.get('max_length')} 项"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"不能小于 {context.get('ge', context.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"不能大于 {context.get('le', context.get('lt'))}"
    if kind == "string_pattern_mismatch":
        last = loc[-1] if loc else ""
        if last == "phone":
            return "电话号码格式不正确（手机11位，或区号-号码）"
        if last.endswith("_code"):
            return "行政区划代码位数不正确（县6位、乡镇9位、村12位）"
        if is_control_chars_error(item):
            return f"{CONTROL_CHARS_ZH}（不可见的控制符），请删除后重试"
        return "含有不允许的字符"
    if kind == "value_error":  # a validator's words may quote the input: masked like any text
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        return scrub_text(message.split(" / ")[0])
    return _MESSAGES.get(kind, "输入无效")


def field_errors(error: ValidationError, fields: list[Field]) -> dict[str, str]:
    """Each refusal beside its field; one with no field of its own goes to the nearest one, or to
    the form (key ``""``)."""
    names = [f.name for f in fields]
    found: dict[str, str] = {}
    items = error.errors()
    deeper = {".".join(str(p) for p in item.get("loc", ())[:-1]) for item in items}
    for item in items:
        path = ".".join(str(part) for part in item.get("loc", ()))
        if item.get("type") == "too_short" and any(d.startswith(path + ".") for d in deeper):
            continue  # a list left short only because its rows were refused: those say why
        path = ".".join(str(part) for part in item.get("loc", ()))
        target = (
            path
            if path in names
            else next(
                (n for n in names if n.startswith(path + ".") or path.startswith(n + ".")), ""
            )
        )
        found.setdefault(target, refusal_text(item))
    return found


def api_field(field_name: str | None, fields: list[Field]) -> str:
    """Where an API refusal naming ``field_name`` is shown (its input, or the form)."""
    if not field_name:
        return ""
    names = [f.name for f in fields]
    if field_name in names:
        return field_name
    return next((n for n in names if n.startswith(field_name + ".")), "")


def show_refusal(state: FormState, refused: ApiError) -> None:
    """The API's refusal in its own Chinese words, beside the field it names (else above the
    form); one a form cannot show (401, 404, 5xx) is raised again for the error page."""
    if refused.status >= 500 or refused.status in (401, 404):
        raise refused
    where = api_field(refused.body.field, state.fields)
    if where:
        state.errors[where] = refused.body.message_zh
    else:
        state.message = refused.body.message_zh
