"""Goals: a manager sets them per rep and period kind; they stand until changed."""

from __future__ import annotations

import pytest

from store import goals
from store.errors import Forbidden, InvalidInput, NotFound
from store.periods import MONTH, QUARTER, WEEK
from tests.store.numbers_fixture import make_reps


@pytest.fixture
def people(session):
    ana, ben, mia = make_reps(session)
    return {"ana": ana, "ben": ben, "mia": mia}


def test_a_manager_sets_and_changes_goals(session, people):
    ana, mia = people["ana"], people["mia"]
    saved = goals.set_goals(session, ana.id, WEEK, {"activity:call": 25, "milestone:rapport": 6}, by=mia.id)
    assert saved == {"activity:call": 25, "milestone:rapport": 6}
    # Only the goals named change; 0 or None clears one.
    saved = goals.set_goals(session, ana.id, WEEK, {"activity:call": 30, "milestone:rapport": None}, by=mia.id)
    assert saved == {"activity:call": 30}
    goals.set_goals(session, ana.id, QUARTER, {"won_value": 40_000_000}, by=mia.id)
    assert goals.rep_goals(session, ana.id, WEEK) == {"activity:call": 30}
    assert goals.rep_goals(session, ana.id, QUARTER) == {"won_value": 40_000_000}
    assert goals.rep_goals(session, ana.id, MONTH) == {}
    assert goals.goal_targets(session, WEEK) == {ana.id: {"activity:call": 30}}
    goals.set_goals(session, ana.id, WEEK, {"activity:call": 0}, by=mia.id)
    assert goals.goal_targets(session, WEEK) == {}


def test_only_a_manager_sets_goals(session, people):
    ana, ben = people["ana"], people["ben"]
    with pytest.raises(Forbidden, match="manager"):
        goals.set_goals(session, ben.id, WEEK, {"activity:call": 5}, by=ana.id)
    with pytest.raises(Forbidden):
        goals.set_goals(session, ana.id, WEEK, {"activity:call": 50}, by=ana.id)  # not even their own
    assert goals.goal_targets(session, WEEK) == {}


def test_goals_are_checked(session, people):
    ana, mia = people["ana"], people["mia"]
    with pytest.raises(InvalidInput, match="no figure"):
        goals.set_goals(session, ana.id, WEEK, {"smiles": 3}, by=mia.id)
    with pytest.raises(InvalidInput, match="zero or more"):
        goals.set_goals(session, ana.id, WEEK, {"activity:call": -1}, by=mia.id)
    with pytest.raises(InvalidInput, match="too large"):
        goals.set_goals(session, ana.id, WEEK, {"won_value": 10**18}, by=mia.id)
    with pytest.raises(InvalidInput, match="period"):
        goals.set_goals(session, ana.id, "fortnight", {"activity:call": 3}, by=mia.id)
    with pytest.raises(NotFound):
        goals.set_goals(session, 9999, WEEK, {"activity:call": 3}, by=mia.id)
    # A refused change writes nothing, not even the valid goals beside it.
    with pytest.raises(InvalidInput):
        goals.set_goals(session, ana.id, WEEK, {"activity:call": 3, "activity:email": -2}, by=mia.id)
    assert goals.goal_targets(session, WEEK) == {}


def test_metrics_cover_every_figure_once():
    keys = goals.METRIC_KEYS
    assert len(keys) == len(set(keys))
    assert keys[0] == "activities"
    assert {"activity:call", "milestone:rapport", "won_value", "pipeline_created"} <= set(keys)
    assert [m.key for m in goals.METRICS if m.money] == ["pipeline_created", "won_value"]
    progress = goals.GoalProgress("activity:call", 25, 30)
    assert progress.met and progress.fraction == pytest.approx(1.2)
