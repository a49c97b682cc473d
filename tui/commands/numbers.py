"""``legwork numbers``: the numbers table on the command line, as text or JSON.

    legwork numbers [--period week|month|quarter|2017-Q4|2017-03|2017-W05] [--offset -N]
                    [--rep HANDLE] [--team NAME] [--territory NAME] [--by rep|team|territory] [--json]

Prints the same rows the numbers screen shows (every rep and the team, each
figure with its change against the previous period and the goal where one is
set), then the deal figures (win rate, won and lost, average won deal, sales
cycle) grouped ``--by`` rep, team or territory, then the activity pipeline and
the forecast for the team, or for the rep named with ``--rep`` (then only that
rep's row and the team's are printed). ``--team`` narrows everything to one team's
reps; ``--territory`` narrows the deal figures to one territory's deals (activity
figures belong to the rep who did the work, not to a territory).
"""

from __future__ import annotations

from store import deal_numbers, numbers
from store import forecast as forecast_store
from store.activity_pipeline import ActivityPipeline, activity_pipeline
from store.deal_numbers import DEAL_COLUMNS, GROUPINGS, DealNumbers, DealRow
from store.errors import StoreError
from store.forecast import Forecast, PeriodForecast
from store.goals import METRICS
from store.money import format_money
from store.numbers import Figure, RepNumbers, TeamNumbers
from store.periods import PERIOD_FORMS, WEEK, Period
from store.reps import find_rep
from store.timeline import currency as database_currency
from tui.commands.output import out_json, say, visible, write_lines


def add_arguments(parser) -> None:
    parser.add_argument("--period", default=WEEK, metavar="PERIOD", help=f"{PERIOD_FORMS}; default: this week")
    # dest differs from the global --rep (who is signed in): this one says whose numbers.
    parser.add_argument("--rep", dest="numbers_rep", metavar="HANDLE", help="only this rep's row (and the team's)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--offset", type=int, default=0, metavar="N", help="periods away from the current one (-1: the previous)"
    )
    parser.add_argument("--team", metavar="NAME", help="only this team's reps (and their total)")
    parser.add_argument("--territory", metavar="NAME", help="deal figures for this territory's deals only")
    parser.add_argument("--by", choices=GROUPINGS, default="rep", help="group the deal figures by rep (default), "
                        "team or territory")


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
            period = deal_numbers.period_from(session, args.period, offset=args.offset)
            team_reps = None
            if args.team:
                _name, team_reps = deal_numbers.team_rep_ids(session, args.team)
            table = numbers.team_numbers(session, period, rep_ids=team_reps)
            deals = deal_numbers.deal_numbers(session, period, by=args.by, team=args.team, territory=args.territory)
            pipeline = activity_pipeline(session, period, owner_id=rep_id)
            outlook = forecast_store.forecast(session, period, owner_id=rep_id)
            currency = database_currency(session)
    except StoreError as exc:
        say(str(exc))
        return 1
    finally:
        database.dispose()
    rows = [table.team, *table.reps]
    deal_rows = [deals.total, *deals.rows]
    if rep_id is not None:
        rows = [table.team, *(r for r in table.reps if r.rep_id == rep_id)]
        if deals.by == deal_numbers.BY_REP:
            deal_rows = [deals.total, *(r for r in deals.rows if r.key == str(rep_id))]
    if args.json:
        data = as_json(table, rows, pipeline, outlook, currency)
        data["deal_figures"] = deals_json(deals, deal_rows)
        out_json(data)
    else:
        text = as_text(table, rows, pipeline, outlook, currency, me=handle, team=deals.team)
        write_lines([text, "", deals_text(deals, deal_rows, currency)])
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
            currency: str, *, me: str | None = None, team: str | None = None) -> str:
    who = f" · team {visible(team)}" if team else ""
    lines = [f"{table.period.label} ({table.period.span}, {table.period.tz}) vs {table.previous.span}{who}", ""]
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


# --- deal figures --------------------------------------------------------------------------


def _ratio(value, places: int):
    return None if value is None else float(deal_numbers.rounded(value, places))


def _deal_figures(figures) -> dict:
    """Counts and sums exactly; the ratios rounded (win rate in percent to 0.1,
    average won in whole minor units, cycle in days to 0.01)."""
    return {
        "won_count": figures.won_count,
        "won_value": figures.won_value,
        "lost_count": figures.lost_count,
        "lost_value": figures.lost_value,
        "closed_count": figures.closed_count,
        "win_rate_pct": _ratio(None if figures.win_rate is None else figures.win_rate * 100, 1),
        "average_won": None if figures.average_won is None else int(deal_numbers.rounded(figures.average_won)),
        "average_cycle_days": _ratio(figures.average_cycle_days, 2),
        "cycle_deals": figures.cycle_deals,
    }


def deals_json(deals: DealNumbers, rows: list[DealRow]) -> dict:
    """The deal figures per group and in total (``key`` None), this period and the one
    before: ``key`` is the rep's or the team's id, or the territory ("" for no team /
    no territory)."""
    return {
        "by": deals.by,
        "team": deals.team,
        "territory": deals.territory,
        "win_rate_counts": "deals won ÷ (won + lost), opportunities closed in the period",
        "rows": [
            {"key": r.key, "name": r.name, "handle": r.handle, "total": r.is_total, "figures": _deal_figures(r.now),
             "previous": _deal_figures(r.before)}
            for r in rows
        ],
    }


def deals_text(deals: DealNumbers, rows: list[DealRow], currency: str) -> str:
    where = " · ".join(visible(x) for x in (deals.team, deals.territory) if x)
    lines = [
        f"Deals closed by {deals.by}{' · ' + where if where else ''} (win rate: won ÷ won + lost, by count; "
        "cycle: days from created to won)"
    ]
    header = [deals.by.title(), *(c.short for c in DEAL_COLUMNS)]
    body = []
    for row in rows:
        cells = [visible(row.name)]
        for column in DEAL_COLUMNS:
            now = deal_numbers.column_value(row.now, column)
            before = deal_numbers.column_value(row.before, column)
            change = deal_numbers.change_text(now, before, column.kind).replace(" ", "")
            cells.append(f"{deal_numbers.figure_text(now, column.kind, currency)} {change}".rstrip())
        body.append(cells)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
