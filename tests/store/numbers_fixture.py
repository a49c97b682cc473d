"""Rows written by hand for the numbers, forecast and goals tests.

Nothing here computes an expected figure: each test works its expectations out
from the rows below, in comments next to the assertions.
"""

from __future__ import annotations

from datetime import date

import pendulum
from sqlmodel import select

from store import activities, board, reps, rollups
from store.models import Activity, Deal, DealEvent, Stage

UTC = "UTC"
TOKYO = "Asia/Tokyo"  # UTC+9 all year: Monday 00:00 in Tokyo is Sunday 15:00 UTC


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def set_timezone(session, tz: str) -> None:
    """As the team's manager when it has one (a team's timezone is a manager's setting)."""
    manager = next((r for r in reps.list_reps(session) if r.is_manager), None)
    board.set_team_timezone(session, tz, by=manager.id if manager else None)


def stage_id(session, pipeline: str, name: str) -> int:
    return session.exec(select(Stage.id).where(Stage.pipeline == pipeline, Stage.name == name)).one()


def add_deal(
    session,
    title: str,
    *,
    owner: int,
    pipeline: str = "opportunity",
    stage: str | None = None,
    value: int = 0,
    created: pendulum.DateTime,
    converted: pendulum.DateTime | None = None,
    closed: pendulum.DateTime | None = None,
    close: date | None = None,
) -> int:
    stage = stage or ("New" if pipeline == "lead" else "Qualified")
    deal = Deal(
        pipeline=pipeline,
        stage_id=stage_id(session, pipeline, stage),
        title=title,
        owner_id=owner,
        value=value,
        expected_close=close,
        created_at=created,
        stage_entered_at=created,
        converted_at=converted,
        closed_at=closed,
        version=1,
        updated_at=created,
    )
    session.add(deal)
    session.flush()
    return deal.id


def add_activity(session, deal_id: int, rep_id: int, type_: str, when: pendulum.DateTime, milestone: str | None = None):
    session.add(
        Activity(deal_id=deal_id, rep_id=rep_id, type=type_, milestone=milestone, occurred_at=when, outcome="",
                 created_at=when)
    )
    session.flush()
    # The deal's stored milestone and last activity, and the rollups, as log_activity keeps them.
    activities.refresh_deal_activity(session, deal_id)
    rollups.activity_counted(session, rep_id=rep_id, type=type_, milestone=milestone, occurred_at=when)


def add_close_change(session, deal_id: int, when: pendulum.DateTime, before: date, after: date) -> None:
    session.add(
        DealEvent(
            deal_id=deal_id,
            rep_id=None,
            at=when,
            kind="close_date_changed",
            data={"before": {"expected_close": before.isoformat()}, "after": {"expected_close": after.isoformat()},
                  "version": 2},
        )
    )
    session.flush()


def make_reps(session):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    ben = reps.create_rep(session, "ben", "Ben Ortiz")
    mia = reps.create_rep(session, "mia", "Mia Chen", role="manager")
    return ana, ben, mia
