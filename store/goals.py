"""Goals: what a manager expects of each rep, per week, month or quarter.

A goal is standing: "25 calls a week" holds for every week until it is changed.
It is set on one of the figures the numbers table shows (``METRICS``), for one
rep and one period kind; money goals are in minor units. Only managers set
goals; everyone sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from store import clock, permissions, validate
from store.errors import InvalidInput, NotFound
from store.money import MAX_VALUE, check_amount, database_currency, format_money
from store.models import ACTIVITY_TYPES, MILESTONES, Goal, Rep
from store.periods import PERIOD_KINDS
from store.tx import write

# Goals are typed by people: anything past this is a typo. Money goals share the
# deal value's cap (store.money), which keeps every sum of them in 64 bits.
MAX_TARGET = MAX_VALUE


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # "Calls", "1st meetings (rapport)"
    short: str  # a column header: "Calls", "1st"
    money: bool = False


_TYPE_NAMES = {
    "call": ("Calls", "Calls"),
    "email": ("Emails", "Email"),
    "meeting": ("Meetings", "Mtgs"),
    "demo": ("Demos", "Demos"),
    "proposal": ("Proposals sent", "Props"),
    "other": ("Other activities", "Other"),
}
_MILESTONE_NAMES = {
    "nurture": ("Nurture touches", "Nurt"),
    "rapport": ("1st meetings (rapport)", "1st"),
    "discovery": ("2nd meetings (discovery)", "2nd"),
    "findings": ("3rd meetings (findings)", "3rd"),
    "proposal": ("Proposals presented", "Prop"),
}

ACTIVITIES = "activities"
NEW_LEADS = "new_leads"
LEADS_CONVERTED = "leads_converted"
OPPORTUNITIES_CREATED = "opportunities_created"
PIPELINE_CREATED = "pipeline_created"
WON_VALUE = "won_value"
WON_COUNT = "won_count"


def activity_metric(activity_type: str) -> str:
    return f"activity:{activity_type}"


def milestone_metric(milestone: str) -> str:
    return f"milestone:{milestone}"


# The numbers table's figures, in its column order: activity first (the leading
# indicator), then the milestones it reached, then what the deals did.
METRICS: tuple[Metric, ...] = (
    Metric(ACTIVITIES, "Activities", "Acts"),
    *(Metric(activity_metric(t), *_TYPE_NAMES.get(t, (t.title(), t[:5].title()))) for t in ACTIVITY_TYPES),
    *(Metric(milestone_metric(m), *_MILESTONE_NAMES.get(m, (m.title(), m[:4].title()))) for m in MILESTONES),
    Metric(NEW_LEADS, "New leads", "Leads"),
    Metric(LEADS_CONVERTED, "Leads converted", "Conv"),
    Metric(OPPORTUNITIES_CREATED, "Opportunities created", "Opps"),
    Metric(PIPELINE_CREATED, "Pipeline created", "Pipe", money=True),
    Metric(WON_VALUE, "Won value", "Won", money=True),
    Metric(WON_COUNT, "Deals won", "Won#"),
)
METRIC_KEYS = tuple(m.key for m in METRICS)
_BY_KEY = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise InvalidInput(f"no figure called {key!r} (known: {', '.join(METRIC_KEYS)})") from None


@dataclass(frozen=True)
class GoalProgress:
    metric: str
    target: int
    actual: int

    @property
    def fraction(self) -> float:
        """How much of the goal is done: 0.5 is half way, above 1 is past it."""
        return self.actual / self.target if self.target else 0.0

    @property
    def met(self) -> bool:
        return self.actual >= self.target


def progress_text(key: str, done: int, target: int, currency: str) -> str:
    """"12/25" for a count; for money, both in ``currency``: "€210.5k / €400k"."""
    if metric(key).money:
        return f"{format_money(done, currency, short=True)} / {format_money(target, currency, short=True)}"
    return f"{done}/{target}"


def _check_kind(period_kind: str) -> None:
    if period_kind not in PERIOD_KINDS:
        raise InvalidInput(f"period {period_kind!r} must be one of {', '.join(PERIOD_KINDS)}")


def goal_targets(session: Session, period_kind: str) -> dict[int, dict[str, int]]:
    """Every rep's goals for ``period_kind``: ``{rep_id: {metric: target}}``."""
    _check_kind(period_kind)
    targets: dict[int, dict[str, int]] = {}
    for rep_id, key, target in session.exec(
        select(Goal.rep_id, Goal.metric, Goal.target).where(Goal.period_kind == period_kind)
    ):
        if key in _BY_KEY:  # a figure a newer release knows is kept, not shown
            targets.setdefault(rep_id, {})[key] = int(target)
    return targets


def rep_goals(session: Session, rep_id: int, period_kind: str) -> dict[str, int]:
    return goal_targets(session, period_kind).get(rep_id, {})


def set_goals(
    session: Session, rep_id: int, period_kind: str, targets: dict[str, int | None], *, by: int
) -> dict[str, int]:
    """Set (or, with ``None`` or 0, clear) the given goals of one rep, in one transaction.

    Goals not named in ``targets`` stay as they are. Only a manager may set
    goals. Returns the rep's goals for ``period_kind`` afterwards.
    """
    _check_kind(period_kind)
    validate.ident(rep_id, "rep")
    validate.ident(by, "rep")
    for key, target in targets.items():
        metric(validate.text(key, "a goal's figure"))
        validate.whole(target, f"the goal for {metric(key).label.lower()}")
        if target is not None and (not isinstance(target, int) or target < 0):
            raise InvalidInput(f"the goal for {metric(key).label.lower()} must be zero or more")
        if target is not None and target > MAX_TARGET:
            what = f"the goal for {metric(key).label.lower()}"
            if metric(key).money:
                check_amount(target, database_currency(session), what=what)
            raise InvalidInput(f"{what} is too large: the most is {MAX_TARGET:,}")
    with write(session):
        if session.get(Rep, rep_id) is None:
            raise NotFound(f"no rep with id {rep_id}")
        permissions.require_manager(session, by, "set goals", of_rep=rep_id)
        existing = {
            goal.metric: goal
            for goal in session.exec(select(Goal).where(Goal.rep_id == rep_id, Goal.period_kind == period_kind))
        }
        now = clock.now()
        for key, target in targets.items():
            goal = existing.get(key)
            if not target:
                if goal is not None:
                    session.delete(goal)
                continue
            if goal is None:
                goal = Goal(rep_id=rep_id, period_kind=period_kind, metric=key, target=target,
                            updated_at=now, updated_by_id=by)
            else:
                goal.target, goal.updated_at, goal.updated_by_id = target, now, by
            session.add(goal)
        session.flush()
    return rep_goals(session, rep_id, period_kind)
