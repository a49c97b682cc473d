"""``legwork import --kind accounts`` and ``--kind contacts``: another CRM's account and
contact exports on their own, before (or without) their deals.

An account is known by its name (``store.names.name_key``, as the deal form finds it),
with its domain from a Domain or Website column; a contact by its name and account.
Rows already in the database are skipped; an existing account without a domain gets
the file's. Contacts name their account by name, or by id through ``--accounts``
(a Salesforce Account export), as deals do.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from store import import_refs
from store.import_fields import ACCOUNTS, CONTACTS
from store.import_values import name_from_email
from store.bulk import insert_rows
from store.importer.base import Import
from store.importer.report import RowProblem
from store.models import Account, Contact
from store.names import name_key

__all__ = ["ACCOUNTS", "CONTACTS", "AccountImport", "ContactImport"]


class _DirectoryImport(Import):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.accounts: dict[str, int] = {}
        self.account_domains: dict[int, str | None] = {}
        for account_id, key, domain in self.session.execute(
            select(Account.id, Account.name_key, Account.domain).order_by(Account.id)
        ):
            self.accounts.setdefault(key, account_id)
            self.account_domains[account_id] = domain
        self.seen: dict[tuple, int] = {}

    def has_work(self) -> bool:
        return any(self.counts().values())


class AccountImport(_DirectoryImport):
    kind = ACCOUNTS

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.new: dict[str, tuple[str, str | None]] = {}  # name key -> (name, domain)
        self.domains: dict[int, str] = {}  # existing accounts without one -> the file's

    def plan(self) -> None:
        for number, values in self.rows():
            reasons: list[str] = []
            name = self.text(values, "name", reasons, what="account name")
            if not name and not reasons:
                reasons.append("no account name")
            website = values.get("domain")
            domain = import_refs.domain_of(website)
            if website and domain is None:
                reasons.append(f"domain {website[:80]!r} is not a web address like acme.example")
            if reasons:
                self.problems.setdefault(number, []).extend(reasons)
                continue
            key = name_key(name)
            if key in self.seen:
                self.refuse(number, f"a duplicate of row {self.seen[key]} (same name)")
                continue
            self.seen[key] = number
            existing = self.accounts.get(key)
            if existing is None:
                self.new[key] = (name, domain)
            elif domain and not self.account_domains.get(existing):
                self.domains[existing] = domain
            else:
                self.skipped.append(RowProblem(number, "already in the database (an account of that name)"))

    def counts(self) -> dict[str, int]:
        return {"accounts": len(self.new), "domains": len(self.domains)}

    def write(self) -> None:
        rows = [{"name": name, "name_key": key, "domain": domain, "created_at": self.now}
                for key, (name, domain) in self.new.items()]
        insert_rows(self.session, Account, rows)
        for account_id, domain in self.domains.items():
            self.session.execute(update(Account).where(Account.id == account_id).values(domain=domain))


class ContactImport(_DirectoryImport):
    kind = CONTACTS

    def __init__(self, *args) -> None:
        super().__init__(*args)
        options = self.options
        self.account_refs = import_refs.read_accounts(options.accounts, options.encoding) if options.accounts else {}
        self.contacts: set[tuple[int | None, str]] = set(
            self.session.execute(select(Contact.account_id, Contact.name_key)).all()
        )
        self.new_accounts: dict[str, tuple[str, str | None]] = {}
        self.new: list[dict] = []

    def _account(self, values: dict[str, str], reasons: list[str]) -> tuple[str | None, str | None]:
        name = self.text(values, "account", reasons)
        account_id = " ".join(values.get("account_id", "").split())
        if name or not account_id:
            return name, None
        ref = self.account_refs.get(account_id)
        if ref is not None:
            return ref.name, ref.domain
        where = f"in {Path(self.options.accounts).name}" if self.options.accounts else \
            "known: pass --accounts Account.csv (Id, Name, Website)"
        reasons.append(f"account {account_id!r} is not {where}")
        return None, None

    def plan(self) -> None:
        for number, values in self.rows():
            reasons: list[str] = []
            parts = [values.get("first_name", "").strip(), values.get("last_name", "").strip()]
            given = values.get("name") or " ".join(p for p in parts if p)
            email = self.text({"email": values.get("email", "")}, "email", reasons) if values.get("email") else None
            if email and "@" not in email:
                reasons.append(f"email {email!r} has no @")
            name = self.text({"contact": given}, "contact", reasons, what="contact name") if given else None
            if not name and email and "@" in email:
                name = name_from_email(email)
            if not name and not reasons:
                reasons.append("no contact name (nor e-mail to name it from)")
            phone = self.text({"contact_phone": values.get("phone", "")}, "contact_phone", reasons, what="phone")
            job = self.text({"contact_job_title": values.get("job_title", "")}, "contact_job_title", reasons,
                            what="job title")
            account, domain = self._account(values, reasons)
            if reasons:
                self.problems.setdefault(number, []).extend(reasons)
                continue
            account_key = name_key(account) if account else None
            key = (account_key, name_key(name))
            if key in self.seen:
                self.refuse(number, f"a duplicate of row {self.seen[key]} (same name and account)")
                continue
            self.seen[key] = number
            account_id = self.accounts.get(account_key) if account_key else None
            if account_key and account_id is None:
                self.new_accounts.setdefault(account_key, (account, domain))
            elif (account_id, key[1]) in self.contacts:
                self.skipped.append(RowProblem(number, "already in the database (that contact at that account)"))
                continue
            self.new.append({"account": account_key, "name": name, "name_key": key[1], "email": email,
                             "phone": phone, "job_title": job})

    def counts(self) -> dict[str, int]:
        return {"contacts": len(self.new), "accounts": len(self.new_accounts)}

    def write(self) -> None:
        rows = [{"name": name, "name_key": key, "domain": domain, "created_at": self.now}
                for key, (name, domain) in self.new_accounts.items()]
        for key, account_id in zip(self.new_accounts, insert_rows(self.session, Account, rows)):
            self.accounts[key] = account_id
        insert_rows(self.session, Contact, [
            {"account_id": self.accounts[c["account"]] if c["account"] else None, "name": c["name"],
             "name_key": c["name_key"], "email": c["email"], "phone": c["phone"], "job_title": c["job_title"],
             "created_at": self.now}
            for c in self.new
        ])

