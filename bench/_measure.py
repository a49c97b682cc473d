"""The in-process measurements for one data set; run by bench.run in a process of its own.

    python -m bench._measure DB_PATH SIDECAR_JSON REPEAT [--profile DIR]

Prints one JSON object (the last line of stdout). DB_PATH is a scratch copy: the
stage moves write to it.

Each figure is timed with ``time.perf_counter`` around exactly what the app does:

* ``stage move (store)``: what ``DealActions._run_deal_write`` does (the change
  token, ``deals.move_deal``, the change token, each in a fresh session; the
  ``get_deal`` before the move stands in for the stage the card showed), then a
  fresh session running what ``BoardScreen._after_write`` reads with the moved
  deal as focus: ``board.after_move`` (the columns and the summary line from the
  ones shown before the move) and ``board.load_board`` with those totals and
  cards for just the two columns involved (their first page and the focused
  deal's page). Moves alternate forward / back. ``board_reload_*`` time the full
  ``_load`` (``board.load_board``).
* ``stage move (key press)``: LegworkApp under ``App.run_test`` (headless: the
  compositor renders, nothing is written to a terminal); from the key event
  ``L`` (or ``H``) sent as ``pilot.press`` sends it (but without its wait for
  idle, which sleeps up to a second) until the board has shown the reloaded data and the frame after
  it has been rendered.
* ``timeline``: ``deal_timeline`` of the data set's 500-entry deal; and the whole of
  what the deal screen reads (``store.deal_page.deal_page``: the deal, its timeline,
  lost reasons, currency and contacts); and, under ``run_test``, opening it as enter
  on its card does (``open_deal``: the page is read, then the screen shown) until its
  timeline is shown and rendered: the median of the reopenings, and the first open
  (which installs the screen) as ``first``.
* ``today queue``: ``store.today.today_queue`` for the demo rep and for the rep
  with the most open tasks, if ``store.today`` imports.
* ``search``: ``store.search.search`` as the command palette calls it, for the
  queries of bench.search_probe (an account typed a letter at a time, common
  words, junk); the worst query's median.
* ``team numbers``: what the Numbers screen reads for the team's quarter: the
  table with the previous quarter and the sparklines, and the panel beside it
  (see ``_numbers``).

Every store figure is the median of REPEAT runs after one warm-up run (whose time is
reported as ``first``); a fresh ``Session`` is used per run, as the app's workers do.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import statistics
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import board, changes, deals, settings
from store.board import BoardFilter
from store.db import open_database
from store.models import OPPORTUNITY
from store.reps import find_rep

PAGE_SIZE = 40  # tui.widgets.stage_column.PAGE_SIZE, read below when tui imports
REP = "alex"  # the demo rep: a rep's own board
MANAGER = "morgan"  # the demo manager: the whole team's board


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def summary(samples: list[float], first: float | None = None, cpu: list[float] | None = None) -> dict:
    out = {"median_ms": ms(statistics.median(samples)), "min_ms": ms(min(samples)), "max_ms": ms(max(samples)),
           "n": len(samples)}
    if first is not None:
        out["first_ms"] = ms(first)
    if cpu:
        # CPU time of this thread (SQLite runs in it): what a busy machine inflates least.
        out["cpu_median_ms"] = ms(statistics.median(cpu))
    return out


def timed(database, fn, repeat: int) -> dict:
    """fn(session) on a fresh session: one warm-up run, then ``repeat`` timed ones."""
    samples, cpu = [], []
    first = None
    for i in range(repeat + 1):
        start, start_cpu = time.perf_counter(), time.thread_time()
        with database.session() as session:
            fn(session)
        took, took_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        if i == 0:
            first = took
        else:
            samples.append(took)
            cpu.append(took_cpu)
    return summary(samples, first, cpu)


def board_reload(session, pipeline: str, flt: BoardFilter, focus_deal: int | None,
                 touched: dict[int, set[int]] | None = None, tz: str | None = None, shown=None, since: int = 0):
    """What tui.screens.board.BoardScreen._load reads (``board.load_board``); with
    ``touched`` (the pages to read, by stage id, of the column a move left: the
    page the card was on), the ``tz`` the board already knows and
    ``shown`` (the board's read before the move, whose newest event id was
    ``since``), what ``_after_write`` reads: the totals from the move, the cards
    of just the two columns. Returns the read."""
    if touched is None:
        return board.load_board(session, pipeline, flt, page_size=PAGE_SIZE, focus_deal=focus_deal)
    from store import clock

    today = clock.today_in(tz)
    totals = None
    if shown is not None and shown.today == today:
        totals = board.after_move(session, shown.columns, shown.summary, focus_deal, since_event=since, today=today)
    return board.load_board(session, pipeline, flt, page_size=PAGE_SIZE, focus_deal=focus_deal, tz=tz,
                            currency=shown.currency if shown is not None else None, token=False,
                            cards_for=touched, totals=totals)


def first_stage_deal(session, owner_id: int, not_this: int) -> tuple[int, int]:
    """(id, version) of an open opportunity of ``owner_id`` in the first open stage
    (not the long-timeline deal: its timeline must stay at 500 entries)."""
    columns = board.board_columns(session, OPPORTUNITY, BoardFilter(owner_id=owner_id))
    cards = board.column_cards(session, columns[0].stage_id, BoardFilter(owner_id=owner_id), limit=5)
    card = [c for c in cards if c.id != not_this][-1]
    return card.id, card.version


def stage_moves(database, repeat: int, rep, flt: BoardFilter, deal_id: int) -> dict:
    store_s, reload_s, total_s, cpu_s = [], [], [], []
    with database.session() as session:
        version = deals.get_deal(session, deal_id).version
        tz = settings.team_timezone(session)  # the board has it from its first load
        shown = board_reload(session, OPPORTUNITY, flt, deal_id)  # what the board shows before the first move
    for i in range(repeat + 1):
        step = 1 if i % 2 == 0 else -1
        start, start_cpu = time.perf_counter(), time.thread_time()
        # tui.deal_actions: the change token before and after the write, each in a session of its own.
        with database.session() as session:
            token = changes.change_token(session)
        with database.session() as session:
            before = deals.get_deal(session, deal_id).stage_id
            moved = deals.move_deal(session, deal_id, step, version=version, by=rep.id)
        with database.session() as session:
            changes.change_token(session)
        mid = time.perf_counter()
        with database.session() as session:
            # The page the card was on in the column it left, as the board reads it (BoardScreen._pages_around).
            at = shown.focus[1] if shown.focus and shown.focus[0] == before else 0
            shown = board_reload(session, OPPORTUNITY, flt, deal_id, touched={before: {at // PAGE_SIZE,
                                 max(at - 1, 0) // PAGE_SIZE}}, tz=tz, shown=shown, since=token[0][0] or 0)
        end, end_cpu = time.perf_counter(), time.thread_time()
        version = moved.version
        if i == 0:
            continue  # warm-up
        store_s.append(mid - start)
        reload_s.append(end - mid)
        total_s.append(end - start)
        cpu_s.append(end_cpu - start_cpu)
    if (repeat + 1) % 2 == 1:  # an odd number of moves: leave the deal where it was
        with database.session() as session:
            deals.move_deal(session, deal_id, -1, version=version, by=rep.id)
    return {"total": summary(total_s, cpu=cpu_s), "store_call": summary(store_s), "reload": summary(reload_s)}


def _numbers(database, repeat: int) -> dict:
    """What the Numbers screen (tui/screens/numbers.py) reads for the team's quarter.

    ``table``: ``_load_table`` — the change token, the period, ``team_numbers``
    with the previous quarter and ``add_sparklines`` (twelve quarters).
    ``panel``: ``_load_scope`` for the team row — ``activity_pipeline`` and
    ``forecast``, shown beside the table a moment later.
    """
    from store import activity_pipeline, forecast, numbers

    def table(session):
        changes.change_token(session)
        period = numbers.team_period(session, "quarter")
        numbers.add_sparklines(session, numbers.team_numbers(session, period, spark=0))

    def panel(session):
        period = numbers.team_period(session, "quarter")
        activity_pipeline.activity_pipeline(session, period)
        forecast.forecast(session, period)

    return {"table": timed(database, table, repeat), "panel": timed(database, panel, repeat)}


def _today(database, repeat: int, rep) -> dict:
    try:
        today = importlib.import_module("store.today")
    except Exception as exc:  # noqa: BLE001
        return {"status": "not built yet" if isinstance(exc, ModuleNotFoundError) else f"import fails: {exc!r}"}
    if not hasattr(today, "today_queue"):
        return {"status": "store.today has no today_queue"}
    from sqlalchemy import text

    with database.session() as session:
        busiest_id, = session.execute(text(
            "SELECT owner_id FROM task WHERE done_at IS NULL GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1"
        )).one()
        from store.reps import get_rep

        busiest = get_rep(session, busiest_id)
        queue = today.today_queue(session, rep)
        size = len(queue.tasks)
        busy_size = len(today.today_queue(session, busiest).tasks)
    out = {"status": "store.today.today_queue", "rep": timed(database, lambda s: today.today_queue(s, rep), repeat),
           "busiest": timed(database, lambda s: today.today_queue(s, busiest), repeat),
           "rep_tasks": size, "busiest_tasks": busy_size, "busiest_handle": busiest.handle}
    return out


# --- Pilot ---------------------------------------------------------------------------------


async def _after_refresh(app) -> None:
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def _wait_for(predicate, timeout: float = 30.0, arrived: asyncio.Event | None = None) -> None:
    """Until ``predicate()`` holds. With ``arrived`` (set by the run's message hook
    when a screen's data message is dispatched) it sleeps until then, checking
    only every 5 ms otherwise: a busy poll would take the GIL from the worker
    thread being timed, every half millisecond, and slow it down."""
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the screen did not get there in time")
        if arrived is None:
            await asyncio.sleep(0.0005)
            continue
        arrived.clear()
        try:
            await asyncio.wait_for(arrived.wait(), 0.005)
        except TimeoutError:
            continue
        await asyncio.sleep(0)  # the message's handler runs first


async def _pilot(database, handle: str, presses: int, timeline_deal: int, *, moves: bool = True,
                 opens: int = 6) -> dict:
    """Key presses and screen opens under App.run_test; see the module docstring.

    Before each timed step the app is left idle for 50 ms with no notification on
    screen (a rep does not press L twenty times a second), so each step is timed
    from an idle app. Each sample is split in two: until the new data is on the
    screen object (key handling, the write, the reload queries in the worker, the
    message back, dispatched), and from there until the first frame rendered with
    the change on screen (the card in its new column with the cursor on it; the
    deal's timeline). Not the frames after it, such as the confirmation toast the
    board shows once the card is drawn.
    """
    from textual import events

    from tui.app import LegworkApp
    from tui.screens.board import BoardScreen
    from tui.screens.deal import DealScreen, open_deal

    app = LegworkApp(database, handle)
    out: dict = {}
    arrived = asyncio.Event()
    loaded_at: list[float] = []  # when each data message was dispatched (its handler runs right after)
    drawn_at: list[float] = []  # frames rendered while ``showing()`` held
    showing = [lambda: False]

    def hook(message) -> None:  # called on the app's loop as each message is dispatched
        if isinstance(message, (BoardScreen.Loaded, DealScreen.Loaded)):
            loaded_at.append(time.perf_counter())
            arrived.set()

    display = app._display  # each frame passes here (headless: rendered, not written)

    def displayed(screen, renderable) -> None:
        display(screen, renderable)
        # The frame was composed just now, on this loop: from the state checked here.
        if renderable is not None and showing[0]():
            drawn_at.append(time.perf_counter())

    app._display = displayed

    async def timed_until(done) -> tuple[float, float]:
        """From now until the first frame rendered with ``done()`` true: (when the
        data message arrived, when that frame was rendered)."""
        loaded_at.clear()
        drawn_at.clear()
        showing[0] = done
        try:
            await _wait_for(lambda: bool(drawn_at), timeout=10, arrived=arrived)
        finally:
            showing[0] = lambda: False
        return (loaded_at[0] if loaded_at else drawn_at[0]), drawn_at[0]

    async with app.run_test(size=(160, 50), message_hook=hook):
        await _wait_for(lambda: isinstance(app.screen, BoardScreen) and app.screen.data is not None)
        await _after_refresh(app)
        screen = app.screen

        def send(key: str) -> None:
            # What pilot.press does, without its wait-for-idle (up to a second of sleeping).
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)

        async def idle() -> None:
            app.clear_notifications()
            await asyncio.sleep(0.05)
            await _wait_for(lambda: not any(w.is_running for w in app.workers))

        if moves:
            if screen.selected_card() is not None and screen.selected_card().id == timeline_deal:
                send("j")  # keep the 500-entry deal where it is
                await _wait_for(lambda: screen.selected_card().id != timeline_deal)
            total, data_part, draw_part = [], [], []
            first_card = screen.selected_card()
            missed = 0
            for i in range(presses + 1):
                await idle()
                old = screen.data
                card = screen.selected_card()
                key = "L" if i % 2 == 0 else "H"
                start = time.perf_counter()
                send(key)
                try:
                    shown, end = await timed_until(
                        lambda old=old, card=card: screen.data is not old
                        and screen.data.focus is not None and screen.selected_card() is not None
                        and screen.selected_card().id == card.id
                    )
                except TimeoutError:
                    missed += 1  # counted, not timed
                    continue
                if i:  # the first is a warm-up
                    total.append(end - start)
                    data_part.append(shown - start)
                    draw_part.append(end - shown)
            if presses % 2 == 0:  # an odd number of presses in all: move it back
                await idle()
                send("H")
                await asyncio.sleep(0.2)
                await idle()
            out["stage_move_keypress"] = summary(total)
            out["stage_move_keypress"]["to_data_ms"] = ms(statistics.median(data_part))
            out["stage_move_keypress"]["to_frame_ms"] = ms(statistics.median(draw_part))
            out["stage_move_keypress"]["timed_out"] = missed
            out["moved_deal"] = first_card.id if first_card else None
        if opens:
            # Open the 500-entry deal, as enter on its card does (tui.screens.deal.open_deal:
            # the first open installs the deal screen, later ones reuse it). open_deal reads
            # the page before it shows the screen: "data" is when the page reaches the screen.
            show_page = DealScreen.show_page

            def page_arrived(self, page) -> None:
                loaded_at.append(time.perf_counter())
                arrived.set()
                show_page(self, page)

            DealScreen.show_page = page_arrived
            total, data_part, draw_part = [], [], []
            first_open = None
            try:
                for i in range(opens):
                    await idle()
                    start = time.perf_counter()
                    open_deal(app, timeline_deal, pipeline=OPPORTUNITY)
                    shown, end = await timed_until(
                        lambda: isinstance(app.screen, DealScreen) and app.screen.data is not None)
                    deal_screen = app.screen
                    app.pop_screen()
                    await _wait_for(lambda: app.screen is screen)
                    if i:
                        total.append(end - start)
                        data_part.append(shown - start)
                        draw_part.append(end - shown)
                    else:
                        first_open = end - start
            finally:
                DealScreen.show_page = show_page
            out["timeline_open_screen"] = summary(total, first=first_open)
            out["timeline_open_screen"]["to_data_ms"] = ms(statistics.median(data_part))
            out["timeline_open_screen"]["to_frame_ms"] = ms(statistics.median(draw_part))
            out["timeline_entries"] = len(deal_screen.data.entries)
        app.exit()
    return out


def main(argv: list[str]) -> None:
    global PAGE_SIZE
    db_path, sidecar, repeat = argv[0], argv[1], int(argv[2])
    info = json.loads(Path(sidecar).read_text())
    try:
        from tui.widgets.stage_column import PAGE_SIZE as page

        PAGE_SIZE = page
    except Exception:  # noqa: BLE001, S110 - the tui's page size if it imports, else ours
        pass
    database = open_database(f"sqlite:///{db_path}")
    result: dict = {}
    with database.session() as session:
        rep = find_rep(session, REP)
        manager = find_rep(session, MANAGER)
        deal_id, _version = first_stage_deal(session, rep.id, info["timeline_deal"])
    result["stage_move_rep"] = stage_moves(database, repeat, rep, BoardFilter(owner_id=rep.id), deal_id)
    result["stage_move_team"] = stage_moves(database, repeat, manager, BoardFilter(owner_id=None), deal_id)
    result["board_reload_rep"] = timed(database, lambda s: board_reload(s, OPPORTUNITY, BoardFilter(owner_id=rep.id),
                                                                        None), repeat)
    result["board_reload_team"] = timed(database, lambda s: board_reload(s, OPPORTUNITY, BoardFilter(), None), repeat)

    from store.deal_page import deal_page
    from store.timeline import deal_timeline

    tl = info["timeline_deal"]

    def deal_screen_load(session):
        deal_page(session, tl, tz=rep.timezone)

    with database.session() as session:
        entries = len(deal_timeline(session, tl))
    result["timeline"] = timed(database, lambda s: deal_timeline(s, tl), repeat)
    result["timeline"]["entries"] = entries
    result["timeline_load"] = timed(database, deal_screen_load, repeat)
    result["today"] = _today(database, repeat, rep)
    result["numbers"] = _numbers(database, max(5, repeat // 4))
    try:  # the palette's search: every kind, as a rep types (bench.search_probe has the queries)
        from bench.search_probe import measure as search_figures

        result["search"] = search_figures(database, max(5, repeat // 2))
    except Exception as exc:  # noqa: BLE001
        result["search"] = {"status": f"failed: {exc!r}"}
    try:
        result["pilot"] = asyncio.run(_pilot(database, REP, max(6, repeat // 3), tl))
    except Exception as exc:  # noqa: BLE001
        result["pilot"] = {"status": f"failed: {exc!r}", "trace": traceback.format_exc()[-1500:]}
    try:  # the manager's team board: the biggest columns
        result["pilot_team"] = asyncio.run(_pilot(database, MANAGER, max(6, repeat // 3), tl, opens=0))
    except Exception as exc:  # noqa: BLE001
        result["pilot_team"] = {"status": f"failed: {exc!r}", "trace": traceback.format_exc()[-1500:]}
    database.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
