"""Change tokens: a cheap fingerprint of everything the boards and lists show.

Screens read ``change_token`` when they load and compare it every few seconds to
notice other people's changes; after their own write, ``changed_only_by`` tells
them whether that write is all that changed, so they may refresh just what it touched.
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, case
from sqlmodel import Session, func, select

from store.models import Activity, Deal, DealEvent, Stage, Task

# change_token counts the newest events by id: a transaction that took a lower id
# but committed after a higher one (possible on PostgreSQL) still changes the count.
_RECENT_EVENTS = 1000


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
    connection = session.connection()  # plain rows: the ORM's per-statement work is most of the cost
    ids = connection.execute(_IDS).one()
    stages = connection.execute(_STAGES).all()
    return (tuple(ids), tuple(tuple(s) for s in stages))


# Built once: change_token runs every few seconds on every open board and list,
# and twice around each of their writes.
_NEWEST = select(func.max(DealEvent.id)).scalar_subquery()
_IDS = select(
    _NEWEST,
    select(func.count())
    .select_from(DealEvent)
    .where(DealEvent.id > func.coalesce(_NEWEST, 0) - _RECENT_EVENTS)
    .scalar_subquery(),
    select(func.max(Deal.id)).scalar_subquery(),
    select(func.max(Task.id)).scalar_subquery(),
    select(func.max(Activity.id)).scalar_subquery(),
)
_STAGES = select(Stage.id, Stage.name, Stage.position, Stage.kind, Stage.probability, Stage.rot_days).order_by(Stage.id)


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
    connection = session.connection()
    mine_and_others, others = connection.execute(_SINCE, {"base": base, "deal": deal_id}).one()
    if others:
        return False
    window = connection.execute(_WINDOW, {"low": base - _RECENT_EVENTS}).scalar_one()
    return window - mine_and_others == recent  # nothing else landed in the window meanwhile


# The events after the token's newest: how many, and how many not the deal's.
_SINCE = select(
    func.count(), func.coalesce(func.sum(case((DealEvent.deal_id != bindparam("deal", type_=Integer), 1), else_=0)), 0)
).where(DealEvent.id > bindparam("base", type_=Integer))
_WINDOW = select(func.count()).select_from(DealEvent).where(DealEvent.id > bindparam("low", type_=Integer))
