"""``fengqiao users`` and ``fengqiao keys``: the operator's tools for the user directory.

They work on the database directly (run on the server, by whoever holds its credentials), so the
first security administrators (安全管理员) can exist before anyone can authenticate to the API.
Each act is in the administration trail (管理留痕) under the command line's name; a password set
here must be changed by its user at first sign-in.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import sys
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from activities.identity import admin_trail, passwords, principals
from activities.identity.admin_trail import COMMAND_LINE
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from api.params import CASE_ID
from domain.people.access import ROLE_LABELS, Principal, Role
from domain.people.administration import AdminAction

LOCAL_ADMIN = "local-admin"


def add_directory_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    users = commands.add_parser("users", help="用户: add, list, disable, enable users")
    user_actions = users.add_subparsers(dest="users_command", required=True)
    add = user_actions.add_parser("add", help="add a user")
    add.add_argument("user_id")
    add.add_argument("--name", required=True, help="display name, e.g. 王芳")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--jurisdiction", help="county/town/village code of the user's area")
    add.add_argument(
        "--center",
        help="the user's organisation (单位) id in the registry (mediators, admins, grid workers)",
    )
    add.add_argument(
        "--grid",
        help="grid code, 15 digits (grid workers 网格员; area defaults to the grid's village)",
    )
    user_actions.add_parser("list", help="list users")
    for verb in ("disable", "enable"):
        action = user_actions.add_parser(verb, help=f"{verb} a user (all their keys)")
        action.add_argument("user_id")
    password = user_actions.add_parser(
        "set-password", help="set a user's console password (prompted, or --password-stdin)"
    )
    password.add_argument("user_id")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    keys = commands.add_parser("keys", help="API 密钥: create, list, revoke keys")
    key_actions = keys.add_subparsers(dest="keys_command", required=True)
    create = key_actions.add_parser("create", help="issue a key (printed once)")
    create.add_argument("user_id")
    create.add_argument("--expires-in-days", type=int, default=None)
    create.add_argument("--label", default="")
    listing = key_actions.add_parser("list", help="list keys (ids only, never secrets)")
    listing.add_argument("--user", default=None)
    revoke = key_actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    rekey = key_actions.add_parser(
        "rekey",
        help="当事人密钥: recompute every stored party and matter key under the current party key",
    )
    rekey.add_argument(
        "--after",
        default="",
        type=_case_number,
        help="resume after this case number (as a cut-short run printed)",
    )


def _case_number(value: str) -> str:
    """A case number as the rekey prints it (JF-2026-000123), refused otherwise."""
    if value and not re.fullmatch(CASE_ID, value):  # empty: from the start
        raise argparse.ArgumentTypeError(
            f"不是案件编号 / not a case number: {value[:40]!r} (e.g. JF-2026-000123)"
        )
    return value


def run_directory(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "keys_command", None) == "rekey":
        from api.cli.party_keys import run_rekey

        return run_rekey(args, settings)
    if getattr(args, "users_command", None) == "set-password":
        # Read before anything else runs: the prompt must not interleave with log lines.
        args.password = _read_password(args.password_stdin)
        if args.password is None:
            print("两次输入的密码不一致 / the passwords differ")
            return 1
    return asyncio.run(_run(args, settings))


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码 / new password: ")
    again = getpass.getpass("再输入一次 / again: ")
    return first if first == again else None


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker.begin() as session:
            if args.command == "users":
                return await _users(args, session)
            return await _keys(args, session)
    except principals.DirectoryError as error:
        print(f"失败 / failed: {error}")
        return 1
    finally:
        await engine.dispose()


async def _users(args: argparse.Namespace, session: AsyncSession) -> int:
    if args.users_command == "add":
        try:
            principal = Principal(
                user_id=args.user_id,
                display_name=args.name,
                role=Role(args.role),
                jurisdiction=args.jurisdiction
                or (args.grid[:12] if args.grid and args.role == Role.GRID_WORKER else None),
                center_id=args.center,
                grid_code=args.grid,
            )
        except ValidationError as error:
            raise principals.DirectoryError(str(error.errors()[0]["msg"])) from error
        await principals.create_user(principal, session=session)
        await _trail(AdminAction.USER_CREATED, principal.user_id, {"role": args.role}, session)
        print(f"已添加用户 / user added: {principal.user_id} {principal.display_name}")
        return 0
    if args.users_command == "list":
        for row in await principals.list_users(session=session):
            state = "" if row.active else "  [停用 disabled]"
            print(
                f"{row.user_id}\t{row.display_name}\t{ROLE_LABELS[Role(row.role)]}({row.role})"
                f"\t{row.jurisdiction_code or '-'}\t{row.center_id or '-'}"
                f"{'  网格 ' + row.grid_code if row.grid_code else ''}{state}"
            )
        return 0
    if args.users_command == "set-password":
        await passwords.set_password(args.user_id, args.password, session=session)
        user = await principals.get_user(args.user_id, session=session)
        assert user is not None  # set_password refused an unknown user
        user.must_change_password = True  # someone else set it: the user changes it first
        details = {"by": "command_line", "must_change": "yes"}
        await _trail(AdminAction.PASSWORD_SET, args.user_id, details, session)
        print(
            f"已设置密码，用户首次登录须修改 / password set, to change at first sign-in: "
            f"{args.user_id}"
        )
        return 0
    await principals.set_active(args.user_id, args.users_command == "enable", session=session)
    action = (
        AdminAction.USER_ENABLED if args.users_command == "enable" else AdminAction.USER_DISABLED
    )
    await _trail(action, args.user_id, {}, session)
    print(f"{args.users_command}d: {args.user_id}")
    return 0


async def _keys(args: argparse.Namespace, session: AsyncSession) -> int:
    now = datetime.now(UTC)
    if args.keys_command == "create":
        expires = now + timedelta(days=args.expires_in_days) if args.expires_in_days else None
        issued = await principals.issue_key(
            args.user_id, session=session, expires_at=expires, label=args.label
        )
        await _trail(AdminAction.KEY_ISSUED, args.user_id, {"key_id": issued.key_id}, session)
        print("API 密钥（只显示这一次，请妥善保存）/ API key (shown once, keep it safe):")
        print(issued.key)
        return 0
    if args.keys_command == "list":
        for row in await principals.list_keys(session=session, user_id=args.user):
            status = "revoked" if row.revoked_at else "active"
            if row.expires_at is not None and status == "active":
                status += f" until {row.expires_at.isoformat()}"
            print(f"{row.key_id}\t{row.user_id}\t{status}\t{row.label}")
        return 0
    user = await principals.revoke_key(args.key_id, session=session, now=now)
    await _trail(AdminAction.KEY_REVOKED, user, {"key_id": args.key_id}, session)
    print(f"已吊销 / revoked: {args.key_id} ({user})")
    return 0


async def _trail(
    action: AdminAction, target: str, details: dict[str, str], session: AsyncSession
) -> None:
    await admin_trail.append(
        COMMAND_LINE, action, target=target, details=details, at=datetime.now(UTC), session=session
    )


async def ensure_local_admin(settings: Settings) -> str | None:
    """Dev mode: create the local system administrator and a key the first time; None after."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            if await principals.get_user(LOCAL_ADMIN, session=session) is not None:
                return None
            await principals.create_user(
                Principal(user_id=LOCAL_ADMIN, display_name="本地管理员", role=Role.SYSTEM_ADMIN),
                session=session,
            )
            issued = await principals.issue_key(LOCAL_ADMIN, session=session, label="dev")
            return issued.key
    finally:
        await engine.dispose()
