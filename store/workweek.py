"""A rep's working days and daily capacity: read from what a person types, said
back in words, and saved (reps change their own; managers anyone's)."""

from __future__ import annotations

import re

from sqlmodel import Session

from store import permissions, validate
from store.errors import InvalidInput
from store.reps import RepInfo, update_rep

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORD = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*$")
WORKING_DAYS_HELP = 'try "mon-fri", "mon-thu, sat" or "mon wed fri"'


def _weekday(word: str) -> int:
    match = _DAY_WORD.match(word)
    if not match:
        raise InvalidInput(f"{word!r} is not a weekday: {WORKING_DAYS_HELP}")
    return _DAY_NAMES.index(match[1]) + 1


def parse_working_days(text: str) -> tuple[int, ...]:
    """ISO weekdays from what a person typed: "mon-fri", "mon-thu, sat", "mon wed fri",
    "weekdays", "every day", or digits ("12345")."""
    raw = " ".join(text.strip().lower().replace("–", "-").split())
    if not raw:
        raise InvalidInput(f"no working days given: {WORKING_DAYS_HELP}")
    if raw in ("weekdays", "week days"):
        return (1, 2, 3, 4, 5)
    if raw in ("every day", "everyday", "daily", "all"):
        return (1, 2, 3, 4, 5, 6, 7)
    if re.fullmatch(r"[1-7]+", raw):
        return tuple(sorted({int(c) for c in raw}))
    days: set[int] = set()
    for part in re.split(r"[,\s]+", raw.replace(" - ", "-")):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _weekday(first), _weekday(last)
            day = start
            while True:  # wraps: "fri-mon" is Fri, Sat, Sun, Mon
                days.add(day)
                if day == end:
                    break
                day = day % 7 + 1
        else:
            days.add(_weekday(part))
    return tuple(sorted(days))


def describe_working_days(days: tuple[int, ...]) -> str:
    """``Mon–Fri``, ``Mon–Thu, Sat``, ``Mon, Wed, Fri``."""
    names = [name.capitalize() for name in _DAY_NAMES]
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0] - 1]}–{names[run[-1] - 1]}")
        else:
            parts.extend(names[d - 1] for d in run)
    return ", ".join(parts)


def set_workweek(session: Session, rep_id: int, *, working_days: tuple[int, ...], capacity: int, by: int) -> RepInfo:
    """Change a rep's working days and daily capacity. Reps change their own;
    a manager those of the reps they manage (``Forbidden`` otherwise, nothing written)."""
    validate.ident(by, "rep")
    validate.ident(rep_id, "rep")
    try:
        permissions.rep_row(session, by)
        if by != rep_id:
            permissions.require_manager(
                session, by, "change another rep's working days and capacity", of_rep=rep_id
            )
    except Exception:
        session.rollback()  # only read so far: end the transaction the checks began
        raise
    # update_rep writes in the transaction the checks began (the session's), and commits it.
    return update_rep(session, rep_id, capacity=capacity, working_days=tuple(working_days), by=by)
