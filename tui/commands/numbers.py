"""``legwork numbers``: the numbers table on the command line, as text or JSON.

    legwork numbers [--period week|month|quarter] [--rep HANDLE] [--json]

Prints the same rows the numbers screen shows (every rep and the team, each
figure with its change against the previous period and the goal where one is
set), then the activity pipeline and the forecast for the team, or for the rep
named with ``--rep`` (then only that rep's row and the team's are printed).
"""

from __future__ import annotations

from store import forecast as forecast_store
from store import numbers
from store.errors import StoreError
from store.forecast import Forecast, PeriodForecast
from store.goals import METRICS
from store.money import format_money
from store.numbers import ActivityPipeline, Figure, RepNumbers, TeamNumbers
from store.periods import PERIOD_KINDS, WEEK, Period
from store.reps import find_rep
from store.timeline import currency as database_currency
from tui.commands.output import out_json, say, visible, write_lines


def add_arguments(parser) -> None:
    parser.add_argument("--period", choices=PERIOD_KINDS, default=WEEK, help="week (default), month or quarter")
    # dest differs from the global --rep (who is signed in): this one says whose numbers.
    parser.add_argument("--rep", dest="numbers_rep", metavar="HANDLE", help="only this rep's row (and the team's)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--offset", type=int, default=0, metavar="N", help="periods away from the current one (-1: the previous)"
    )


def run(args, database, handle: str) -> int:
    try:
        with database.session() as session:
            rep_id = None
            if args.numbers_rep:
                rep = find_rep(session, args.numbers_rep)
                if rep is None:
                    say(f"no rep with handle {args.numbers_rep!r}")
                    return 1
                rep_id = rep.id
            period = numbers.team_period(session, args.period, offset=args.offset)
            table = numbers.team_numbers(session, period)
            pipeline = numbers.activity_pipeline(session, period, owner_id=rep_id)
            outlook = forecast_store.forecast(session, period, owner_id=rep_id)
            currency = database_currency(session)
    except StoreError as exc:
        say(str(exc))
        return 1
    finally:
        database.dispose()
    rows = [table.team, *table.reps]
    if rep_id is not None:
        rows = [table.team, *(r for r in table.reps if r.rep_id == rep_id)]
    if args.json:
        out_json(as_json(table, rows, pipeline, outlook, currency))
    else:
        write_lines([as_text(table, rows, pipeline, outlook, currency, me=handle)])
    return 0


# --- JSON ----------------------------------------------------------------------------------


def _period(period: Period) -> dict:
    """``start`` to ``end``: the days counted (a period under way: to date, and the
    same stretch of the one before); ``last_day``: the period's own last day."""
    return {
        "kind": period.kind,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.counted_end.subtract(days=1).isoformat(),
        "last_day": period.last_day.isoformat(),
        "timezone": period.tz,
    }


def _figure(figure: Figure) -> dict:
    change = figure.change
    return {
        "value": figure.value,
        "previous": figure.previous,
        "change_pct": None if change is None else round(change * 100, 1),
    }


def _row(row: RepNumbers) -> dict:
    return {
        "handle": row.handle,
        "name": row.name,
        "figures": {m.key: _figure(row[m.key]) for m in METRICS},
        "goals": {key: goal.target for key, goal in row.goals.items()},
        "sparkline": list(row.sparkline),
    }


def _forecast(period: PeriodForecast) -> dict:
    return {
        "period": _period(period.period),
        "open_count": period.open_count,
        "open_value": period.open_value,
        "weighted": period.weighted,
        "won_count": period.won_count,
        "won_value": period.won_value,
        "goal": period.goal,
        "coverage": None if period.coverage is None else round(period.coverage, 3),
        "slipped_count": period.slipped_count,
        "slipped_value": period.slipped_value,
        "slipped": [
            {"deal_id": d.deal_id, "title": d.title, "owner": d.owner_name, "value": d.value, "stage": d.stage_name,
             "was": d.was.isoformat(), "now": d.now.isoformat() if d.now else None}
            for d in period.slipped
        ],
    }


def as_json(table: TeamNumbers, rows: list[RepNumbers], pipeline: ActivityPipeline, outlook: Forecast,
            currency: str) -> dict:
    """Money in minor units of ``currency``; change_pct is None when the previous period had none."""
    return {
        "period": _period(table.period),
        "previous": _period(table.previous),
        "currency": currency,
        "metrics": [{"key": m.key, "label": m.label, "money": m.money} for m in METRICS],
        "team": _row(table.team),
        "reps": [_row(r) for r in rows if not r.is_team],
        "spark_periods": [p.start.isoformat() for p in table.spark_periods],
        "activity_pipeline": [
            {
                "milestone": s.milestone,
                "leads": s.leads,
                "opportunities": s.opportunities,
                "moved_past": s.moved_past,
                "moved_past_previous": s.moved_past_previous,
                "conversion": None if s.conversion is None else round(s.conversion, 4),
                "conversion_previous": None if s.conversion_previous is None else round(s.conversion_previous, 4),
            }
            for s in pipeline.steps
        ],
        "forecast": {"this": _forecast(outlook.this), "next": _forecast(outlook.next)},
    }


# --- text ----------------------------------------------------------------------------------


def _cell(row: RepNumbers, key: str, money: bool, currency: str) -> str:
    figure = row[key]
    value = format_money(figure.value, currency, short=True) if money else f"{figure.value:,}"
    goal = row.goals.get(key)
    if goal is not None:
        value += "/" + (format_money(goal.target, currency, short=True) if money else f"{goal.target:,}")
    change = figure.change_text.replace(" ", "")
    return f"{value} {change}".rstrip()


def as_text(table: TeamNumbers, rows: list[RepNumbers], pipeline: ActivityPipeline, outlook: Forecast,
            currency: str, *, me: str | None = None) -> str:
    lines = [f"{table.period.label} ({table.period.span}, {table.period.tz}) vs {table.previous.span}", ""]
    header = ["Rep", *(m.short for m in METRICS)]
    body = []
    for row in rows:
        name = visible(row.name) if row.is_team else ("* " if row.handle == me else "") + visible(row.name)
        body.append([name, *(_cell(row, m.key, m.money, currency) for m in METRICS)])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    lines.append("")
    lines.append("Activity pipeline (open now · moved past this period · conversion this / previous period)")
    for step in pipeline.steps:
        conv = "—" if step.conversion is None else f"{round(step.conversion * 100)}%"
        prev = "—" if step.conversion_previous is None else f"{round(step.conversion_previous * 100)}%"
        lines.append(f"  {step.milestone or 'no milestone':<14}{step.open_deals:>6}{step.moved_past:>7}{conv:>7}{prev:>7}")
    lines.append("")
    for part in (outlook.this, outlook.next):
        money = lambda cents: format_money(cents, currency, short=True)  # noqa: E731
        coverage = "—" if part.coverage is None else f"{part.coverage:.2f}×"
        goal = money(part.goal) if part.goal else "—"
        lines.append(
            f"Forecast {part.period.label}: open {money(part.open_value)} ({part.open_count}) · weighted "
            f"{money(part.weighted)} · won {money(part.won_value)} ({part.won_count}) · goal {goal} · "
            f"coverage {coverage} · slipped out {part.slipped_count} ({money(part.slipped_value)})"
        )
        for deal in part.slipped[:10]:
            now = deal.now.isoformat() if deal.now else "no date"
            lines.append(f"  ↷ {visible(deal.title)} ({visible(deal.owner_name)}): {deal.was.isoformat()} → {now}")
    return "\n".join(lines)
