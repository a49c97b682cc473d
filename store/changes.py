"""Change tokens: a cheap fingerprint of everything the boards and lists show.

Screens read ``change_token`` when they load and compare it every few seconds to
notice other people's changes; after their own write, ``changed_only_by`` tells
them whether that write is all that changed, so they may refresh just what it touched.
"""

from __future__ import annotations

from sqlalchemy import case
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
