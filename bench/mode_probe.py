"""The first open of each mode (keys 1 and 3-7) under App.run_test, in a fresh process.

    python -m bench.mode_probe DB_PATH [HANDLE]

Prints one JSON object. A fresh process because the figure is about the *first*
open: the mode's modules not imported yet (unless the app prepared them while
the first board was idle), its screen never installed, its styles never applied.

From an idle opportunity board (its data shown, then one second with nothing to
do, as a rep reads it) each mode's key is sent as ``pilot.press`` sends it, and
the time runs until the mode's screen is the active one, every worker it started
has finished (its data is on the screen), and the frame after that has been
rendered (headless: composed, not written). Each mode is opened once, in key
order, coming back to the opportunity board (``2``) and idling in between.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.db import open_database

MODES = {"1": "leads", "3": "today", "4": "numbers", "5": "standup", "6": "people", "7": "team"}
SIZE = (80, 24)
SCREENS = ("tui.screens.today", "tui.screens.numbers", "tui.screens.standup", "tui.screens.people",
           "tui.screens.team", "tui.screens.deal")


def _all_done(app) -> bool:
    return all(worker.is_finished for worker in app.workers)


async def _until(predicate, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.001)


async def _after_refresh(app) -> None:
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def _idle(app, seconds: float) -> None:
    app.clear_notifications()
    await asyncio.sleep(seconds)
    await _until(lambda: _all_done(app))


async def first_opens(database, handle: str, *, idle: float = 1.0) -> dict:
    from textual import events

    from tui.app import LegworkApp
    from tui.screens.board import BoardScreen

    app = LegworkApp(database, handle)
    out: dict = {}
    async with app.run_test(size=SIZE):
        started = time.perf_counter()
        await _until(lambda: isinstance(app.screen, BoardScreen) and app.screen.data is not None)
        await _after_refresh(app)
        out["board_shown_ms"] = round((time.perf_counter() - started) * 1000, 1)

        def send(key: str) -> None:  # pilot.press without its wait for idle (it sleeps)
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)

        board = app.screen
        cpu: dict[str, float] = {}
        for key, mode in MODES.items():
            await _idle(app, idle)
            if key == "1":  # was the app's preparation done by then (see LegworkApp.PREPARE_AFTER)?
                out["imported_before"] = [name for name in SCREENS if name in sys.modules]
            start, start_cpu = time.perf_counter(), time.process_time()
            send(key)
            await _until(lambda mode=mode: app.current_mode == mode and app.screen is not board
                         and app.screen.is_mounted and _all_done(app))
            await _after_refresh(app)
            out[mode] = round((time.perf_counter() - start) * 1000, 1)
            # The process's CPU time over the same span (every thread): what load inflates least.
            cpu[mode] = round((time.process_time() - start_cpu) * 1000, 1)
            send("2")
            await _until(lambda: app.screen is board)
        app.exit()
    out["cpu_ms"] = cpu
    out["worst_ms"] = max(out[mode] for mode in MODES.values())
    out["median_ms"] = statistics.median(out[mode] for mode in MODES.values())
    return out


def main(argv: list[str]) -> None:
    database = open_database(f"sqlite:///{argv[0]}")
    handle = argv[1] if len(argv) > 1 else "alex"
    print(json.dumps(asyncio.run(first_opens(database, handle))))
    database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
