"""Everything the deal screen shows, read in one call: the read model of one deal's page.

The screen asks once per load (opening, and after each write) and renders what
comes back; nothing else on the page goes to the database. The timeline is the
largest part (``store.timeline.deal_timeline``); the rest are a handful of small
indexed reads in the same session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlmodel import Session

from store import clock, validate
from store.deal_detail import DealDetail, get_deal
from store.money import database_currency
from store.contacts import DealContactInfo, deal_contacts
from store.stages import lost_reasons
from store.timeline import TimelineEntry, deal_timeline


@dataclass(frozen=True)
class DealPage:
    deal: DealDetail
    entries: tuple[TimelineEntry, ...]  # every kind, open tasks first (deal_timeline's order)
    lost_reasons: tuple[str, ...]  # what `x` offers for the deal's pipeline
    currency: str
    contacts: tuple[DealContactInfo, ...]  # the primary first
    now: pendulum.DateTime  # when it was read, in UTC
    today: date  # the reader's calendar day: which tasks are overdue
    tz: str  # the reader's timezone

    @property
    def next_task(self) -> TimelineEntry | None:
        """The open task due soonest (open tasks lead the timeline)."""
        return self.entries[0] if self.entries and self.entries[0].is_open_task else None

    @property
    def other_contacts(self) -> int:
        """How many people on the deal besides its primary contact."""
        return max(len(self.contacts) - 1, 0) if self.deal.contact_id else 0


def deal_page(session: Session, deal_id: int, *, tz: str, now: pendulum.DateTime | None = None) -> DealPage:
    """The deal ``deal_id`` as its screen shows it to a reader in timezone ``tz``.

    Raises ``NotFound`` when the deal is gone (deleted, or a stale id)."""
    validate.ident(deal_id, "deal")
    now = now or clock.now()
    today = now.in_timezone(tz).date()
    deal = get_deal(session, deal_id)
    return DealPage(
        deal=deal,
        entries=tuple(deal_timeline(session, deal.id, today=today)),
        lost_reasons=tuple(lost_reasons(session, deal.pipeline)),
        currency=database_currency(session),
        contacts=tuple(deal_contacts(session, deal.id)),
        now=now,
        today=today,
        tz=tz,
    )
