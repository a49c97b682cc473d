"""Deals: create and edit; one import for every deal operation.

Every write states the version it read and records deal events whose ``before``
values let the change be undone (see undo.py). The pieces live by their seams:
reading a deal in store.deal_detail, the versioned row write in store.deal_rows,
moving, converting, winning, losing and reopening in store.deal_moves; they are
re-exported here so ``deals.move_deal(...)`` reads as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from store import clock, events, money, permissions, validate
from store.deal_detail import DealDetail, get_deal, list_deals  # noqa: F401
from store.deal_moves import (  # noqa: F401
    MAX_REASON,
    convert_lead,
    mark_lost,
    mark_won,
    move_deal,
    move_to_stage,
    reopen,
    stage_before_closing,
    stages_for,
)
from store.deal_rows import (  # noqa: F401
    Change,
    apply_changes,
    check_version,
    deserialise,
    load_for_write,
    update_row,
)
from store.deal_rows import one_line as _clean
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import LEAD, OPPORTUNITY, PIPELINES, Account, Contact, Deal, Rep
from store.names import name_key
from store.stages import list_stages
from store.tx import write

MAX_TITLE = 300
# Well inside the 64-bit value column, and small enough that sums never overflow.
MAX_VALUE = money.MAX_VALUE
# Column widths (see models.py): PostgreSQL refuses longer text, SQLite keeps it.
MAX_LENGTHS = {
    "account": 200,
    "contact": 200,
    "contact_email": 200,
    "contact_phone": 64,
    "source": 100,
    "territory": 100,
    "product": 100,
}
MAX_EXTERNAL_ID = 200


@dataclass(frozen=True)
class DealFields:
    """What a person types into the deal form. ``None`` means "not given"."""

    title: str | None = None
    account: str | None = None
    contact: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    value: int | None = None
    expected_close: date | None = None
    source: str | None = None
    territory: str | None = None
    product: str | None = None
    owner_id: int | None = None


# --- creating ------------------------------------------------------------------------------


def _require_rep(session: Session, rep_id: int) -> Rep:
    validate.ident(rep_id, "rep")
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    return rep


def find_or_create_account(session: Session, name: str) -> int:
    name = _clean(validate.text(name, "account", limit=MAX_LENGTHS["account"]))
    if not name:
        raise InvalidInput("account name is empty")
    # One rule on every backend (store.names): SQLite's lower() folds ASCII only.
    existing = session.exec(
        select(Account.id).where(Account.name_key == name_key(name)).order_by(Account.id)
    ).first()
    if existing:
        return existing
    account = Account(name=name, name_key=name_key(name), created_at=clock.now())
    session.add(account)
    session.flush()
    return account.id


def _find_or_create_contact(
    session: Session, account_id: int | None, name: str, email: str | None, phone: str | None
) -> int:
    query = select(Contact).where(Contact.name_key == name_key(name)).order_by(Contact.id)
    query = query.where(Contact.account_id == account_id) if account_id else query.where(Contact.account_id.is_(None))
    contact = session.exec(query).first()
    if contact is None:
        contact = Contact(
            account_id=account_id, name=name, name_key=name_key(name), email=email, phone=phone, created_at=clock.now()
        )
    else:
        contact.email = email or contact.email
        contact.phone = phone or contact.phone
    session.add(contact)
    session.flush()
    return contact.id


def _check_values(fields_: DealFields) -> None:
    """Each field's type, and no NUL or control characters in text, before any rule reads them."""
    for field in ("title", "account", "contact", "contact_email", "contact_phone", "source", "territory", "product"):
        validate.text(getattr(fields_, field), field.replace("_", " "))
    validate.cents(fields_.value)
    validate.day(fields_.expected_close, "expected close")
    validate.ident(fields_.owner_id, "owner")


def _validate(session: Session, fields_: DealFields) -> None:
    _check_values(fields_)
    if fields_.title is not None:
        title = _clean(fields_.title)
        if not title:
            raise InvalidInput("a deal needs a title")
        if len(title) > MAX_TITLE:
            raise InvalidInput(f"title is {len(title)} characters; keep it under {MAX_TITLE}")
    if fields_.value is not None and (not isinstance(fields_.value, int) or fields_.value < 0):
        raise InvalidInput("value must be zero or more, in minor units")
    if fields_.value is not None and fields_.value > MAX_VALUE:
        money.check_amount(fields_.value, money.database_currency(session), what="a deal's value")
    for field, limit in MAX_LENGTHS.items():
        given = _clean(getattr(fields_, field))
        if given is not None and len(given) > limit:
            raise InvalidInput(f"{field.replace('_', ' ')} is {len(given)} characters; keep it under {limit}")
    if fields_.contact_email and "@" not in fields_.contact_email:
        raise InvalidInput(f"contact email {fields_.contact_email!r} has no @")


# --- creating ------------------------------------------------------------------------------


def create_deal(
    session: Session,
    pipeline: str,
    details: DealFields,
    *,
    by: int,
    stage_id: int | None = None,
    external_id: str | None = None,
) -> DealDetail:
    """Create a lead or an opportunity in its pipeline's first open stage (or ``stage_id``)."""
    if pipeline not in PIPELINES:
        raise InvalidInput(f"pipeline {pipeline!r} must be one of {', '.join(PIPELINES)}")
    _check_values(details)
    validate.text(external_id, "external id", limit=MAX_EXTERNAL_ID)
    validate.ident(by, "rep")
    validate.ident(stage_id, "stage")
    if not details.title or not _clean(details.title):
        raise InvalidInput("a deal needs a title")
    _validate(session, details)
    with write(session):
        _require_rep(session, by)
        owner_id = details.owner_id or by
        _require_rep(session, owner_id)
        permissions.require_assign(session, by, owner_id, "create a deal for")
        open_stages = list_stages(session, pipeline, open_only=True)
        if stage_id is None:
            stage = open_stages[0]
        else:
            stage = next((s for s in open_stages if s.id == stage_id), None)
            if stage is None:
                raise RuleViolation("a new deal starts in an open stage of its own pipeline")
        account_id = find_or_create_account(session, details.account) if _clean(details.account) else None
        contact_id = None
        if _clean(details.contact):
            contact_id = _find_or_create_contact(
                session, account_id, _clean(details.contact), _clean(details.contact_email), _clean(details.contact_phone)
            )
        now = clock.now()
        deal = Deal(
            pipeline=pipeline,
            stage_id=stage.id,
            title=_clean(details.title),
            account_id=account_id,
            contact_id=contact_id,
            owner_id=owner_id,
            value=details.value or 0,
            expected_close=details.expected_close,
            source=_clean(details.source),
            territory=_clean(details.territory),
            product=_clean(details.product),
            created_at=now,
            stage_entered_at=now,
            external_id=external_id,
            version=1,
            updated_at=now,
            updated_by_id=by,
        )
        session.add(deal)
        session.flush()
        events.record(
            session,
            deal.id,
            by,
            events.CREATED,
            events.created(pipeline, stage.name, deal.value),
            at=now,
        )
        deal_id = deal.id
    return get_deal(session, deal_id)


def create_lead(session: Session, details: DealFields, *, by: int) -> DealDetail:
    return create_deal(session, LEAD, details, by=by)


def create_opportunity(session: Session, details: DealFields, *, by: int) -> DealDetail:
    return create_deal(session, OPPORTUNITY, details, by=by)


# --- editing -------------------------------------------------------------------------------


def edit_deal(session: Session, deal_id: int, details: DealFields, *, version: int, by: int) -> DealDetail:
    """Change the fields given in ``details``; owner, value and close date changes
    each get their own history entry, the rest one "details edited" entry."""
    _validate(session, details)
    with write(session):
        _require_rep(session, by)
        deal, _stage = load_for_write(session, deal_id, by=by, what="edit")
        check_version(session, deal, version)
        owner_change: dict[str, Any] = {}
        value_change: dict[str, Any] = {}
        close_change: dict[str, Any] = {}
        other: dict[str, Any] = {}
        if details.owner_id is not None and details.owner_id != deal.owner_id:
            new_owner = _require_rep(session, details.owner_id)
            permissions.require_assign(session, by, new_owner.id, "give a deal to")
            old_owner = session.get(Rep, deal.owner_id)
            owner_change = {"owner_id": new_owner.id}
            owner_extra = events.owner_change(old_owner.name, new_owner.name)
        if details.value is not None and details.value != deal.value:
            value_change = {"value": details.value}
        if details.expected_close is not None and details.expected_close != deal.expected_close:
            close_change = {"expected_close": details.expected_close}
        if details.title is not None and _clean(details.title) != deal.title:
            other["title"] = _clean(details.title)
        for column in ("source", "territory", "product"):
            given = getattr(details, column)
            if given is not None and (_clean(given) or None) != getattr(deal, column):
                other[column] = _clean(given)
        if details.account is not None:
            account_id = find_or_create_account(session, details.account) if _clean(details.account) else None
            if account_id != deal.account_id:
                other["account_id"] = account_id
        if details.contact is not None:
            account_id = other.get("account_id", deal.account_id)
            contact_id = (
                _find_or_create_contact(
                    session, account_id, _clean(details.contact), _clean(details.contact_email), _clean(details.contact_phone)
                )
                if _clean(details.contact)
                else None
            )
            if contact_id != deal.contact_id:
                other["contact_id"] = contact_id
        changes: list[Change] = []
        if owner_change:
            changes.append((events.OWNER_CHANGED, owner_change, owner_extra))
        if value_change:
            changes.append((events.VALUE_CHANGED, value_change, {}))
        if close_change:
            changes.append((events.CLOSE_DATE_CHANGED, close_change, {}))
        if other:
            changes.append((events.DETAILS_EDITED, other, {}))
        if changes:
            apply_changes(session, deal, version, by, changes)
    return get_deal(session, deal_id)
