"""The demo team behind ``legwork demo``: a sales team with two quarters of history.

Everything is generated from one ``random.Random(seed)`` and dated relative to
``today``, so the same seed and day always give the same rows, and the demo never
looks stale. Rows go in with SQLAlchemy Core ``executemany`` in batches, with ids
assigned here (in the order the rows would have been created) and PostgreSQL's
sequences moved past them afterwards, so the same code can build a scale data set.

The story of each deal is planned first as dated steps (created, stage moves,
activities, tasks, notes, close-date slips, conversion, win or loss), then given
times in the owner's working hours, then turned into rows and the deal events a
real user would have recorded, with the same ``before``/``after``/``version``
data the store writes (see deals.py, activities.py, tasks.py, notes.py).
"""

from __future__ import annotations

import bisect
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pendulum
from sqlalchemy import column, func, insert, select, text, update
from sqlalchemy import table as sql_table
from sqlmodel import Session

from store import clock, events, rollups, settings
from store.errors import InvalidInput, RuleViolation
from store.models import (
    LEAD,
    LOST,
    MILESTONES,
    OPEN,
    OPPORTUNITY,
    WON,
    Account,
    Activity,
    Contact,
    DealContact,
    Deal,
    DealEvent,
    LostReason,
    Note,
    Rep,
    Stage,
    Task,
    Team,
)
from store.money import format_money
from store.names import name_key
from store.tasks import refresh_next_due
from store.bulk import converters
from store.tx import write
from store.demo_words import (  # noqa: F401
    DEMO_TEAMS,
    WORK_END,
    WORK_START,
    MANAGER,
    TEAM,
    EXTRA_ZONES,
    REP_FIRST,
    REP_LAST,
    DOMAIN_BY_ZONE,
    PHONE_BY_ZONE,
    NA_AREAS,
    PRODUCTS,
    PRODUCT_DEALS,
    INDUSTRIES,
    COMPANY_WORDS,
    COMPANY_MIDDLE,
    CONTACT_FIRST,
    CONTACT_LAST,
    JOB_TITLES,
    MONTHS,
    LEAD_SOURCES,
    OPP_SOURCES,
    EMAIL_NURTURE,
    ATTEMPT_EMAIL,
    INBOUND_REPLY,
    CALL_NO_ANSWER,
    CALL_CONNECT,
    CALL_NURTURE,
    NURTURING_TOUCH,
    RAPPORT,
    DISCOVERY,
    FINDINGS,
    PROPOSAL,
    FOLLOW_UP_EMAIL,
    FOLLOW_UP_CALL,
    NEGOTIATION_EMAIL,
    NEGOTIATION_CALL,
    WON_TOUCH,
    LOST_TOUCH,
    DISQUALIFIED_TOUCH,
    LEAD_REASONS,
    OPP_REASONS,
    NOTE_RAPPORT,
    NOTE_DISCOVERY,
    NOTE_FINDINGS,
    NOTE_PROPOSAL,
    NOTE_WON,
    NOTE_LOST_HEAD,
    NOTE_LOST,
    TASKS_LEAD,
    TASKS_OPP,
    TASKS_BEFORE,
    TASKS_EXTRA,
    LEAD_DWELL,
    OPP_DWELL,
)

DEMO_REP = "alex"  # the handle `legwork demo` signs in as by default
BATCH = 5000
UTC = timezone.utc


@dataclass(frozen=True)
class DemoSize:
    reps: int = 6  # plus one manager
    leads: int = 140  # open + disqualified + converted ones come out of these
    opportunities: int = 220  # including won and lost
    history_days: int = 182  # two quarters of activities


@dataclass(frozen=True)
class DemoSummary:
    reps: int  # including the manager
    deals: int
    leads: int  # deals in the Leads pipeline now (open and disqualified)
    opportunities: int  # deals in the Opportunities pipeline now (converted leads included)
    won: int
    lost: int  # opportunities lost
    disqualified: int  # leads disqualified
    converted: int  # leads converted to opportunities
    activities: int
    tasks: int
    open_tasks: int
    overdue_tasks: int
    notes: int
    events: int
    overloaded_day: date | None = None  # the day DEMO_REP has more tasks than capacity
    stale: int = 0  # open deals left to rot on purpose


def is_populated(session: Session) -> bool:
    """True if the database already holds reps or deals (a demo or a real team)."""
    for table in (Deal, Rep):
        if session.execute(select(table.id).limit(1)).first() is not None:
            return True
    return False


def populate_demo(
    session: Session,
    *,
    seed: int = 7,
    today: date | None = None,
    size: DemoSize = DemoSize(),
    progress: Callable[[str, float], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with a demo team, in one transaction.

    ``today`` (default: today in UTC) is the day the demo is seen on: all history
    happens before it began in UTC, tasks fall due around it. The same ``seed`` and
    ``today`` give the same rows. ``progress(label, fraction)`` is called now and then,
    fraction 0.0 to 1.0. Refuses (``RuleViolation``) when the database already holds
    deals; reps whose handles already exist are reused as they are.
    """
    if size.reps < 1 or size.leads < 0 or size.opportunities < 0:
        raise InvalidInput("a demo needs at least one rep and no negative counts")
    if size.history_days < 30:
        raise InvalidInput("a demo needs at least 30 days of history")
    day = clock.now().date() if today is None else today
    day = date(day.year, day.month, day.day)
    report = progress or (lambda _label, _fraction: None)
    with write(session):
        if session.execute(select(Deal.id).limit(1)).first() is not None:
            raise RuleViolation("this database already holds deals: the demo team needs an empty one")
        summary = _Builder(session, random.Random(seed), day, size, report).run()
    return summary


def _slug(text_: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text_.lower())


def _allocate(total: int, weights: tuple[float, ...], minimum: int = 1) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), at least ``minimum`` each if possible."""
    n = len(weights)
    floor_each = minimum if total >= minimum * n else 0
    rest = total - floor_each * n
    scale = sum(weights)
    raw = [rest * w / scale for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor_each for c in counts]


def _weighted(rng: random.Random, pairs) -> Any:
    total = sum(w for _, w in pairs)
    pick = rng.random() * total
    for item, weight in pairs:
        pick -= weight
        if pick < 0:
            return item
    return pairs[-1][0]


def _iso(value: Any) -> Any:
    """What deals.py stores in events for a column value."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- plans -------------------------------------------------------------------------------------


class _Rep:
    __slots__ = ("id", "handle", "name", "tz", "capacity", "days", "territory", "tld", "phone", "_noon", "new",
                 "role", "email", "created_at", "_zone")

    def __init__(self, id_, handle, name, tz, capacity, days, territory, role, email, new):
        self.id, self.handle, self.name, self.tz = id_, handle, name, tz
        self.capacity, self.days, self.territory = capacity, frozenset(days), territory
        self.role, self.email, self.new = role, email, new
        self.tld = DOMAIN_BY_ZONE.get(tz, ".com")
        self.phone = PHONE_BY_ZONE.get(tz)
        self._zone = pendulum.timezone(tz)
        self._noon: dict[int, datetime] = {}
        self.created_at: datetime | None = None

    def works(self, o: int) -> bool:
        return (o - 1) % 7 + 1 in self.days  # day ordinal 1 (0001-01-01) was a Monday

    def back(self, o: int) -> int:
        """The working day on or before day ordinal ``o``."""
        for _ in range(7):
            if self.works(o):
                return o
            o -= 1
        return o

    def fwd(self, o: int) -> int:
        """The working day on or after day ordinal ``o``."""
        for _ in range(7):
            if self.works(o):
                return o
            o += 1
        return o

    def pick(self, rng: random.Random, a: int, b: int) -> int:
        """A working day between ``a`` and ``b``, each as likely (a weekend does not pile onto Friday)."""
        if b > a:
            for _ in range(12):
                o = rng.randint(a, b)
                if self.works(o):
                    return o
        o = self.fwd(a)
        return o if o <= b else self.back(b)

    def near(self, rng: random.Random, o: int, latest: int) -> int:
        """The working day nearest ``o`` (either way when it is a weekend), no later than ``latest``."""
        if self.works(o):
            return o
        after = self.fwd(o)
        return after if after <= latest and rng.random() < 0.5 else self.back(o)

    def noon(self, o: int) -> datetime:
        """Local noon of day ``o``, in UTC. Working hours never straddle a DST change."""
        moment = self._noon.get(o)
        if moment is None:
            d = date.fromordinal(o)
            moment = self._zone.convert(datetime(d.year, d.month, d.day, 12)).astimezone(UTC)
            self._noon[o] = moment
        return moment

    def at(self, o: int, minute: int) -> datetime:
        """Minute ``minute`` of local day ``o``, in UTC."""
        return self.noon(o) + timedelta(minutes=minute - 720)


class _Step:
    __slots__ = ("day", "kind", "data", "at", "end")

    def __init__(self, day: int, kind: str, data: dict | None = None):
        self.day, self.kind, self.data = day, kind, data if data is not None else {}
        self.at: datetime | None = None
        self.end: datetime | None = None  # when it was written down (an activity is logged after it)


class _Deal:
    __slots__ = (
        "n", "rep", "account", "contact", "fields", "title", "source", "territory", "product", "value", "born",
        "end_kind", "final", "path", "end_day", "last_day", "rot", "stale", "task_plan", "steps",
        "expected", "id", "created_at",
    )

    def __init__(self, n: int, rep: _Rep):
        self.n, self.rep = n, rep
        self.stale = False
        self.task_plan: str | None = None  # "soon", "overdue", or None for no next step
        self.expected: tuple[date | None, date | None] = (None, None)
        self.id: int | None = None


class _Story:
    """Writes down the dated steps of one deal, in the order they happened."""

    def __init__(self, builder: "_Builder", deal: _Deal):
        self.b, self.d, self.rng, self.rep = builder, deal, builder.rng, deal.rep
        self.steps: list[_Step] = []
        self.cursor = deal.path[0][2]
        self.pending: list[_Step] = []  # steps fixed to a day (a close date slipping), slotted in on time
        self.reached = 0  # milestone rank so far
        self.cap: int | None = None  # no activity after this day (a deal left to rot)
        self.said: set[str] = set()  # outcomes used on this deal: a timeline does not repeat itself

    # steps

    def add(self, day: int, kind: str, data: dict | None = None) -> _Step:
        while self.pending and self.pending[0].day < day:
            self._place(self.pending.pop(0))
        step = _Step(max(day, self.cursor), kind, data)
        self._place(step)
        return step

    def _place(self, step: _Step) -> None:
        step.day = max(step.day, self.cursor)
        self.cursor = step.day
        self.steps.append(step)

    def flush(self) -> None:
        while self.pending:
            self._place(self.pending.pop(0))

    def days(self, a: int, b: int, n: int) -> list[int]:
        """``n`` working days between ``a`` and ``b``, in order."""
        if b < a or n <= 0:
            return []
        return sorted(self.rep.pick(self.rng, a, b) for _ in range(n))

    def choose(self, pool: tuple[str, ...]) -> str:
        fresh = [text_ for text_ in pool if text_ not in self.said]
        choice = self.rng.choice(fresh or pool)
        self.said.add(choice)
        return choice

    def act(self, day: int, type_: str, milestone: str | None, outcome: str, duration: int | None = None):
        if self.cap is not None and max(day, self.cursor) > self.cap:
            return None
        if milestone is None and self.reached < 2 and type_ in ("call", "email"):
            milestone = "nurture"  # touches before the first meeting
        if milestone:
            self.reached = max(self.reached, MILESTONES.index(milestone) + 1)
        return self.add(day, "act", {"type": type_, "milestone": milestone,
                                     "outcome": outcome.format(**self.d.fields), "duration": duration})

    def touch(self, day: int, family: str | None = None, type_: str | None = None):
        """A nurture touch before the first meeting, a follow-up after it."""
        rng = self.rng
        if family == "nurturing":
            type_ = "email"
        elif type_ is None:
            type_ = "email" if rng.random() < 0.55 else "call"
        email = type_ == "email"
        if family == "negotiation":
            pool = NEGOTIATION_EMAIL if email else NEGOTIATION_CALL
        elif family == "nurturing":
            pool = NURTURING_TOUCH
        elif self.reached >= 2:
            pool = FOLLOW_UP_EMAIL if email else FOLLOW_UP_CALL
        elif family == "connected":
            pool = EMAIL_NURTURE if email else CALL_NURTURE
        else:
            pool = EMAIL_NURTURE if email else CALL_CONNECT
        return self.act(day, type_, None, self.choose(pool), None if email else rng.randint(4, 25))

    def attempt(self, day: int):
        """Trying to reach a lead."""
        rng = self.rng
        if rng.random() < 0.6:
            return self.act(day, "call", "nurture", self.choose(CALL_NO_ANSWER), rng.randint(1, 2))
        return self.act(day, "email", "nurture", self.choose(ATTEMPT_EMAIL))

    def meeting(self, day: int, milestone: str):
        rng = self.rng
        type_ = {"rapport": "meeting", "discovery": "meeting", "proposal": "proposal"}.get(
            milestone, "demo" if rng.random() < 0.4 else "meeting"
        )
        duration = {"rapport": rng.choice((30, 45)), "discovery": 60, "findings": rng.choice((45, 60, 90)),
                    "proposal": rng.choice((45, 60))}[milestone]
        templates = {"rapport": RAPPORT, "discovery": DISCOVERY, "findings": FINDINGS, "proposal": PROPOSAL}
        step = self.act(day, type_, milestone, self.choose(templates[milestone]), duration)
        if step is not None and rng.random() < 0.45:
            notes = {"rapport": NOTE_RAPPORT, "discovery": NOTE_DISCOVERY, "findings": NOTE_FINDINGS,
                     "proposal": NOTE_PROPOSAL}[milestone]
            self.note(step.day, rng.choice(notes))
        return step

    def note(self, day: int, template: tuple[str, str | None]) -> None:
        head, detail = template
        body = head if detail is None or self.rng.random() < 0.5 else f"{head}\n{detail}"
        self.add(day, "note", {"body": body.format(**self.d.fields)})

    # the whole story

    def tell(self) -> list[_Step]:
        b, d, rng, rep = self.b, self.d, self.rng, self.rep
        path = d.path
        if d.stale:
            self.cap = rep.back(b.T - d.rot - 2)  # nothing done since
        self._close_dates()
        self.add(path[0][2], "created")
        if d.born == OPPORTUNITY and d.source == "Inbound":
            self.act(path[0][2], "email", "nurture", rng.choice(INBOUND_REPLY))
        for k, (pipeline, idx, a) in enumerate(path):
            last_span = k == len(path) - 1
            nxt = None if last_span else path[k + 1]
            end = nxt[2] if nxt else (d.end_day if d.end_day is not None else d.last_day)
            current = last_span and d.end_kind is None
            closing = d.end_kind if last_span else None
            if pipeline == LEAD:
                self._lead_span(idx, a, end, nxt, current, closing)
            else:
                self._opp_span(idx, a, end, nxt, current, closing)
            if current and not d.stale and d.task_plan != "overdue" and (d.task_plan is None or rng.random() < 0.8):
                # Recent work keeps a live deal from rotting (an overdue task means the rep fell behind).
                window = min(max(1, d.rot - 1), 6)
                low = max(a, self.cursor, b.T - window)
                if low <= d.last_day:
                    day = rep.pick(rng, low, d.last_day)
                    if pipeline == OPPORTUNITY and idx >= 3:
                        self.touch(day, "negotiation", "call" if rng.random() < 0.6 else "email")
                    elif pipeline == LEAD and idx == 0:
                        pass  # a new lead is recent enough: it was created days ago
                    elif pipeline == LEAD and idx == 1:
                        self.attempt(day)
                    else:
                        self.touch(day, ("connected", "nurturing")[idx >= 3] if pipeline == LEAD else None)
            if nxt is not None:
                if nxt[0] != pipeline:
                    self.add(end, "convert", {"stage": b.open[OPPORTUNITY][nxt[1]]})
                    if d.expected[0] is not None:
                        self.add(end, "close_date", {"value": d.expected[0]})
                else:
                    self.add(end, "move", {"stage": b.open[pipeline][nxt[1]]})
        if d.end_kind == "won":
            for milestone in MILESTONES[max(1, self.reached):]:
                self.meeting(d.end_day, milestone)
            self.act(d.end_day, "email", None, rng.choice(WON_TOUCH))
            self.add(d.end_day, "won", {"stage": b.opp_won})
            if rng.random() < 0.5:
                self.note(d.end_day, rng.choice(NOTE_WON))
        elif d.end_kind == "lost":
            lead = path[-1][0] == LEAD
            reason = b.reason(path[-1][0], path[-1][1])
            said = reason.lower().replace("{", "{{").replace("}", "}}")  # a team's own label, not a template
            if rng.random() < 0.75:
                pool = DISQUALIFIED_TOUCH if lead else LOST_TOUCH
                type_ = "email" if reason in ("Went dark", "Unreachable") or rng.random() < 0.5 else "call"
                self.act(d.end_day, type_, None, pool.get(reason, "Closing this out: " + said),
                         None if type_ == "email" else rng.randint(3, 15))
            self.add(d.end_day, "lost", {"stage": b.lead_lost if lead else b.opp_lost, "reason": reason})
            if not lead and rng.random() < 0.6:
                detail = NOTE_LOST.get(reason) if rng.random() < 0.7 else None
                head = NOTE_LOST_HEAD.get(reason, f"Lost: {said}")
                self.note(d.end_day, (head, detail))
            elif lead and rng.random() < 0.3:
                self.note(d.end_day, (f"Disqualified: {said}", None))
        self.flush()
        return self._with_done_tasks()

    def _close_dates(self) -> None:
        """Opportunities get a close date (on creation, or on conversion); some slip later."""
        b, d, rng, rep = self.b, self.d, self.rng, self.rep
        opp_start = next((day for p, _i, day in d.path if p == OPPORTUNITY), None)
        if opp_start is None:
            return
        final = b.expected_close(d)
        original = final
        start = date.fromordinal(opp_start)
        if rng.random() < 0.28 and (final - start).days > 28:
            original = max(final - timedelta(days=rng.randint(14, 45)), start + timedelta(days=10))
            end = d.end_day - 1 if d.end_day is not None else d.last_day
            o = original.toordinal()
            low, high = max(opp_start + 1, o - 10), min(o + 7, end)
            day = rep.pick(rng, low, high) if low <= high else None
            if day is not None and low <= day <= high:
                self.pending.append(_Step(day, "close_date", {"value": final}))
            else:
                original = final
        d.expected = (original, final)

    def _lead_span(self, idx: int, a: int, b: int, nxt, current: bool, closing: str | None) -> None:
        d, rng, rep = self.d, self.rng, self.rep
        stage = min(idx, 3)
        converting = nxt is not None and nxt[0] == OPPORTUNITY
        if stage == 0:
            if d.source == "Inbound" and rng.random() < 0.7:
                self.act(a, "email", "nurture", rng.choice(INBOUND_REPLY))
            if nxt is not None and nxt[1] >= 2:  # answered straight away
                self.act(b, "call", "nurture", self.choose(CALL_CONNECT), rng.randint(6, 20))
            elif nxt is not None or closing:
                self.attempt(b)
        elif stage == 1:
            for day in self.days(a, b, rng.randint(1, 4) if (current or closing) else rng.randint(0, 2)):
                self.attempt(day)
            if nxt is not None:
                self.act(b, "call", "nurture", self.choose(CALL_CONNECT), rng.randint(6, 20))
        elif stage == 2:
            for day in self.days(a, b, rng.randint(0, 2)):
                self.touch(day, "connected")
            if converting or (current and rng.random() < 0.25):
                self.meeting(rep.pick(rng, max(a, b - 3), b), "rapport")
        else:
            for day in self.days(a, b, max(1, min(4, (b - a) // 14))):
                self.touch(day, "nurturing")
            if converting or (current and rng.random() < 0.15):
                self.meeting(rep.pick(rng, max(a, b - 3), b), "rapport")

    def _opp_span(self, idx: int, a: int, b: int, nxt, current: bool, closing: str | None) -> None:
        d, rng, rep = self.d, self.rng, self.rep
        stage = min(idx, 3)
        advancing = nxt is not None or closing == "won"
        lost_here = closing == "lost"
        length = max(0, b - a)
        if stage == 0:
            rapport_day = a + int(length * rng.uniform(0.15, 0.5))
            if self.reached < 2:
                for day in self.days(a, rapport_day, rng.randint(0 if d.source == "Inbound" else 1, 2)):
                    self.touch(day)
                if not current or rng.random() < 0.85:
                    self.meeting(rep.pick(rng, max(a, rapport_day - 2), max(a, rapport_day)), "rapport")
            for day in self.days(rapport_day, b - 1, rng.randint(0, 1) + length // 12):
                self.touch(day)
            if advancing or (current and rng.random() < 0.2) or (lost_here and rng.random() < 0.3):
                self.meeting(rep.pick(rng, max(a, b - 2), b), "discovery")
        elif stage == 1:
            for day in self.days(a, b - 1, rng.randint(1, 2) + length // 12):
                self.touch(day)
            if advancing or (current and rng.random() < 0.35) or (lost_here and rng.random() < 0.3):
                self.meeting(rep.pick(rng, max(a, b - 2), b), "findings")
        elif stage == 2:
            if advancing or (current and rng.random() < 0.6) or (lost_here and rng.random() < 0.7):
                day = rep.pick(rng, a + int(length * 0.1), a + int(length * 0.5))
                step = self.meeting(day, "proposal")
                if step is not None and rng.random() < 0.15:
                    factor = rng.choice((0.8, 0.85, 0.9, 1.1, 1.2, 1.25))
                    new_value = max(500_000, int(d.value * factor / 50_000) * 50_000)
                    self.add(step.day, "value", {"value": new_value})
            for day in self.days(a, b - 1, rng.randint(0, 2) + length // 12):
                self.touch(day)
        else:
            for day in self.days(a, b - 1, rng.randint(1, 3) + length // 10):
                self.touch(day, "negotiation", "call" if rng.random() < 0.6 else "email")

    def _with_done_tasks(self) -> list[_Step]:
        """Most meetings were booked from a task, done on the day; some calls too."""
        d, rng = self.d, self.rng
        out: list[_Step] = []
        for step in self.steps:
            if step.kind == "act" and out:
                milestone = step.data["milestone"]
                template = None
                if milestone in TASKS_BEFORE and rng.random() < 0.6:
                    template = TASKS_BEFORE[milestone]
                elif step.data["type"] == "call" and rng.random() < 0.15:
                    template = "Call {first} back"
                if template is not None:
                    low = max(out[-1].day, step.day - 6)
                    created = self.rep.pick(rng, low, step.day - 1) if low < step.day else out[-1].day
                    task = {"id": None, "title": template.format(**d.fields), "due": step.day, "open": False}
                    out.append(_Step(created, "task_add", {"task": task}))
                    done = _Step(step.day, "task_done", {"task": task})
                    task["done_step"] = done
                    out.append(done)
            out.append(step)
        return out


class _Builder:
    def __init__(self, session: Session, rng: random.Random, today: date, size: DemoSize, report):
        self.session, self.rng, self.size, self.report = session, rng, size, report
        self.today = today
        self.T = today.toordinal()
        self.S = self.T - size.history_days
        # History ends before the day starts in UTC, so nothing lies in the future
        # whenever on ``today`` the demo is opened.
        self.cutoff = datetime(today.year, today.month, today.day, tzinfo=UTC)
        self.currency = settings.currency(session)
        stages = {}
        for pipeline in (LEAD, OPPORTUNITY):
            stages[pipeline] = session.execute(
                select(Stage.id, Stage.name, Stage.kind, Stage.rot_days)
                .where(Stage.pipeline == pipeline)
                .order_by(Stage.position)
            ).all()
        self.open = {p: [r for r in rows if r.kind == OPEN] for p, rows in stages.items()}
        self.lead_lost = next((r for r in stages[LEAD] if r.kind == LOST), None)
        self.opp_won = next((r for r in stages[OPPORTUNITY] if r.kind == WON), None)
        self.opp_lost = next((r for r in stages[OPPORTUNITY] if r.kind == LOST), None)
        if not (self.open[LEAD] and self.open[OPPORTUNITY] and self.lead_lost and self.opp_won and self.opp_lost):
            raise RuleViolation("a demo needs open stages in both pipelines, and won and lost stages")
        self.reasons = {}
        for pipeline, fallback in ((LEAD, "Not a fit"), (OPPORTUNITY, "No decision")):
            labels = session.execute(
                select(LostReason.label).where(LostReason.pipeline == pipeline).order_by(LostReason.position)
            ).scalars().all()
            self.reasons[pipeline] = list(labels) or [fallback]
        self.next_id = {
            table: (session.execute(select(func.max(table.id))).scalar() or 0) + 1
            for table in (Rep, Account, Contact, Deal, Activity, Task, Note, DealEvent)
        }
        self.accounts: list[dict] = []
        self.contacts: list[dict] = []

    def _id(self, table) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def run(self) -> DemoSummary:
        rng, report = self.rng, self.report
        report("Hiring the team", 0.0)
        reps, manager = self._team()
        report("Finding accounts", 0.03)
        deals = self._deals(reps)
        report("Working the deals", 0.08)
        # Live deals: some left to rot (no activity past the stage's threshold, nothing
        # scheduled), some worked recently but with no next step, some behind on a task.
        live = [d for d in deals if d.end_kind is None]
        plans = ["stale", None, "overdue", "soon"]
        counts = _allocate(len(live), (0.12, 0.10, 0.14, 0.64), minimum=1 if len(live) >= 8 else 0)
        shuffled = [plan for plan, count in zip(plans, counts) for _ in range(count)]
        rng.shuffle(shuffled)
        for d, plan in zip(live, shuffled):
            if plan is None and (self.open[d.final[0]][d.final[1]].rot_days or 14) < 7:
                plan = "soon"  # a few days' threshold spans a weekend: new leads get a next step
            d.stale = plan == "stale"
            d.task_plan = None if plan == "stale" else plan
        for k, d in enumerate(deals):
            self._path(d)
            d.steps = _Story(self, d).tell()
            if k % 2000 == 1999:
                report("Working the deals", 0.08 + 0.2 * k / len(deals))
        report("Scheduling next steps", 0.28)
        overloaded = self._open_tasks(deals, reps)
        for d in deals:
            self._times(d)
        report("Writing the history", 0.35)
        return self._write(reps, manager, deals, overloaded)

    # --- the team ------------------------------------------------------------------------------

    def _team(self) -> tuple[list[_Rep], _Rep]:
        existing = {r.handle: r for r in self.session.execute(select(Rep)).scalars()}
        specs = [MANAGER + ("manager",)] + [t + ("rep",) for t in TEAM[: self.size.reps]]
        taken = {s[0] for s in specs} | set(existing)
        for i in range(self.size.reps - len(TEAM)):
            first = REP_FIRST[i % len(REP_FIRST)]
            last = REP_LAST[(i * 7 + i // len(REP_FIRST)) % len(REP_LAST)]
            handle, k = first.lower(), 2
            while handle in taken:
                handle, k = f"{first.lower()}{k}", k + 1
            taken.add(handle)
            tz, territory = EXTRA_ZONES[i % len(EXTRA_ZONES)]
            specs.append((handle, f"{first} {last}", tz, territory, 12, "rep"))
        team = []
        for handle, name, tz, territory, capacity, role in specs:
            row = existing.get(handle)
            if row is not None:
                days = tuple(int(x) for x in row.working_days) or (1, 2, 3, 4, 5)
                rep = _Rep(row.id, handle, row.name, row.timezone, row.capacity, days, territory, row.role,
                           row.email, False)
            else:
                first, last = name.split(" ", 1)
                email = f"{_slug(first)}.{_slug(last)}@legwork-demo.example"
                rep = _Rep(self._id(Rep), handle, name, tz, capacity, (1, 2, 3, 4, 5), territory, role, email, True)
                joined = self.S - (900 if role == "manager" else self.rng.randint(40, 700))
                rep.created_at = rep.at(rep.back(joined), 9 * 60 + 30)
            team.append(rep)
        return team[1:], team[0]

    # --- accounts and deals --------------------------------------------------------------------

    def _company(self, used: set[str]) -> tuple[str, tuple]:
        rng = self.rng
        for attempt in range(80):
            word = rng.choice(COMPANY_WORDS)
            industry = rng.choice(INDUSTRIES)
            if attempt < 20:
                name = f"{word} {industry[0]}"
            elif attempt < 50:
                name = f"{word} {rng.choice(COMPANY_MIDDLE)} {industry[0]}"
            else:
                name = f"{rng.choice(COMPANY_MIDDLE)} {word} {industry[0]} {rng.randint(2, 999)}"
            if name.lower() not in used:
                used.add(name.lower())
                return name, industry
        raise AssertionError("ran out of company names")  # pragma: no cover

    def _new_account(self, rep: _Rep, used: set[str]) -> dict:
        rng = self.rng
        name, industry = self._company(used)
        stem = name[: name.index(industry[0])].strip() if industry[0] in name else name
        domain = (_slug(name) if any(ch.isdigit() for ch in name) else _slug(stem) + industry[1]) + rep.tld
        account = {"id": None, "name": name, "domain": domain, "created_at": None, "industry": industry,
                   "products": [], "contacts": []}
        for _ in range(2 if rng.random() < 0.25 else 1):
            first, last = rng.choice(CONTACT_FIRST), rng.choice(CONTACT_LAST)
            if rep.phone is not None:
                phone = rep.phone.format(rng.randint(0, 999 if "{:03d}" in rep.phone else 9999))
            else:
                phone = f"+1 {rng.choice(NA_AREAS)} 555 01{rng.randint(0, 99):02d}"
            account["contacts"].append({
                "id": None, "name": f"{first} {last}", "email": f"{_slug(first)}.{_slug(last)}@{domain}",
                "phone": phone, "job_title": rng.choice(JOB_TITLES), "account": account,
                "n": len(self.contacts),
            })
            self.contacts.append(account["contacts"][-1])
        self.accounts.append(account)
        return account

    def _deals(self, reps: list[_Rep]) -> list[_Deal]:
        rng, size = self.rng, self.size
        total = size.leads + size.opportunities
        owners = [reps[i % len(reps)] for i in range(total)]
        rng.shuffle(owners)
        n_lead, n_opp = len(self.open[LEAD]), len(self.open[OPPORTUNITY])
        # What becomes of the deals: (pipeline it ends in, stage index, None / "won" / "lost").
        conv, disq, lead_open = _allocate(size.leads, (0.22, 0.20, 0.58))
        lead_ends: list[tuple] = [("convert", 0, None)] * conv
        for idx, count in enumerate(_allocate(disq, _fit((0.2, 0.45, 0.2, 0.15), n_lead), minimum=0)):
            lead_ends += [(LEAD, idx, "lost")] * count
        for idx, count in enumerate(_allocate(lead_open, _fit((0.3, 0.3, 0.2, 0.2), n_lead))):
            lead_ends += [(LEAD, idx, None)] * count
        opp_open, won, lost = _allocate(size.opportunities + conv, (0.45, 0.22, 0.33))
        opp_ends: list[tuple] = []
        for idx, count in enumerate(_allocate(opp_open, _fit((0.33, 0.27, 0.22, 0.18), n_opp))):
            opp_ends += [(OPPORTUNITY, idx, None)] * count
        for _ in range(won):
            opp_ends.append((OPPORTUNITY, n_opp - 1 if rng.random() < 0.8 else max(0, n_opp - 2), "won"))
        for idx, count in enumerate(_allocate(lost, _fit((0.35, 0.3, 0.22, 0.13), n_opp), minimum=0)):
            opp_ends += [(OPPORTUNITY, idx, "lost")] * count
        rng.shuffle(lead_ends)
        rng.shuffle(opp_ends)
        converted, direct = iter(opp_ends[:conv]), iter(opp_ends[conv:])

        used: set[str] = set()
        accounts_by_rep: dict[int, list[dict]] = {}
        deals: list[_Deal] = []
        for n in range(total):
            d = _Deal(n, owners[n])
            if n < size.leads:
                d.born = LEAD
                end = lead_ends[n]
                if end[0] == "convert":
                    end = next(converted)
                d.source = _weighted(rng, LEAD_SOURCES)
            else:
                d.born = OPPORTUNITY
                end = next(direct)
                d.source = _weighted(rng, OPP_SOURCES)
            d.final = (end[0], end[1])
            d.end_kind = end[2]
            mine = accounts_by_rep.setdefault(d.rep.id, [])
            if mine and rng.random() < 0.14:
                account = rng.choice(mine)  # a second deal at an account: cross-sell or expansion
                others = [p for p in account["industry"][3] if p not in account["products"]]
                d.product = rng.choice(others or account["industry"][3])
            else:
                account = self._new_account(d.rep, used)
                mine.append(account)
                d.product = rng.choice(account["industry"][3])
            contact = account["contacts"][0]
            d.account, d.contact = account, contact
            d.territory = d.rep.territory
            industry = account["industry"]
            base, phrases = PRODUCT_DEALS[d.product]
            things = rng.choice((8, 12, 15, 20, 25, 30, 40, 60, 80, 120))
            phrase = rng.choice(phrases).format(n=things)
            if account["products"] and rng.random() < 0.5:
                phrase = f"{d.product.lower()} {rng.choice(('expansion', 'add-on'))}"
            account["products"].append(d.product)
            d.title = f"{account['name']} — {phrase}"
            dollars = min(250_000, max(5_000, rng.lognormvariate(0, 0.75) * base))
            step = 1_000 if d.born == LEAD else 500
            d.value = int(round(dollars / step)) * step * 100
            d.fields = {
                "first": contact["name"].split(" ")[0],
                "company": account["name"],
                "product": d.product,
                "industry": industry[2],
                "unit": industry[4],
                "n": things,
                "small": rng.randint(2, 5),
                "pct": rng.choice((15, 20, 25, 30, 35, 40)),
                "term": rng.choice((1, 1, 2, 3)),
                "month": MONTHS[rng.randrange(12)],
                "title": contact["job_title"],
                "value": format_money(d.value, self.currency),
            }
            deals.append(d)
        return deals

    # --- when things happened ------------------------------------------------------------------

    def _path(self, d: _Deal) -> None:
        """The stages a deal went through, and the day it entered each."""
        rng = self.rng
        pipeline, idx = d.final
        n_lead = len(self.open[LEAD])
        path: list[tuple[str, int]] = []
        if d.born == LEAD:
            last = idx if pipeline == LEAD else min(n_lead - 1, 2 if rng.random() < 0.65 else 3)
            lead_stages = list(range(last + 1))
            if d.source == "Inbound" and last >= 2 and rng.random() < 0.3:
                lead_stages.remove(1)  # they answered straight away
            path += [(LEAD, i) for i in lead_stages]
        if pipeline == OPPORTUNITY:
            path += [(OPPORTUNITY, i) for i in range(idx + 1)]
        d.rot = self.open[pipeline][idx].rot_days or 14
        table = {LEAD: LEAD_DWELL, OPPORTUNITY: OPP_DWELL}
        dwell = [rng.randint(*table[p][min(i, 3)]) for p, i in path]
        last_day = self.T - 1
        if d.end_kind is None:
            if d.stale:
                in_stage = rng.randint(d.rot + 3, max(d.rot + 5, 3 * d.rot))
            elif rng.random() < 0.7 or d.task_plan is None:
                in_stage = rng.randint(1, max(1, d.rot - 1))
            else:
                in_stage = rng.randint(d.rot, 2 * d.rot)
            dwell[-1] = min(in_stage, self.T - self.S - 3)
            end = self.T
        else:
            end = rng.randint(min(self.S + 7 * len(path), last_day), last_day)
        entries = [0.0] * len(path)
        at = float(end)
        for k in range(len(path) - 1, -1, -1):
            at -= dwell[k]
            entries[k] = at
        if entries[0] < self.S:
            # Squeeze the earlier stages into the window (an open deal keeps its time in stage).
            anchor = entries[-1] if d.end_kind is None else float(end)
            span = anchor - entries[0]
            for k in range(len(path) - (1 if d.end_kind is None else 0)):
                entries[k] = anchor - (anchor - entries[k]) * (anchor - self.S) / span if span > 0 else self.S
        rep = d.rep
        floor = rep.fwd(self.S)
        days = []
        for k, e in enumerate(entries):
            day = int(e)
            if k == len(entries) - 1 and d.end_kind is None:
                # A live deal's time in stage is what was planned, or less; a rotting one's, or more.
                if d.stale or rep.fwd(day) > last_day:
                    floor = max(floor, rep.back(day))
                else:
                    floor = max(floor, rep.fwd(day))
            else:
                floor = max(floor, rep.near(rng, day, last_day))
            days.append(floor)
        d.path = [(p, i, day) for (p, i), day in zip(path, days)]
        d.last_day = rep.back(last_day)
        d.end_day = None if d.end_kind is None else max(floor, rep.near(rng, end, last_day))

    def expected_close(self, d: _Deal) -> date:
        rng = self.rng
        if d.end_kind is not None:
            shift = rng.randint(-3, 10) if d.end_kind == "won" else rng.randint(-10, 30)
            return date.fromordinal(d.end_day + shift)
        today = pendulum.Date(self.today.year, self.today.month, self.today.day)
        quarter_end = today.last_of("quarter").toordinal()
        next_start = today.first_of("quarter").add(months=3)
        stage = min(d.final[1], 3)
        past, this = (0.05, 0.08, 0.12, 0.18)[stage], (0.30, 0.40, 0.55, 0.65)[stage]
        pick = rng.random()
        if pick < past:
            return date.fromordinal(self.T - rng.randint(1, 45))
        if pick < past + this:
            return date.fromordinal(rng.randint(self.T + 1, max(quarter_end, self.T + 14)))
        return date.fromordinal(rng.randint(next_start.toordinal(), next_start.last_of("quarter").toordinal()))

    def reason(self, pipeline: str, idx: int) -> str:
        labels = self.reasons[pipeline]
        table = LEAD_REASONS if pipeline == LEAD else OPP_REASONS
        weights = table[min(idx, len(table) - 1)]
        pairs = [(label, weights[label]) for label in labels if label in weights]
        return _weighted(self.rng, pairs) if pairs else self.rng.choice(labels)

    # --- next steps ----------------------------------------------------------------------------

    def _open_tasks(self, deals: list[_Deal], reps: list[_Rep]) -> date | None:
        """Open tasks on live deals, within each rep's capacity, but for one day of DEMO_REP's."""
        rng, T = self.rng, self.T
        loads: dict[int, dict[int, int]] = {rep.id: {} for rep in reps}
        plans = [d for d in deals if d.end_kind is None and d.task_plan is not None]
        demo = next((r for r in reps if r.handle == DEMO_REP), None)
        overload_day = demo.fwd(T + 1) if demo is not None else None
        mine = [d for d in plans if d.rep is demo]
        piled: list[_Deal] = []
        extras = 0
        if mine:
            # Half of their next steps land on one day, and more work besides.
            soon = [d for d in mine if d.task_plan == "soon"]
            want = demo.capacity + 3
            piled = rng.sample(soon, min(len(soon) // 2, want))
            extras = want - len(piled)
        piled_ids = {d.n for d in piled}
        for d in plans:
            if d.n in piled_ids:
                continue
            rep, first = d.rep, d.steps[0].day
            due = None
            if d.task_plan == "overdue":
                days = [o for o in range(max(first, T - 10), T) if rep.works(o)]
                due = rng.choice(days) if days else None
            if due is None:
                pick = rng.random()
                ahead = 0 if pick < 0.25 else rng.randint(1, 6) if pick < 0.55 else rng.randint(7, 21)
                due = rep.fwd(T + ahead)
            due = self._room(rep, loads[rep.id], due, overload_day if rep is demo else None)
            self._open_task(d, due, loads[rep.id])
        for d in piled:
            self._open_task(d, overload_day, loads[demo.id])
        for _ in range(extras):
            self._open_task(rng.choice(mine), overload_day, loads[demo.id], TASKS_EXTRA)
        return date.fromordinal(overload_day) if mine else None

    @staticmethod
    def _room(rep: _Rep, load: dict[int, int], due: int, avoid: int | None) -> int:
        day = due
        while not (rep.works(day) and day != avoid and load.get(day, 0) < rep.capacity):
            day += 1
        return day

    def _open_task(self, d: _Deal, due: int, load: dict[int, int], titles=None) -> None:
        pipeline, idx, _ = d.path[-1]
        if titles is None:
            titles = (TASKS_LEAD if pipeline == LEAD else TASKS_OPP)[min(idx, 3)]
        rng, steps = self.rng, d.steps
        title = rng.choice(titles).format(**d.fields)
        task = {"id": None, "title": title, "due": due, "open": True}
        if due >= steps[-1].day:
            steps.append(_Step(steps[-1].day, "task_add", {"task": task}))
        else:
            # Overdue: set some days before it was due, and not done since (work went on regardless).
            created = d.rep.pick(rng, max(steps[0].day, due - 10), due)
            at = bisect.bisect_right([step.day for step in steps], created)
            steps.insert(at, _Step(created, "task_add", {"task": task}))
        load[due] = load.get(due, 0) + 1

    # --- times ---------------------------------------------------------------------------------

    def _times(self, d: _Deal) -> None:
        """A moment in the owner's working hours for each step, keeping their order."""
        rng, rep, steps = self.rng, d.rep, d.steps
        previous_end = None
        i = 0
        while i < len(steps):
            day = steps[i].day
            j = i
            while j < len(steps) and steps[j].day == day:
                j += 1
            group = steps[i:j]
            # The latest start that leaves the day's work room to end before the cutoff.
            limit = int((self.cutoff - rep.noon(day)).total_seconds() // 60) + 720 - 75 * len(group)
            high = max(WORK_START + 30, min(WORK_END - 15 * len(group), limit))
            minutes = sorted(rng.randint(WORK_START, high) for _ in group)
            for step, minute in zip(group, minutes):
                if step.kind == "act" and step.data["type"] in ("meeting", "demo", "proposal"):
                    minute -= minute % 15
                at = rep.at(day, minute)
                if previous_end is not None and at <= previous_end:
                    at = previous_end + timedelta(minutes=rng.randint(1, 12))
                step.at = at
                if step.kind == "act":
                    step.end = at + timedelta(minutes=(step.data["duration"] or 0) + rng.randint(1, 8))
                else:
                    step.end = at
                previous_end = step.end
            if previous_end >= self.cutoff:
                shift = previous_end - self.cutoff + timedelta(minutes=5)
                for step in group:
                    step.at -= shift
                    step.end -= shift
                previous_end -= shift
            i = j

    # --- rows and events -----------------------------------------------------------------------

    def _write(self, reps: list[_Rep], manager: _Rep, deals: list[_Deal], overloaded: date | None) -> DemoSummary:
        # Ids in the order things were created, as if a team had typed them in.
        for d in deals:
            d.created_at = d.steps[0].at
        deals.sort(key=lambda d: (d.created_at, d.n))
        for d in deals:
            d.id = self._id(Deal)
            account = d.account
            if account["created_at"] is None or d.created_at < account["created_at"]:
                account["created_at"] = d.created_at
        self.accounts.sort(key=lambda a: (a["created_at"], a["name"]))
        for account in self.accounts:
            account["id"] = self._id(Account)
        contacts = sorted(self.contacts, key=lambda c: (c["account"]["id"], c["n"]))
        for contact in contacts:
            contact["id"] = self._id(Contact)
        written: dict[str, list] = {"act": [], "task_add": [], "note": []}
        for d in deals:
            for step in d.steps:
                if step.kind in written:
                    written[step.kind].append((step.end, d.id, len(written[step.kind]), step))
        for kind, table in (("act", Activity), ("task_add", Task), ("note", Note)):
            for _end, _deal, _n, step in sorted(written[kind], key=lambda r: r[:3]):
                (step.data["task"] if kind == "task_add" else step.data)["id"] = self._id(table)

        rows: dict[str, list[dict]] = {"activity": [], "task": [], "note": [], "deal": [], "deal_event": []}
        counts = dict.fromkeys(("won", "lost", "disqualified", "converted", "leads", "opps", "open", "overdue"), 0)
        del written
        for d in deals:
            self._replay(d, rows, counts)
            d.steps = None  # the rows hold everything now
        rows["deal_event"].sort(key=lambda e: (e["at"], e["deal_id"], e.pop("_seq")))
        for event in rows["deal_event"]:
            event["id"] = self._id(DealEvent)
        for name in ("activity", "task", "note"):
            rows[name].sort(key=lambda r: r["id"])
        rows["rep"] = [
            {"id": r.id, "handle": r.handle, "name": r.name, "email": r.email, "role": r.role, "timezone": r.tz,
             "capacity": r.capacity, "working_days": "".join(str(x) for x in sorted(r.days)), "active": True,
             "created_at": r.created_at}
            for r in (manager, *reps)
            if r.new
        ]
        rows["account"] = [
            {"id": a["id"], "name": a["name"], "name_key": name_key(a["name"]), "domain": a["domain"],
             "created_at": a["created_at"]}
            for a in self.accounts
        ]
        rows["contact"] = [
            {"id": c["id"], "account_id": c["account"]["id"], "name": c["name"], "name_key": name_key(c["name"]),
             "email": c["email"],
             "phone": c["phone"], "job_title": c["job_title"], "created_at": c["account"]["created_at"]}
            for c in contacts
        ]
        rows["deal_contact"] = []
        for d in deals:
            # Every deal's primary contact; on every other deal, a second one from
            # its account (a buyer and a user), so contact pages have deals to show.
            rows["deal_contact"].append({"deal_id": d.id, "contact_id": d.contact["id"], "added_at": d.created_at})
            others = [c for c in d.account["contacts"] if c is not d.contact]
            if others and d.n % 2 == 0:
                rows["deal_contact"].append({"deal_id": d.id, "contact_id": others[d.n % len(others)]["id"],
                                             "added_at": d.created_at})
        self._insert(rows)
        self._teams(manager, reps)
        return DemoSummary(
            reps=len(reps) + 1,
            deals=len(deals),
            leads=counts["leads"],
            opportunities=counts["opps"],
            won=counts["won"],
            lost=counts["lost"],
            disqualified=counts["disqualified"],
            converted=counts["converted"],
            activities=len(rows["activity"]),
            tasks=len(rows["task"]),
            open_tasks=counts["open"],
            overdue_tasks=counts["overdue"],
            notes=len(rows["note"]),
            events=len(rows["deal_event"]),
            overloaded_day=overloaded,
            stale=sum(d.stale for d in deals),
        )

    def _teams(self, manager: _Rep, reps: list[_Rep]) -> None:
        """Two teams by territory, both led by the demo's manager: the Americas, where
        the manager sits, and the rest of the world. Only on a database with no teams."""
        session = self.session
        if not manager.new or session.execute(select(Team.id).limit(1)).first() is not None:
            return
        made = {}
        # Ids given, as for every demo row, so a seed gives the same rows on every backend.
        for team_id, (name, office, region) in enumerate(DEMO_TEAMS, start=1):
            session.add(Team(id=team_id, name=name, manager_id=manager.id, office=office, region=region,
                             created_at=manager.created_at))
            made[region] = team_id
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('team', 'id'), (SELECT MAX(id) FROM team))"))
        members: dict[int, list[int]] = {}
        for rep in (manager, *reps):
            if rep.new:
                region = "Americas" if rep.territory == "North America" else "International"
                members.setdefault(made[region], []).append(rep.id)
        for team_id, ids in members.items():
            session.execute(update(Rep).where(Rep.id.in_(ids)).values(team_id=team_id))

    def _insert(self, rows: dict[str, list[dict]]) -> None:
        session = self.session
        tables = [Rep, Account, Contact, Deal, DealContact, Activity, Task, Note, DealEvent]
        total = sum(len(rows[t.__tablename__]) for t in tables) or 1
        done = 0
        dialect = session.get_bind().dialect.name
        for table in tables:
            name = table.__tablename__
            batch_rows = rows[name]
            if not batch_rows:
                continue
            # Columns added to the model since this was written get their scalar defaults.
            given = batch_rows[0].keys()
            for col in table.__table__.columns:
                if col.name not in given and col.default is not None and col.default.is_scalar:
                    for row in batch_rows:
                        row[col.name] = col.default.arg
            # Values go in already as the driver takes them: no per-value type processing.
            statement = insert(sql_table(name, *(column(key) for key in batch_rows[0])))
            convert = converters(table, dialect, given)
            for start in range(0, len(batch_rows), BATCH):
                batch = batch_rows[start : start + BATCH]
                if convert:
                    for row in batch:
                        for key, fn in convert:
                            value = row[key]
                            if value is not None:
                                row[key] = fn(value)
                session.execute(statement, batch)
                done += len(batch)
                self.report(f"Writing {name} rows", 0.35 + 0.63 * done / total)
        if session.get_bind().dialect.name == "postgresql":
            # Ids were given here: move each sequence past them for the inserts to come.
            for table in tables:
                name = table.__tablename__
                if rows[name] and "id" in table.__table__.c:
                    session.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
                    )
        self.report("Counting activities", 0.99)
        rollups.rebuild(session)
        refresh_next_due(session)
        self.report("Done", 1.0)

    def _replay(self, d: _Deal, rows: dict[str, list[dict]], counts: dict[str, int]) -> None:
        """Walk the steps as the store would have written them: the deal row, its events and work."""
        rep = d.rep
        first_pipeline, first_idx, _ = d.path[0]
        first_stage = self.open[first_pipeline][first_idx]
        state: dict[str, Any] = {
            "pipeline": first_pipeline,
            "stage_id": first_stage.id,
            "stage_entered_at": d.created_at,
            "converted_at": None,
            "closed_at": None,
            "lost_reason": None,
            "expected_close": d.expected[0] if first_pipeline == OPPORTUNITY else None,
            "value": d.value,
        }
        names = {first_stage.id: first_stage.name}
        version, updated_at, last_activity, best = 1, d.created_at, None, 0
        deal_events = rows["deal_event"]
        seq = 0

        def event(at: datetime, kind: str, data: dict) -> None:
            nonlocal seq
            deal_events.append({"id": None, "deal_id": d.id, "rep_id": rep.id, "at": at, "kind": kind,
                                "data": data, "undoes_id": None, "_seq": seq})
            seq += 1

        def row_change(at: datetime, kind: str, after: dict, extra: dict) -> None:
            nonlocal version, updated_at
            version += 1
            updated_at = at
            before = {column: _iso(state[column]) for column in after}
            state.update(after)
            event(at, kind, {"before": before, "after": {c: _iso(v) for c, v in after.items()},
                             "version": version, **extra})

        def stage_change(at: datetime, kind: str, stage, columns: dict, extra: dict) -> None:
            names[stage.id] = stage.name
            row_change(at, kind, {"stage_id": stage.id, "stage_entered_at": at, **columns},
                       {"from_stage": names[state["stage_id"]], "to_stage": stage.name, **extra})

        for step in d.steps:
            kind, data, at = step.kind, step.data, step.at
            if kind == "created":
                event(at, events.CREATED, {"pipeline": first_pipeline, "to_stage": first_stage.name,
                                           "value": d.value, "version": 1})
            elif kind == "act":
                rows["activity"].append({
                    "id": data["id"], "deal_id": d.id, "rep_id": rep.id, "type": data["type"],
                    "milestone": data["milestone"], "occurred_at": at, "duration_min": data["duration"],
                    "outcome": data["outcome"], "created_at": step.end,
                })
                event(step.end, events.ACTIVITY_LOGGED, {"activity_id": data["id"], "type": data["type"],
                                                         "milestone": data["milestone"], "outcome": data["outcome"]})
                if last_activity is None or at > last_activity:
                    last_activity = at
                if data["milestone"]:
                    best = max(best, MILESTONES.index(data["milestone"]) + 1)
            elif kind == "task_add":
                task = data["task"]
                due = date.fromordinal(task["due"])
                if task["open"]:
                    counts["open"] += 1
                    counts["overdue"] += task["due"] < self.T
                rows["task"].append({
                    "id": task["id"], "deal_id": d.id, "owner_id": rep.id, "title": task["title"], "due": due,
                    "done_at": None if task["open"] else task["done_step"].at, "created_at": at,
                    "created_by_id": rep.id,
                })
                event(at, events.TASK_ADDED, {"task_id": task["id"], "title": task["title"], "due": due.isoformat()})
            elif kind == "task_done":
                task = data["task"]
                event(at, events.TASK_DONE, {"task_id": task["id"], "title": task["title"]})
            elif kind == "note":
                body = data["body"]
                rows["note"].append({"id": data["id"], "deal_id": d.id, "rep_id": rep.id, "body": body,
                                     "created_at": at})
                event(at, events.NOTE_ADDED, {"note_id": data["id"], "summary": body.splitlines()[0].strip()})
            elif kind == "move":
                stage_change(at, events.STAGE_CHANGED, data["stage"], {}, {})
            elif kind == "convert":
                stage_change(at, events.CONVERTED, data["stage"], {"pipeline": OPPORTUNITY, "converted_at": at}, {})
                counts["converted"] += 1
            elif kind == "won":
                stage_change(at, events.WON, data["stage"], {"closed_at": at}, {"value": state["value"]})
            elif kind == "lost":
                reason = data["reason"]
                stage_change(at, events.LOST, data["stage"], {"closed_at": at, "lost_reason": reason},
                             {"reason": reason})
            elif kind == "close_date" and data["value"] != state["expected_close"]:
                row_change(at, events.CLOSE_DATE_CHANGED, {"expected_close": data["value"]}, {})
            elif kind == "value" and data["value"] != state["value"]:
                row_change(at, events.VALUE_CHANGED, {"value": data["value"]}, {})
        if d.end_kind == "won":
            counts["won"] += 1
        elif d.end_kind == "lost":
            counts["disqualified" if state["pipeline"] == LEAD else "lost"] += 1
        counts["leads" if state["pipeline"] == LEAD else "opps"] += 1
        rows["deal"].append({
            "id": d.id,
            "pipeline": state["pipeline"],
            "stage_id": state["stage_id"],
            "title": d.title,
            "account_id": d.account["id"],
            "contact_id": d.contact["id"],
            "owner_id": rep.id,
            "value": state["value"],
            "expected_close": state["expected_close"],
            "source": d.source,
            "territory": d.territory,
            "product": d.product,
            "created_at": d.created_at,
            "stage_entered_at": state["stage_entered_at"],
            "converted_at": state["converted_at"],
            "closed_at": state["closed_at"],
            "lost_reason": state["lost_reason"],
            "external_id": None,
            "last_activity_at": last_activity,
            "milestone": MILESTONES[best - 1] if best else None,
            "version": version,
            "updated_at": updated_at,
            "updated_by_id": rep.id,
        })


def _fit(weights: tuple[float, ...], n: int) -> tuple[float, ...]:
    """Weights for ``n`` stages from ones written for the default four."""
    if n <= len(weights):
        return weights[:n]
    return weights + (weights[-1],) * (n - len(weights))
