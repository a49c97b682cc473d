"""A deal as plain data (``DealDetail``), read with its stage, owner, account and contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pendulum
from sqlmodel import Session, select

from store import clock
from store.errors import NotFound
from store.models import OPEN, UNKNOWN_SINCE, Account, Contact, Deal, Rep, Stage


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
