"""Deal figures a manager expects: win rate, losses, average deal size, sales cycle.

For a period ``[starts_at, counts_until)`` (periods.py; a period under way is
compared like for like, as the activity numbers are), over **opportunities closed
in the period** (``closed_at`` in it), credited to the deal's current owner:

* **won** / **lost** — how many closed in a won / a lost stage, and their value.
  A lead disqualified is neither: it never was an opportunity.
* **win rate** — won ÷ (won + lost), counting deals (not money); None when none closed.
* **average won deal** — won value ÷ deals won (minor units, exact).
* **average sales cycle** — days from ``created_at`` to ``closed_at`` (whole seconds
  ÷ 86,400), averaged over the deals won in the period whose created date is known
  (and not after the close).

Ratios are exact ``Fraction``s: money and time stay integers in SQL (values in
minor units, durations in whole seconds) and are divided only here; the screen
and the command round them for display.

Rows group by the deal owner (``rep``), the owner's team (``team``) or the deal's
``territory``; ``team`` / ``territory`` narrow every row and the total to one team's
reps or one territory's deals. One aggregate query (GROUP BY group, period) reads
both periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import BigInteger, and_, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, func, select

from store import numbers
from store.period_counts import in_periods, period_index
from store.settings import team_timezone
from store.errors import InvalidInput, NotFound
from store.models import LOST, OPPORTUNITY, WON, Deal, Rep, Stage, Team
from store.money import DEFAULT_CURRENCY, capped, database_currency, format_money
from store.periods import PERIOD_KINDS, Period, like_for_like, named_period

BY_REP, BY_TEAM, BY_TERRITORY = "rep", "team", "territory"
GROUPINGS = (BY_REP, BY_TEAM, BY_TERRITORY)
NO_TEAM, NO_TERRITORY = "No team", "No territory"
SECONDS_A_DAY = 86_400


# --- periods named by the user ---------------------------------------------------------------


def period_from(session: Session, spec: str, *, offset: int = 0) -> Period:
    """The period ``spec`` says, in the team's timezone: ``week`` / ``month`` /
    ``quarter`` (the current one, ``offset`` back), or one named by date (``2017-Q4``,
    ``2017-03``, ``2017-W05``), ``offset`` periods from it. A period that has not
    begun is refused, as ``offset`` > 0 is."""
    spec = spec.strip()
    if spec.lower() in PERIOD_KINDS:
        return numbers.team_period(session, spec.lower(), offset=offset)
    try:
        period = named_period(spec, team_timezone(session))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        period = period.shifted(offset) if offset else period
    except (ValueError, OverflowError):
        raise InvalidInput(f"{period.label} {offset:+d} is outside the calendar") from None
    if period.is_future():
        raise InvalidInput(f"no numbers for {period.label}: it has not begun")
    return period


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DealFigures:
    """What closed in one period for one group. Money in minor units."""

    won_count: int = 0
    won_value: int = 0
    lost_count: int = 0
    lost_value: int = 0
    cycle_seconds: int = 0  # created → won, summed over the deals won with a known created date
    cycle_deals: int = 0  # those deals

    @property
    def closed_count(self) -> int:
        return self.won_count + self.lost_count

    @property
    def win_rate(self) -> Fraction | None:
        """Deals won ÷ deals closed (won or lost); None when none closed."""
        return Fraction(self.won_count, self.closed_count) if self.closed_count else None

    @property
    def average_won(self) -> Fraction | None:
        """Won value ÷ deals won, in minor units; None when none were won."""
        return Fraction(self.won_value, self.won_count) if self.won_count else None

    @property
    def average_cycle_days(self) -> Fraction | None:
        """Mean days from created to won; None when no won deal had a known created date."""
        return Fraction(self.cycle_seconds, self.cycle_deals * SECONDS_A_DAY) if self.cycle_deals else None


@dataclass(frozen=True)
class DealRow:
    """One row: a rep, a team or a territory (``key`` None: the total of all rows)."""

    key: str | None  # rep id or team id as text, the territory itself; "" for no team / no territory
    name: str
    now: DealFigures
    before: DealFigures
    handle: str | None = None  # a rep's row: their handle

    @property
    def is_total(self) -> bool:
        return self.key is None


@dataclass(frozen=True)
class DealNumbers:
    period: Period
    previous: Period
    by: str
    total: DealRow
    rows: tuple[DealRow, ...]  # by name; "No team" / "No territory" last
    team: str | None = None  # the team the figures are narrowed to
    territory: str | None = None
    currency: str = DEFAULT_CURRENCY

    def row(self, key: str | None) -> DealRow | None:
        if key is None:
            return self.total
        return next((r for r in self.rows if r.key == key), None)


# --- SQL -------------------------------------------------------------------------------------


class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a stored moment, on either backend (an integer:
    durations stay exact, and are summed in SQL)."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
def _epoch_sqlite(element, compiler, **kw):  # SQLite keeps moments as UTC text
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


def _created_known():
    """Deals whose created date is real: an import without one leaves it unknown
    (store.import_meaning), and such a deal has no sales cycle to count."""
    return Deal.created_known == True  # noqa: E712  (SQL, not Python)


def find_team(session: Session, name: str) -> Team:
    """The team called ``name`` (case aside); NotFound naming the teams there are."""
    teams = list(session.exec(select(Team)))
    wanted = name.strip().casefold()
    for team in teams:
        if team.name.casefold() == wanted:
            return team
    known = ", ".join(sorted(t.name for t in teams)) or "none yet"
    raise NotFound(f"no team called {name!r} (teams: {known})")


def team_rep_ids(session: Session, name: str) -> tuple[str, frozenset[int]]:
    """Team ``name``'s own name and its reps' ids: what narrows the activity table to it."""
    team = find_team(session, name)
    return team.name, frozenset(session.exec(select(Rep.id).where(Rep.team_id == team.id)))


def find_territory(session: Session, name: str) -> list[str]:
    """The stored spellings of territory ``name`` (case aside); NotFound naming those there are."""
    stored = [t for t in session.exec(select(Deal.territory).where(Deal.territory.is_not(None)).distinct()) if t]
    wanted = name.strip().casefold()
    found = [t for t in stored if t.strip().casefold() == wanted]
    if not found:
        known = ", ".join(sorted(set(stored), key=str.casefold)[:12]) or "none yet"
        raise NotFound(f"no deals in territory {name!r} (territories: {known})")
    return found


def deal_numbers(
    session: Session, period: Period, *, by: str = BY_REP, team: str | None = None, territory: str | None = None
) -> DealNumbers:
    """Won, lost, win rate, average won deal and sales cycle per ``by`` group, and
    for all of them, in ``period`` against the one before (like for like).

    Rows: with ``by`` rep, every active rep with the ``rep`` role (of ``team``, when
    named) and anyone else with a deal closed in either period; with ``by`` team,
    every team (or the one named) and "No team" when its reps closed deals; with
    ``by`` territory, the territories with deals closed in either period.
    """
    if by not in GROUPINGS:
        raise InvalidInput(f"group by {', '.join(GROUPINGS)}, not {by!r}")
    period, previous = like_for_like(period)
    the_team = find_team(session, team) if team else None
    territories = find_territory(session, territory) if territory else None

    bucket = period_index(Deal.closed_at, [previous, period]).label("bucket")
    won = Stage.kind == WON
    lost = Stage.kind == LOST
    # A created date after the close is a bad import, not a negative cycle: left out.
    won_known = and_(won, _created_known(), Deal.created_at <= Deal.closed_at)
    group = {BY_REP: Deal.owner_id, BY_TEAM: Rep.team_id, BY_TERRITORY: Deal.territory}[by].label("grp")
    query = (
        select(
            group,
            bucket,
            func.sum(case((won, 1), else_=0)),
            func.sum(case((won, capped(Deal.value)), else_=0)),
            func.sum(case((lost, 1), else_=0)),
            func.sum(case((lost, capped(Deal.value)), else_=0)),
            func.sum(case((won_known, epoch_seconds(Deal.closed_at) - epoch_seconds(Deal.created_at)), else_=0)),
            func.sum(case((won_known, 1), else_=0)),
        )
        .select_from(Deal)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(
            in_periods(Deal.closed_at, [previous, period]),
            Stage.pipeline == OPPORTUNITY,
            Stage.kind.in_((WON, LOST)),
        )
        .group_by(group, bucket)
    )
    if by == BY_TEAM or the_team is not None:
        query = query.join(Rep, Rep.id == Deal.owner_id)
    if the_team is not None:
        query = query.where(Rep.team_id == the_team.id)
    if territories is not None:
        query = query.where(Deal.territory.in_(territories))

    figures: dict[tuple[object, int], DealFigures] = {}
    for key, index, *sums in session.exec(query):
        if index is None:  # between a partial previous period and this one
            continue
        if by == BY_TERRITORY:
            key = (key or "").strip() or None
            if territories is not None:
                key = territories[0]  # one territory, however it was spelled
        figures[(key, index)] = _add(figures.get((key, index)), DealFigures(*(int(s or 0) for s in sums)))

    rows = _rows(session, by, figures, the_team)
    total_now = _sum(r.now for r in rows)
    total_before = _sum(r.before for r in rows)
    total_name = " · ".join(n for n in (the_team.name if the_team else None, territory and territories[0]) if n)
    total = DealRow(None, total_name or "Everyone", total_now, total_before)
    return DealNumbers(period, previous, by, total, tuple(rows), the_team.name if the_team else None,
                       territories[0] if territories else None, database_currency(session))


def _add(a: DealFigures | None, b: DealFigures) -> DealFigures:
    if a is None:
        return b
    return DealFigures(*(x + y for x, y in zip(_fields(a), _fields(b))))


def _fields(f: DealFigures) -> tuple[int, ...]:
    return (f.won_count, f.won_value, f.lost_count, f.lost_value, f.cycle_seconds, f.cycle_deals)


def _sum(items) -> DealFigures:
    total = DealFigures()
    for item in items:
        total = _add(total, item)
    return total


def _rows(session: Session, by: str, figures: dict, the_team: Team | None) -> list[DealRow]:
    busy = {key for key, _index in figures}

    def row(key, name: str, handle: str | None = None) -> DealRow:
        return DealRow("" if key is None else str(key), name, figures.get((key, 1), DealFigures()),
                       figures.get((key, 0), DealFigures()), handle)

    rows: list[DealRow] = []
    if by == BY_REP:
        reps = session.exec(select(Rep).where(Rep.team_id == the_team.id) if the_team else select(Rep))
        rows = [row(r.id, r.name, r.handle) for r in reps if (r.active and r.role == "rep") or r.id in busy]
    elif by == BY_TEAM:
        teams = [the_team] if the_team else list(session.exec(select(Team)))
        rows = [row(t.id, t.name) for t in teams]
        if None in busy:
            rows.append(row(None, NO_TEAM))
    else:
        rows = [row(key, key) for key in busy if key is not None]
        if None in busy:
            rows.append(row(None, NO_TERRITORY))
    # By name; the rows for "no team" / "no territory" (key "") last.
    rows.sort(key=lambda r: (r.key == "", r.name.casefold(), r.name, r.key))
    return rows


# --- how each figure reads -------------------------------------------------------------------
#
# The screen and ``legwork numbers`` show the same columns, rounded only here.

COUNT, MONEY, RATE, DAYS = "count", "money", "rate", "days"


@dataclass(frozen=True)
class DealColumn:
    key: str  # a DealFigures attribute
    label: str
    short: str
    kind: str  # COUNT, MONEY, RATE or DAYS


DEAL_COLUMNS: tuple[DealColumn, ...] = (
    DealColumn("win_rate", "Win rate (won ÷ won + lost, by count)", "Win%", RATE),
    DealColumn("won_count", "Deals won", "Won#", COUNT),
    DealColumn("lost_count", "Deals lost", "Lost#", COUNT),
    DealColumn("average_won", "Average won deal", "Avg won", MONEY),
    DealColumn("average_cycle_days", "Average days from created to won", "Cycle", DAYS),
    DealColumn("won_value", "Won value", "Won", MONEY),
    DealColumn("lost_value", "Lost value", "Lost", MONEY),
)  # the rates and averages first: they fit 80 columns beside the names


def rounded(value: Fraction | int, places: int = 0) -> Decimal:
    """``value`` to ``places`` decimals, halves away from zero: exact until here."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure_text(value: Fraction | int | None, kind: str, currency: str = DEFAULT_CURRENCY) -> str:
    """``67%`` · ``12`` · ``$12.5k`` · ``14.9d``; ``—`` when there is nothing to divide."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{rounded(value * 100)}%"
    if kind == DAYS:
        return f"{rounded(value, 1)}d"
    if kind == MONEY:
        return format_money(int(rounded(value)), currency, short=True)
    return f"{value:,}"


def change_text(value: Fraction | int | None, previous: Fraction | int | None, kind: str) -> str:
    """Against the previous period: ``▲ 25%`` (a rate: ``▲ 17pt``, the points it
    moved), ``= 0%``, ``new`` when only this period has a figure, ``""`` when neither."""
    if value is None or (kind != RATE and not value and not previous):
        return ""
    if previous is None or (kind != RATE and previous == 0):
        return "new"
    if value == previous:
        return "= 0pt" if kind == RATE else "= 0%"
    if kind == RATE:
        moved = rounded((value - previous) * 100)
        return f"{'▲' if value > previous else '▼'} {abs(moved)}pt"
    moved = rounded(abs(Fraction(value) - previous) * 100 / previous)
    return f"{'▲' if value > previous else '▼'} {moved}%"


def column_value(figures: DealFigures, column: DealColumn) -> Fraction | int | None:
    return getattr(figures, column.key)
