"""Rollups: running totals kept beside the rows they summarise, in the same transaction.

A team's numbers for a quarter, with the quarter before and twelve quarters of
sparklines, would read a million activity rows; the activity pipeline would read
every milestone activity of every deal. Two small tables answer instead:

* ``activity_day`` — activities per (day, rep, type, milestone), the day taken
  in the timezone recorded in the setting ``activity_day_tz``. Every period the
  numbers show is a run of whole days in the team's timezone, so as long as the
  two timezones agree, a period's counts are a sum over its days.
  ``is_current`` says whether they agree; store.period_counts reads the activity
  table itself when they do not, and ``rebuild_activity_days`` re-counts in the
  team's timezone.
* ``deal_milestone`` — the moment each deal first reached each milestone. "How
  far had this deal got by moment T" is the highest milestone reached before T.

Who keeps them, in the writing transaction: ``activities.log_activity`` and
``undo`` (``activity_counted``, and ``refresh_deal_milestones`` through
``activities.refresh_deal_activity``), the importer (``activities_counted``,
``refresh_deal_milestones``); bulk writers (the demo, bench data) call
``rebuild`` once at the end, as migration 0003 did when it made the tables.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, literal_column
from sqlmodel import Session, func, select

from store import clock
from store.models import Activity, ActivityDay, DealMilestone, Setting

ROLLUP_TZ_KEY = "activity_day_tz"
_CHUNK = 500  # ids per IN (...): well under every backend's parameter limit


def rollup_timezone(session: Session) -> str | None:
    """The timezone ``activity_day`` counts days in; None before the first count."""
    return session.exec(select(Setting.value).where(Setting.key == ROLLUP_TZ_KEY)).first()


def is_current(session: Session, team_tz: str) -> bool:
    """True when ``activity_day`` counts days in ``team_tz`` (the numbers may read it)."""
    return rollup_timezone(session) == team_tz


def _counting_timezone(session: Session) -> tuple[str, bool]:
    """The rollup's timezone, and whether it had to be counted from scratch just now
    (the setting was gone, removed by hand?): then every row in the table is in it."""
    tz = rollup_timezone(session)
    if tz is not None:
        return tz, False
    rebuild_activity_days(session)
    return rollup_timezone(session), True


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _day_keys(rows: Iterable[tuple[int, str, str | None, datetime]], tz: str) -> Counter:
    zone = ZoneInfo(tz)
    counts: Counter = Counter()
    for rep_id, type_, milestone, occurred_at in rows:
        counts[(_local_day(clock.from_driver(occurred_at), zone), rep_id, type_, milestone or "")] += 1
    return counts


def _add(session: Session, counts: Counter, sign: int, *, empty: bool = False) -> None:
    """Add ``sign`` × each count to ``activity_day`` (``empty``: the table is, so plain inserts do)."""
    table = ActivityDay.__table__
    keys = [table.c.day, table.c.rep_id, table.c.type, table.c.milestone]
    rows = [
        {"day": day, "rep_id": rep_id, "type": type_, "milestone": milestone, "n": sign * n}
        for (day, rep_id, type_, milestone), n in counts.items()
        if n
    ]
    if not rows:
        return
    if empty:
        session.execute(insert(table), rows)
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:  # pragma: no cover - Legwork runs on SQLite and PostgreSQL
        raise NotImplementedError(f"no upsert for {dialect}")
    statement = upsert(table)
    statement = statement.on_conflict_do_update(index_elements=keys, set_={"n": table.c.n + statement.excluded.n})
    session.execute(statement, rows)  # one statement, many parameter sets
    if sign < 0:
        for row in rows:
            session.execute(delete(table).where(*(column == row[column.name] for column in keys), table.c.n <= 0))


def activity_counted(
    session: Session, *, rep_id: int, type: str, milestone: str | None, occurred_at: datetime, sign: int = 1
) -> None:
    """Count one activity in (``sign`` 1) or out of (``sign`` −1) ``activity_day``.

    Call it after the activity row is written, or before it is deleted.
    """
    tz, recounted = _counting_timezone(session)
    if recounted and sign > 0:
        return  # the recount saw the new row
    _add(session, _day_keys([(rep_id, type, milestone, occurred_at)], tz), sign)


def activities_counted(session: Session, activity_ids: list[int]) -> None:
    """Count freshly inserted activities (a bulk import) into ``activity_day``."""
    tz, recounted = _counting_timezone(session)
    if recounted:
        return  # the recount saw the new rows
    table = Activity.__table__
    counts: Counter = Counter()
    for start in range(0, len(activity_ids), _CHUNK):
        chunk = activity_ids[start : start + _CHUNK]
        rows = session.execute(
            select(table.c.rep_id, table.c.type, table.c.milestone, table.c.occurred_at).where(table.c.id.in_(chunk))
        )
        counts.update(_day_keys(rows, tz))
    _add(session, counts, 1)


def rebuild_activity_days(session: Session, tz: str | None = None) -> int:
    """Count every activity again, in ``tz`` (default: the team's timezone).

    Streams the activity table once; returns the number of rollup rows. The
    caller commits (a migration, a bulk writer, a change of team timezone).
    """
    if tz is None:
        from store.settings import team_timezone

        tz = team_timezone(session)
    ZoneInfo(tz)  # refuse an unknown zone before deleting anything
    session.execute(delete(ActivityDay.__table__))
    # The raw column, without the type's result processing: a million rows parse
    # several times faster in clock.from_driver.
    moment = literal_column("activity.occurred_at")
    result = session.execute(
        select(Activity.rep_id, Activity.type, Activity.milestone, moment).execution_options(yield_per=20_000)
    )
    counts: Counter = Counter()
    for rows in result.partitions():
        counts.update(_day_keys(rows, tz))
    _add(session, counts, 1, empty=True)
    setting = session.get(Setting, ROLLUP_TZ_KEY)
    if setting is None:
        session.add(Setting(key=ROLLUP_TZ_KEY, value=tz))
    else:
        setting.value = tz
        session.add(setting)
    session.flush()
    return len(counts)


# --- deal_milestone --------------------------------------------------------------------------


def _first_reached(where):
    return (
        select(Activity.deal_id, Activity.milestone, func.min(Activity.occurred_at))
        .where(Activity.milestone.is_not(None), *where)
        .group_by(Activity.deal_id, Activity.milestone)
    )


def refresh_deal_milestones(session: Session, deal_ids: list[int]) -> None:
    """Recompute when each of these deals first reached each milestone, from its activities."""
    table = DealMilestone.__table__
    columns = [table.c.deal_id, table.c.milestone, table.c.reached_at]
    for start in range(0, len(deal_ids), _CHUNK):
        chunk = deal_ids[start : start + _CHUNK]
        session.execute(delete(table).where(table.c.deal_id.in_(chunk)))
        session.execute(insert(table).from_select(columns, _first_reached([Activity.deal_id.in_(chunk)])))


def rebuild_deal_milestones(session: Session) -> None:
    table = DealMilestone.__table__
    session.execute(delete(table))
    session.execute(
        insert(table).from_select([table.c.deal_id, table.c.milestone, table.c.reached_at], _first_reached([]))
    )


def rebuild(session: Session, tz: str | None = None) -> None:
    """Both rollups from scratch (bulk writers call this once, then commit)."""
    rebuild_activity_days(session, tz)
    rebuild_deal_milestones(session)
