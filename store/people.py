"""Accounts and contacts: the lists, their pages, add, edit and merge, and the
contacts on a deal.

Lists page like the closed deals (DESIGN.md rule 4): one count, then windows of
rows ordered by ``name_key`` with the filter, the order and OFFSET/LIMIT in SQL,
so 100,000 accounts cost what 100 do. Accounts are matched by ``name_key``
(store.names): two spellings of one company are one account.

A deal's contacts are the ``deal_contact`` rows plus ``Deal.contact_id``, its
primary (always read from the deal row, so writers that only set the column, like
the importer and the deal form, are read right). Every change to a deal's contacts,
and every merge that moves a deal, is a versioned deal write recording a DealEvent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, func, select

from store import clock, deal_rows, deals, events, validate
from store.deal_detail import DealDetail
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import OPEN, Account, Activity, Contact, Deal, DealContact, Note, Rep, Stage, Task
from store.names import name_key
from store.notes import summary_of
from store.timeline import activity_headline
from store.tx import write

PAGE = 50
MAX_NAME = 200
MAX_DOMAIN = 200
MAX_EMAIL = 200
MAX_PHONE = 64
MAX_JOB_TITLE = 200
# What a page shows at most of each list; the totals say how many there are in all.
PAGE_DEALS = 100
PAGE_CONTACTS = 100
PAGE_TIMELINE = 40
PAGE_TASKS = 20


# --- what leaves the store --------------------------------------------------------------------


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
class ContactInfo:
    id: int
    name: str
    account_id: int | None
    account_name: str | None
    email: str | None
    phone: str | None
    job_title: str | None


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    domain: str | None
    created_at: pendulum.DateTime


@dataclass(frozen=True)
class PersonDeal:
    """A deal on an account's or a contact's page."""

    id: int
    version: int
    title: str
    pipeline: str
    stage_name: str
    stage_kind: str
    value: int
    owner_name: str
    account_name: str | None
    primary_contact_id: int | None
    closed_at: pendulum.DateTime | None

    @property
    def is_open(self) -> bool:
        return self.stage_kind == OPEN


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


@dataclass(frozen=True)
class ContactPage:
    contact: ContactInfo
    deals: list[PersonDeal]  # open first, then closed, newest first
    deals_total: int


@dataclass(frozen=True)
class DealContactInfo:
    contact: ContactInfo
    primary: bool


@dataclass(frozen=True)
class Merged:
    """What a merge did: the record kept, and how many deals and contacts moved to it."""

    kept_id: int
    kept_name: str
    removed_name: str
    deals_moved: int
    contacts_moved: int


# --- filters and lists ------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _account_where(text: str) -> list:
    key = name_key(validate.text(text, "filter") or "")
    if not key:
        return []
    return [or_(Account.name_key.like(_like(key), escape="\\"),
                func.lower(Account.domain).like(_like(key), escape="\\"))]


def _contact_where(text: str, account_id: int | None = None) -> list:
    raw = validate.text(text, "filter") or ""
    key = name_key(raw)
    scope = [Contact.account_id == validate.ident(account_id, "account")] if account_id is not None else []
    if not key:
        return scope
    pattern = _like(key)
    # The company by a subquery, not a join: counting needs no join then.
    companies = select(Account.id).where(Account.name_key.like(pattern, escape="\\"))
    return [*scope, or_(
        Contact.name_key.like(pattern, escape="\\"),
        func.lower(Contact.email).like(_like(raw.strip().lower()), escape="\\"),
        Contact.phone.like(_like(raw.strip()), escape="\\"),
        Contact.account_id.in_(companies),
    )]


def _window(offset: int, limit: int) -> None:
    validate.whole(offset, "offset", low=0)
    validate.whole(limit, "limit", low=0, high=1000)


def count_accounts(session: Session, text: str = "") -> int:
    return int(session.exec(select(func.count()).select_from(Account).where(*_account_where(text))).one())


def list_accounts(session: Session, text: str = "", *, offset: int = 0, limit: int = PAGE) -> list[AccountRow]:
    """One window of the accounts whose name (or domain) holds ``text``, by name."""
    _window(offset, limit)
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
    mine = session.exec(select(Account.name_key).where(Account.id == account_id, *_account_where(text))).first()
    if mine is None:
        return None
    before = or_(Account.name_key < mine, and_(Account.name_key == mine, Account.id < account_id))
    return int(session.exec(select(func.count()).select_from(Account).where(*_account_where(text), before)).one())


def _contact_query(*columns):
    return select(*columns).select_from(Contact).join(Account, Account.id == Contact.account_id, isouter=True)


def count_contacts(session: Session, text: str = "", *, account_id: int | None = None) -> int:
    return int(session.exec(select(func.count()).select_from(Contact).where(*_contact_where(text, account_id))).one())


def _contact_order(account_id: int | None) -> tuple:
    # Within one account, lead with its id: the planner then walks (account_id, name_key)
    # instead of every contact in name order.
    order = (Contact.name_key, Contact.id)
    return (Contact.account_id, *order) if account_id is not None else order


_CONTACT_COLUMNS = (Contact.id, Contact.name, Contact.account_id, Account.name, Contact.email, Contact.phone,
                    Contact.job_title)


def list_contacts(
    session: Session, text: str = "", *, offset: int = 0, limit: int = PAGE, account_id: int | None = None
) -> list[ContactInfo]:
    """One window of the contacts whose name, email, phone or account holds ``text``
    (only ``account_id``'s, when given), by name."""
    _window(offset, limit)
    window = (
        select(Contact.id).where(*_contact_where(text, account_id))
        .order_by(*_contact_order(account_id)).offset(offset).limit(limit).subquery("window")
    )
    rows = session.exec(
        select(*_CONTACT_COLUMNS).select_from(window)
        .join(Contact, Contact.id == window.c.id)
        .join(Account, Account.id == Contact.account_id, isouter=True)
        .order_by(*_contact_order(account_id))
    ).all()
    return [ContactInfo(*row) for row in rows]


def contact_position(session: Session, contact_id: int, text: str = "") -> int | None:
    mine = session.exec(select(Contact.name_key).where(Contact.id == contact_id, *_contact_where(text))).first()
    if mine is None:
        return None
    before = or_(Contact.name_key < mine, and_(Contact.name_key == mine, Contact.id < contact_id))
    return int(session.exec(select(func.count()).select_from(Contact).where(*_contact_where(text), before)).one())


# --- pages ------------------------------------------------------------------------------------


def get_account(session: Session, account_id: int) -> AccountInfo:
    validate.ident(account_id, "account")
    account = session.get(Account, account_id, populate_existing=True)
    if account is None:
        raise NotFound(f"no account with id {account_id}")
    return AccountInfo(account.id, account.name, account.domain, clock.aware(account.created_at))


def get_contact(session: Session, contact_id: int) -> ContactInfo:
    validate.ident(contact_id, "contact")
    row = session.exec(_contact_query(*_CONTACT_COLUMNS).where(Contact.id == contact_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound(f"no contact with id {contact_id}")
    return ContactInfo(*row)


def _deal_rows(session: Session, where, limit: int) -> tuple[list[PersonDeal], int]:
    total = int(session.exec(select(func.count()).select_from(Deal).where(where)).one())
    rows = session.exec(
        select(Deal.id, Deal.version, Deal.title, Deal.pipeline, Stage.name, Stage.kind, Deal.value, Rep.name,
               Account.name, Deal.contact_id, Deal.closed_at)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .where(where)
        # Open deals first (no close), then the most recently closed.
        .order_by(Deal.closed_at.is_not(None), Deal.closed_at.desc(), Deal.id.desc())
        .limit(limit)
    ).all()
    result = [
        PersonDeal(i, v, t, p, sn, sk, val, owner, account, primary, clock.aware(closed))
        for i, v, t, p, sn, sk, val, owner, account, primary, closed in rows
    ]
    return result, total


def account_page(session: Session, account_id: int, *, today: date | None = None) -> AccountPage:
    """An account with its contacts, its deals, its open tasks and its recent activities and notes."""
    account = get_account(session, account_id)
    contacts_total = int(session.exec(select(func.count()).select_from(Contact)
                                      .where(Contact.account_id == account_id)).one())
    contacts = [
        ContactInfo(*row) for row in session.exec(
            _contact_query(*_CONTACT_COLUMNS).where(Contact.account_id == account_id)
            .order_by(*_contact_order(account_id)).limit(PAGE_CONTACTS)
        )
    ]
    deal_list, deals_total = _deal_rows(session, Deal.account_id == account_id, PAGE_DEALS)
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


def _contact_deals_where(contact_id: int):
    linked = select(DealContact.deal_id).where(DealContact.contact_id == contact_id)
    return or_(Deal.contact_id == contact_id, Deal.id.in_(linked))


def contact_page(session: Session, contact_id: int) -> ContactPage:
    """A contact with its account and the deals it is on (as the primary contact or another)."""
    contact = get_contact(session, contact_id)
    deal_list, total = _deal_rows(session, _contact_deals_where(contact_id), PAGE_DEALS)
    return ContactPage(contact, deal_list, total)


# --- add and edit -----------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value is not None else None


def _checked(value: object, what: str, limit: int) -> str | None:
    text = _clean(validate.text(value, what))
    if text is not None and len(text) > limit:
        raise InvalidInput(f"{what} is {len(text)} characters; keep it under {limit}")
    return text


def _require_rep(session: Session, rep_id: int) -> None:
    validate.ident(rep_id, "rep")
    if session.get(Rep, rep_id) is None:
        raise NotFound(f"no rep with id {rep_id}")


def _same_name(session: Session, name: str, but: int | None = None) -> Account | None:
    query = select(Account).where(Account.name_key == name_key(name)).order_by(Account.id)
    if but is not None:
        query = query.where(Account.id != but)
    return session.exec(query).first()


def add_account(session: Session, name: str, domain: str | None = None, *, by: int) -> AccountInfo:
    """A new account; refused when one by that name (any spelling, store.names) exists."""
    name = _checked(name, "account name", MAX_NAME)
    domain = _checked(domain, "domain", MAX_DOMAIN)
    if not name:
        raise InvalidInput("an account needs a name")
    with write(session):
        _require_rep(session, by)
        existing = _same_name(session, name)
        if existing is not None:
            raise RuleViolation(f"the account “{existing.name}” exists already: open it, or merge")
        account = Account(name=name, name_key=name_key(name), domain=domain, created_at=clock.now())
        session.add(account)
        session.flush()
        account_id = account.id
    return get_account(session, account_id)


_KEEP = object()  # an argument not given: the value stays as it is


def edit_account(session: Session, account_id: int, *, name: str | None = None, domain=_KEEP, by: int) -> AccountInfo:
    """Rename an account or change its domain (``domain=None`` clears it)."""
    name = _checked(name, "account name", MAX_NAME)
    if domain is not _KEEP:
        domain = _checked(domain, "domain", MAX_DOMAIN)
    with write(session):
        _require_rep(session, by)
        validate.ident(account_id, "account")
        account = session.get(Account, account_id, populate_existing=True)
        if account is None:
            raise NotFound(f"no account with id {account_id}")
        if name is not None and name != account.name:
            existing = _same_name(session, name, but=account_id)
            if existing is not None:
                raise RuleViolation(f"the account “{existing.name}” exists already: merge the two instead")
            account.name = name
        if domain is not _KEEP:
            account.domain = domain
        session.add(account)
        session.flush()
    return get_account(session, account_id)


def _contact_values(name, email, phone, job_title) -> tuple:
    name = _checked(name, "contact name", MAX_NAME)
    email = _checked(email, "email", MAX_EMAIL)
    phone = _checked(phone, "phone", MAX_PHONE)
    job_title = _checked(job_title, "job title", MAX_JOB_TITLE)
    if email is not None and ("@" not in email or " " in email):
        raise InvalidInput(f"email {email!r} is not an address")
    return name, email, phone, job_title


def _account_of(session: Session, account_id: int | None) -> int | None:
    validate.ident(account_id, "account")
    if account_id is not None and session.get(Account, account_id) is None:
        raise NotFound(f"no account with id {account_id}")
    return account_id


def _clash(session: Session, account_id: int | None, name: str, but: int | None = None) -> Contact | None:
    query = select(Contact).where(Contact.name_key == name_key(name))
    query = query.where(Contact.account_id == account_id) if account_id else query.where(Contact.account_id.is_(None))
    if but is not None:
        query = query.where(Contact.id != but)
    return session.exec(query.order_by(Contact.id)).first()


def _named_account(session: Session, account_name: str | None) -> int | None:
    """The account a form names (matched by name_key), made when there is none; None for no name."""
    return deals.find_or_create_account(session, account_name) if _clean(account_name) else None


def add_contact(
    session: Session, name: str, *, account_id: int | None = None, email: str | None = None,
    phone: str | None = None, job_title: str | None = None, account_name=_KEEP, by: int,
) -> ContactInfo:
    """A new contact, at ``account_id`` (or the account called ``account_name``, made
    if need be) or at no account; refused when the account has one by that name."""
    name, email, phone, job_title = _contact_values(name, email, phone, job_title)
    if not name:
        raise InvalidInput("a contact needs a name")
    if account_name is not _KEEP:
        _checked(account_name, "account name", MAX_NAME)
    with write(session):
        _require_rep(session, by)
        if account_name is not _KEEP:
            account_id = _named_account(session, account_name)
        _account_of(session, account_id)
        existing = _clash(session, account_id, name)
        if existing is not None:
            raise RuleViolation(f"“{existing.name}” is a contact there already: open it, or merge")
        contact = Contact(account_id=account_id, name=name, name_key=name_key(name), email=email, phone=phone,
                          job_title=job_title, created_at=clock.now())
        session.add(contact)
        session.flush()
        contact_id = contact.id
    return get_contact(session, contact_id)


def edit_contact(
    session: Session, contact_id: int, *, name: str | None = None, account_id=_KEEP, email=_KEEP, phone=_KEEP,
    job_title=_KEEP, account_name=_KEEP, by: int,
) -> ContactInfo:
    """Change what is given (``None`` clears an email, phone, job title or account;
    ``account_name`` names the account instead of ``account_id``, made if need be)."""
    if account_name is not _KEEP:
        _checked(account_name, "account name", MAX_NAME)
    given = {"email": email, "phone": phone, "job_title": job_title}
    values = _contact_values(
        name, *(None if v is _KEEP else v for v in given.values())
    )
    name = values[0]
    with write(session):
        _require_rep(session, by)
        validate.ident(contact_id, "contact")
        contact = session.get(Contact, contact_id, populate_existing=True)
        if contact is None:
            raise NotFound(f"no contact with id {contact_id}")
        if account_name is not _KEEP:
            contact.account_id = _named_account(session, account_name)
        elif account_id is not _KEEP:
            contact.account_id = _account_of(session, account_id)
        if name is not None:
            contact.name = name
        existing = _clash(session, contact.account_id, contact.name, but=contact_id)
        if existing is not None:
            raise RuleViolation(f"“{existing.name}” is a contact there already: merge the two instead")
        for (field, raw), value in zip(given.items(), values[1:]):
            if raw is not _KEEP:
                setattr(contact, field, value)
        session.add(contact)
        session.flush()
    return get_contact(session, contact_id)


# --- merging ----------------------------------------------------------------------------------


def _bump(session: Session, deal_id: int, by: int, kind: str, after: dict, extra: dict) -> None:
    """One versioned write of a deal row (its version as read now, in this transaction), with its event."""
    deal, _stage = deal_rows.load_for_write(session, deal_id, by=by, what="merge into")
    deal_rows.apply_changes(session, deal, deal.version, by, [(kind, after, extra)])


def merge_accounts(session: Session, keep_id: int, other_id: int, *, by: int) -> Merged:
    """``other_id``'s deals and contacts move to ``keep_id``, then ``other_id`` is gone.
    Each moved deal records an ``account_merged`` event; the kept account takes the
    other's domain when it has none."""
    validate.ident(keep_id, "account")
    validate.ident(other_id, "account")
    if keep_id == other_id:
        raise RuleViolation("an account cannot be merged into itself")
    with write(session):
        _require_rep(session, by)
        keep = session.get(Account, keep_id, populate_existing=True)
        other = session.get(Account, other_id, populate_existing=True)
        if keep is None or other is None:
            raise NotFound(f"no account with id {other_id if keep else keep_id}")
        kept_name, removed_name = keep.name, other.name
        deal_ids = session.exec(select(Deal.id).where(Deal.account_id == other_id).order_by(Deal.id)).all()
        for deal_id in deal_ids:
            _bump(session, deal_id, by, events.ACCOUNT_MERGED, {"account_id": keep_id},
                  events.merged(removed_name, kept_name))
        moved = session.execute(
            update(Contact).where(Contact.account_id == other_id).values(account_id=keep_id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not keep.domain and other.domain:
            keep.domain = other.domain
            session.add(keep)
        session.flush()
        session.delete(other)
        session.flush()
    return Merged(keep_id, kept_name, removed_name, len(deal_ids), int(moved or 0))


def merge_contacts(session: Session, keep_id: int, other_id: int, *, by: int) -> Merged:
    """``other_id`` leaves every deal it is on and ``keep_id`` takes its place (as the
    primary where it was the primary); the kept contact takes the other's email,
    phone, job title and account where it has none; then ``other_id`` is gone. Each
    deal touched records a ``contact_merged`` event."""
    validate.ident(keep_id, "contact")
    validate.ident(other_id, "contact")
    if keep_id == other_id:
        raise RuleViolation("a contact cannot be merged into itself")
    with write(session):
        _require_rep(session, by)
        keep = session.get(Contact, keep_id, populate_existing=True)
        other = session.get(Contact, other_id, populate_existing=True)
        if keep is None or other is None:
            raise NotFound(f"no contact with id {other_id if keep else keep_id}")
        kept_name, removed_name = keep.name, other.name
        deal_ids = session.exec(
            select(Deal.id).where(_contact_deals_where(other_id)).order_by(Deal.id)
        ).all()
        extra = events.merged(removed_name, kept_name)
        for deal_id in deal_ids:
            primary = session.exec(select(Deal.contact_id).where(Deal.id == deal_id)).one()
            _link(session, deal_id, keep_id)
            session.execute(delete(DealContact).where(DealContact.deal_id == deal_id, DealContact.contact_id == other_id))
            after = {"contact_id": keep_id} if primary == other_id else {}
            _bump(session, deal_id, by, events.CONTACT_MERGED, after, extra)
        for field in ("email", "phone", "job_title", "account_id"):
            if getattr(keep, field) is None and getattr(other, field) is not None:
                setattr(keep, field, getattr(other, field))
        session.add(keep)
        session.flush()
        session.delete(other)
        session.flush()
    return Merged(keep_id, kept_name, removed_name, len(deal_ids), 0)


# --- a deal's contacts ------------------------------------------------------------------------


def deal_contacts(session: Session, deal_id: int) -> list[DealContactInfo]:
    """Every contact on the deal, the primary first, then by name."""
    validate.ident(deal_id, "deal")
    primary = session.exec(select(Deal.contact_id).where(Deal.id == deal_id)).first()
    linked = select(DealContact.contact_id).where(DealContact.deal_id == deal_id)
    rows = session.exec(
        _contact_query(*_CONTACT_COLUMNS)
        .where(or_(Contact.id.in_(linked), Contact.id == primary))
        .order_by(Contact.name_key, Contact.id)
    ).all()
    found = [DealContactInfo(ContactInfo(*row), row[0] == primary) for row in rows]
    return sorted(found, key=lambda c: not c.primary)


def _link(session: Session, deal_id: int, contact_id: int) -> bool:
    """Make sure the link row exists; True when it was added."""
    if session.get(DealContact, (deal_id, contact_id)) is not None:
        return False
    session.add(DealContact(deal_id=deal_id, contact_id=contact_id, added_at=clock.now()))
    session.flush()
    return True


def _deal_and_contact(session: Session, deal_id: int, contact_id: int, version: int, by: int):
    validate.ident(contact_id, "contact")
    validate.whole(version, "version", low=1)
    deal, _stage = deal_rows.load_for_write(session, deal_id, by=by, what="change the contacts of")
    deal_rows.check_version(session, deal, version)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    return deal, contact


def add_deal_contact(
    session: Session, deal_id: int, contact_id: int, *, version: int, by: int, primary: bool = False
) -> DealDetail:
    """Put a contact on a deal; it becomes the primary when asked, or when the deal has none."""
    with write(session):
        _require_rep(session, by)
        deal, contact = _deal_and_contact(session, deal_id, contact_id, version, by)
        if deal.contact_id is not None:
            _link(session, deal_id, deal.contact_id)  # the primary is a linked contact too
        added = _link(session, deal_id, contact_id)
        make_primary = (primary or deal.contact_id is None) and deal.contact_id != contact_id
        if not added and not make_primary:
            raise RuleViolation(f"{contact.name} is on “{deal.title}” already")
        after = {"contact_id": contact_id} if make_primary else {}
        deal_rows.apply_changes(session, deal, version, by,
                      [(events.CONTACT_ADDED, after, events.contact(contact.name, primary=make_primary))])
    return deals.get_deal(session, deal_id)


def remove_deal_contact(session: Session, deal_id: int, contact_id: int, *, version: int, by: int) -> DealDetail:
    """Take a contact off a deal; when it was the primary, the contact added longest ago takes its place."""
    with write(session):
        _require_rep(session, by)
        deal, contact = _deal_and_contact(session, deal_id, contact_id, version, by)
        removed = session.execute(
            delete(DealContact).where(DealContact.deal_id == deal_id, DealContact.contact_id == contact_id)
        ).rowcount
        after = {}
        if deal.contact_id == contact_id:
            successor = session.exec(
                select(DealContact.contact_id).where(DealContact.deal_id == deal_id)
                .order_by(DealContact.added_at, DealContact.contact_id)
            ).first()
            after = {"contact_id": successor}
        elif not removed:
            raise RuleViolation(f"{contact.name} is not on “{deal.title}”")
        deal_rows.apply_changes(session, deal, version, by, [(events.CONTACT_REMOVED, after, events.contact(contact.name))])
    return deals.get_deal(session, deal_id)


def set_primary_contact(session: Session, deal_id: int, contact_id: int, *, version: int, by: int) -> DealDetail:
    """Make a contact the deal's primary (putting it on the deal if it was not)."""
    with write(session):
        _require_rep(session, by)
        deal, contact = _deal_and_contact(session, deal_id, contact_id, version, by)
        if deal.contact_id == contact_id:
            raise RuleViolation(f"{contact.name} is the primary contact of “{deal.title}” already")
        if deal.contact_id is not None:
            _link(session, deal_id, deal.contact_id)
        _link(session, deal_id, contact_id)
        deal_rows.apply_changes(session, deal, version, by,
                      [(events.PRIMARY_CONTACT_SET, {"contact_id": contact_id}, events.contact(contact.name))])
    return deals.get_deal(session, deal_id)
