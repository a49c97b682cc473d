"""The forecast: what the opportunity pipeline says about this period and the next.

For a period (calendar days in the team's timezone, see periods.py):

* **open pipeline** — open opportunities whose expected close date falls in
  the period: how many, and their value;
* **weighted** — the same deals' value × their win probability (the deal's
  own when it carries one, imported from another CRM; else its stage's),
  summed and rounded down to whole minor units (as on the board);
* **won so far** — opportunities in a won stage closed in the period;
* **revenue goal** — the sum of the "won value" goals set for that kind of
  period (one rep's, or every rep's for the team); None when nobody has one;
* **coverage** — weighted ÷ revenue goal (None without a goal);
* **slipped out** — opportunities whose expected close date was moved, by a
  close-date change recorded from the start of the period before it onwards,
  from a day inside the period to a day after it, and is still after it (or
  gone) now; one that was moved back in, or won in the period, did not slip.
  (A date moved a year ahead of time is planning, not a slip, and leaving
  those out keeps the history read short.) Each is listed with the in-period date it left and
  its date now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import or_, true
from sqlmodel import Session, func, select

from store import clock, events, weighing
from store.goals import WON_VALUE, goal_targets
from store.models import OPEN, OPPORTUNITY, WON, Deal, DealEvent, Rep, Stage
from store.money import DEFAULT_CURRENCY, capped, database_currency
from store.periods import Period


@dataclass(frozen=True)
class SlippedDeal:
    deal_id: int
    title: str
    owner_id: int
    owner_name: str
    value: int
    stage_name: str
    stage_kind: str
    was: date  # the expected close date inside the period it slipped from
    now: date | None  # the expected close date now
    slipped_at: pendulum.DateTime  # when it was moved out


@dataclass(frozen=True)
class PeriodForecast:
    period: Period
    open_count: int
    open_value: int
    weighted: int
    won_count: int
    won_value: int
    goal: int | None
    slipped: tuple[SlippedDeal, ...]  # latest slip first, at most ``slipped_limit``
    slipped_count: int
    slipped_value: int  # the slipped deals' value now

    @property
    def coverage(self) -> float | None:
        """Weighted pipeline ÷ revenue goal; None when no goal is set."""
        if not self.goal:
            return None
        return self.weighted / self.goal


@dataclass(frozen=True)
class Forecast:
    this: PeriodForecast
    next: PeriodForecast
    owner_id: int | None
    currency: str = DEFAULT_CURRENCY  # the database's: every amount is in its minor units


def _iso(day: date) -> str:
    return day.isoformat()


def period_forecast(
    session: Session, period: Period, *, owner_id: int | None = None, slipped_limit: int = 50
) -> PeriodForecast:
    owner = [Deal.owner_id == owner_id] if owner_id is not None else []
    stages = {s.id: s for s in session.exec(select(Stage).where(Stage.pipeline == OPPORTUNITY))}
    open_ids = [i for i, s in stages.items() if s.kind == OPEN]
    won_ids = [i for i, s in stages.items() if s.kind == WON]

    open_count = open_value = weighted_raw = 0
    if open_ids:
        where = [
            Deal.pipeline == OPPORTUNITY,
            Deal.stage_id.in_(open_ids),
            Deal.expected_close >= period.start,
            Deal.expected_close < period.end,
            *owner,
        ]
        rows, fixes = weighing.stage_totals(session, [func.coalesce(func.sum(capped(Deal.value)), 0)], where,
                                            {i: s.probability for i, s in stages.items()})
        for stage_id, n, value in rows:
            open_count += n
            open_value += int(value)
            weighted_raw += int(value) * stages[stage_id].probability
        weighted_raw += sum(fix[0] for fix in fixes.values())  # deals weighed by their own probability

    won_count = won_value = 0
    if won_ids:
        won_count, won_value = session.exec(
            select(func.count(), func.coalesce(func.sum(capped(Deal.value)), 0)).where(
                Deal.stage_id.in_(won_ids),
                Deal.closed_at >= period.starts_at,
                Deal.closed_at < period.ends_at,
                *owner,
            )
        ).one()

    targets = goal_targets(session, period.kind)
    if owner_id is not None:
        goal = targets.get(owner_id, {}).get(WON_VALUE)
    else:
        goals = [t[WON_VALUE] for t in targets.values() if WON_VALUE in t]
        goal = sum(goals) if goals else None

    slipped = _slipped(session, period, owner, won_ids)
    return PeriodForecast(
        period=period,
        open_count=open_count,
        open_value=open_value,
        weighted=weighted_raw // 100,
        won_count=int(won_count),
        won_value=int(won_value),
        goal=goal,
        slipped=tuple(slipped[:slipped_limit]),
        slipped_count=len(slipped),
        slipped_value=sum(s.value for s in slipped),
    )


def _slipped(session: Session, period: Period, owner: list, won_ids: list[int]) -> list[SlippedDeal]:
    before = DealEvent.data[("before", "expected_close")].as_string()
    after = DealEvent.data[("after", "expected_close")].as_string()
    start, end = _iso(period.start), _iso(period.end)
    won_in_period = Deal.stage_id.in_(won_ids) & (Deal.closed_at >= period.starts_at) & (
        Deal.closed_at < period.ends_at
    )
    rows = session.exec(
        select(DealEvent.at, after, Deal.id, Deal.title, Deal.owner_id, Rep.name, Deal.value, Stage.name,
               Stage.kind, Deal.expected_close, before)
        .join(Deal, Deal.id == DealEvent.deal_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Rep, Rep.id == Deal.owner_id)
        .where(
            DealEvent.kind == events.CLOSE_DATE_CHANGED,
            DealEvent.at >= period.previous().starts_at,
            before >= start,
            before < end,
            or_(after.is_(None), after >= end),
            Deal.pipeline == OPPORTUNITY,
            or_(Deal.expected_close.is_(None), Deal.expected_close >= period.end),
            ~won_in_period if won_ids else true(),
            *owner,
        )
        .order_by(DealEvent.at.desc(), DealEvent.id.desc())
    )
    found: dict[int, SlippedDeal] = {}
    for at, _after, deal_id, title, owner_id, owner_name, value, stage, kind, close, was in rows:
        if deal_id in found:
            continue  # the latest slip out of the period is the one shown
        found[deal_id] = SlippedDeal(
            deal_id=deal_id,
            title=title,
            owner_id=owner_id,
            owner_name=owner_name,
            value=value,
            stage_name=stage,
            stage_kind=kind,
            was=pendulum.parse(was).date(),
            now=close,
            slipped_at=clock.aware(at),
        )
    return list(found.values())


def forecast(
    session: Session, period: Period, *, owner_id: int | None = None, slipped_limit: int = 50
) -> Forecast:
    """The forecast for ``period`` and the one after it, for the team or one owner."""
    return Forecast(
        this=period_forecast(session, period, owner_id=owner_id, slipped_limit=slipped_limit),
        next=period_forecast(session, period.next(), owner_id=owner_id, slipped_limit=slipped_limit),
        owner_id=owner_id,
        currency=database_currency(session),
    )
