"""The boards: column totals, windows of deal cards, and the summary lines.

Built for size (DESIGN.md, architecture rule 4): a column's count and sums come
from one aggregate query over all open stages, and cards are read a window at a
time with the urgency order, the filters and OFFSET/LIMIT all done in SQL, so a
board of 100,000 deals opens as fast as one of 100. Nothing here loads a whole
column into Python.

Urgency, within a column:

1. *overdue* — the deal's next open task was due before today;
2. *stale* — an open deal with no open task at all and no activity
   (``coalesce(last_activity_at, created_at)``) for more than the stage's rot
   threshold (the same rule as ``DealDetail.is_stale``);
3. everything else;

then by expected close date (soonest first, deals without one last), then by id.
The two flags exclude each other: "overdue" needs an open task, "stale" needs none.

Every query here is plain SQLAlchemy that means the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pendulum
from sqlalchemy import and_, case, false, or_, true
from sqlmodel import Session, func, select

from store import clock, weighing
from store.errors import NotFound
from store.money import capped
from store.models import (
    LEAD,
    LOST,
    OPEN,
    OPPORTUNITY,
    UNKNOWN_SINCE,
    WON,
    Account,
    Activity,
    Contact,
    Deal,
    DealEvent,
    Rep,
    Stage,
    Task,
)
from store.names import name_key
from store.reps import initials
from store.stages import list_stages
from store.settings import team_timezone

# change_token counts the newest events by id: a transaction that took a lower id
# but committed after a higher one (possible on PostgreSQL) still changes the count.
_RECENT_EVENTS = 1000


# --- filters -------------------------------------------------------------------------------


def _given(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


@dataclass(frozen=True)
class BoardFilter:
    """What narrows a board. Empty strings count as "not set"."""

    owner_id: int | None = None  # None = whole team
    territory: str | None = None
    product: str | None = None
    source: str | None = None
    text: str | None = None  # case-insensitive substring of title, account name or contact name

    def is_empty(self) -> bool:
        """True when nothing but (possibly) the owner is set."""
        return not any(_given(v) for v in (self.territory, self.product, self.source, self.text))

    def describe(self, owner_name: str | None = None) -> str:
        """``territory EMEA · text “acme”``; ``""`` when nothing is set.

        The owner is named only when ``owner_name`` is given and an owner is set
        (the board shows "mine / team" on its own otherwise).
        """
        parts: list[str] = []
        if self.owner_id is not None and owner_name:
            parts.append(f"owner {owner_name}")
        for label in ("territory", "product", "source"):
            value = _given(getattr(self, label))
            if value:
                parts.append(f"{label} {value}")
        text = _given(self.text)
        if text:
            parts.append(f"text “{text}”")
        return " · ".join(parts)


def _conditions(flt: BoardFilter) -> list[Any]:
    """The filter as WHERE terms on Deal (account/contact names via IN subqueries,
    so the aggregate needs no joins)."""
    terms: list[Any] = []
    if flt.owner_id is not None:
        terms.append(Deal.owner_id == flt.owner_id)
    for column, value in ((Deal.territory, flt.territory), (Deal.product, flt.product), (Deal.source, flt.source)):
        value = _given(value)
        if value is not None:
            terms.append(column == value)
    text = _given(flt.text)
    if text is not None:
        needle = text.lower()

        def matches(column):
            return func.lower(column).contains(needle, autoescape=True)

        # Accounts and contacts by their stored key: "ELEC" finds Électricité on SQLite too.
        key = name_key(text) or needle
        terms.append(
            or_(
                matches(Deal.title),
                Deal.account_id.in_(select(Account.id).where(Account.name_key.contains(key, autoescape=True))),
                Deal.contact_id.in_(select(Contact.id).where(Contact.name_key.contains(key, autoescape=True))),
            )
        )
    return terms


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSummary:
    stage_id: int
    stage_name: str
    position: int
    probability: int
    rot_days: int
    count: int
    value: int
    weighted: int  # sum(value * probability) // 100, integer minor units


@dataclass(frozen=True)
class DealCard:
    id: int
    version: int
    title: str
    account_name: str | None
    value: int
    owner_id: int
    owner_initials: str
    stage_id: int
    days_in_stage: int | None  # None: not known (imported without a date)
    expected_close: date | None
    milestone: str | None
    next_task_title: str | None
    next_task_due: date | None
    overdue: bool  # the next open task was due before today
    stale: bool  # open, no open task, no activity for more than the stage's rot_days

    @property
    def no_next_step(self) -> bool:
        return self.next_task_due is None


@dataclass(frozen=True)
class OpportunitySummary:
    open_value: int
    open_count: int
    weighted_this_month: int
    weighted_this_quarter: int
    won_this_quarter: int
    won_count_this_quarter: int
    next_quarter_value: int
    next_quarter_weighted: int


@dataclass(frozen=True)
class LeadSummary:
    open_count: int
    new_this_week: int
    converted_this_month: int
    disqualified_this_month: int


@dataclass(frozen=True)
class FilterChoices:
    owners: list[tuple[int, str]] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


# --- columns -------------------------------------------------------------------------------


def board_columns(session: Session, pipeline: str, flt: BoardFilter) -> list[ColumnSummary]:
    """Every open stage of ``pipeline`` in position order, empty ones included.

    One aggregate query (GROUP BY stage) over the board index, plus the stage list.
    """
    stages = list_stages(session, pipeline, open_only=True)
    if not stages:
        return []
    where = [Deal.pipeline == pipeline, Deal.stage_id.in_([s.id for s in stages]), *_conditions(flt)]
    # One statement: the sums per stage, and those of deals weighed by their own probability.
    rows, fixes = weighing.stage_totals(session, [func.coalesce(func.sum(capped(Deal.value)), 0)], where,
                                        {s.id: s.probability for s in stages})
    return _columns(stages, {stage_id: (int(count), int(value)) for stage_id, count, value in rows},
                    {stage_id: fix[0] for stage_id, fix in fixes.items()})


def _columns(open_stages, totals: dict[int, tuple[int, int]], fixes: dict[int, int]) -> list[ColumnSummary]:
    """The columns of ``open_stages`` (in position order) from (count, value) by stage id, and
    what deals weighed by their own probability add to a stage's raw weighted sum."""
    columns = []
    for stage in open_stages:
        count, value = totals.get(stage.id, (0, 0))
        columns.append(
            ColumnSummary(
                stage_id=stage.id,
                stage_name=stage.name,
                position=stage.position,
                probability=stage.probability,
                rot_days=stage.rot_days,
                count=count,
                value=value,
                weighted=(value * stage.probability + fixes.get(stage.id, 0)) // 100,
            )
        )
    return columns


def board_totals(
    session: Session, pipeline: str, flt: BoardFilter, *, tz: str
) -> tuple[list[ColumnSummary], OpportunitySummary | LeadSummary]:
    """What a board shows above its cards: the columns' totals and the summary line.

    On the opportunity board both come from the one aggregate of
    ``opportunity_summary``, which already groups the open deals by stage.
    """
    if pipeline == OPPORTUNITY:
        return _opportunity_totals(session, flt, tz=tz)
    return board_columns(session, pipeline, flt), lead_summary(session, flt, tz=tz)


def _stage(session: Session, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"no stage with id {stage_id}")
    return stage


def _urgency(stage: Stage, today: date, now: datetime):
    """0 overdue, 1 stale, 2 the rest, from the deal row alone.

    ``deal.next_task_due`` (the earliest open task's day, NULL for none) is kept
    by store.tasks, so the column's order is read from the ix_deal_column index
    without touching the task table.
    """
    first_due = Deal.next_task_due
    if stage.kind == OPEN:
        # (now - last).days > rot_days  <=>  last <= now - (rot_days + 1) days
        cutoff = now - timedelta(days=stage.rot_days + 1)
        stale = and_(first_due.is_(None), func.coalesce(Deal.last_activity_at, Deal.created_at) <= cutoff)
    else:
        stale = false()
    return case((first_due < today, 0), (stale, 1), else_=2)


def _column_where(stage: Stage, flt: BoardFilter) -> list[Any]:
    # The pipeline term lets the board index (pipeline, stage_id, owner_id) serve.
    return [Deal.pipeline == stage.pipeline, Deal.stage_id == stage.id, *_conditions(flt)]


def _today(session: Session, today: date | None) -> date:
    return today if today is not None else clock.today_in(team_timezone(session))


def _window(stage: Stage, flt: BoardFilter, today: date, now: datetime, offset: int, limit: int):
    """The ids of one window of the column, in urgency order, as a subquery.

    Narrow on purpose: the sort only carries (id, urgency, expected_close); the
    window's 50 rows are joined to what a card shows afterwards.
    """
    urgency = _urgency(stage, today, now).label("urgency")
    close = Deal.expected_close
    return (
        select(Deal.id, urgency)
        .where(*_column_where(stage, flt))
        # NULLS LAST written portably: false sorts before true on both backends.
        .order_by(urgency, close.is_(None), close, Deal.id)
        .offset(offset)
        .limit(limit)
        .subquery("window")
    )


def column_cards(
    session: Session,
    stage_id: int,
    flt: BoardFilter,
    *,
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
) -> list[DealCard]:
    """One window of a column in urgency order (see the module docstring).

    Filtering, ordering and OFFSET/LIMIT happen in SQL; a second query reads the
    next open task of just the window's deals.
    """
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must be zero or more")
    stage = _stage(session, stage_id)
    today = _today(session, today)
    now = clock.now()
    window = _window(stage, flt, today, now, offset, limit)
    stamp = clock.plain(now)  # card ages: stdlib arithmetic is ~400 times pendulum's
    rows = session.exec(
        select(
            Deal.id,
            Deal.version,
            Deal.title,
            Account.name,
            Deal.value,
            Deal.owner_id,
            Rep.name,
            Deal.stage_entered_at,
            Deal.expected_close,
            Deal.milestone,
            window.c.urgency,
        )
        .select_from(window)
        .join(Deal, Deal.id == window.c.id)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .order_by(window.c.urgency, Deal.expected_close.is_(None), Deal.expected_close, Deal.id)
    ).all()
    if not rows:
        return []
    next_task: dict[int, tuple[str, date]] = {}
    for deal_id, title, due in session.exec(
        select(Task.deal_id, Task.title, Task.due)
        .where(Task.deal_id.in_([row[0] for row in rows]), Task.done_at.is_(None))
        .order_by(Task.deal_id, Task.due, Task.id)
    ):
        next_task.setdefault(deal_id, (title, due))
    cards = []
    for (
        deal_id, version, title, account_name, value, owner_id, owner_name,
        entered, expected_close, milestone, urgency,
    ) in rows:
        task_title, task_due = next_task.get(deal_id, (None, None))
        cards.append(
            DealCard(
                id=deal_id,
                version=version,
                title=title,
                account_name=account_name,
                value=value,
                owner_id=owner_id,
                owner_initials=initials(owner_name),
                stage_id=stage.id,
                # None: imported without a date, so not known ("?" on the card).
                days_in_stage=None if entered.year <= UNKNOWN_SINCE.year else max((stamp - entered).days, 0),
                expected_close=expected_close,
                milestone=milestone,
                next_task_title=task_title,
                next_task_due=task_due,
                overdue=urgency == 0,
                stale=urgency == 1,
            )
        )
    return cards


def card_index(
    session: Session, stage_id: int, flt: BoardFilter, deal_id: int, *, today: date | None = None
) -> int | None:
    """Where ``deal_id`` sits in its column's urgency order (0-based), or None when
    it is not in that column under that filter.

    Two small queries: the deal's own sort key, then a count of the column's rows
    that sort before it. The column is never loaded.
    """
    stage = _stage(session, stage_id)
    today = _today(session, today)
    now = clock.now()
    urgency = _urgency(stage, today, now)
    where = _column_where(stage, flt)
    mine = session.exec(select(urgency, Deal.expected_close).where(Deal.id == deal_id, *where)).first()
    if mine is None:
        return None
    rank, close = mine
    column = Deal.expected_close
    if close is None:  # only deals without a close date and a lower id come first
        tie_first = or_(column.is_not(None), Deal.id < deal_id)
    else:
        tie_first = or_(column < close, and_(column == close, Deal.id < deal_id))
    before = case({r: (true() if r < rank else tie_first if r == rank else false()) for r in (0, 1, 2)}, value=urgency)
    return int(session.exec(select(func.count()).select_from(Deal).where(*where, before)).one())


# --- summary lines -------------------------------------------------------------------------


def _date(day: date) -> pendulum.Date:
    return pendulum.Date(day.year, day.month, day.day)


def _month(today: pendulum.Date) -> tuple[pendulum.Date, pendulum.Date]:
    start = today.start_of("month")
    return start, start.add(months=1)


def _quarter(today: pendulum.Date) -> tuple[pendulum.Date, pendulum.Date]:
    start = pendulum.Date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return start, start.add(months=3)


def _between(column, start: date, end: date):
    """start <= column < end."""
    return and_(column >= start, column < end)


def _sum_if(condition):
    return func.coalesce(func.sum(case((condition, capped(Deal.value)), else_=0)), 0)


def opportunity_summary(session: Session, flt: BoardFilter, *, tz: str) -> OpportunitySummary:
    """The line above the opportunity board. Periods are calendar months and
    quarters in ``tz``; weighted sums are sum(value * probability) // 100."""
    return _opportunity_totals(session, flt, tz=tz)[1]


def _opportunity_totals(
    session: Session, flt: BoardFilter, *, tz: str
) -> tuple[list[ColumnSummary], OpportunitySummary]:
    """The opportunity board's columns and summary line, from one aggregate by stage."""
    today = _date(clock.today_in(tz))
    month_start, month_end = _month(today)
    quarter_start, quarter_end = _quarter(today)
    next_quarter_end = quarter_end.add(months=3)
    stages = list_stages(session, OPPORTUNITY)
    open_stages = {s.id: s for s in stages if s.kind == OPEN}
    won_ids = [s.id for s in stages if s.kind == WON]
    terms = _conditions(flt)

    open_value = open_count = 0
    month_raw = quarter_raw = next_value = next_raw = 0  # raw = sum(value * probability)
    totals: dict[int, tuple[int, int]] = {}
    if open_stages:
        close = Deal.expected_close
        sums = [
            func.coalesce(func.sum(capped(Deal.value)), 0),
            _sum_if(_between(close, month_start, month_end)),
            _sum_if(_between(close, quarter_start, quarter_end)),
            _sum_if(_between(close, quarter_end, next_quarter_end)),
        ]
        where = [Deal.pipeline == OPPORTUNITY, Deal.stage_id.in_(list(open_stages)), *terms]
        # One statement: the sums per stage, and those of deals that carry their own (imported)
        # probability, which weighs them instead of their stage's.
        rows, fixes = weighing.stage_totals(session, sums, where, {i: s.probability for i, s in open_stages.items()})
        for fix in fixes.values():
            month_raw, quarter_raw, next_raw = month_raw + fix[1], quarter_raw + fix[2], next_raw + fix[3]
        for stage_id, count, value, in_month, in_quarter, in_next in rows:
            probability = open_stages[stage_id].probability
            totals[stage_id] = (int(count), int(value))
            open_count += int(count)
            open_value += int(value)
            month_raw += int(in_month) * probability
            quarter_raw += int(in_quarter) * probability
            next_value += int(in_next)
            next_raw += int(in_next) * probability

    won_value = won_count = 0
    if won_ids:
        won_count, won_value = session.exec(
            # No pipeline term (a won stage implies it): the closed_at index serves.
            select(func.count(), func.coalesce(func.sum(capped(Deal.value)), 0)).where(
                Deal.stage_id.in_(won_ids),
                Deal.closed_at >= clock.day_start(quarter_start, tz),
                Deal.closed_at < clock.day_start(quarter_end, tz),
                *terms,
            )
        ).one()
    column_fixes = {stage_id: fix[0] for stage_id, fix in fixes.items()} if open_stages else {}
    return _columns(open_stages.values(), totals, column_fixes), OpportunitySummary(
        open_value=open_value,
        open_count=open_count,
        weighted_this_month=month_raw // 100,
        weighted_this_quarter=quarter_raw // 100,
        won_this_quarter=int(won_value),
        won_count_this_quarter=int(won_count),
        next_quarter_value=next_value,
        next_quarter_weighted=next_raw // 100,
    )


def lead_summary(session: Session, flt: BoardFilter, *, tz: str) -> LeadSummary:
    """The line above the leads board, in calendar periods of ``tz`` (weeks start
    on Monday).

    ``new_this_week`` counts deals created this week that started as leads (still
    leads, or converted since); ``converted_this_month`` counts conversions this
    month; ``disqualified_this_month`` leads closed in a lost stage this month.
    """
    today = _date(clock.today_in(tz))
    week_start = today.start_of("week")  # pendulum weeks start on Monday
    month_start, month_end = _month(today)
    week_from, week_to = clock.day_start(week_start, tz), clock.day_start(week_start.add(days=7), tz)
    month_from, month_to = clock.day_start(month_start, tz), clock.day_start(month_end, tz)
    stages = list_stages(session, LEAD)
    open_ids = [s.id for s in stages if s.kind == OPEN]
    lost_ids = [s.id for s in stages if s.kind == LOST]
    terms = _conditions(flt)

    def count(*where):
        return select(func.count()).select_from(Deal).where(*where, *terms).scalar_subquery()

    # One round trip; each count is its own subquery with its own index.
    open_count, new, converted, disqualified = session.exec(
        select(
            count(Deal.pipeline == LEAD, Deal.stage_id.in_(open_ids)),
            count(
                Deal.created_at >= week_from,
                Deal.created_at < week_to,
                or_(Deal.pipeline == LEAD, Deal.converted_at.is_not(None)),
            ),
            count(Deal.converted_at >= month_from, Deal.converted_at < month_to),
            count(  # no pipeline term (a lead stage implies it): the closed_at index serves
                Deal.stage_id.in_(lost_ids),
                Deal.closed_at >= month_from,
                Deal.closed_at < month_to,
            ),
        )
    ).one()
    return LeadSummary(
        open_count=int(open_count),
        new_this_week=int(new),
        converted_this_month=int(converted),
        disqualified_this_month=int(disqualified),
    )


# --- filter choices and change detection ---------------------------------------------------


def filter_choices(session: Session) -> FilterChoices:
    """Who and what a board can be filtered by: active reps and anyone who owns a
    deal, by name; the distinct non-empty territories, products and sources."""
    owns = select(Deal.id).where(Deal.owner_id == Rep.id).correlate(Rep).exists()
    owners = [
        (rep_id, name)
        for rep_id, name in session.exec(
            select(Rep.id, Rep.name).where(or_(Rep.active == True, owns))  # noqa: E712
        )
    ]
    owners.sort(key=lambda o: (o[1].casefold(), o[1], o[0]))
    # One pass over the deals; the combinations are few, split them here.
    found: dict[str, set[str]] = {"territory": set(), "product": set(), "source": set()}
    for row in session.exec(select(Deal.territory, Deal.product, Deal.source).distinct()):
        for kind, value in zip(("territory", "product", "source"), row):
            if value is not None and value.strip():
                found[kind].add(value)

    def ordered(values: set[str]) -> list[str]:
        # Sorted in Python: database collations differ between backends.
        return sorted(values, key=lambda v: (v.casefold(), v))

    return FilterChoices(
        owners=owners,
        territories=ordered(found["territory"]),
        products=ordered(found["product"]),
        sources=ordered(found["source"]),
    )


def change_token(session: Session) -> tuple:
    """A cheap fingerprint of everything a board shows; compare it every few seconds.

    Every store write to a deal, a task or an activity (and every undo) records a
    deal event in the same transaction (DESIGN.md rule 5), so the newest event id
    moves with each of them. The count of the newest events catches a transaction
    that took a lower id but committed later (PostgreSQL sequences). The highest
    deal, task and activity ids catch rows inserted without an event (bulk
    imports); the stage rows (a handful) catch re-weighting and renames. All are
    primary-key lookups or short primary-key ranges: O(1) whatever the size.
    """
    newest = select(func.max(DealEvent.id)).scalar_subquery()
    recent = (
        select(func.count())
        .select_from(DealEvent)
        .where(DealEvent.id > func.coalesce(newest, 0) - _RECENT_EVENTS)
        .scalar_subquery()
    )
    ids = session.exec(
        select(
            newest,
            recent,
            select(func.max(Deal.id)).scalar_subquery(),
            select(func.max(Task.id)).scalar_subquery(),
            select(func.max(Activity.id)).scalar_subquery(),
        )
    ).one()
    stages = session.exec(
        select(Stage.id, Stage.name, Stage.position, Stage.kind, Stage.probability, Stage.rot_days).order_by(
            Stage.id
        )
    ).all()
    return (tuple(ids), tuple(tuple(s) for s in stages))


def changed_only_by(session: Session, before: tuple, after: tuple, deal_id: int) -> bool:
    """True when everything that changed between the ``change_token``s ``before``
    and ``after`` (just read in this session) was done to ``deal_id``: every event
    since is that deal's, no event committed late with a lower id (PostgreSQL
    sequences), no deal, task or activity was added or removed, and the stages are
    the same. A screen that wrote to the deal may then refresh just what it touches."""
    (newest, recent, *row_ids), stages = before
    (_now_newest, _now_recent, *now_row_ids), now_stages = after
    if now_row_ids != row_ids or now_stages != stages:
        return False
    base = newest or 0
    since = (
        select(func.count(), func.coalesce(func.sum(case((DealEvent.deal_id != deal_id, 1), else_=0)), 0))
        .where(DealEvent.id > base)
    )
    mine_and_others, others = session.exec(since).one()
    if others:
        return False
    window = session.exec(
        select(func.count()).select_from(DealEvent).where(DealEvent.id > base - _RECENT_EVENTS)
    ).one()
    return window - mine_and_others == recent  # nothing else landed in the window meanwhile

