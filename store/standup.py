"""The morning stand-up: what changed since the last working day, and what needs a decision.

The agenda has two parts, for the whole team or one rep:

1. each rep's activity numbers for the last working day ("yesterday") and for
   the week so far, against their weekly goals (store.standup_numbers);
2. deals that need a decision, in groups, in this order: won and lost since;
   moved stage since; expected close slipped since; past due (an open
   opportunity whose expected close is before today); closing this month (from
   today on); stale; open opportunities with no next step. A deal appears once,
   under its first group.

"Since" is the start of the last working day before today in the team's
timezone: the team works Monday to Friday, so on a Monday it is Friday. Every
group is one query (the event groups read the history since then; the others one
indexed scan of open deals); the details shown for each listed deal are fetched
for just those ids (store.standup_details).
"""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pendulum
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from store import clock, events
from store.activities import ActivityInfo
from store.deal_detail import DealDetail, _detail_query, _to_detail
from store.models import LOST, OPEN, OPPORTUNITY, WON, Deal, DealEvent, Rep, Stage, Task
from store.periods import MONTH, WEEK, Period, period_containing
from store.reps import MONDAY_TO_FRIDAY
from store.settings import team_timezone
from store.standup_details import changes_since, last_activities, next_tasks
from store.standup_numbers import RepRow, rep_rows
from store.tasks import TaskInfo
from store.timeline import currency

WON_LOST = "won_lost"
MOVED = "moved"
SLIPPED = "slipped"
PAST_DUE = "past_due"
CLOSING = "closing"
STALE = "stale"
NO_NEXT_STEP = "no_next_step"
GROUPS = (WON_LOST, MOVED, SLIPPED, PAST_DUE, CLOSING, STALE, NO_NEXT_STEP)
GROUP_TITLES = {
    WON_LOST: "Won and lost",
    MOVED: "Moved stage",
    SLIPPED: "Close date slipped",
    PAST_DUE: "Past due",
    CLOSING: "Closing this month",
    STALE: "Stale",
    NO_NEXT_STEP: "No next step",
}
# A stand-up walks a few dozen deals: past this, a group says how many it left out.
GROUP_LIMIT = 40
MOVE_KINDS = (events.STAGE_CHANGED, events.CONVERTED, events.REOPENED)


@dataclass(frozen=True)
class AgendaItem:
    group: str
    deal: DealDetail
    days_in_stage: int | None  # None: not known (imported without a date)
    changes: tuple[str, ...]  # what changed since, oldest first, as plain text
    activities: tuple[ActivityInfo, ...]  # the last two, newest first
    next_task: TaskInfo | None

    @property
    def group_title(self) -> str:
        return GROUP_TITLES[self.group]


@dataclass(frozen=True)
class Agenda:
    since: date  # the day the look-back starts (in ``tz``)
    since_at: pendulum.DateTime  # that day's start, in UTC
    today: date
    yesterday: date  # the last working day, whose numbers are shown
    week: Period
    month: Period
    tz: str
    rep_id: int | None
    rep_name: str | None  # None: the whole team
    currency: str
    numbers: tuple[RepRow, ...]  # reps by name, then the team
    items: tuple[AgendaItem, ...]
    left_out: dict[str, int] = field(default_factory=dict)  # group → deals past GROUP_LIMIT
    viewer_tz: str | None = None  # the timezone "what changed" is told in (None: the team's)

    def group_items(self, group: str) -> list[AgendaItem]:
        return [i for i in self.items if i.group == group]

    def group_total(self, group: str) -> int:
        """How many deals the group has in all, listed or not."""
        return len(self.group_items(group)) + self.left_out.get(group, 0)

    def group_starts(self) -> list[int]:
        """The position in ``items`` of each group's first deal, in order."""
        return [n for n, item in enumerate(self.items) if n == 0 or self.items[n - 1].group != item.group]

    def position_of(self, deal_id: int) -> int | None:
        return next((n for n, i in enumerate(self.items) if i.deal.id == deal_id), None)


def last_working_day(today: date, working_days: tuple[int, ...] = MONDAY_TO_FRIDAY) -> pendulum.Date:
    """The working day before ``today``: Friday, on a Monday."""
    day = pendulum.Date(today.year, today.month, today.day).subtract(days=1)
    for _ in range(7):
        if day.isoweekday() in working_days:
            return day
        day = day.subtract(days=1)
    return day


@dataclass(frozen=True)
class _Context:
    now: pendulum.DateTime
    since_at: pendulum.DateTime
    month: Period
    tz: str
    rep_id: int | None
    today: date | None = None  # in ``tz``; None: the clock's
    viewer_tz: str | None = None  # for the times in "what changed"; None: ``tz``

    @property
    def day(self) -> date:
        return self.today or clock.today_in(self.tz)


# --- part 2: the deals ---------------------------------------------------------------------


def _not_undone():
    undone = aliased(DealEvent)
    return ~select(undone.id).where(undone.kind == events.UNDONE, undone.undoes_id == DealEvent.id).exists()


def _owned(ctx: _Context) -> list:
    return [Deal.owner_id == ctx.rep_id] if ctx.rep_id is not None else []


def _event_deals(session: Session, ctx: _Context, kinds, *more) -> list[tuple[int, pendulum.DateTime, dict]]:
    """(deal id, when, data) of the ``kinds`` events since, not undone, oldest first."""
    rows = session.exec(
        select(DealEvent.deal_id, DealEvent.at, DealEvent.data)
        .join(Deal, Deal.id == DealEvent.deal_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(DealEvent.kind.in_(kinds), DealEvent.at >= ctx.since_at, _not_undone(), *_owned(ctx), *more)
        .order_by(DealEvent.at, DealEvent.id)
    )
    return [(deal_id, at, data) for deal_id, at, data in rows]


def _unique(ids) -> list[int]:
    return list(dict.fromkeys(ids))


def _won_lost(session: Session, ctx: _Context) -> list[int]:
    return _unique(d for d, _, _ in _event_deals(session, ctx, (events.WON, events.LOST), Stage.kind.in_((WON, LOST))))


def _moved(session: Session, ctx: _Context) -> list[int]:
    return _unique(d for d, _, _ in _event_deals(session, ctx, MOVE_KINDS))


def _slipped(session: Session, ctx: _Context) -> list[int]:
    """Open deals whose expected close is later now than it was at the look-back's start."""
    first: dict[int, str | None] = {}
    last: dict[int, str | None] = {}
    for deal_id, _, data in _event_deals(session, ctx, (events.CLOSE_DATE_CHANGED,), Stage.kind == OPEN):
        first.setdefault(deal_id, data.get("before", {}).get("expected_close"))
        last[deal_id] = data.get("after", {}).get("expected_close")
    # ISO dates compare as text; a date removed or newly set is not a slip.
    return [d for d in first if first[d] and last[d] and last[d] > first[d]]


def _open_deals(ctx: _Context, *where):
    return [Stage.kind == OPEN, *_owned(ctx), *where]


def _no_open_task():
    return ~select(Task.id).where(Task.deal_id == Deal.id, Task.done_at.is_(None)).exists()


def _past_due_where(session: Session, ctx: _Context) -> tuple[list, list]:
    """Open opportunities expected to have closed before today: longest overdue first."""
    where = _open_deals(ctx, Deal.pipeline == OPPORTUNITY, Deal.expected_close < ctx.day)
    return where, [Deal.expected_close, Deal.value.desc(), Deal.id]


def _closing_where(session: Session, ctx: _Context) -> tuple[list, list]:
    # From today: a close date already passed is past due, not closing.
    start = max(ctx.month.start, ctx.day)
    where = _open_deals(
        ctx, Deal.pipeline == OPPORTUNITY, Deal.expected_close >= start, Deal.expected_close < ctx.month.end
    )
    return where, [Deal.expected_close, Deal.value.desc(), Deal.id]


def _stale_where(session: Session, ctx: _Context) -> tuple[list, list]:
    """DealDetail.is_stale in SQL: quiet for more than the stage's rot days, nothing scheduled."""
    stages = session.exec(select(Stage.id, Stage.rot_days).where(Stage.kind == OPEN)).all()
    quiet = []
    for stage_id, rot_days in stages:
        cutoff = ctx.now.subtract(days=rot_days + 1)
        quiet.append(
            and_(
                Deal.stage_id == stage_id,
                or_(
                    and_(Deal.last_activity_at.is_not(None), Deal.last_activity_at <= cutoff),
                    and_(Deal.last_activity_at.is_(None), Deal.created_at <= cutoff),
                ),
            )
        )
    where = _open_deals(ctx, or_(*quiet) if quiet else False, _no_open_task())
    return where, [func.coalesce(Deal.last_activity_at, Deal.created_at), Deal.id]


def _no_next_step_where(session: Session, ctx: _Context) -> tuple[list, list]:
    return _open_deals(ctx, Deal.pipeline == OPPORTUNITY, _no_open_task()), [Deal.value.desc(), Deal.id]


def _state_group(session: Session, ctx: _Context, build, seen: set[int]) -> tuple[list[int], int]:
    """Up to GROUP_LIMIT ids of one open-deal group not already listed, and how many it has in all."""
    where, order = build(session, ctx)
    if seen:
        where.append(Deal.id.not_in(sorted(seen)))
    base = select(Deal.id).join(Stage, Stage.id == Deal.stage_id).where(*where)
    ids = list(session.exec(base.order_by(*order).limit(GROUP_LIMIT)))
    if len(ids) < GROUP_LIMIT:
        return ids, len(ids)
    total = session.exec(select(func.count()).select_from(Deal).join(Stage, Stage.id == Deal.stage_id).where(*where))
    return ids, total.one()


def _group_ids(session: Session, ctx: _Context) -> tuple[list[tuple[str, int]], dict[str, int]]:
    seen: set[int] = set()
    listed: list[tuple[str, int]] = []
    left_out: dict[str, int] = {}
    for group, finder in ((WON_LOST, _won_lost), (MOVED, _moved), (SLIPPED, _slipped)):
        ids = [d for d in finder(session, ctx) if d not in seen]
        if len(ids) > GROUP_LIMIT:
            left_out[group] = len(ids) - GROUP_LIMIT
            ids = ids[:GROUP_LIMIT]
        listed += [(group, d) for d in ids]
        seen.update(ids)
    for group, build in (
        (PAST_DUE, _past_due_where), (CLOSING, _closing_where), (STALE, _stale_where),
        (NO_NEXT_STEP, _no_next_step_where),
    ):
        ids, total = _state_group(session, ctx, build, seen)
        if total > len(ids):
            left_out[group] = total - len(ids)
        listed += [(group, d) for d in ids]
        seen.update(ids)
    return listed, left_out


# --- the details of listed deals -----------------------------------------------------------


def _items(session: Session, listed: list[tuple[str, int]], ctx: _Context, money: str) -> list[AgendaItem]:
    ids = [d for _, d in listed]
    if not ids:
        return []
    details = {row[0].id: _to_detail(*row) for row in session.exec(_detail_query().where(Deal.id.in_(ids)))}
    changes = changes_since(session, ids, ctx.since_at, ctx.now, ctx.viewer_tz or ctx.tz, money)
    acts = last_activities(session, ids)
    upcoming = next_tasks(session, ids, {i: d.title for i, d in details.items()})
    return [
        AgendaItem(
            group=group,
            deal=details[deal_id],
            days_in_stage=details[deal_id].days_in_stage(ctx.now),
            changes=tuple(changes.get(deal_id, ())),
            activities=tuple(acts.get(deal_id, ())),
            next_task=upcoming.get(deal_id),
        )
        for group, deal_id in listed
        if deal_id in details
    ]


# --- the agenda ----------------------------------------------------------------------------


def _context(session: Session, since: date | None, rep_id: int | None, today: date | None, viewer_tz: str | None):
    tz = team_timezone(session)
    today = pendulum.Date(*(today or clock.today_in(tz)).timetuple()[:3])
    yesterday = last_working_day(today)
    since_day = pendulum.Date(*since.timetuple()[:3]) if since is not None else yesterday
    ctx = _Context(clock.now(), clock.day_start(since_day, tz), period_containing(MONTH, today, tz), tz, rep_id,
                   today, viewer_tz)
    return ctx, today, yesterday, since_day


def standup_agenda(
    session: Session,
    *,
    since: date | None = None,
    rep_id: int | None = None,
    today: date | None = None,
    viewer_tz: str | None = None,
) -> Agenda:
    """The stand-up's agenda since ``since`` (default: the last working day) for
    the team, or for ``rep_id``'s deals and numbers. Days are the team's; the
    times in "what changed" are told in ``viewer_tz`` (the reader's), as the
    timeline tells them."""
    ctx, today, yesterday, since_day = _context(session, since, rep_id, today, viewer_tz)
    money = currency(session)
    rep_name = session.exec(select(Rep.name).where(Rep.id == rep_id)).first() if rep_id is not None else None
    listed, left_out = _group_ids(session, ctx)
    week = period_containing(WEEK, today, ctx.tz)
    return Agenda(
        since=since_day,
        since_at=ctx.since_at,
        today=today,
        yesterday=yesterday,
        week=week,
        month=ctx.month,
        tz=ctx.tz,
        rep_id=rep_id,
        rep_name=rep_name,
        currency=money,
        numbers=rep_rows(session, yesterday, week, rep_id),
        items=tuple(_items(session, listed, ctx, money)),
        left_out=left_out,
        viewer_tz=viewer_tz,
    )


def agenda_item(session: Session, agenda: Agenda, deal_id: int) -> AgendaItem | None:
    """One listed deal read again (after a decision was recorded on it), in its group."""
    position = agenda.position_of(deal_id)
    if position is None:
        return None
    group = agenda.items[position].group
    ctx = _Context(clock.now(), agenda.since_at, agenda.month, agenda.tz, agenda.rep_id, agenda.today,
                   agenda.viewer_tz)
    items = _items(session, [(group, deal_id)], ctx, agenda.currency)
    return items[0] if items else None
