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
from store.import_values import derive_handle, fold, name_from_email, normalise
from store.reps import _HANDLE
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


def user_handle(reps, user: User) -> str:
    """The handle of the rep a user of another CRM's user export is, among the import's reps
    (``store.importer.base.Reps``): by handle (alias, username's local part), e-mail, then name;
    a new rep (planned in ``reps.new``) when nobody matches."""
    handles = [h.strip().lower() for h in (user.alias, (user.username or "").partition("@")[0]) if h]
    for handle in handles:
        if handle in reps.ids or handle in reps.new:
            return handle
    for said in (user.email, user.username, user.name):
        if said:
            key = fold(said)
            found = reps.by_email.get(key) or reps.by_name.get(key) or reps.new_by_text.get(key)
            if found:
                return found
    display = user.name or (name_from_email(user.email) if user.email else None) or handles[0]
    base = next((h for h in handles if _HANDLE.match(h)), None) or derive_handle(display)
    handle, n = base, 2
    while handle in reps.ids or handle in reps.new:
        handle, n = f"{base}{n}", n + 1
    reps.new[handle] = (display[:MAX_NAME], user.email)
    for said in (user.email, user.name):
        if said:
            reps.new_by_text[fold(said)] = handle
    return handle


class OwnersAndAccountsById:
    """The deal import's side of ids: its owner and account for a row (``store.importer.deal_plan.DealImport``
    mixes this in; it has ``options``, ``mapping``, ``reps`` and ``text``)."""

    def load_refs(self) -> None:
        """Companion files and --map-owner: owners and accounts the file names by id."""
        options = self.options
        self.users = read_users(options.owners, options.encoding) if options.owners else {}
        self.account_refs = read_accounts(options.accounts, options.encoding) if options.accounts else {}
        self.owner_map = parse_owner_map(options.owner_map)
        for owner_id, handle in self.owner_map.items():
            if handle not in self.reps.ids:
                raise InvalidInput(f"--map-owner {owner_id}={handle}: no rep has the handle {handle!r} "
                                   f"(reps: {', '.join(sorted(self.reps.ids)[:12])})")
        self.owner_of_user: dict[str, str] = {}
        self.unmatched_owners: dict[str, list[int]] = {}
        self.ownerless_rows: list[int] = []
        self.unlinked_accounts = 0
        self.new_account_domains: dict[str, str] = {}
        fields = self.mapping.fields
        self.has_owner_column = any(f in fields for f in ("owner", "owner_handle", "owner_id"))

    def owner(self, number: int, values: dict[str, str], reasons: list[str]) -> str | None:
        """The handle of the deal's owner: --map-owner, then the users file for an owner id, then
        the owner's name or handle; the importing rep only for a row that names no owner at all."""
        owner_id = " ".join(values.get("owner_id", "").split())
        if owner_id:
            if owner_id in self.owner_map:
                return self.owner_map[owner_id]
            user = self.users.get(owner_id)
            if user is not None:
                if owner_id not in self.owner_of_user:
                    self.owner_of_user[owner_id] = user_handle(self.reps, user)
                return self.owner_of_user[owner_id]
        if values.get("owner") or values.get("owner_handle"):
            return self.rep_handle(values, "owner", "owner_handle", reasons)
        if owner_id:
            where = f"in {Path(self.options.owners).name}" if self.options.owners else "known (no --owners file given)"
            reasons.append(f"owner {owner_id!r} is not {where}: map it with --map-owner \"{owner_id}=HANDLE\"")
            self.unmatched_owners.setdefault(owner_id, []).append(number)
            return None
        if self.has_owner_column:
            self.ownerless_rows.append(number)
        return self.reps.importer.handle

    def account(self, values: dict[str, str], reasons: list[str]) -> tuple[str | None, str | None]:
        """(account name, domain) from the account column, else the AccountId through --accounts."""
        account = self.text(values, "account", reasons)
        account_id = " ".join(values.get("account_id", "").split())
        if not account_id:
            return account, None
        ref = self.account_refs.get(account_id)
        if ref is not None:
            return account or ref.name, ref.domain
        if self.options.accounts:
            if not account:
                reasons.append(f"account {account_id!r} is not in {Path(self.options.accounts).name}")
        elif not account:
            self.unlinked_accounts += 1
        return account, None

    def owner_notes(self) -> list[str]:
        notes = []
        if self.unmatched_owners:
            ids = list(self.unmatched_owners)
            rows = sum(len(r) for r in self.unmatched_owners.values())
            source = (f"in {Path(self.options.owners).name}" if self.options.owners
                      else "known: no --owners file (a User export: Id, Alias, Email, Name) was given")
            notes.append(
                f"Owners not {source}: {', '.join(ids[:6])}{f' and {len(ids) - 6} more' if len(ids) > 6 else ''} "
                f"({rows:,} row{'s' if rows != 1 else ''}). Map each to a rep: "
                + " ".join(f'--map-owner "{i}=HANDLE"' for i in ids[:3]) + (" …" if len(ids) > 3 else "")
            )
        me = self.reps.importer.handle
        if not self.has_owner_column:
            notes.append(f"The file has no owner column: every deal is owned by you ({me}).")
        elif self.ownerless_rows:
            n = len(self.ownerless_rows)
            notes.append(f"{n:,} row{'s' if n != 1 else ''} name{'s' if n == 1 else ''} no owner: owned by you "
                         f"({me}): {', '.join(str(r) for r in self.ownerless_rows[:8])}"
                         + (" …" if n > 8 else ""))
        if self.unlinked_accounts:
            notes.append(f"{self.unlinked_accounts:,} deals name their account by id only: pass --accounts "
                         "Account.csv (Id, Name, Website) to link them.")
        return notes
