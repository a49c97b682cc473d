"""Accounts: the list, an account's page, add and edit, and the name a person starts
typing. Accounts are matched by ``name_key`` (store.names): two spellings of one
company are one account. Merging two is store.merges'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import or_
from sqlmodel import Session, func, select

from store import clock, validate
from store.contacts import CONTACT_COLUMNS, ContactInfo, contact_order, contact_query
from store.errors import InvalidInput, RuleViolation
from store.models import OPEN, Account, Activity, Contact, Deal, Note, Rep, Stage, Task
from store.names import name_key
from store.notes import summary_of
from store.people_shared import KEEP, MAX_DOMAIN, MAX_NAME, PAGE, PAGE_CONTACTS, PAGE_DEALS, PAGE_TASKS, PAGE_TIMELINE
from store.people_shared import PersonDeal, check_window, checked, like_pattern, person_deals, position
from store.people_shared import record, require_rep
from store.timeline import activity_headline
from store.tx import write


@dataclass(frozen=True)
class AccountRow:
    """One line of the accounts list."""

    id: int
    name: str
    domain: str | None
    contacts: int
    open_deals: int
    open_value: int
    closed_deals: int


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    domain: str | None
    created_at: pendulum.DateTime


@dataclass(frozen=True)
class AccountEntry:
    """One line of an account's timeline: an activity, a note or an open task on one of its deals."""

    kind: str  # "activity" | "note" | "task"
    id: int
    deal_id: int
    deal_title: str
    at: pendulum.DateTime  # tasks: when added
    who: str | None
    headline: str
    task_due: date | None = None


@dataclass(frozen=True)
class AccountPage:
    account: AccountInfo
    contacts: list[ContactInfo]
    contacts_total: int
    deals: list[PersonDeal]  # open first, then closed, newest first
    deals_total: int
    open_tasks: list[AccountEntry]  # soonest due first
    timeline: list[AccountEntry]  # activities and notes, newest first


# --- the list ---------------------------------------------------------------------------------


def _account_where(text: str) -> list:
    key = name_key(validate.text(text, "filter") or "")
    if not key:
        return []
    return [or_(Account.name_key.like(like_pattern(key), escape="\\"),
                func.lower(Account.domain).like(like_pattern(key), escape="\\"))]


def count_accounts(session: Session, text: str = "") -> int:
    return int(session.exec(select(func.count()).select_from(Account).where(*_account_where(text))).one())


def list_accounts(session: Session, text: str = "", *, offset: int = 0, limit: int = PAGE) -> list[AccountRow]:
    """One window of the accounts whose name (or domain) holds ``text``, by name."""
    check_window(offset, limit)
    window = (
        select(Account.id).where(*_account_where(text))
        .order_by(Account.name_key, Account.id).offset(offset).limit(limit).subquery("window")
    )
    open_stage = select(Stage.id).where(Stage.kind == OPEN)
    contacts = select(func.count()).select_from(Contact).where(Contact.account_id == Account.id).scalar_subquery()
    open_deals = (
        select(func.count()).select_from(Deal)
        .where(Deal.account_id == Account.id, Deal.stage_id.in_(open_stage)).scalar_subquery()
    )
    open_value = (
        select(func.coalesce(func.sum(Deal.value), 0))
        .where(Deal.account_id == Account.id, Deal.stage_id.in_(open_stage)).scalar_subquery()
    )
    all_deals = select(func.count()).select_from(Deal).where(Deal.account_id == Account.id).scalar_subquery()
    rows = session.exec(
        select(Account.id, Account.name, Account.domain, contacts, open_deals, open_value, all_deals)
        .select_from(window).join(Account, Account.id == window.c.id)
        .order_by(Account.name_key, Account.id)
    ).all()
    return [AccountRow(i, n, d, int(c), int(o), int(v), int(a) - int(o)) for i, n, d, c, o, v, a in rows]


def account_position(session: Session, account_id: int, text: str = "") -> int | None:
    """Where ``account_id`` sits in the filtered list (0-based); None when the filter leaves it out."""
    return position(session, Account, account_id, _account_where(text))


def suggest_account(session: Session, prefix: str) -> str | None:
    """The first account name (alphabetically) whose key starts with ``prefix``'s:
    ``ÉLEC`` and ``elec`` both find ``Électricité Dupont`` (see store.names)."""
    key = name_key(prefix)
    if not key:
        return None
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return session.exec(
        select(Account.name)
        .where(Account.name_key.like(f"{escaped}%", escape="\\"))
        .order_by(Account.name_key, Account.name)
        .limit(1)
    ).first()


# --- the page ---------------------------------------------------------------------------------


def get_account(session: Session, account_id: int) -> AccountInfo:
    account = record(session, Account, account_id, "account")
    return AccountInfo(account.id, account.name, account.domain, clock.aware(account.created_at))


def account_page(session: Session, account_id: int, *, today: date | None = None) -> AccountPage:
    """An account with its contacts, its deals, its open tasks and its recent activities and notes."""
    account = get_account(session, account_id)
    contacts_total = int(session.exec(select(func.count()).select_from(Contact)
                                      .where(Contact.account_id == account_id)).one())
    contacts = [
        ContactInfo(*row) for row in session.exec(
            contact_query(*CONTACT_COLUMNS).where(Contact.account_id == account_id)
            .order_by(*contact_order(account_id)).limit(PAGE_CONTACTS)
        )
    ]
    deal_list, deals_total = person_deals(session, Deal.account_id == account_id, PAGE_DEALS)
    in_account = select(Deal.id).where(Deal.account_id == account_id)
    tasks = [
        AccountEntry("task", i, d, title, clock.aware(created), who, task_title, task_due=due)
        for i, d, title, created, who, task_title, due in session.exec(
            select(Task.id, Task.deal_id, Deal.title, Task.created_at, Rep.name, Task.title, Task.due)
            .join(Deal, Deal.id == Task.deal_id).join(Rep, Rep.id == Task.owner_id)
            .where(Task.deal_id.in_(in_account), Task.done_at.is_(None))
            .order_by(Task.due, Task.id).limit(PAGE_TASKS)
        )
    ]
    activities = [
        AccountEntry("activity", i, d, title, clock.aware(at), who, activity_headline(type_, milestone, outcome, minutes))
        for i, d, title, at, who, type_, milestone, outcome, minutes in session.exec(
            select(Activity.id, Activity.deal_id, Deal.title, Activity.occurred_at, Rep.name, Activity.type,
                   Activity.milestone, Activity.outcome, Activity.duration_min)
            .join(Deal, Deal.id == Activity.deal_id).join(Rep, Rep.id == Activity.rep_id)
            .where(Activity.deal_id.in_(in_account))
            .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(PAGE_TIMELINE)
        )
    ]
    notes = [
        AccountEntry("note", i, d, title, clock.aware(at), who, summary_of(body))
        for i, d, title, at, who, body in session.exec(
            select(Note.id, Note.deal_id, Deal.title, Note.created_at, Rep.name, Note.body)
            .join(Deal, Deal.id == Note.deal_id).join(Rep, Rep.id == Note.rep_id)
            .where(Note.deal_id.in_(in_account))
            .order_by(Note.created_at.desc(), Note.id.desc()).limit(PAGE_TIMELINE)
        )
    ]
    timeline = sorted(activities + notes, key=lambda e: (e.at, e.kind, e.id), reverse=True)[:PAGE_TIMELINE]
    return AccountPage(account, contacts, contacts_total, deal_list, deals_total, tasks, timeline)


# --- add and edit -----------------------------------------------------------------------------


def _same_name(session: Session, name: str, but: int | None = None) -> Account | None:
    query = select(Account).where(Account.name_key == name_key(name)).order_by(Account.id)
    if but is not None:
        query = query.where(Account.id != but)
    return session.exec(query).first()


def add_account(session: Session, name: str, domain: str | None = None, *, by: int) -> AccountInfo:
    """A new account; refused when one by that name (any spelling, store.names) exists."""
    name = checked(name, "account name", MAX_NAME)
    domain = checked(domain, "domain", MAX_DOMAIN)
    if not name:
        raise InvalidInput("an account needs a name")
    with write(session):
        require_rep(session, by)
        existing = _same_name(session, name)
        if existing is not None:
            raise RuleViolation(f"the account “{existing.name}” exists already: open it, or merge")
        account = Account(name=name, name_key=name_key(name), domain=domain, created_at=clock.now())
        session.add(account)
        session.flush()
        account_id = account.id
    return get_account(session, account_id)


def edit_account(session: Session, account_id: int, *, name: str | None = None, domain=KEEP, by: int) -> AccountInfo:
    """Rename an account or change its domain (``domain=None`` clears it)."""
    name = checked(name, "account name", MAX_NAME)
    if domain is not KEEP:
        domain = checked(domain, "domain", MAX_DOMAIN)
    with write(session):
        require_rep(session, by)
        account = record(session, Account, account_id, "account")
        if name is not None and name != account.name:
            existing = _same_name(session, name, but=account_id)
            if existing is not None:
                raise RuleViolation(f"the account “{existing.name}” exists already: merge the two instead")
            account.name = name
        if domain is not KEEP:
            account.domain = domain
        session.add(account)
        session.flush()
    return get_account(session, account_id)
