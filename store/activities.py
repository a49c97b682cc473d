"""Activities: what happened with the prospect, dated when it happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pendulum
from sqlalchemy import case, update
from sqlmodel import Session, func, select

from store import clock, events, permissions, rollups, validate
from store.errors import InvalidInput
from store.models import ACTIVITY_TYPES, MILESTONES, Activity, Deal, Rep
from store.tasks import TaskInfo, insert_task
from store.tx import lock_rows, write

MAX_OUTCOME = 500
# An activity a few minutes "in the future" is clock skew between machines, not a plan.
FUTURE_SLACK = pendulum.duration(minutes=5)


@dataclass(frozen=True)
class ActivityInfo:
    id: int
    deal_id: int
    rep_id: int
    rep_name: str
    type: str
    milestone: str | None
    occurred_at: pendulum.DateTime
    duration_min: int | None
    outcome: str
    follow_up: TaskInfo | None = None  # the task logged with it, if any


def milestone_rank(milestone: str | None) -> int:
    """0 for none, 1 for nurture … 5 for proposal."""
    return MILESTONES.index(milestone) + 1 if milestone in MILESTONES else 0


# What a new activity reached, unless the rep picks a milestone: none. A milestone is
# something the activity achieved; pre-filling the next one counted two quick calls on a
# Proposal deal as two proposals presented. The `a` form and Today's done-flow both use it.
DEFAULT_MILESTONE: str | None = None


def next_milestone(reached: str | None) -> str:
    """The milestone to suggest for the next activity on a deal."""
    rank = milestone_rank(reached)
    return MILESTONES[min(rank, len(MILESTONES) - 1)]


def refresh_deal_activity(session: Session, deal_id: int) -> None:
    """``refresh_deals_activity`` for one deal."""
    refresh_deals_activity(session, [deal_id])


def refresh_deals_activity(session: Session, deal_ids: list[int]) -> None:
    """Recompute deals' last activity and furthest milestone from their activities
    (and when each first reached each milestone: store.rollups).

    One correlated UPDATE per chunk of deals, after locking their rows, so two
    reps logging at once cannot lose either.
    """
    rank = case({m: i + 1 for i, m in enumerate(MILESTONES)}, value=Activity.milestone, else_=0)
    best = select(func.max(rank)).where(Activity.deal_id == Deal.id).scalar_subquery()
    milestone = case({i + 1: m for i, m in enumerate(MILESTONES)}, value=best, else_=None)
    last = select(func.max(Activity.occurred_at)).where(Activity.deal_id == Deal.id).scalar_subquery()
    ids = sorted(set(deal_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        lock_rows(session, Deal.id, chunk)  # a concurrent writer's activity must be seen: see lock_rows
        session.execute(
            update(Deal)
            .where(Deal.id.in_(chunk))
            .values(last_activity_at=last, milestone=milestone)
            .execution_options(synchronize_session=False)
        )
    rollups.refresh_deal_milestones(session, ids)


def log_activity(
    session: Session,
    deal_id: int,
    type: str,
    *,
    by: int,
    occurred_at: datetime | None = None,
    milestone: str | None = DEFAULT_MILESTONE,
    duration_min: int | None = None,
    outcome: str = "",
    follow_up: tuple[str, date] | None = None,
) -> ActivityInfo:
    """Record what happened; with ``follow_up`` (title, due day), the next step's
    task is added in the same transaction, so either both are saved or neither."""
    validate.ident(deal_id, "deal")
    validate.ident(by, "rep")
    validate.text(type, "activity type")
    validate.text(milestone, "milestone")
    validate.moment(occurred_at, "occurred")
    validate.whole(duration_min, "duration")
    validate.text(outcome, "outcome")
    if follow_up is not None:
        validate.text(follow_up[0], "the follow-up's title")
        validate.day(follow_up[1], "the follow-up's due day")
    if type not in ACTIVITY_TYPES:
        raise InvalidInput(f"activity type {type!r} must be one of {', '.join(ACTIVITY_TYPES)}")
    if milestone is not None and milestone not in MILESTONES:
        raise InvalidInput(f"milestone {milestone!r} must be one of {', '.join(MILESTONES)}")
    when = clock.aware(occurred_at) if occurred_at is not None else clock.now()
    if when > clock.now() + FUTURE_SLACK:
        raise InvalidInput("that is in the future: an activity is what happened; plan it as a task")
    if duration_min is not None and not 0 <= duration_min <= 24 * 60:
        raise InvalidInput("duration must be between 0 and 1440 minutes")
    outcome = " ".join(outcome.split())
    if len(outcome) > MAX_OUTCOME:
        raise InvalidInput(f"outcome is {len(outcome)} characters; keep it to one line under {MAX_OUTCOME}")
    with write(session):
        deal, rep = permissions.deal_for_work(session, deal_id, by, "log an activity on")
        activity = Activity(
            deal_id=deal_id,
            rep_id=by,
            type=type,
            milestone=milestone,
            occurred_at=when,
            duration_min=duration_min,
            outcome=outcome,
            created_at=clock.now(),
        )
        session.add(activity)
        session.flush()
        refresh_deal_activity(session, deal_id)
        rollups.activity_counted(session, rep_id=by, type=type, milestone=milestone, occurred_at=when)
        events.record(
            session,
            deal_id,
            by,
            events.ACTIVITY_LOGGED,
            events.activity_logged(activity.id, type, milestone, outcome),
        )
        task = insert_task(session, deal_id, follow_up[0], follow_up[1], by=by) if follow_up else None
        info = ActivityInfo(
            id=activity.id,
            deal_id=deal_id,
            rep_id=by,
            rep_name=rep.name,
            type=type,
            milestone=milestone,
            occurred_at=when,
            duration_min=duration_min,
            outcome=outcome,
            follow_up=task,
        )
    return info


def deal_activities(session: Session, deal_id: int, *, limit: int | None = None) -> list[ActivityInfo]:
    """A deal's activities, newest first."""
    query = (
        select(Activity, Rep.name)
        .join(Rep, Rep.id == Activity.rep_id)
        .where(Activity.deal_id == deal_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return [
        ActivityInfo(
            id=a.id,
            deal_id=a.deal_id,
            rep_id=a.rep_id,
            rep_name=name,
            type=a.type,
            milestone=a.milestone,
            occurred_at=clock.aware(a.occurred_at),
            duration_min=a.duration_min,
            outcome=a.outcome,
        )
        for a, name in session.exec(query)
    ]
