"""Staff accounts: who may change the data, proven by a password whose hash alone is kept in the store.

    python -m loaders.users add NAME --role ROLE [--password-stdin | --sso-only]   (asks twice, no echo)
    python -m loaders.users passwd NAME [--password-stdin]
    python -m loaders.users role NAME ROLE
    python -m loaders.users remove NAME
    python -m loaders.users list
    (each takes --store PATH or --database URL, as loaders.ingest does)

Accounts live in the store: data/users.toml beside the table (never committed), or a table in the
database, so that every server shares them, their lockouts and the sign-in log (history/signins.csv).
Passwords are hashed with Argon2id (argon2-cffi). After LOCK_AFTER wrong tries for one name within
LOCK_FOR, that name is refused for LOCK_FOR; the count is kept in the store, so that a new browser, a
reload or another server does not reset it. When more than FLOOD wrong tries a minute come in across all
names, every sign-in waits FLOOD_WAIT first.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hmac
import json
import os
import sys
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loaders.store import BEIJING

# Roles, from least to most; what each may do is in PERMISSIONS.
ROLES = ("viewer", "editor", "approver", "admin")
# "drafts": sees the drafts waiting for approval on every page (those who make or publish them).
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "editor": frozenset({"view", "drafts", "change"}),  # imports, restores, reviews, the drop folder
    "approver": frozenset({"view", "drafts", "publish"}),
    "admin": frozenset({"view", "drafts", "change", "publish", "catalogue", "accounts"}),
}
ROLE_NAMES = {"viewer": "查看", "editor": "编辑", "approver": "审核", "admin": "管理员"}
MIN_PASSWORD = 10
MAX_NAME = 64
# The name the old single password (admin_password / FTZ_ADMIN_PASSWORD) signs in as.
LEGACY_ADMIN = "admin"
# The hash of an account that signs in only through single sign-on: no password verifies against it.
SSO_ONLY = "!sso-only"

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
FLOOD = 30
FLOOD_WAIT = 3.0  # seconds
IDLE_LIMIT = timedelta(minutes=30)

# What the sign-in log records of each try: never the password tried.
SIGNIN_COLUMNS = ["time", "name", "outcome"]
OK, WRONG, LOCKED = "ok", "wrong", "locked"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    """One person's account: the hash of their password, never the password."""

    name: str
    role: str
    hash: str
    changed: str = ""  # when the password or role last changed, as written (Beijing time)

    def can(self, action: str) -> bool:
        """Return whether the account's role allows an action (see PERMISSIONS)."""
        return action in PERMISSIONS.get(self.role, frozenset())

    def with_role(self, role: str, now: datetime) -> Account:
        """Return the account with another role (its password unchanged), changed now."""
        problem = role_problem(role)
        if problem:
            raise ValueError(problem)
        return Account(self.name, role, self.hash, _when(now))

    @property
    def legacy(self) -> bool:
        """Whether this is the old single password (admin_password / FTZ_ADMIN_PASSWORD): it has no hash."""
        return not self.hash

    @property
    def fingerprint(self) -> str:
        """Return what a signed-in session remembers of the account, to notice a new password or role."""
        return f"{self.role}:{self.hash[-16:]}"


class Accounts(Protocol):
    """What a store keeps of accounts and sign-ins (both stores implement it)."""

    def accounts(self) -> dict[str, Account]:
        """Return every account by name."""
        ...

    def put_account(self, account: Account, who: str) -> None:
        """Add an account or replace the one of its name, and log who did it."""
        ...

    def remove_account(self, name: str, who: str) -> bool:
        """Remove an account and log who did it; False if there was none of that name."""
        ...

    def signins(self, since: datetime) -> pd.DataFrame:
        """Return the sign-in tries since a time (SIGNIN_COLUMNS; times as datetimes), oldest first."""
        ...

    def record_signin(self, when: datetime, name: str, outcome: str) -> None:
        """Add one try to the sign-in log."""
        ...


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password (salted: the same password hashes differently each time)."""
    return _hasher.hash(password)


def password_matches(account: Account, password: str) -> bool:
    """Return whether a password is the account's."""
    try:
        return _hasher.verify(account.hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(name: str, password: str) -> str | None:
    """Return why a new password is refused (Chinese first), or None if it may be used."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符 The password needs at least {MIN_PASSWORD} characters."
    if password.strip().casefold() == name.strip().casefold():
        return "密码不能与账号名相同 The password cannot be the account name."
    return None


def name_problem(name: str) -> str | None:
    """Return why an account name is refused, or None."""
    if not name.strip() or name != name.strip():
        return "账号名不能为空，首尾不能有空格 The name cannot be empty or start or end with a space."
    if len(name) > MAX_NAME or any(not char.isprintable() for char in name):
        return f"账号名最多 {MAX_NAME} 个可打印字符 The name has at most {MAX_NAME} printable characters."
    return None


def role_problem(role: str) -> str | None:
    """Return why a role is refused, or None."""
    if role not in ROLES:
        return f"角色须为 {'、'.join(ROLES)} 之一 The role must be one of {', '.join(ROLES)}."
    return None


def new_account(name: str, role: str, password: str, now: datetime) -> Account:
    """Return an account for a checked name, role and password; ValueError saying why otherwise."""
    problem = role_problem(role) or name_problem(name) or password_problem(name, password)
    if problem:
        raise ValueError(problem)
    return Account(name, role, hash_password(password), _when(now))


def _when(now: datetime) -> str:
    """Return when an account changed, as users.toml and the accounts table keep it."""
    return f"{now:%Y-%m-%d %H:%M:%S}"


# --- signing in -------------------------------------------------------------------------------------


def locked_until(tries: pd.DataFrame, name: str, now: datetime) -> datetime | None:
    """Return until when sign-in for a name is refused, None if it is not: LOCK_AFTER wrong tries within
    LOCK_FOR, since its last successful sign-in, refuse it for LOCK_FOR from the last of them."""
    mine = list(tries.loc[tries["name"] == name, ["time", "outcome"]].itertuples(index=False, name=None))
    last_ok = max((i for i, (_, outcome) in enumerate(mine) if outcome == OK), default=-1)
    until: datetime | None = None
    recent: list[datetime] = []
    for when, outcome in mine[last_ok + 1 :]:
        if outcome != WRONG or (until is not None and when < until):
            continue
        recent = [t for t in recent if when - t < LOCK_FOR] + [when]
        if len(recent) >= LOCK_AFTER:
            until, recent = when + LOCK_FOR, []
    return until if until is not None and until > now else None


def flooded(tries: pd.DataFrame, now: datetime) -> bool:
    """Return whether more than FLOOD wrong tries came in during the last minute, whatever the names."""
    last_minute = tries[(tries["time"] > now - timedelta(minutes=1)) & (tries["outcome"] == WRONG)]
    return len(last_minute) > FLOOD


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: the account, or why not (WRONG, or LOCKED until a time)."""

    account: Account | None
    outcome: str
    until: datetime | None = None


def sign_in(
    store: Accounts,
    name: str,
    password: str,
    now: datetime,
    legacy_password: str | None = None,
    wait: Callable[[float], None] | None = None,
) -> SignIn:
    """Check a name and password against the store's accounts (and the old single password, as `admin`,
    when no account has that name), counting and logging the try; `wait` is called with FLOOD_WAIT
    while the sign-in is flooded."""
    name = name.strip()[:MAX_NAME]
    tries = store.signins(now - 2 * LOCK_FOR)
    if wait is not None and flooded(tries, now):
        wait(FLOOD_WAIT)
    until = locked_until(tries, name, now)
    if until is not None:
        store.record_signin(now, name, LOCKED)
        return SignIn(None, LOCKED, until)
    account = store.accounts().get(name)
    if account is not None:
        right = password_matches(account, password)
    elif name == LEGACY_ADMIN and legacy_password:
        account = Account(LEGACY_ADMIN, "admin", "")
        right = hmac.compare_digest(password.encode(), legacy_password.encode())
    else:  # an unknown name takes as long as a wrong password, so that names cannot be found by timing
        password_matches(Account("", "", _unknown_hash()), password)
        right = False
    if right:
        store.record_signin(now, name, OK)
        return SignIn(account, OK)
    store.record_signin(now, name, WRONG)
    until = locked_until(store.signins(now - 2 * LOCK_FOR), name, now)
    return SignIn(None, LOCKED if until else WRONG, until)


@functools.cache
def _unknown_hash() -> str:
    return hash_password("an account that does not exist")


def still_valid(account: Account, fingerprint: str, accounts: Mapping[str, Account], legacy: bool) -> Account | None:
    """Return a signed-in account as the store has it now, None if it was removed or its password or role
    changed since it signed in (so that withdrawing access takes effect at the next click)."""
    if account.legacy:
        return account if legacy and account.name not in accounts else None
    now = accounts.get(account.name)
    return now if now is not None and now.fingerprint == fingerprint else None


def viewer_login_required() -> bool:
    """Return whether every page asks for an account (FTZ_VIEWER_LOGIN=1), for a deployment that holds
    data not everyone may read; off by default, when only the Refresh page does."""
    return os.environ.get("FTZ_VIEWER_LOGIN", "").strip() == "1"


def https_required() -> bool:
    """Return whether sign-in is refused over plain HTTP (FTZ_REQUIRE_HTTPS=1), where a password would cross
    the network as clear text."""
    return os.environ.get("FTZ_REQUIRE_HTTPS", "").strip() == "1"


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def connection_of(url: str | None) -> str:
    """Return how a browser reached the app by the address it shows: "https"; "local" for plain HTTP on
    this very machine; "plain" for plain HTTP from another machine; "unknown" when the browser did not
    say (treated as plain where HTTPS is required)."""
    if not url:
        return "unknown"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return "https"
    return "local" if (parts.hostname or "") in LOCAL_HOSTS else "plain"


# --- the users file -----------------------------------------------------------------------------------


def read_users_file(path: Path) -> dict[str, Account]:
    """Return the accounts of a users.toml, none if it does not exist."""
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        table = tomllib.load(handle).get("users", {})
    return {
        name: Account(name, str(entry["role"]), str(entry["hash"]), str(entry.get("changed", "")))
        for name, entry in table.items()
    }


def users_file_text(accounts: Mapping[str, Account]) -> str:
    """Return accounts as users.toml text (JSON strings are valid TOML basic strings)."""
    lines = [
        "# 看板账号：只存密码的哈希值。请用 python -m loaders.users 修改，勿提交到版本库。",
        "# Dashboard accounts: password hashes only. Change with python -m loaders.users; never commit.",
    ]
    for account in sorted(accounts.values(), key=lambda a: a.name):
        lines += ["", f"[users.{_toml(account.name)}]", f"role = {_toml(account.role)}"]
        lines += [f"hash = {_toml(account.hash)}", f"changed = {_toml(account.changed)}"]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# --- the command line ---------------------------------------------------------------------------------


def read_password(name: str, from_stdin: bool) -> str:
    """Return a new password: the first line of standard input, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{name} 的新密码 New password: ")
    if getpass.getpass("再输入一次 Again: ") != first:
        raise ValueError("两次输入的密码不一致 The two passwords differ.")
    return first


def main(argv: list[str] | None = None) -> int:
    """Run the accounts command line; return the exit code (2 for refused input or an unusable store)."""
    from loaders.stores import StoreUnavailable, open_store

    parser = argparse.ArgumentParser(prog="python -m loaders.users", description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, help="数据文件 the store (default: FTZ_METRICS_PATH or data/metrics.csv)")
    where.add_argument("--database", help="数据库 a SQLAlchemy URL (default: FTZ_DATABASE_URL)")
    parser.add_argument("--by", default=getpass.getuser(), help="操作人 who makes the change (default: login name)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="新增账号 add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 read the password from stdin")
    add.add_argument("--sso-only", action="store_true", help="只用统一身份认证登录，无密码 single sign-on only")
    passwd = commands.add_parser("passwd", help="修改密码 set a new password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 read the password from stdin")
    role = commands.add_parser("role", help="修改角色 change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    remove = commands.add_parser("remove", help="删除账号 remove an account")
    remove.add_argument("name")
    commands.add_parser("list", help="列出账号 list the accounts")
    args = parser.parse_args(argv)
    try:
        store = open_store(database=args.database, path=args.store)
        return _run(args, store)
    except (StoreUnavailable, ValueError) as err:  # ValueError: refused input, said why
        print(err, file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, store: Accounts) -> int:
    now = datetime.now(BEIJING)
    accounts = store.accounts()
    if args.command == "list":
        for account in sorted(accounts.values(), key=lambda a: a.name):
            print(f"{account.name}\t{account.role}（{ROLE_NAMES[account.role]}）\t{account.changed}")
        if not accounts:
            print("没有账号 No accounts.")
        return 0
    if args.command == "add":
        if args.name in accounts:
            raise ValueError(f"账号“{args.name}”已存在 The account already exists; use passwd or role.")
        if args.sso_only:
            problem = name_problem(args.name)
            if problem:
                raise ValueError(problem)
            account = Account(args.name, args.role, SSO_ONLY, _when(now))
        else:
            account = new_account(args.name, args.role, read_password(args.name, args.password_stdin), now)
        store.put_account(account, args.by)
    elif args.name not in accounts:
        raise ValueError(f"没有账号“{args.name}” No such account.")
    elif args.command == "passwd":
        password = read_password(args.name, args.password_stdin)
        store.put_account(new_account(args.name, accounts[args.name].role, password, now), args.by)
    elif args.command == "role":
        store.put_account(accounts[args.name].with_role(args.role, now), args.by)
    elif args.command == "remove":
        store.remove_account(args.name, args.by)
    print(f"已完成 Done: {args.command} {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
