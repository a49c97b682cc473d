"""Deals: create, edit, move along the pipeline, convert, win, lose, reopen.

Every write here is one transaction, states the version it read, and records
deal events whose ``before`` values let the change be undone (see undo.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pendulum
from sqlalchemy import update
from sqlmodel import Session, select

from store import clock, events, money, permissions, validate
from store.errors import Conflict, InvalidInput, NotFound, RuleViolation
from store.models import (
    LEAD,
    LOST,
    OPEN,
    OPPORTUNITY,
    PIPELINES,
    UNKNOWN_SINCE,
    WON,
    Account,
    Contact,
    Deal,
    DealEvent,
    Rep,
    Stage,
)
from store.names import name_key
from store.stages import StageInfo, list_stages, terminal_stage
from store.stages import to_info as stage_info
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
MAX_REASON = 300
MAX_EXTERNAL_ID = 200


@dataclass(frozen=True)
class DealDetail:
    """Everything known about one deal, as plain data."""

    id: int
    version: int
    pipeline: str
    stage_id: int
    stage_name: str
    stage_kind: str
    probability: int  # the deal's own when it carries one (imported), else its stage's
    rot_days: int
    title: str
    account_id: int | None
    account_name: str | None
    contact_id: int | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    owner_id: int
    owner_name: str
    owner_handle: str
    value: int
    expected_close: date | None
    source: str | None
    territory: str | None
    product: str | None
    created_at: pendulum.DateTime
    stage_entered_at: pendulum.DateTime
    converted_at: pendulum.DateTime | None
    closed_at: pendulum.DateTime | None
    lost_reason: str | None
    last_activity_at: pendulum.DateTime | None
    milestone: str | None
    updated_at: pendulum.DateTime
    external_id: str | None = None
    own_probability: int | None = None  # brought from another CRM; a stage change clears it
    created_known: bool = True  # False: the import had no date for its creation

    @property
    def is_open(self) -> bool:
        return self.stage_kind == OPEN

    @property
    def probability_note(self) -> str:
        """``60% (imported)`` while the deal carries its own probability, else ``""``."""
        return f"{self.own_probability}% (imported)" if self.own_probability is not None else ""

    @property
    def weighted_value(self) -> int:
        return self.value * self.probability // 100

    def days_in_stage(self, at: datetime | None = None) -> int | None:
        """Whole days in its stage; None when not known (imported without a date)."""
        if self.stage_entered_at.year <= UNKNOWN_SINCE.year:
            return None
        return ((at or clock.now()) - self.stage_entered_at).days

    def is_stale(self, has_open_task: bool, at: datetime | None = None) -> bool:
        """No activity for longer than the stage's rot threshold, and nothing scheduled."""
        if not self.is_open or has_open_task:
            return False
        last = self.last_activity_at or self.created_at
        return ((at or clock.now()) - last).days > self.rot_days


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


# --- reading -------------------------------------------------------------------------------


def _detail_query():
    return (
        select(Deal, Stage, Rep, Account, Contact)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .join(Contact, Contact.id == Deal.contact_id, isouter=True)
        # Core UPDATEs bypass the identity map: always read what the row holds now.
        .execution_options(populate_existing=True)
    )


def _to_detail(deal: Deal, stage: Stage, owner: Rep, account: Account | None, contact: Contact | None) -> DealDetail:
    return DealDetail(
        id=deal.id,
        version=deal.version,
        pipeline=deal.pipeline,
        stage_id=stage.id,
        stage_name=stage.name,
        stage_kind=stage.kind,
        probability=stage.probability if deal.probability is None else deal.probability,
        rot_days=stage.rot_days,
        title=deal.title,
        account_id=deal.account_id,
        account_name=account.name if account else None,
        contact_id=deal.contact_id,
        contact_name=contact.name if contact else None,
        contact_email=contact.email if contact else None,
        contact_phone=contact.phone if contact else None,
        owner_id=owner.id,
        owner_name=owner.name,
        owner_handle=owner.handle,
        value=deal.value,
        expected_close=deal.expected_close,
        source=deal.source,
        territory=deal.territory,
        product=deal.product,
        created_at=clock.aware(deal.created_at),
        stage_entered_at=clock.aware(deal.stage_entered_at),
        converted_at=clock.aware(deal.converted_at),
        closed_at=clock.aware(deal.closed_at),
        lost_reason=deal.lost_reason,
        last_activity_at=clock.aware(deal.last_activity_at),
        milestone=deal.milestone,
        updated_at=clock.aware(deal.updated_at),
        external_id=deal.external_id,
        own_probability=deal.probability,
        created_known=deal.created_known,
    )


def get_deal(session: Session, deal_id: int) -> DealDetail:
    row = session.exec(_detail_query().where(Deal.id == deal_id)).first()
    if row is None:
        raise NotFound(f"no deal with id {deal_id}")
    return _to_detail(*row)


def list_deals(
    session: Session, pipeline: str | None = None, *, owner_id: int | None = None, open_only: bool = False
) -> list[DealDetail]:
    """Deals as plain data, for exports and the command line (not for boards)."""
    query = _detail_query()
    if pipeline:
        query = query.where(Deal.pipeline == pipeline)
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    if open_only:
        query = query.where(Stage.kind == OPEN)
    return [_to_detail(*row) for row in session.exec(query.order_by(Deal.id))]


# --- helpers for writes --------------------------------------------------------------------


def load_for_write(session: Session, deal_id: int, *, by: int, what: str = "change") -> tuple[Deal, Stage]:
    """The deal row and its stage as they are now, for a write by rep ``by`` that will
    change them: refused (``Forbidden``) unless ``by`` may change the deal (store.permissions)."""
    validate.ident(deal_id, "deal")
    validate.ident(by, "rep")
    row = session.exec(
        select(Deal, Stage)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.id == deal_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(f"no deal with id {deal_id}")
    permissions.require_deal_change(session, by, row[0], what)
    return row


def _serialise(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


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


def _commit(session: Session, deal: Deal, version: int, by: int, changes: list[Change]) -> int:
    """Apply column changes in one conditional UPDATE (``update_row``), record one event per change."""
    validate.ident(by, "rep")
    values: dict[str, Any] = {}
    for _kind, after, _extra in changes:
        values.update(after)
    now = clock.now()
    new_version = update_row(session, deal.id, version, by, values, now)
    for kind, after, extra in changes:
        before = {column: _serialise(getattr(deal, column)) for column in after}
        data = {
            "before": before,
            "after": {column: _serialise(v) for column, v in after.items()},
            "version": new_version,
            **extra,
        }
        events.record(session, deal.id, by, kind, data, at=now)
    session.flush()
    session.expire(deal)
    return new_version


def apply_changes(session: Session, deal: Deal, version: int, by: int, changes: list[Change]) -> int:
    """``_commit`` for other store modules (an import's updates): the same UPDATE and events."""
    return _commit(session, deal, version, by, changes)


def _require_rep(session: Session, rep_id: int) -> Rep:
    validate.ident(rep_id, "rep")
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    return rep


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


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
            {"pipeline": pipeline, "to_stage": stage.name, "value": deal.value, "version": 1},
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
            owner_extra = {"from": old_owner.name, "to": new_owner.name}
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
            _commit(session, deal, version, by, changes)
    return get_deal(session, deal_id)


# --- moving along the pipeline ---------------------------------------------------------------


def _stage_change(
    session: Session, deal: Deal, stage: Stage, target: StageInfo, version: int, by: int, kind: str, **more: Any
) -> None:
    now = clock.now()
    after = {"stage_id": target.id, "stage_entered_at": now, **more.pop("columns", {})}
    if deal.probability is not None:
        # The deal's own probability (imported) was for the stage it leaves: the new stage's applies.
        after["probability"] = None
    extra = {"from_stage": stage.name, "to_stage": target.name, **more}
    _commit(session, deal, version, by, [(kind, after, extra)])


def _closed_message(deal: Deal, stage: Stage) -> str:
    state = {WON: "won", LOST: "lost" if deal.pipeline == OPPORTUNITY else "disqualified"}[stage.kind]
    return f"“{deal.title}” is {state}: reopen it first"


def move_deal(session: Session, deal_id: int, step: int, *, version: int, by: int) -> DealDetail:
    """Move a deal ``step`` open stages forward (+1) or back (-1) within its pipeline."""
    if step not in (-1, 1):
        raise InvalidInput("a deal moves one stage at a time")
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="move")
        check_version(session, deal, version)
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        open_stages = list_stages(session, deal.pipeline, open_only=True)
        index = next(i for i, s in enumerate(open_stages) if s.id == stage.id) + step
        if index < 0:
            raise RuleViolation(f"“{deal.title}” is already in the first stage, {stage.name}")
        if index >= len(open_stages):
            ending = "convert it or disqualify it" if deal.pipeline == LEAD else "mark it won or lost"
            raise RuleViolation(f"“{deal.title}” is in the last open stage, {stage.name}: {ending}")
        _stage_change(session, deal, stage, open_stages[index], version, by, events.STAGE_CHANGED)
    return get_deal(session, deal_id)


def move_to_stage(session: Session, deal_id: int, stage_id: int, *, version: int, by: int) -> DealDetail:
    """Move a deal to a named open stage of its own pipeline."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="move")
        check_version(session, deal, version)
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        target = session.get(Stage, stage_id)
        if target is None:
            raise NotFound(f"no stage with id {stage_id}")
        if target.pipeline != deal.pipeline:
            raise RuleViolation(f"{target.name} is not a stage of the {deal.pipeline} pipeline")
        if target.kind != OPEN:
            raise RuleViolation(f"{target.name} closes a deal: use won, lost or disqualify")
        if target.id != stage.id:
            _stage_change(session, deal, stage, stage_info(target), version, by, events.STAGE_CHANGED)
    return get_deal(session, deal_id)


def convert_lead(session: Session, deal_id: int, *, version: int, by: int) -> DealDetail:
    """The same record becomes an opportunity, in the first opportunity stage."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="convert")
        check_version(session, deal, version)
        if deal.pipeline != LEAD:
            raise RuleViolation(f"“{deal.title}” is already an opportunity")
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        first = list_stages(session, OPPORTUNITY, open_only=True)[0]
        _stage_change(
            session, deal, stage, first, version, by, events.CONVERTED,
            columns={"pipeline": OPPORTUNITY, "converted_at": clock.now()},
        )
    return get_deal(session, deal_id)


def mark_won(session: Session, deal_id: int, *, version: int, by: int) -> DealDetail:
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="close")
        check_version(session, deal, version)
        if deal.pipeline == LEAD:
            raise RuleViolation(f"“{deal.title}” is a lead: convert it to an opportunity to win it")
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        won = terminal_stage(session, deal.pipeline, WON)
        _stage_change(
            session, deal, stage, won, version, by, events.WON,
            columns={"closed_at": clock.now()}, value=deal.value,
        )
    return get_deal(session, deal_id)


def mark_lost(session: Session, deal_id: int, reason: str, *, version: int, by: int) -> DealDetail:
    """Lose an opportunity, or disqualify a lead; a reason is required."""
    reason = _clean(validate.text(reason, "the reason")) or ""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="close")
        check_version(session, deal, version)
        if not reason:
            raise InvalidInput(f"say why “{deal.title}” was lost")
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"the reason is {len(reason)} characters; keep it under {MAX_REASON}")
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        lost = terminal_stage(session, deal.pipeline, LOST)
        _stage_change(
            session, deal, stage, lost, version, by, events.LOST,
            columns={"closed_at": clock.now(), "lost_reason": reason}, reason=reason,
        )
    return get_deal(session, deal_id)


def reopen(session: Session, deal_id: int, *, version: int, by: int, stage_id: int | None = None) -> DealDetail:
    """A won or lost deal goes back to an open stage of its pipeline: ``stage_id``,
    or by default the one it was closed from (the last open stage when its history
    does not say)."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="reopen")
        check_version(session, deal, version)
        if stage.kind == OPEN:
            raise RuleViolation(f"“{deal.title}” is already open")
        open_stages = list_stages(session, deal.pipeline, open_only=True)
        if stage_id is None:
            closed_from = stage_before_closing(session, deal.id)
            target = next((s for s in open_stages if s.id == closed_from), open_stages[-1])
        else:
            target = next((s for s in open_stages if s.id == stage_id), None)
            if target is None:
                names = ", ".join(s.name for s in open_stages)
                raise RuleViolation(f"“{deal.title}” reopens in an open stage of its pipeline ({names})")
        _stage_change(
            session, deal, stage, target, version, by, events.REOPENED,
            columns={"closed_at": None, "lost_reason": None},
        )
    return get_deal(session, deal_id)


def stage_before_closing(session: Session, deal_id: int) -> int | None:
    """The stage a deal was in before it last closed, from its won / lost event."""
    last_close = session.exec(
        select(DealEvent)
        .where(DealEvent.deal_id == deal_id, DealEvent.kind.in_([events.WON, events.LOST]))
        .order_by(DealEvent.id.desc())
    ).first()
    if last_close is None:
        return None
    return last_close.data.get("before", {}).get("stage_id")


def stages_for(session: Session, deal: DealDetail) -> list[StageInfo]:
    return list_stages(session, deal.pipeline)

