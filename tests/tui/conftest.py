"""A small team and board, built through the store, for Pilot tests."""

from __future__ import annotations

import asyncio

from dataclasses import dataclass

import pendulum
import pytest

from store import deals, reps, tasks
from store.deals import DealFields
from tui.app import LegworkApp


# The tests' Wednesday morning: the day of tests/conftest.py's FIXED_NOW, at nine.
WEDNESDAY = pendulum.datetime(2026, 11, 18, 9, tz="UTC")


@pytest.fixture
def wednesday():
    """Wednesday morning, the clock ticking on from there (freeze=False) so Textual's
    timers run. A module whose tests all live on that day says
    ``pytestmark = pytest.mark.usefixtures("wednesday")``: it starts before the
    fixtures the tests name, so the team they build is built on Wednesday too."""
    with pendulum.travel_to(WEDNESDAY, freeze=False):
        yield WEDNESDAY


@dataclass
class Team:
    db: object
    alex: reps.RepInfo
    morgan: reps.RepInfo
    acme: deals.DealDetail  # Alex's opportunity in Qualified, with a task
    globex: deals.DealDetail  # Alex's opportunity in Qualified, EMEA
    initech: deals.DealDetail  # Morgan's opportunity in Proposal
    lead: deals.DealDetail  # Alex's lead in New


def build_team(db) -> Team:
    with db.session() as s:
        alex = reps.create_rep(s, "alex", "Alex Kim")
        morgan = reps.create_rep(s, "morgan", "Morgan Blake", role="manager")
        today = pendulum.today("UTC").date()
        acme = deals.create_opportunity(
            s,
            DealFields(title="Acme fleet rollout", account="Acme", contact="Jo Park", value=1_200_000,
                       expected_close=today.add(days=20), territory="North America", product="Fleet"),
            by=alex.id,
        )
        tasks.add_task(s, acme.id, "Call Jo about the pilot", today.add(days=1), by=alex.id)
        globex = deals.create_opportunity(
            s,
            DealFields(title="Globex renewal", account="Globex", value=500_000,
                       expected_close=today.add(days=40), territory="EMEA", product="Renewal"),
            by=alex.id,
        )
        initech = deals.create_opportunity(
            s, DealFields(title="Initech expansion", account="Initech", value=3_000_000, owner_id=morgan.id), by=morgan.id
        )
        for _ in range(2):
            initech = deals.move_deal(s, initech.id, 1, version=initech.version, by=morgan.id)
        lead = deals.create_lead(s, DealFields(title="Umbrella inbound", account="Umbrella"), by=alex.id)
    return Team(db, alex, morgan, acme, globex, initech, lead)


def stored(team: Team, deal_id: int) -> deals.DealDetail:
    """The deal as the store has it now."""
    with team.db.session() as s:
        return deals.get_deal(s, deal_id)


def toasts(app) -> list[str]:
    """The messages of the notifications the app is showing."""
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def team(sqlite_db) -> Team:
    return build_team(sqlite_db)


@pytest.fixture
def app(team) -> LegworkApp:
    return LegworkApp(team.db, "alex")


async def wait_until(pilot, condition, *, what: str, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Let the app run until ``condition()`` holds: a wait for what the test needs,
    not a guess at how long it takes. Fails, saying ``what``, after ``timeout`` seconds.
    ``interval=0`` checks again as soon as the app has handled its pending messages
    (for a test that times how soon something shows)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        await pilot.pause(interval)


async def settle(app, pilot) -> None:
    """Wait until every worker is done and the screen has caught up."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
