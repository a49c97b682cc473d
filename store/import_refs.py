"""Deals that name their owner and account by id (Salesforce's ``OwnerId``,
``AccountId``), resolved through the companion files of the same export:

* ``--owners User.csv`` — Id, Alias, Username, Email, Name (or FirstName, LastName):
  each user is matched to a Legwork rep by handle (the alias, or the username's
  local part), by e-mail, then by name; a user nobody matches becomes a new rep,
  as a named owner does.
* ``--accounts Account.csv`` — Id, Name, Website (or Domain): the deal's account,
  with its domain.
* ``--map-owner ID=handle`` — an owner id to a rep, where the users file lacks it
  (or was not exported).

Control characters are stripped from these cells as from the main file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from store.errors import InvalidInput
from store.import_files import Table, read_table
from store.import_values import normalise
from store.validate import strip_controls

_USER_COLUMNS = {
    "id": ("id", "userid", "ownerid"),
    "alias": ("alias", "handle", "nickname", "communitynickname"),
    "username": ("username", "login", "userlogin"),
    "email": ("email", "emailaddress", "useremail"),
    "name": ("name", "fullname", "username_", "displayname"),
    "first": ("firstname", "givenname"),
    "last": ("lastname", "surname", "familyname"),
}
_ACCOUNT_COLUMNS = {
    "id": ("id", "accountid", "companyid", "organizationid", "recordid"),
    "name": ("name", "accountname", "companyname", "organization", "organisation", "company"),
    "domain": ("domain", "website", "companydomainname", "url", "web", "site"),
}
_DOMAIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/\s:?#]+)", re.IGNORECASE)
MAX_DOMAIN = 200
MAX_NAME = 200


@dataclass(frozen=True)
class User:
    id: str
    name: str | None
    email: str | None
    alias: str | None
    username: str | None


@dataclass(frozen=True)
class AccountRef:
    id: str
    name: str
    domain: str | None


def _columns(table: Table, wanted: dict[str, tuple[str, ...]], what: str, needs: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    keys = [normalise(h) for h in table.headers]
    for field, names in wanted.items():
        for name in names:
            if name in keys:
                found[field] = keys.index(name)
                break
    missing = [f for f in needs if f not in found]
    if missing:
        raise InvalidInput(
            f"{table.name} ({what}) has no {' or '.join(missing)} column (columns: {', '.join(table.headers[:12])})"
        )
    return found


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    text, _removed = strip_controls(cells[index])
    text = " ".join(text.replace("\x00", "").split())
    return text or None


def read_users(path: str | Path, encoding: str = "utf-8") -> dict[str, User]:
    """A user export's users by id. Raises UnreadableFile, or InvalidInput without an Id column."""
    table = read_table(path, encoding)
    at = _columns(table, _USER_COLUMNS, "--owners", ("id",))
    if not any(k in at for k in ("alias", "username", "email", "name", "first", "last")):
        raise InvalidInput(f"{table.name} (--owners) names nobody: it needs an Alias, Username, Email or Name column")
    users: dict[str, User] = {}
    for _number, cells in table.rows:
        user_id = _cell(cells, at["id"])
        if not user_id:
            continue
        name = _cell(cells, at.get("name"))
        if not name:
            name = " ".join(p for p in (_cell(cells, at.get("first")), _cell(cells, at.get("last"))) if p) or None
        email = _cell(cells, at.get("email"))
        users[user_id] = User(user_id, name[:MAX_NAME] if name else None,
                              email if email and "@" in email and len(email) <= MAX_NAME else None,
                              _cell(cells, at.get("alias")), _cell(cells, at.get("username")))
    return users


def domain_of(website: str | None) -> str | None:
    """``https://www.acme.example/about`` → ``acme.example``."""
    if not website:
        return None
    match = _DOMAIN.match(website.strip())
    if not match or "." not in match[1]:
        return None
    domain = match[1].lower().rstrip(".")
    return domain if len(domain) <= MAX_DOMAIN else None


def read_accounts(path: str | Path, encoding: str = "utf-8") -> dict[str, AccountRef]:
    """An account export's accounts by id. Raises UnreadableFile, or InvalidInput without Id and Name."""
    table = read_table(path, encoding)
    at = _columns(table, _ACCOUNT_COLUMNS, "--accounts", ("id", "name"))
    accounts: dict[str, AccountRef] = {}
    for _number, cells in table.rows:
        account_id, name = _cell(cells, at["id"]), _cell(cells, at["name"])
        if account_id and name and len(name) <= MAX_NAME:
            accounts[account_id] = AccountRef(account_id, name, domain_of(_cell(cells, at.get("domain"))))
    return accounts


def parse_owner_map(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("005A=dana",)`` → ``{"005A": "dana"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        owner_id, sep, handle = pair.rpartition("=")
        if not sep or not owner_id.strip() or not handle.strip():
            raise InvalidInput(f"--map-owner {pair!r}: write it as ID=HANDLE, e.g. --map-owner \"0058d00000Usr009AAA=dana\"")
        out[owner_id.strip()] = handle.strip().lower()
    return out
