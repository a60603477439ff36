"""编解码服务: the payload codec for operators' tools (the Temporal UI's codec server protocol).

``POST /codec/decode`` and ``/codec/encode`` take and answer ``{"payloads": [...]}`` in
protobuf JSON. Only a system administrator (by key or token) or a holder of the operator token
from settings may call them; every decode is written to the access trail (who, how many
payloads, which namespace) before the clear payloads are answered.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.common.v1 import Payloads

from activities.runtime.payload_codec import EncryptionCodec, PayloadKeyError
from activities.runtime.settings import Settings
from activities.store.tables import AccessTrailRow
from api.auth import Authenticator
from api.errors import ApiError, database_errors, forbidden, invalid_input
from domain.people.access import Principal, Role

OPERATOR_ID = "codec-operator"
# The roles that may open payloads: the one that runs the system (三员: 系统管理员).
CODEC_ROLES = frozenset({Role.SYSTEM_ADMIN})


@dataclass(frozen=True)
class CodecCaller:
    principal_id: str
    name: str
    role: str


async def codec_caller(
    authorization: str | None, *, settings: Settings, auth: Authenticator
) -> CodecCaller:
    """The operator token from settings, or a system administrator's key or token; else 401/403."""
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "未认证：请提供系统管理员密钥或运维令牌",
            "authentication required: a system administrator's key or the operator token",
        )
    credential = credential.strip()
    token = settings.codec_operator_token.get_secret_value()
    if token and hmac.compare_digest(credential.encode(), token.encode()):
        return CodecCaller(OPERATOR_ID, "运维令牌 / operator token", "operator")
    principal: Principal = await auth.principal(credential)  # 401 when unknown
    if principal.role not in CODEC_ROLES:
        raise forbidden(
            "只有系统管理员可以解码流程引擎的数据", "only a system administrator may use the codec"
        )
    return CodecCaller(principal.user_id, principal.display_name, principal.role.value)


def _payloads(body: Any) -> Payloads:
    try:
        return ParseDict(body, Payloads())
    except (ParseError, TypeError, ValueError, AttributeError):
        raise invalid_input(
            "载荷格式无效", "body must be {payloads: [...]} in protobuf JSON", field="payloads"
        ) from None


async def transcode(
    operation: Literal["encode", "decode"],
    body: Any,
    *,
    caller: CodecCaller,
    namespace: str | None,
    codec: EncryptionCodec,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[str, Any]:
    payloads = list(_payloads(body).payloads)
    if operation == "encode":
        return MessageToDict(Payloads(payloads=await codec.encode(payloads)))
    try:
        clear = await codec.decode(payloads)
    except PayloadKeyError as error:
        raise invalid_input("载荷无法解密", str(error), field="payloads") from None
    with database_errors():
        async with sessionmaker.begin() as session:
            await _record_decode(caller, len(clear), namespace, session=session)
    return MessageToDict(Payloads(payloads=clear))


async def _record_decode(
    caller: CodecCaller, count: int, namespace: str | None, *, session: AsyncSession
) -> None:
    where = (namespace or "?")[:64]
    await session.execute(
        insert(AccessTrailRow).values(
            at=datetime.now(UTC),
            principal_id=caller.principal_id[:64],
            principal_name=caller.name[:100],
            role=caller.role[:24],
            case_id="",
            jurisdiction_code="",
            endpoint="POST /codec/decode",
            fields=[f"payloads:{count}"],
            purpose=f"流程引擎数据解码（命名空间 {where}）/ engine payloads decoded ({where})",
        )
    )
