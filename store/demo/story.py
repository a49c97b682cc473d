"""A deal's story: the dated steps of one deal (created, stage moves, activities, tasks,
notes, close-date slips, conversion, win or loss), in the order they happened.

Steps are days only here; ``store.demo.schedule`` gives them times, ``store.demo.rows``
turns them into rows and events.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from store.demo.plan import DealPlan, Step
from store.demo.schedule import expected_close
from store.demo.words import (
    ATTEMPT_EMAIL,
    CALL_CONNECT,
    CALL_NO_ANSWER,
    CALL_NURTURE,
    DISCOVERY,
    DISQUALIFIED_TOUCH,
    EMAIL_NURTURE,
    FINDINGS,
    FOLLOW_UP_CALL,
    FOLLOW_UP_EMAIL,
    INBOUND_REPLY,
    LOST_TOUCH,
    NEGOTIATION_CALL,
    NEGOTIATION_EMAIL,
    NOTE_DISCOVERY,
    NOTE_FINDINGS,
    NOTE_LOST,
    NOTE_LOST_HEAD,
    NOTE_PROPOSAL,
    NOTE_RAPPORT,
    NOTE_WON,
    NURTURING_TOUCH,
    PROPOSAL,
    RAPPORT,
    TASKS_BEFORE,
    WON_TOUCH,
)
from store.models import LEAD, MILESTONES, OPPORTUNITY

if TYPE_CHECKING:
    from store.demo.builder import Builder


class Story:
    """Writes down the dated steps of one deal, in the order they happened."""

    def __init__(self, builder: Builder, deal: DealPlan):
        self.b, self.d, self.rng, self.rep = builder, deal, builder.rng, deal.rep
        self.steps: list[Step] = []
        self.cursor = deal.path[0][2]
        self.pending: list[Step] = []  # steps fixed to a day (a close date slipping), slotted in on time
        self.reached = 0  # milestone rank so far
        self.cap: int | None = None  # no activity after this day (a deal left to rot)
        self.said: set[str] = set()  # outcomes used on this deal: a timeline does not repeat itself

    # steps

    def add(self, day: int, kind: str, data: dict | None = None) -> Step:
        while self.pending and self.pending[0].day < day:
            self._place(self.pending.pop(0))
        step = Step(max(day, self.cursor), kind, data)
        self._place(step)
        return step

    def _place(self, step: Step) -> None:
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

    def tell(self) -> list[Step]:
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
        final = expected_close(b, d)
        original = final
        start = date.fromordinal(opp_start)
        if rng.random() < 0.28 and (final - start).days > 28:
            original = max(final - timedelta(days=rng.randint(14, 45)), start + timedelta(days=10))
            end = d.end_day - 1 if d.end_day is not None else d.last_day
            o = original.toordinal()
            low, high = max(opp_start + 1, o - 10), min(o + 7, end)
            day = rep.pick(rng, low, high) if low <= high else None
            if day is not None and low <= day <= high:
                self.pending.append(Step(day, "close_date", {"value": final}))
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

    def _with_done_tasks(self) -> list[Step]:
        """Most meetings were booked from a task, done on the day; some calls too."""
        d, rng = self.d, self.rng
        out: list[Step] = []
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
                    out.append(Step(created, "task_add", {"task": task}))
                    done = Step(step.day, "task_done", {"task": task})
                    task["done_step"] = done
                    out.append(done)
            out.append(step)
        return out

