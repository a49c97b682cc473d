"""The boards: windows of deal cards, and ``load_board``, everything a board shows at once.

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

The filter lives in store.board_filter, the column totals and summary lines in
store.board_totals, the change tokens in store.changes.

Every query here is plain SQLAlchemy that means the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, false, or_, true
from sqlmodel import Session, func, select

from store import changes, clock
from store.board_filter import BoardFilter, FilterChoices, _conditions, filter_choices
from store.board_totals import (
    ColumnSummary,
    LeadSummary,
    OpportunitySummary,
    after_move,
    board_columns,
    board_totals,
    lead_summary,
    opportunity_summary,
)
from store.models import OPEN, UNKNOWN_SINCE, Account, Deal, Rep, Task
from store.money import database_currency
from store.reps import initials
from store.settings import team_timezone
from store.stages import StageInfo, get_stage, list_stages

__all__ = [
    "BoardFilter", "BoardRead", "ColumnSummary", "DealCard", "FilterChoices", "LeadSummary", "OpportunitySummary",
    "after_move", "board_columns", "board_totals", "card_index", "column_cards", "filter_choices", "lead_summary",
    "load_board", "opportunity_summary",
]


# --- cards ---------------------------------------------------------------------------------


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


def _stage(session: Session, stage_id: int) -> StageInfo:
    return get_stage(session, stage_id)


# The statements below are built once per (stage, filter) and run with these bound:
# building a statement of this size costs more Python than the database takes to
# run it on a rep's column. The types are the columns' own, so values bind as
# they would compared with the columns directly.
_TODAY = bindparam("board_today", type_=Deal.__table__.c.next_task_due.type)
_CUTOFF = bindparam("board_cutoff", type_=Deal.__table__.c.last_activity_at.type)
_OFFSET = bindparam("board_offset", type_=Integer)
_LIMIT = bindparam("board_limit", type_=Integer)
_DEAL = bindparam("board_deal", type_=Integer)
_CLOSE = bindparam("board_close", type_=Deal.__table__.c.expected_close.type)


def _urgency(stage: StageInfo):
    """0 overdue, 1 stale, 2 the rest, from the deal row alone (``_params`` binds
    the day and the stale cutoff).

    ``deal.next_task_due`` (the earliest open task's day, NULL for none) is kept
    by store.tasks, so the column's order is read from the ix_deal_column index
    without touching the task table.
    """
    first_due = Deal.next_task_due
    if stage.kind == OPEN:
        # (now - last).days > rot_days  <=>  last <= now - (rot_days + 1) days
        stale = and_(first_due.is_(None), func.coalesce(Deal.last_activity_at, Deal.created_at) <= _CUTOFF)
    else:
        stale = false()
    return case((first_due < _TODAY, 0), (stale, 1), else_=2)


def _params(stage: StageInfo, today: date, now: datetime, **more: Any) -> dict[str, Any]:
    params = {"board_today": today, **more}
    if stage.kind == OPEN:
        params["board_cutoff"] = now - timedelta(days=stage.rot_days + 1)
    return params


def _column_where(stage: StageInfo, flt: BoardFilter) -> list[Any]:
    # The pipeline term lets the board index (pipeline, stage_id, owner_id) serve.
    return [Deal.pipeline == stage.pipeline, Deal.stage_id == stage.id, *_conditions(flt)]


def _today(session: Session, today: date | None) -> date:
    return today if today is not None else clock.today_in(team_timezone(session))


@lru_cache(maxsize=256)
def _cards_statement(stage: StageInfo, flt: BoardFilter):
    """One window of the column with what its cards show, in urgency order.

    The window's ids are chosen by a narrow subquery (the sort only carries id,
    urgency and expected_close); its rows are joined to what a card shows afterwards.
    """
    urgency = _urgency(stage).label("urgency")
    close = Deal.expected_close
    window = (
        select(Deal.id, urgency)
        .where(*_column_where(stage, flt))
        # NULLS LAST written portably: false sorts before true on both backends.
        .order_by(urgency, close.is_(None), close, Deal.id)
        .offset(_OFFSET)
        .limit(_LIMIT)
        .subquery("window")
    )
    return (
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
    )


_NEXT_TASKS = (
    select(Task.deal_id, Task.title, Task.due)
    .where(Task.deal_id.in_(bindparam("board_deals", expanding=True)), Task.done_at.is_(None))
    .order_by(Task.deal_id, Task.due, Task.id)
)


def column_cards(
    session: Session,
    stage_id: int,
    flt: BoardFilter,
    *,
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
    stage: StageInfo | None = None,
) -> list[DealCard]:
    """One window of a column in urgency order (see the module docstring).

    Filtering, ordering and OFFSET/LIMIT happen in SQL (the database keeps only the
    window's rows while it reads the column: a bounded top-N sort, never a sort of
    the whole column); a second query reads the next open task of just the window's
    deals. ``stage``: the column's stage when the caller has it already.
    """
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must be zero or more")
    stage = stage if stage is not None and stage.id == stage_id else _stage(session, stage_id)
    today = _today(session, today)
    now = clock.now()
    stamp = clock.plain(now)  # card ages: stdlib arithmetic is ~400 times pendulum's
    # Core, not the ORM: these are plain rows, and the ORM's per-statement work
    # costs as much again as the query on a rep's column.
    connection = session.connection()
    rows = connection.execute(
        _cards_statement(stage, flt), _params(stage, today, now, board_offset=offset, board_limit=limit)
    ).all()
    if not rows:
        return []
    next_task: dict[int, tuple[str, date]] = {}
    for deal_id, title, due in connection.execute(_NEXT_TASKS, {"board_deals": [row[0] for row in rows]}):
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


@lru_cache(maxsize=256)
def _sort_key_statement(stage: StageInfo, flt: BoardFilter):
    """The deal's own sort key in its column (no row: not in that column under that filter)."""
    return select(_urgency(stage), Deal.expected_close).where(Deal.id == _DEAL, *_column_where(stage, flt))


@lru_cache(maxsize=256)
def _before_statement(stage: StageInfo, flt: BoardFilter, rank: int, no_close: bool):
    """How many of the column's rows sort before a deal of urgency ``rank`` (its
    close date and id bound), with no close date when ``no_close``."""
    column = Deal.expected_close
    if no_close:  # only deals without a close date and a lower id come first
        tie_first = or_(column.is_not(None), Deal.id < _DEAL)
    else:
        tie_first = or_(column < _CLOSE, and_(column == _CLOSE, Deal.id < _DEAL))
    urgency = _urgency(stage)
    before = case({r: (true() if r < rank else tie_first if r == rank else false()) for r in (0, 1, 2)}, value=urgency)
    return select(func.count()).select_from(Deal).where(*_column_where(stage, flt), before)


def card_index(
    session: Session, stage_id: int, flt: BoardFilter, deal_id: int, *, today: date | None = None,
    stage: StageInfo | None = None,
) -> int | None:
    """Where ``deal_id`` sits in its column's urgency order (0-based), or None when
    it is not in that column under that filter.

    Two small queries: the deal's own sort key, then a count of the column's rows
    that sort before it. The column is never loaded.
    """
    stage = stage if stage is not None and stage.id == stage_id else _stage(session, stage_id)
    today = _today(session, today)
    now = clock.now()
    connection = session.connection()
    mine = connection.execute(_sort_key_statement(stage, flt), _params(stage, today, now, board_deal=deal_id)).first()
    if mine is None:
        return None
    rank, close = mine
    statement = _before_statement(stage, flt, rank, close is None)
    more = {"board_deal": deal_id} if close is None else {"board_deal": deal_id, "board_close": close}
    return int(connection.execute(statement, _params(stage, today, now, **more)).scalar_one())


# --- the whole board -----------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRead:
    """Everything a board shows, read in one session."""

    columns: list[ColumnSummary]
    summary: OpportunitySummary | LeadSummary
    pages: dict[int, dict[int, list[DealCard]]]  # stage id → page → cards
    focus: tuple[int, int] | None  # (stage id, index) of the focus deal, when it is on the board
    token: tuple | None  # store.changes.change_token, read first; None when not asked for
    today: date
    tz: str
    currency: str


def load_board(
    session: Session, pipeline: str, flt: BoardFilter, *, page_size: int, focus_deal: int | None = None,
    tz: str | None = None, currency: str | None = None, token: bool = True,
    cards_for: Mapping[int, Collection[int]] | None = None,
    totals: tuple[list[ColumnSummary], OpportunitySummary | LeadSummary] | None = None,
) -> BoardRead:
    """What a board shows: the change token (read first, so a change made while
    the rest is read shows up at the next comparison), the team's timezone and
    currency, the columns' totals and the summary line, where ``focus_deal``
    stands, and each column's first page of ``page_size`` cards plus the focus
    deal's page of its column.

    After the board's own write: ``tz`` and ``currency`` as already known,
    ``token=False`` (the write read it), ``cards_for`` the pages to read (by
    stage id) of the columns whose cards changed, besides the focus deal's page
    of its column (the other columns and pages are not read), and ``totals``
    when they were worked out from the write (``board_totals.after_move``)
    instead of aggregated again.
    """
    change = changes.change_token(session) if token else None
    tz = tz if tz is not None else team_timezone(session)
    currency = currency if currency is not None else database_currency(session)
    today = clock.today_in(tz)
    columns, summary = totals if totals is not None else board_totals(session, pipeline, flt, tz=tz)
    stages = {s.id: s for s in list_stages(session, pipeline, open_only=True)}
    focus = None
    if focus_deal is not None:
        found = session.exec(select(Deal.pipeline, Deal.stage_id).where(Deal.id == focus_deal)).first()
        if found is not None and found[0] == pipeline and found[1] in stages:  # open, on this board
            index = card_index(session, found[1], flt, focus_deal, today=today, stage=stages[found[1]])
            focus = (found[1], index) if index is not None else None
    pages: dict[int, dict[int, list[DealCard]]] = {}
    for column in columns:
        focused = focus is not None and focus[0] == column.stage_id
        if cards_for is None:
            wanted = {0}
        elif column.stage_id in cards_for or focused:
            wanted = set(cards_for.get(column.stage_id, ()))
        else:
            continue
        if focused:
            wanted.add(focus[1] // page_size)
        pages[column.stage_id] = {
            page: column_cards(session, column.stage_id, flt, offset=page * page_size, limit=page_size, today=today,
                               stage=stages.get(column.stage_id))
            for page in sorted(wanted)
        }
    return BoardRead(columns, summary, pages, focus, change, today, tz, currency)
