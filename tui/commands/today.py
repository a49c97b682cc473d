"""``legwork today``: the Today queue as plain text (a shell prompt, a morning cron
mail) or JSON (scripts). One line per task, overdue first.

A queue that cannot be read once the database is open (a server that went away)
says why on stdout and exits 0: no error to cron. An unknown rep is a mistake to
fix (a typo in ``--rep``, a crontab for someone who left): one line on stderr
(the JSON error on stdout with ``--json``) and exit 1. A database that cannot be
opened at all is the ``legwork`` command's own exit 2, before this runs.
"""

from __future__ import annotations

import sys

from datetime import date

from store import clock
from store.dates import show_day
from store.reps import find_rep
from store.today import (
    COMING_UP,
    OVERDUE,
    TODAY,
    QueueTask,
    TodayQueue,
    last_activity_label,
    late_label,
    today_queue,
)
from tui.commands.output import out_json, visible, write_lines

EXIT_NO_REP = 1


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")
    # Its own dest: the top-level --rep (who you are) must survive this subparser's default.
    parser.add_argument("--rep", dest="queue_rep", metavar="HANDLE", help="whose queue (default: yours)")


def run(args, database, handle: str) -> int:
    wanted = (getattr(args, "queue_rep", None) or handle).strip().lower()
    try:
        with database.session() as session:
            rep = find_rep(session, wanted)
            queue = today_queue(session, rep) if rep is not None else None
    except Exception as exc:  # a morning cron mail says why; the status stays 0
        _say(args, wanted, f"cannot read the queue from {database.description}: {_first_line(exc)}")
        return 0
    if queue is None:
        _say(args, wanted, f"no rep “{wanted}” in {database.description}: check the handle (--rep)",
             file=sys.stdout if args.json else sys.stderr)
        return EXIT_NO_REP
    if args.json:
        out_json(as_json(queue))
    else:
        write_lines(as_lines(queue))
    return 0


def _say(args, wanted: str, message: str, file=None) -> None:
    if args.json:
        out_json({"rep": wanted, "error": message}, indent=None, stream=file)
    else:
        write_lines([f"legwork: {visible(message)}"], stream=file)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _day(day: date) -> str:
    return show_day(day)


def _sections(queue: TodayQueue):
    for task in queue.overdue:
        yield OVERDUE, task
    for task in queue.due_today:
        yield TODAY, task
    for day in queue.coming_up:
        for task in day.tasks:
            yield COMING_UP, task


def summary_line(queue: TodayQueue) -> str:
    """``Alex Kim · Wed 18 Nov: 2 overdue · 5 due today (3 done, 8 of 12) · 9 coming up``."""
    meter = queue.meter
    parts = [f"{len(queue.overdue)} overdue"]
    if not meter.working and not meter.planned:
        parts.append("a day off")
    else:
        today_part = f"{meter.to_do} due today ({meter.done} done, {meter.planned} of {meter.capacity})"
        parts.append(today_part + (" over capacity" if meter.over else ""))
    parts.append(f"{queue.coming_up_count} coming up")
    if queue.later:
        parts.append(f"{queue.later} later")
    return f"{_plain(queue.rep.name)} · {_day(queue.today)}: " + " · ".join(parts)


def _plain(text: str) -> str:
    """One line whatever the text holds, its control characters shown."""
    return visible(" ".join(text.split()))


def task_line(section: str, task: QueueTask, queue: TodayQueue) -> str:
    """``3 days late  Call Jo about the pilot · Acme fleet rollout (Acme) · Qualified · call 3 days ago``."""
    if section == OVERDUE:
        when = late_label(task.days_late)
    elif section == TODAY:
        when = "today"
    else:
        when = _day(task.due)
    deal = _plain(task.deal_title)
    account = _plain(task.account_name or "")
    if account and not deal.casefold().startswith(account.casefold()):
        deal += f" ({account})"
    last = last_activity_label(task, queue.today, queue.rep.timezone)
    return f"{when:<12} " + " · ".join([_plain(task.title), deal, _plain(task.stage_name), last])


def as_lines(queue: TodayQueue) -> list[str]:
    lines = [summary_line(queue)]
    lines.extend(task_line(section, task, queue) for section, task in _sections(queue))
    return lines


def as_json(queue: TodayQueue) -> dict:
    meter = queue.meter
    return {
        "rep": queue.rep.handle,
        "name": queue.rep.name,
        "today": queue.today.isoformat(),
        "generated_at": clock.now().isoformat(),
        "capacity": {
            "capacity": meter.capacity,
            "planned": meter.planned,
            "done": meter.done,
            "overdue": meter.overdue,
            "cleared_overdue": meter.cleared_overdue,
            "working_day": meter.working,
        },
        "week": [{"day": d.day.isoformat(), "load": d.load, "capacity": d.capacity} for d in queue.week],
        "tasks": [
            {
                "id": task.id,
                "section": section,
                "title": task.title,
                "due": task.due.isoformat(),
                "days_late": task.days_late,
                "deal_id": task.deal_id,
                "deal": task.deal_title,
                "account": task.account_name,
                "pipeline": task.pipeline,
                "stage": task.stage_name,
                "last_activity": (
                    {"type": task.last_activity_type, "at": task.last_activity_at.isoformat()}
                    if task.last_activity_at is not None
                    else None
                ),
            }
            for section, task in _sections(queue)
        ],
        "later": queue.later,
        "next_later": queue.next_later.isoformat() if queue.next_later else None,
    }
