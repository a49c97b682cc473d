"""When database work fails for a reason no rule foresaw (the server went away, a lock,
a bug): one line the rep can act on, the detail in the log, and the screen still usable.

``ReportsFailedWorkers`` is mixed into every screen and widget that starts thread
workers: Textual does not bubble ``Worker.StateChanged``, so each node hears only its
own workers' ends, and a worker started with ``exit_on_error=False`` that raised would
otherwise end silently.
"""

from __future__ import annotations

import time
import traceback

from textual.worker import Worker, WorkerState

# What a worker group was doing, in the words of "Could not …".
DOING = {
    "board-load": "load the board",
    "board-page": "load more cards",
    "board-poll": "check for changes",
    "deal-load": "load the deal",
    "deal-write": "save the change",
    "standup-load": "load the stand-up",
    "standup-item": "reload the deal",
    "today-load": "load your queue",
    "today-poll": "check for changes",
    "today-write": "save the change",
    "today-plan": "plan the balance",
    "numbers-table": "load the numbers",
    "numbers-scope": "load the numbers",
    "numbers-poll": "check for changes",
    "drilldown": "load the rep's numbers",
    "milestone-board": "load the milestones",
    "form-load": "load the form",
    "form-save": "save",
    "due-hint": "check the day's load",
    "people-load": "load the list",
    "people-page": "load more rows",
    "person-load": "load the page",
    "people-write": "save the change",
    "picker-search": "search",
}

# The same line again this soon (a poll failing every few seconds) goes only to the log.
REPEAT_QUIET_SECONDS = 30.0


def reason(exc: BaseException) -> str:
    """The first line of what went wrong: the driver's own message when there is one."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def report_failure(app, exc: BaseException, doing: str) -> str:
    """Tell the rep in one line (once per burst), log the detail; returns the line."""
    line = f"Could not {doing}: {reason(exc)}"
    app.log.error(line, "".join(traceback.format_exception(exc)))
    last = getattr(app, "_last_failure", None)
    now = time.monotonic()
    if last is None or last[0] != line or now - last[1] > REPEAT_QUIET_SECONDS:
        app.notify(line, severity="error", markup=False, timeout=8)
    app._last_failure = (line, now)
    return line


class ReportsFailedWorkers:
    """Mixin for a Screen or Widget: a worker of its that raised becomes a visible,
    non-fatal message; ``worker_failed`` lets the node make itself usable again."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        report_failure(self.app, event.worker.error, DOING.get(event.worker.group, "finish that"))
        self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker) -> None:
        """After a failed worker was reported: undo any "busy" state it left behind."""
