"""Contacts: the list, a contact's page, add and edit, and the contacts on a deal.

A deal's contacts are the ``deal_contact`` rows plus ``Deal.contact_id``, its
primary (always read from the deal row, so writers that only set the column, like
the importer and the deal form, are read right). Every change to a deal's contacts
is a versioned deal write recording a DealEvent. Merging two contacts is
store.merges'.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlmodel import Session, func, select

from store import clock, deal_rows, deals, events, validate
from store.deal_detail import DealDetail
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import Account, Contact, Deal, DealContact
from store.names import name_key
from store.people_shared import KEEP, MAX_EMAIL, MAX_JOB_TITLE, MAX_NAME, MAX_PHONE, PAGE, PAGE_DEALS, PersonDeal
from store.people_shared import check_window, checked, clean, like_pattern, person_deals, position, record, require_rep
from store.tx import write


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
class ContactPage:
    contact: ContactInfo
    deals: list[PersonDeal]  # open first, then closed, newest first
    deals_total: int


@dataclass(frozen=True)
class DealContactInfo:
    contact: ContactInfo
    primary: bool


# --- the list ---------------------------------------------------------------------------------


def _contact_where(text: str, account_id: int | None = None) -> list:
    raw = validate.text(text, "filter") or ""
    key = name_key(raw)
    scope = [Contact.account_id == validate.ident(account_id, "account")] if account_id is not None else []
    if not key:
        return scope
    pattern = like_pattern(key)
    # The company by a subquery, not a join: counting needs no join then.
    companies = select(Account.id).where(Account.name_key.like(pattern, escape="\\"))
    return [*scope, or_(
        Contact.name_key.like(pattern, escape="\\"),
        func.lower(Contact.email).like(like_pattern(raw.strip().lower()), escape="\\"),
        Contact.phone.like(like_pattern(raw.strip()), escape="\\"),
        Contact.account_id.in_(companies),
    )]


def contact_query(*columns):
    """``columns`` of contacts joined to their account (when they have one)."""
    return select(*columns).select_from(Contact).join(Account, Account.id == Contact.account_id, isouter=True)


def count_contacts(session: Session, text: str = "", *, account_id: int | None = None) -> int:
    return int(session.exec(select(func.count()).select_from(Contact).where(*_contact_where(text, account_id))).one())


def contact_order(account_id: int | None) -> tuple:
    # Within one account, lead with its id: the planner then walks (account_id, name_key)
    # instead of every contact in name order.
    order = (Contact.name_key, Contact.id)
    return (Contact.account_id, *order) if account_id is not None else order


CONTACT_COLUMNS = (Contact.id, Contact.name, Contact.account_id, Account.name, Contact.email, Contact.phone,
                    Contact.job_title)


def list_contacts(
    session: Session, text: str = "", *, offset: int = 0, limit: int = PAGE, account_id: int | None = None
) -> list[ContactInfo]:
    """One window of the contacts whose name, email, phone or account holds ``text``
    (only ``account_id``'s, when given), by name."""
    check_window(offset, limit)
    window = (
        select(Contact.id).where(*_contact_where(text, account_id))
        .order_by(*contact_order(account_id)).offset(offset).limit(limit).subquery("window")
    )
    rows = session.exec(
        select(*CONTACT_COLUMNS).select_from(window)
        .join(Contact, Contact.id == window.c.id)
        .join(Account, Account.id == Contact.account_id, isouter=True)
        .order_by(*contact_order(account_id))
    ).all()
    return [ContactInfo(*row) for row in rows]



def contact_position(session: Session, contact_id: int, text: str = "") -> int | None:
    return position(session, Contact, contact_id, _contact_where(text))


# --- the page ---------------------------------------------------------------------------------


def get_contact(session: Session, contact_id: int) -> ContactInfo:
    validate.ident(contact_id, "contact")
    row = session.exec(contact_query(*CONTACT_COLUMNS).where(Contact.id == contact_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound(f"no contact with id {contact_id}")
    return ContactInfo(*row)


def contact_deals_where(contact_id: int):
    """The deals ``contact_id`` is on, as the primary or another."""
    linked = select(DealContact.deal_id).where(DealContact.contact_id == contact_id)
    return or_(Deal.contact_id == contact_id, Deal.id.in_(linked))


def contact_page(session: Session, contact_id: int) -> ContactPage:
    """A contact with its account and the deals it is on (as the primary contact or another)."""
    contact = get_contact(session, contact_id)
    deal_list, total = person_deals(session, contact_deals_where(contact_id), PAGE_DEALS)
    return ContactPage(contact, deal_list, total)


# --- add and edit -----------------------------------------------------------------------------


def _contact_values(name, email, phone, job_title) -> tuple:
    name = checked(name, "contact name", MAX_NAME)
    email = checked(email, "email", MAX_EMAIL)
    phone = checked(phone, "phone", MAX_PHONE)
    job_title = checked(job_title, "job title", MAX_JOB_TITLE)
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
    return deals.find_or_create_account(session, account_name) if clean(account_name) else None


def add_contact(
    session: Session, name: str, *, account_id: int | None = None, email: str | None = None,
    phone: str | None = None, job_title: str | None = None, account_name=KEEP, by: int,
) -> ContactInfo:
    """A new contact, at ``account_id`` (or the account called ``account_name``, made
    if need be) or at no account; refused when the account has one by that name."""
    name, email, phone, job_title = _contact_values(name, email, phone, job_title)
    if not name:
        raise InvalidInput("a contact needs a name")
    if account_name is not KEEP:
        checked(account_name, "account name", MAX_NAME)
    with write(session):
        require_rep(session, by)
        if account_name is not KEEP:
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
    session: Session, contact_id: int, *, name: str | None = None, account_id=KEEP, email=KEEP, phone=KEEP,
    job_title=KEEP, account_name=KEEP, by: int,
) -> ContactInfo:
    """Change what is given (``None`` clears an email, phone, job title or account;
    ``account_name`` names the account instead of ``account_id``, made if need be)."""
    if account_name is not KEEP:
        checked(account_name, "account name", MAX_NAME)
    given = {"email": email, "phone": phone, "job_title": job_title}
    values = _contact_values(
        name, *(None if v is KEEP else v for v in given.values())
    )
    name = values[0]
    with write(session):
        require_rep(session, by)
        contact = record(session, Contact, contact_id, "contact")
        if account_name is not KEEP:
            contact.account_id = _named_account(session, account_name)
        elif account_id is not KEEP:
            contact.account_id = _account_of(session, account_id)
        if name is not None:
            contact.name = name
        existing = _clash(session, contact.account_id, contact.name, but=contact_id)
        if existing is not None:
            raise RuleViolation(f"“{existing.name}” is a contact there already: merge the two instead")
        for (field, raw), value in zip(given.items(), values[1:]):
            if raw is not KEEP:
                setattr(contact, field, value)
        session.add(contact)
        session.flush()
    return get_contact(session, contact_id)


# --- a deal's contacts ------------------------------------------------------------------------


def deal_contacts(session: Session, deal_id: int) -> list[DealContactInfo]:
    """Every contact on the deal, the primary first, then by name."""
    validate.ident(deal_id, "deal")
    primary = session.exec(select(Deal.contact_id).where(Deal.id == deal_id)).first()
    linked = select(DealContact.contact_id).where(DealContact.deal_id == deal_id)
    rows = session.exec(
        contact_query(*CONTACT_COLUMNS)
        .where(or_(Contact.id.in_(linked), Contact.id == primary))
        .order_by(Contact.name_key, Contact.id)
    ).all()
    found = [DealContactInfo(ContactInfo(*row), row[0] == primary) for row in rows]
    return sorted(found, key=lambda c: not c.primary)


def link_contact(session: Session, deal_id: int, contact_id: int) -> bool:
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
        require_rep(session, by)
        deal, contact = _deal_and_contact(session, deal_id, contact_id, version, by)
        if deal.contact_id is not None:
            link_contact(session, deal_id, deal.contact_id)  # the primary is a linked contact too
        added = link_contact(session, deal_id, contact_id)
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
        require_rep(session, by)
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
        require_rep(session, by)
        deal, contact = _deal_and_contact(session, deal_id, contact_id, version, by)
        if deal.contact_id == contact_id:
            raise RuleViolation(f"{contact.name} is the primary contact of “{deal.title}” already")
        if deal.contact_id is not None:
            link_contact(session, deal_id, deal.contact_id)
        link_contact(session, deal_id, contact_id)
        deal_rows.apply_changes(session, deal, version, by,
                                [(events.PRIMARY_CONTACT_SET, {"contact_id": contact_id}, events.contact(contact.name))])
    return deals.get_deal(session, deal_id)
