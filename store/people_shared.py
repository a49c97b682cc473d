"""What accounts and contacts share (store.accounts, store.contacts, store.merges):
the limits and checks of what a form types, a list's filter and window, a record's
place in its list, and the deals on an account's or a contact's page.

Lists page like the closed deals (DESIGN.md rule 4): one count, then windows of
rows ordered by ``name_key`` with the filter, the order and OFFSET/LIMIT in SQL,
so 100,000 accounts cost what 100 do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pendulum
from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from store import clock, validate
from store.errors import InvalidInput, NotFound
from store.models import OPEN, Account, Deal, Rep, Stage

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


# --- lists ------------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape ``\\``) for ``text`` anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_window(offset: int, limit: int) -> None:
    validate.whole(offset, "offset", low=0)
    validate.whole(limit, "limit", low=0, high=1000)


def position(session: Session, model, record_id: int, where: list) -> int | None:
    """Where ``record_id`` sits in the list of ``model`` rows filtered by ``where``,
    ordered by name key then id (0-based); None when the filter leaves it out."""
    mine = session.exec(select(model.name_key).where(model.id == record_id, *where)).first()
    if mine is None:
        return None
    before = or_(model.name_key < mine, and_(model.name_key == mine, model.id < record_id))
    return int(session.exec(select(func.count()).select_from(model).where(*where, before)).one())


def person_deals(session: Session, where, limit: int) -> tuple[list[PersonDeal], int]:
    """Up to ``limit`` of the deals ``where`` picks, open first, and how many there are in all."""
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


# --- forms ------------------------------------------------------------------------------------


def clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value is not None else None


def checked(value: object, what: str, limit: int) -> str | None:
    text = clean(validate.text(value, what))
    if text is not None and len(text) > limit:
        raise InvalidInput(f"{what} is {len(text)} characters; keep it under {limit}")
    return text


def record(session: Session, model, record_id: int, what: str):
    """The ``model`` row ``record_id``, read afresh; NotFound when there is none."""
    validate.ident(record_id, what)
    row = session.get(model, record_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no {what} with id {record_id}")
    return row


def require_rep(session: Session, rep_id: int) -> None:
    validate.ident(rep_id, "rep")
    if session.get(Rep, rep_id) is None:
        raise NotFound(f"no rep with id {rep_id}")


KEEP = object()  # an argument not given: the value stays as it is
