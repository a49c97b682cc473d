"""Merging two accounts or two contacts into one: ``other_id``'s deals move to
``keep_id``, the kept record takes what it lacks from the other, then ``other_id``
is gone. Each deal moved is a versioned deal write recording a DealEvent, so a
holder of a moved deal's old version is refused and an undo cannot reach past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, update
from sqlmodel import Session, select

from store import deal_rows, events, validate
from store.contacts import contact_deals_where, link_contact
from store.errors import RuleViolation
from store.models import Account, Contact, Deal, DealContact
from store.people_shared import record, require_rep
from store.tx import write


@dataclass(frozen=True)
class Merged:
    """What a merge did: the record kept, and how many deals and contacts moved to it."""

    kept_id: int
    kept_name: str
    removed_name: str
    deals_moved: int
    contacts_moved: int


def _bump(session: Session, deal_id: int, by: int, kind: str, after: dict, extra: dict) -> None:
    """One versioned write of a deal row (its version as read now, in this transaction), with its event."""
    deal, _stage = deal_rows.load_for_write(session, deal_id, by=by, what="merge into")
    deal_rows.apply_changes(session, deal, deal.version, by, [(kind, after, extra)])


def _merge(
    session: Session, model, what: str, keep_id: int, other_id: int, *, by: int, event: str, deals_of,
    move_deal: Callable[[int, int, int], dict], take_over: Callable[[object, object], int],
) -> Merged:
    """The merge both kinds share. ``what`` is "an account" or "a contact";
    ``deals_of(id)`` picks the deals a record is on; ``move_deal(deal id, keep id,
    other id)`` moves one and says what the deal row's event records as changed;
    ``take_over(keep, other)`` fills in the kept record and says how many contacts moved."""
    noun = what.split()[-1]
    validate.ident(keep_id, noun)
    validate.ident(other_id, noun)
    if keep_id == other_id:
        raise RuleViolation(f"{what} cannot be merged into itself")
    with write(session):
        require_rep(session, by)
        keep = record(session, model, keep_id, noun)
        other = record(session, model, other_id, noun)
        kept_name, removed_name = keep.name, other.name
        deal_ids = session.exec(select(Deal.id).where(deals_of(other_id)).order_by(Deal.id)).all()
        for deal_id in deal_ids:
            after = move_deal(deal_id, keep_id, other_id)
            _bump(session, deal_id, by, event, after, events.merged(removed_name, kept_name))
        moved = take_over(keep, other)
        session.add(keep)
        session.flush()
        session.delete(other)
        session.flush()
    return Merged(keep_id, kept_name, removed_name, len(deal_ids), moved)


def merge_accounts(session: Session, keep_id: int, other_id: int, *, by: int) -> Merged:
    """``other_id``'s deals and contacts move to ``keep_id``, then ``other_id`` is gone.
    Each moved deal records an ``account_merged`` event; the kept account takes the
    other's domain when it has none."""

    def take_over(keep: Account, other: Account) -> int:
        moved = session.execute(
            update(Contact).where(Contact.account_id == other.id).values(account_id=keep.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not keep.domain and other.domain:
            keep.domain = other.domain
        return int(moved or 0)

    return _merge(session, Account, "an account", keep_id, other_id, by=by, event=events.ACCOUNT_MERGED,
                  deals_of=lambda account_id: Deal.account_id == account_id,
                  move_deal=lambda _deal_id, keep, _other: {"account_id": keep}, take_over=take_over)


def merge_contacts(session: Session, keep_id: int, other_id: int, *, by: int) -> Merged:
    """``other_id`` leaves every deal it is on and ``keep_id`` takes its place (as the
    primary where it was the primary); the kept contact takes the other's email,
    phone, job title and account where it has none; then ``other_id`` is gone. Each
    deal touched records a ``contact_merged`` event."""

    def move_deal(deal_id: int, keep: int, other: int) -> dict:
        primary = session.exec(select(Deal.contact_id).where(Deal.id == deal_id)).one()
        link_contact(session, deal_id, keep)
        session.execute(delete(DealContact).where(DealContact.deal_id == deal_id, DealContact.contact_id == other))
        return {"contact_id": keep} if primary == other else {}

    def take_over(keep: Contact, other: Contact) -> int:
        for field in ("email", "phone", "job_title", "account_id"):
            if getattr(keep, field) is None and getattr(other, field) is not None:
                setattr(keep, field, getattr(other, field))
        return 0

    return _merge(session, Contact, "a contact", keep_id, other_id, by=by, event=events.CONTACT_MERGED,
                  deals_of=contact_deals_where, move_deal=move_deal, take_over=take_over)
