"""The set-up store tests share: Ana (a rep) and Bob (her manager) under the frozen
clock, Ana's lead, and small readers of what was committed.

A test module that needs a different Ana, Bob or lead defines its own fixture of that
name, which wins over these.
"""

from __future__ import annotations

import pendulum
import pytest
from sqlmodel import func, select

from store import deals, events, reps
from store.models import Deal, DealEvent
from store.stages import find_stage


@pytest.fixture
def ana(session, frozen):
    return reps.create_rep(session, "ana", "Ana Reyes")


@pytest.fixture
def bob(session, frozen):
    """Ana's manager: the other rep who may change her deals (store.permissions)."""
    return reps.create_rep(session, "bob", "Bob Stone", role="manager")


@pytest.fixture
def lead(session, ana):
    """Ana's lead "Acme rollout", with nothing else filled in."""
    return deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)


def tick(minutes: int = 60) -> pendulum.DateTime:
    """Move the frozen clock forward; the ``frozen`` fixture travels back at the end.

    Not a context manager on purpose: leaving a nested ``travel_to`` block would
    unfreeze the clock for the rest of the test."""
    pendulum.travel_to(pendulum.now("UTC").add(minutes=minutes), freeze=True)
    return pendulum.now("UTC")


def stage_id(session, pipeline: str, name: str) -> int:
    return find_stage(session, pipeline, name).id


def stored(db, deal_id: int):
    """The deal's row as committed, read on a connection of its own."""
    with db.engine.connect() as connection:
        return connection.execute(select(Deal.__table__).where(Deal.id == deal_id)).mappings().one()


def count(db, model, *where) -> int:
    """How many committed rows of ``model`` match ``where``, read on a connection of its own."""
    with db.engine.connect() as connection:
        query = select(func.count()).select_from(model.__table__)
        for clause in where:
            query = query.where(clause)
        return connection.execute(query).scalar_one()


def event_count(db) -> int:
    with db.engine.connect() as connection:
        return len(connection.execute(select(DealEvent.id)).all())


def kinds(session, deal_id: int) -> list[str]:
    """The kinds of the deal's events, as its history lists them."""
    return [e.kind for e in events.history(session, deal_id)]
