"""Reps: handles, roles, timezones, capacity, working days, and who is signed in."""

from __future__ import annotations

import getpass

import pytest
from sqlmodel import select

from store import reps
from store.errors import InvalidInput, NotFound
from store.models import Rep


def rep_rows(db):
    with db.engine.connect() as connection:
        return connection.execute(select(Rep.__table__).order_by(Rep.id)).mappings().all()


def test_creating_a_rep(session, db, frozen):
    info = reps.create_rep(
        session, "  Ana.Reyes ", " Ana Reyes ", role="manager", timezone="Europe/Berlin",
        capacity=8, working_days=(5, 1, 2, 2), email="ana@example.com",
    )
    [row] = rep_rows(db)
    assert row["handle"] == "ana.reyes"
    assert row["name"] == "Ana Reyes"
    assert row["role"] == "manager" and row["timezone"] == "Europe/Berlin"
    assert row["capacity"] == 8 and row["working_days"] == "125"
    assert row["email"] == "ana@example.com" and row["active"] is True
    assert row["created_at"] == frozen
    assert info.working_days == (1, 2, 5) and info.is_manager and info.initials == "AR"


def test_defaults_are_a_monday_to_friday_rep_in_utc_with_room_for_twelve(session, db):
    info = reps.create_rep(session, "bob", "Bob Stone")
    assert (info.role, info.timezone, info.capacity, info.working_days) == ("rep", "UTC", 12, (1, 2, 3, 4, 5))
    assert not info.is_manager
    assert rep_rows(db)[0]["working_days"] == "12345"


BAD_HANDLES = ["", "   ", "has space", ".dot", "-dash", "_under", "a" * 65, "ünï", "ana@corp", "a/b"]
GOOD_HANDLES = ["a", "ana", "ana.reyes", "ana_r", "ana-r", "a1", "7eleven", "a" * 64]


def test_bad_handles_are_refused(session, db):
    for handle in BAD_HANDLES:
        with pytest.raises(InvalidInput, match="handle"):
            reps.create_rep(session, handle, "Someone")
    assert rep_rows(db) == []


def test_good_handles(session, db):
    for handle in GOOD_HANDLES:
        reps.create_rep(session, handle, "Someone")
    assert [r["handle"] for r in rep_rows(db)] == GOOD_HANDLES


def test_handles_are_unique_whatever_the_case(session, db):
    reps.create_rep(session, "ana", "Ana Reyes")
    with pytest.raises(InvalidInput, match="already exists"):
        reps.create_rep(session, "ANA", "Another Ana")
    assert len(rep_rows(db)) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "CEST"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"role": "boss"}, "role"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 201}, "capacity"),
        ({"working_days": ()}, "working days"),
        ({"working_days": (0, 1)}, "working days"),
        ({"working_days": (8,)}, "working days"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"email": "e" * 190 + "@example.com"}, "email"),
    ],
)
def test_bad_rep_settings_are_refused(session, db, kwargs, match):
    args = {"name": "Ana Reyes", **kwargs}
    with pytest.raises(InvalidInput, match=match):
        reps.create_rep(session, "ana", **args)
    assert rep_rows(db) == []


def test_known_timezones_are_accepted(session, db):
    zones = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland"]
    for i, tz in enumerate(zones):
        reps.create_rep(session, f"rep{i}", "Someone", timezone=tz)
    assert [r["timezone"] for r in rep_rows(db)] == zones


def test_updating_a_rep(session, db):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    updated = reps.update_rep(session, ana.id, capacity=5, working_days=(1, 3), timezone="Asia/Tokyo", role="manager")
    row = rep_rows(db)[0]
    assert (row["capacity"], row["working_days"], row["timezone"], row["role"]) == (5, "13", "Asia/Tokyo", "manager")
    assert updated.working_days == (1, 3)


@pytest.mark.parametrize(
    "kwargs", [{"capacity": 0}, {"working_days": (9,)}, {"timezone": "Nowhere/Land"}, {"role": "admin"}]
)
def test_a_bad_update_writes_nothing(session, db, kwargs):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    before = rep_rows(db)
    with pytest.raises(InvalidInput):
        reps.update_rep(session, ana.id, **kwargs)
    assert rep_rows(db) == before


def test_updating_an_unknown_rep(session):
    with pytest.raises(NotFound):
        reps.update_rep(session, 99, capacity=3)
    with pytest.raises(NotFound):
        reps.get_rep(session, 99)


def test_finding_and_listing_reps(session, db):
    zed = reps.create_rep(session, "zed", "Zed Adams")
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    gone = reps.create_rep(session, "gone", "Gone Person")
    session.get(Rep, gone.id).active = False
    session.commit()
    assert reps.find_rep(session, "ZED") == zed
    assert reps.find_rep(session, "nobody") is None
    assert reps.get_rep(session, ana.id) == ana
    assert [r.handle for r in reps.list_reps(session)] == ["ana", "zed"]
    assert [r.handle for r in reps.list_reps(session, include_inactive=True)] == ["ana", "gone", "zed"]


# --- who is signed in (no database) -----------------------------------------------------------------


@pytest.fixture
def login(monkeypatch):
    monkeypatch.delenv("LEGWORK_REP", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "LoginName")


def test_the_rep_flag_wins(login, monkeypatch):
    monkeypatch.setenv("LEGWORK_REP", "from-env")
    assert reps.signed_in_handle("From-Flag") == "from-flag"


def test_then_the_environment(login, monkeypatch):
    monkeypatch.setenv("LEGWORK_REP", "  From-Env ")
    assert reps.signed_in_handle(None) == "from-env"
    assert reps.signed_in_handle("") == "from-env"


def test_then_the_login_name(login):
    assert reps.signed_in_handle() == "loginname"


def test_an_empty_environment_variable_falls_through_to_the_login(login, monkeypatch):
    monkeypatch.setenv("LEGWORK_REP", "")
    assert reps.signed_in_handle() == "loginname"


def test_no_login_name_at_all(monkeypatch):
    monkeypatch.delenv("LEGWORK_REP", raising=False)

    def no_user():
        raise OSError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert reps.signed_in_handle() == "me"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ana Reyes", "AR"), ("ana", "AN"), ("Mary-Jane van Dyke", "MD"), ("J. R. R. Tolkien", "JT"), ("", "?"), (" . ", "?")],
)
def test_initials(name, expected):
    assert reps.initials(name) == expected
