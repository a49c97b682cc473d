"""The versioned write of a deal row, shared by every module that changes a deal.

A write loads the row (``load_for_write``), states the version it read, changes
columns in one UPDATE conditional on that version (``update_row``) and records one
deal event per change whose ``before`` values let undo put the row back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pendulum
from sqlalchemy import update
from sqlmodel import Session, select

from store import clock, events, permissions, validate
from store.errors import Conflict, NotFound
from store.models import Deal, Rep, Stage


def load_for_write(session: Session, deal_id: int, *, by: int, what: str = "change") -> tuple[Deal, Stage]:
    """The deal row and its stage as they are now, for a write by rep ``by`` that will
    change them: refused (``Forbidden``) unless ``by`` may change the deal (store.permissions)."""
    validate.ident(deal_id, "deal")
    validate.ident(by, "rep")
    # populate_existing: Core UPDATEs bypass the identity map; read what the rows hold now.
    deal = session.get(Deal, deal_id, populate_existing=True)
    if deal is None:
        raise NotFound(f"no deal with id {deal_id}")
    permissions.require_deal_change(session, by, deal, what)
    return deal, session.get(Stage, deal.stage_id, populate_existing=True)


def deserialise(column: str, value: Any) -> Any:
    """The inverse of what events store for a deal column (used by undo)."""
    if value is None:
        return None
    if column.endswith("_at"):
        return pendulum.parse(value)
    if column == "expected_close":
        return pendulum.parse(value).date()
    return value


def _conflict(session: Session, deal_id: int, read_version: int) -> Conflict:
    row = session.exec(
        select(Deal.title, Deal.version, Deal.updated_at, Rep.name)
        .join(Rep, Rep.id == Deal.updated_by_id, isouter=True)
        .where(Deal.id == deal_id)
    ).first()
    if row is None:
        return Conflict(f"deal {deal_id} was deleted by someone else", deal_id, 0)
    title, version, updated_at, who = row
    when = clock.aware(updated_at).format("YYYY-MM-DD HH:mm") + " UTC"
    return Conflict(
        f"“{title}” was changed by {who or 'someone else'} at {when} after you opened it "
        f"(your copy is version {read_version}, it is now {version}); reload and try again",
        deal_id,
        version,
    )


def check_version(session: Session, deal: Deal, version: int) -> None:
    if deal.version != version:
        raise _conflict(session, deal.id, version)


Change = tuple[str, dict[str, Any], dict[str, Any]]  # kind, new column values, extra event data


def update_row(session: Session, deal_id: int, version: int, by: int, values: dict[str, Any], at: datetime) -> int:
    """Write ``values`` to the deal row in one UPDATE conditional on ``version``, the
    version the caller read, and return the new version. Another process that wrote
    in between makes it match nothing, and the write is refused with a ``Conflict``."""
    result = session.execute(
        update(Deal)
        .where(Deal.id == deal_id, Deal.version == version)
        .values(**values, version=Deal.version + 1, updated_at=at, updated_by_id=by)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, deal_id, version)
    return version + 1


def apply_changes(session: Session, deal: Deal, version: int, by: int, changes: list[Change]) -> int:
    """Apply column changes in one conditional UPDATE (``update_row``), record one event per change."""
    validate.ident(by, "rep")
    values: dict[str, Any] = {}
    for _kind, after, _extra in changes:
        values.update(after)
    now = clock.now()
    new_version = update_row(session, deal.id, version, by, values, now)
    for kind, after, extra in changes:
        before = {column: events.column_value(getattr(deal, column)) for column in after}
        data = events.row_change(before, {column: events.column_value(v) for column, v in after.items()}, new_version, **extra)
        events.record(session, deal.id, by, kind, data, at=now)
    session.flush()
    session.expire(deal)
    return new_version


def one_line(text: str | None) -> str | None:
    """Text as the deal row keeps it: runs of whitespace made one space, empty made ``None``."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None
