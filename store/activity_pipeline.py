"""The activity pipeline: leads and open opportunities by the furthest milestone
their activities reached, and how many moved past each step in a period.

Milestones measure how far the *deals* got; the numbers table (store.numbers)
counts the rep's work, so a second rapport meeting counts there, not here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pendulum
from sqlalchemy import and_, case, or_
from sqlmodel import Session, func, select

from store import clock
from store.models import LEAD, MILESTONES, OPEN, OPPORTUNITY, PIPELINES, Deal, DealMilestone, Stage
from store.periods import Period


@dataclass(frozen=True)
class PipelineStep:
    milestone: str | None  # None: no milestone yet
    leads: int  # open leads whose furthest milestone is this step, now
    opportunities: int  # open opportunities at this step, now
    moved_past: int  # deals that went beyond this step during the period
    moved_past_previous: int
    conversion: float | None  # moved past ÷ deals at this step during the period
    conversion_previous: float | None

    @property
    def open_deals(self) -> int:
        return self.leads + self.opportunities


@dataclass(frozen=True)
class ActivityPipeline:
    period: Period
    previous: Period
    steps: tuple[PipelineStep, ...]  # no milestone, nurture … proposal

    @property
    def open_deals(self) -> int:
        return sum(s.open_deals for s in self.steps)


def _rank(column):
    """0 for no milestone, 1 nurture … 5 proposal (activities.milestone_rank, in SQL)."""
    return case({m: i + 1 for i, m in enumerate(MILESTONES)}, value=column, else_=0)


def _alive(starts_at: pendulum.DateTime, ends_at: pendulum.DateTime):
    """Deals alive during ``[starts_at, ends_at)``: not closed before it began, created before it ended."""
    alive = or_(Deal.closed_at.is_(None), Deal.closed_at >= starts_at)
    if ends_at <= clock.now():
        alive = and_(alive, Deal.created_at < ends_at)
    return alive


def _base(periods: list[Period]) -> int:
    """The base of ``_reached``'s number: its digits go from 0 to ``len(periods) + 2``."""
    return len(periods) + 3


def _reached(periods: list[Period]):
    """When a deal first reached each milestone, as one number: an aggregate over
    its ``deal_milestone`` rows (store.rollups).

    Milestone rank r (1 nurture … 5 proposal) is digit r − 1 of the number in
    base ``_base(periods)``, and says when the deal reached it: 0 never, 1 before
    the first period, i + 2 during ``periods[i]``, ``len(periods) + 2`` after the
    last. A deal reaches each milestone once, so no digit carries over.
    """
    base = _base(periods)
    cuts = [p.starts_at for p in periods] + [periods[-1].ends_at]
    reached = DealMilestone.reached_at
    when = case(*[(reached < cut, i + 1) for i, cut in enumerate(cuts)], else_=len(cuts) + 1)
    place = case({m: base**i for i, m in enumerate(MILESTONES)}, value=DealMilestone.milestone, else_=0)
    return func.coalesce(func.sum(when * place), 0)


def _digits(reached: int, base: int) -> dict[int, int]:
    """``_reached``'s number as rank → digit, for the milestones the deal reached."""
    digits = {}
    for rank in range(1, len(MILESTONES) + 1):
        reached, digit = divmod(reached, base)
        if digit:
            digits[rank] = digit
    return digits


def _furthest(digits: dict[int, int], by: int) -> int:
    """The highest rank whose digit is at most ``by`` (reached by then); 0 for none."""
    return max((rank for rank, digit in digits.items() if digit <= by), default=0)


def _movement(
    session: Session, periods: list[Period], owner_id: int | None, pipeline: str | None
) -> list[Counter]:
    """For each of ``periods`` (consecutive, in order), ``(r0, r1) → deals``: each
    deal alive during the period, by the furthest milestone it had reached before
    the period (r0) and by its end (r1).

    One query for all the periods: the deals alive in any of them, each joined to
    its ``deal_milestone`` rows and summed into ``_reached``, then counted by
    milestone now, ``_reached`` and the periods they were alive in. For
    ``periods[i]``, digits up to i + 1 were reached before it began, up to i + 2
    by its end. A deal that reached no milestone since the period began (no digit
    above i + 1) counts where its stored ``deal.milestone`` puts it: ``(now, now)``.

    (A join grouped by deal: SQLite reads the deals in id order, so without a
    sort, and PostgreSQL hash-joins. A correlated subquery per deal was slower on
    both, and its cost estimate set off PostgreSQL's JIT compiler.)
    """
    alive = [_alive(p.starts_at, p.ends_at) for p in periods]
    # Alive in any of them is alive from the first's start to the last's end.
    where = [_alive(periods[0].starts_at, periods[-1].ends_at)]
    if owner_id is not None:
        where.append(Deal.owner_id == owner_id)
    if pipeline:
        where.append(Deal.pipeline == pipeline)
    deals = (
        select(
            _rank(Deal.milestone).label("now"),
            _reached(periods).label("reached"),
            *[case((term, 1), else_=0).label(f"alive{i}") for i, term in enumerate(alive)],
        )
        .select_from(Deal)
        .join(DealMilestone, DealMilestone.deal_id == Deal.id, isouter=True)
        .where(*where)
        .group_by(Deal.id)
        .subquery("deals")
    )
    columns = list(deals.c)
    moves = [Counter() for _ in periods]
    for rank_now, reached, *alive_in, n in session.exec(select(*columns, func.count()).group_by(*columns)):
        digits = _digits(int(reached), _base(periods))
        for i, counts in enumerate(moves):
            if not alive_in[i]:
                continue
            if any(digit > i + 1 for digit in digits.values()):
                counts[(_furthest(digits, i + 1), _furthest(digits, i + 2))] += n
            else:
                counts[(int(rank_now), int(rank_now))] += n
    return moves


def _conversion(moves: Counter, step: int) -> tuple[int, float | None]:
    moved = sum(n for (r0, r1), n in moves.items() if r0 <= step < r1)
    there = sum(n for (r0, r1), n in moves.items() if r0 <= step <= r1)
    return moved, (moved / there if there and step < len(MILESTONES) else None)


def activity_pipeline(
    session: Session, period: Period, *, owner_id: int | None = None, pipeline: str | None = None
) -> ActivityPipeline:
    """Leads and open opportunities by the furthest milestone their activities reached.

    For each step (no milestone yet, nurture, rapport, discovery, findings,
    proposal):

    * ``leads`` / ``opportunities`` — open deals sitting there now;
    * ``moved_past`` — deals alive during the period (created before it ended,
      not closed before it began) whose furthest milestone was at or below the
      step when the period began and beyond it when it ended;
    * ``conversion`` — moved past ÷ deals that were at the step at some point
      in the period (there when it began, or arrived during it, including new
      deals at "no milestone yet"); None when none were, and for the last step.

    ``owner_id`` narrows to one owner's deals, ``pipeline`` to leads or opportunities.
    """
    previous = period.previous()
    owner = [Deal.owner_id == owner_id] if owner_id is not None else []
    kinds = [Deal.pipeline == pipeline] if pipeline else [Deal.pipeline.in_(PIPELINES)]
    open_stages = select(Stage.id).where(Stage.kind == OPEN)
    now: Counter = Counter()
    for deal_pipeline, milestone, n in session.exec(
        select(Deal.pipeline, Deal.milestone, func.count())
        .where(Deal.stage_id.in_(open_stages), *owner, *kinds)
        .group_by(Deal.pipeline, Deal.milestone)
    ):
        now[(deal_pipeline, milestone if milestone in MILESTONES else None)] += n
    previous_moves, this_moves = _movement(session, [previous, period], owner_id, pipeline)
    steps = []
    for step, milestone in enumerate((None, *MILESTONES)):
        moved, conversion = _conversion(this_moves, step)
        moved_before, conversion_before = _conversion(previous_moves, step)
        steps.append(
            PipelineStep(
                milestone=milestone,
                leads=now[(LEAD, milestone)],
                opportunities=now[(OPPORTUNITY, milestone)],
                moved_past=moved,
                moved_past_previous=moved_before,
                conversion=conversion,
                conversion_previous=conversion_before,
            )
        )
    return ActivityPipeline(period, previous, tuple(steps))
