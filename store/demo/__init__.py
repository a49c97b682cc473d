"""The demo team behind ``legwork demo``: a sales team with two quarters of history.

Everything is generated from one ``random.Random(seed)`` and dated relative to
``today``, so the same seed and day always give the same rows, and the demo never
looks stale. Rows go in with bulk inserts, with ids assigned here (in the order the
rows would have been created) and PostgreSQL's sequences moved past them afterwards,
so the same code can build a scale data set.

The story of each deal is planned first as dated steps (created, stage moves,
activities, tasks, notes, close-date slips, conversion, win or loss), then given
times in the owner's working hours, then turned into rows and the deal events a
real user would have recorded, with the same ``before``/``after``/``version``
data the store writes (see deals.py, activities.py, tasks.py, notes.py).

The parts, in the order the builder uses them:
``plan`` (the size, the summary, a deal's plan and steps, shared helpers),
``team`` (the reps and their teams), ``cast`` (the deals, accounts and contacts),
``story`` (each deal's dated steps), ``schedule`` (stage days, close dates, open
tasks, times of day), ``rows`` (rows and deal events), ``inserts`` (the inserts),
``builder`` (runs them in order), ``words`` (the data it is all written from).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Callable

from sqlalchemy import select
from sqlmodel import Session

from store import clock
from store.demo.builder import Builder
from store.demo.plan import DEMO_REP, DemoSize, DemoSummary
from store.errors import InvalidInput, RuleViolation
from store.models import Deal, Rep
from store.tx import write

__all__ = ["DEMO_REP", "DemoSize", "DemoSummary", "is_populated", "populate_demo"]


def is_populated(session: Session) -> bool:
    """True if the database already holds reps or deals (a demo or a real team)."""
    for table in (Deal, Rep):
        if session.execute(select(table.id).limit(1)).first() is not None:
            return True
    return False


def populate_demo(
    session: Session,
    *,
    seed: int = 7,
    today: date | None = None,
    size: DemoSize = DemoSize(),
    progress: Callable[[str, float], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with a demo team, in one transaction.

    ``today`` (default: today in UTC) is the day the demo is seen on: all history
    happens before it began in UTC, tasks fall due around it. The same ``seed`` and
    ``today`` give the same rows. ``progress(label, fraction)`` is called now and then,
    fraction 0.0 to 1.0. Refuses (``RuleViolation``) when the database already holds
    deals; reps whose handles already exist are reused as they are.
    """
    if size.reps < 1 or size.leads < 0 or size.opportunities < 0:
        raise InvalidInput("a demo needs at least one rep and no negative counts")
    if size.history_days < 30:
        raise InvalidInput("a demo needs at least 30 days of history")
    day = clock.now().date() if today is None else today
    day = date(day.year, day.month, day.day)
    report = progress or (lambda _label, _fraction: None)
    with write(session):
        if session.execute(select(Deal.id).limit(1)).first() is not None:
            raise RuleViolation("this database already holds deals: the demo team needs an empty one")
        summary = Builder(session, random.Random(seed), day, size, report).run()
    return summary
