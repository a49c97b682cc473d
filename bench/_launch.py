"""One start-up, in a process of its own: run by bench.run inside a pseudo-terminal.

    python bench/_launch.py bare FD
    python bench/_launch.py floor FD
    python bench/_launch.py legwork FD DB_URL HANDLE

``bare``: a bare Textual app (Header + DataTable with 5 columns and 30 rows + Footer).
Ready = Textual's ``Ready`` event, which the App gets once its first frame has
been written to the terminal.

``floor``: the same bare app, having first imported the store's modules
(SQLAlchemy, SQLModel and pydantic, our mapped models) as Legwork must before it
can read a board: what those imports alone cost in time and memory.

``legwork``: ``legwork --db URL --rep HANDLE`` through its entry point
(``tui.cli.main``, what the console script runs: the command line, the config file,
``open_database`` with its migration check, ``LegworkApp``). Ready = the opportunity board's data has
arrived (``BoardScreen.data`` is set by its ``Loaded`` handler) *and* the frame
after that has been written: the board with its cards, interactive.

Either way the process writes one JSON line to file descriptor FD (a pipe to the
parent, which timestamps its arrival) and exits at once. The parent measures
wall time from just before it spawned this process, so interpreter start-up and
every import are counted.
"""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _report(fd: int, **extra) -> None:
    extra["ready_in_process_s"] = time.perf_counter() - STARTED
    os.write(fd, (json.dumps(extra) + "\n").encode())


def bare(fd: int, *, with_store: bool = False) -> int:
    if with_store:
        # The floor under any start-up of ours: the store's modules (SQLAlchemy,
        # SQLModel with pydantic, the mapped models), imported before the board can read.
        from importlib import import_module

        for module in ("store.db", "store.models"):
            import_module(module)
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    imported = time.perf_counter() - STARTED

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Deal", "Account", "Stage", "Value", "Close")
            for i in range(30):
                table.add_row(f"Deal {i}", f"Account {i}", "Qualified", f"${i * 1000:,}", "2026-12-01")

        def on_ready(self) -> None:
            _report(fd, imported_s=imported)
            self.exit()

    Bare().run()
    return 0


def legwork(fd: int, url: str, handle: str) -> int:
    """``legwork --db URL --rep HANDLE`` through its entry point (``tui.cli.main``, what
    the console script runs), with the app class swapped for one that reports when
    the board's data is on screen."""
    import gc
    from pathlib import Path

    # legwork switches the collector off before it imports the app and opens the
    # database (tui.cli.main); the app class is imported here first, so here too.
    gc.disable()

    import store.db
    import tui.app
    from tui import cli

    imported = time.perf_counter() - STARTED
    opened = [None]
    open_database = store.db.open_database

    def timed_open(*args, **kwargs):  # cli opens it by this name, imported when it is called
        database = open_database(*args, **kwargs)
        opened[0] = time.perf_counter() - STARTED
        return database

    store.db.open_database = timed_open

    class Probe(tui.app.LegworkApp):
        # CSS_PATH resolves next to the class that sets it: keep the app's own.
        CSS_PATH = str(Path(tui.app.__file__).with_name("app.tcss"))

        def on_ready(self) -> None:
            self._probe_timer = self.set_interval(0.002, self._probe)

        def _probe(self) -> None:
            from tui.screens.board import BoardScreen

            screen = self.screen
            if isinstance(screen, BoardScreen) and screen.data is not None:
                self._probe_timer.stop()
                loaded = time.perf_counter() - STARTED
                cards = sum(len(p) for pages in screen.data.pages.values() for p in pages.values())
                self.call_after_refresh(lambda: self._done(loaded, cards))

        def _done(self, loaded: float, cards: int) -> None:
            _report(fd, imported_s=imported, database_open_s=opened[0], data_shown_s=loaded, cards=cards)
            self.exit(0)

    tui.app.LegworkApp = Probe  # cli._run_tui imports it by name when it runs
    return cli.main(["--db", url, "--rep", handle])


if __name__ == "__main__":
    kind, fd = sys.argv[1], int(sys.argv[2])
    if kind in ("bare", "floor"):
        sys.exit(bare(fd, with_store=kind == "floor"))
    sys.exit(legwork(fd, sys.argv[3], sys.argv[4]))
