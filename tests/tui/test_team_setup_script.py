"""A new team set up by a script using nothing but the ``legwork`` command: the first
manager on an empty server, two teams, reps, stages, currency, timezone and lost
reasons; then the database and ``legwork audit`` show each change and who made it,
and a rep trying a manager's command is refused with one line and status 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from store import reps, settings, stages, teams
from store.db import open_database
from store.terms import LEAD, OPPORTUNITY

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = [
    # The server's administrator, not a rep: allowed only until a manager exists.
    ("admin", ["rep", "add", "boss", "--name", "Bo Boss", "--role", "manager", "--email", "bo@example.com"]),
    ("boss", ["team", "add", "East", "--manager", "boss", "--office", "Berlin", "--region", "EMEA",
              "--timezone", "Europe/Berlin"]),
    ("boss", ["rep", "add", "wes", "--name", "Wes Lead", "--role", "manager", "--timezone", "America/Denver"]),
    ("boss", ["team", "add", "West", "--manager", "wes", "--office", "Denver", "--region", "Americas"]),
    ("boss", ["rep", "add", "ana", "--name", "Ana Reyes", "--team", "East", "--capacity", "10",
              "--working-days", "1-4", "--timezone", "Europe/Berlin"]),
    ("boss", ["rep", "add", "bob", "--name", "Bob Stone", "--team", "West"]),
    ("boss", ["rep", "edit", "boss", "--team", "East"]),
    ("boss", ["rep", "edit", "wes", "--team", "West"]),
    ("boss", ["stages", "add", "opportunity", "Demo", "--after", "Qualified", "--probability", "20", "--rot-days", "7"]),
    ("boss", ["stages", "rename", "Needs analysis", "Discovery"]),
    ("boss", ["stages", "set", "Proposal", "--probability", "65", "--rot-days", "10"]),
    ("boss", ["stages", "reorder", "opportunity", "Qualified,Discovery,Demo,Proposal,Negotiation"]),
    ("boss", ["stages", "retire", "Nurturing"]),
    ("boss", ["currency", "EUR"]),
    ("boss", ["timezone", "Europe/Berlin"]),
    ("boss", ["lost-reasons", "set", "opportunity", "Price", "Timing", "Went with incumbent"]),
    ("boss", ["lost-reasons", "add", "lead", "Student"]),
    ("boss", ["settings", "open-editing", "false"]),
]


def legwork(tmp_path: Path, rep: str, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEGWORK_CONFIG": str(tmp_path / "no-config.toml"), "LEGWORK_DB": str(tmp_path / "team.db"),
           "LEGWORK_REP": rep}
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_team_set_up_by_script(tmp_path):
    for actor, argv in SCRIPT:
        done = legwork(tmp_path, actor, *argv)
        assert done.returncode == 0, (argv, done.stderr)
        assert done.stderr == "" and done.stdout.strip(), argv

    # A rep tries a manager's command: one line, status 1, nothing written.
    denied = legwork(tmp_path, "ana", "stages", "set", "Proposal", "--probability", "99")
    assert denied.returncode == 1 and denied.stdout == ""
    assert denied.stderr == "legwork: ana cannot change the opportunity stage 'Proposal': only a manager can\n"
    # And the administrator, once a manager exists, is no one.
    late = legwork(tmp_path, "admin", "rep", "add", "eve", "--name", "Eve")
    assert late.returncode == 1 and late.stderr.count("\n") == 1 and "only a manager can add a rep" in late.stderr

    database = open_database(str(tmp_path / "team.db"))
    try:
        with database.session() as s:
            east, west = teams.find_team(s, "East"), teams.find_team(s, "West")
            assert (east.manager_handle, east.office, east.region, east.timezone) == ("boss", "Berlin", "EMEA",
                                                                                      "Europe/Berlin")
            assert (west.manager_handle, west.office, west.members) == ("wes", "Denver", 2)
            assert {r.handle for r in teams.members(s, east.id)} == {"boss", "ana"}
            ana = reps.find_rep(s, "ana")
            assert (ana.capacity, ana.working_days, ana.timezone, ana.role) == (10, (1, 2, 3, 4), "Europe/Berlin", "rep")
            opportunity = [(x.name, x.probability, x.rot_days) for x in stages.list_stages(s, OPPORTUNITY)]
            assert opportunity[:5] == [("Qualified", 10, 14), ("Discovery", 30, 21), ("Demo", 20, 7),
                                       ("Proposal", 65, 10), ("Negotiation", 80, 10)]
            assert "Nurturing" not in [x.name for x in stages.list_stages(s, LEAD)]
            assert (settings.currency(s), settings.team_timezone(s), settings.open_editing(s)) == (
                "EUR", "Europe/Berlin", False)
            assert stages.lost_reasons(s, OPPORTUNITY) == ["Price", "Timing", "Went with incumbent"]
            assert stages.lost_reasons(s, LEAD)[-1] == "Student"
    finally:
        database.dispose()

    shown = legwork(tmp_path, "ana", "audit", "--json", "--limit", "100")  # reading the record is everyone's
    assert shown.returncode == 0
    trail = [(r["by"], r["kind"], r["subject"]) for r in reversed(json.loads(shown.stdout))]
    assert trail == [
        (None, "rep.added", "boss"),
        ("boss", "team.added", "East"),
        ("boss", "rep.added", "wes"),
        ("boss", "team.added", "West"),
        ("boss", "rep.added", "ana"),
        ("boss", "rep.added", "bob"),
        ("boss", "rep.changed", "boss"),
        ("boss", "rep.changed", "wes"),
        ("boss", "stage.added", "opportunity: Demo"),
        ("boss", "stage.changed", "opportunity: Needs analysis"),
        ("boss", "stage.changed", "opportunity: Proposal"),
        ("boss", "stage.reordered", "opportunity"),
        ("boss", "stage.retired", "lead: Nurturing"),
        ("boss", "setting.changed", "currency"),
        ("boss", "setting.changed", "timezone"),
        ("boss", "lost_reasons.set", "opportunity"),
        ("boss", "lost_reason.added", "lead: Student"),
        ("boss", "setting.changed", "team.open_editing"),
    ]
    text = legwork(tmp_path, "boss", "audit").stdout.splitlines()
    assert len(text) == len(trail) and "(no rep)" in text[-1] and all(" boss " in line for line in text[:-1])
