"""The entry point imports only what the job needs: `legwork --help` no database or
interface code at all, a command no Textual, the first board no Alembic (when the
schema is current), no PostgreSQL driver or dialect on SQLite, no subcommand and no
other screen (those are imported once the board is idle). Each check runs in a fresh
interpreter, where sys.modules tells the truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REPORT = """
import json, sys
modules = sorted(sys.modules)
print("MODULES=" + json.dumps(modules))
"""


def _imported(code: str, *args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + REPORT, *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("MODULES=")), None)
    assert line, f"no module list; stderr:\n{result.stderr}"
    return set(json.loads(line.removeprefix("MODULES=")))


def _top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_no_database_or_interface_code():
    modules = _imported(
        "from tui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    )
    assert not _top(modules) & {"sqlalchemy", "sqlmodel", "pydantic", "textual", "rich", "pendulum", "alembic", "store"}
    assert not {m for m in modules if m.startswith("tui.commands.")}


def test_a_commands_help_imports_that_command_only():
    modules = _imported(
        "from tui.cli import main\ntry:\n    main(['today', '--help'])\nexcept SystemExit:\n    pass\n"
    )
    assert "tui.commands.today" in modules
    assert not {m for m in modules if m.startswith("tui.commands.")} - {"tui.commands", "tui.commands.today", "tui.commands.output"}
    assert not _top(modules) & {"textual", "alembic"}


@pytest.fixture
def current_database(tmp_path) -> str:
    """A database at the current schema with one rep, made in another process."""
    path = tmp_path / "legwork.db"
    subprocess.run(
        [sys.executable, "-c", "import sys\nfrom store.db import open_database\nfrom store import reps\n"
         "db = open_database(sys.argv[1])\nwith db.session() as s:\n    reps.create_rep(s, 'ana', 'Ana Alves')\n",
         str(path)],
        check=True, timeout=120, cwd=ROOT,
    )
    return str(path)


def test_the_first_board_imports_no_migration_tool_command_or_other_screen(current_database):
    code = (
        "import asyncio, sys\n"
        "from store.db import open_database\n"
        "from tui.app import LegworkApp\n"
        "LegworkApp.PREPARE_AFTER = None  # what the board needs, not what is prepared after it\n"
        "async def first_board():\n"
        "    app = LegworkApp(open_database(sys.argv[1]), 'ana')\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        await app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        assert type(app.screen).__name__ == 'BoardScreen', app.screen\n"
        "asyncio.run(first_board())\n"
    )
    modules = _imported(code, current_database)
    assert "tui.screens.board" in modules
    assert "alembic" not in _top(modules)
    # A SQLite database: nothing of PostgreSQL's (the models name no dialect but SQLite's).
    assert not {m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")}
    assert "psycopg" not in _top(modules)
    assert not {m for m in modules if m.startswith("tui.commands")}
    unneeded = {"store.importer", "store.exporter", "store.demo", "icalendar", "tui.screens.today",
                "tui.screens.numbers", "tui.screens.standup", "tui.screens.deal"}
    assert not unneeded & modules


def test_the_other_modes_are_imported_once_the_first_board_is_idle(current_database):
    # Started only after the board's data is shown: at that moment none is imported yet.
    code = (
        "import asyncio, sys\n"
        "from store.db import open_database\n"
        "from tui.app import LegworkApp\n"
        "SCREENS = ('tui.screens.today', 'tui.screens.numbers', 'tui.screens.standup', 'tui.screens.people',\n"
        "           'tui.screens.team', 'tui.screens.deal')\n"
        "async def first_board():\n"
        "    app = LegworkApp(open_database(sys.argv[1]), 'ana')\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        while getattr(app.screen, 'data', None) is None:\n"
        "            await asyncio.sleep(0.001)\n"
        "        assert not [m for m in SCREENS if m in sys.modules], 'imported before the board was shown'\n"
        "        for _ in range(3000):\n"
        "            await pilot.pause(0.01)\n"
        "            if all(m in sys.modules for m in SCREENS) and all(w.is_finished for w in app.workers):\n"
        "                break\n"
        "        await pilot.press('3')\n"
        "        await app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        assert type(app.screen).__name__ == 'TodayScreen', app.screen\n"
        "asyncio.run(first_board())\n"
    )
    modules = _imported(code, current_database)
    assert {"tui.screens.today", "tui.screens.numbers", "tui.screens.standup", "tui.screens.people",
            "tui.screens.team", "tui.screens.deal"} <= modules
    assert "alembic" not in _top(modules)
