"""The demo's builder: reads what the database already holds (stages, lost reasons, the
next free ids), then plans the team and the deals, tells each deal's story, gives its
steps times, turns them into rows and writes them. Its attributes are what every part
of the plan reads: ``T`` (today's day ordinal), ``S`` (the first day of history),
``open`` (each pipeline's open stages in order), ``rng`` and ``new_id``."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from store import settings
from store.demo import cast, inserts, rows, schedule, team
from store.demo.plan import UTC, DemoSize, DemoSummary, allocate, weighted
from store.demo.story import Story
from store.demo.words import LEAD_REASONS, OPP_REASONS
from store.errors import RuleViolation
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON, LostReason, Stage


class Builder:
    def __init__(
        self, session: Session, rng: random.Random, today: date, size: DemoSize, report: Callable[[str, float], None]
    ):
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
        self.open = {p: [r for r in found if r.kind == OPEN] for p, found in stages.items()}
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
            for table in inserts.TABLES
            if "id" in table.__table__.c
        }
        self.accounts: list[dict] = []
        self.contacts: list[dict] = []

    def new_id(self, table) -> int:
        """The next id of ``table``'s rows: given here, in the order things were created."""
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def run(self) -> DemoSummary:
        rng, report = self.rng, self.report
        report("Hiring the team", 0.0)
        reps, manager = team.hire(self)
        report("Finding accounts", 0.03)
        deals = cast.cast(self, reps)
        report("Working the deals", 0.08)
        # Live deals: some left to rot (no activity past the stage's threshold, nothing
        # scheduled), some worked recently but with no next step, some behind on a task.
        live = [d for d in deals if d.end_kind is None]
        plans = ["stale", None, "overdue", "soon"]
        counts = allocate(len(live), (0.12, 0.10, 0.14, 0.64), minimum=1 if len(live) >= 8 else 0)
        shuffled = [plan for plan, count in zip(plans, counts) for _ in range(count)]
        rng.shuffle(shuffled)
        for d, plan in zip(live, shuffled):
            if plan is None and (self.open[d.final[0]][d.final[1]].rot_days or 14) < 7:
                plan = "soon"  # a few days' threshold spans a weekend: new leads get a next step
            d.stale = plan == "stale"
            d.task_plan = None if plan == "stale" else plan
        for k, d in enumerate(deals):
            schedule.stage_days(self, d)
            d.steps = Story(self, d).tell()
            if k % 2000 == 1999:
                report("Working the deals", 0.08 + 0.2 * k / len(deals))
        report("Scheduling next steps", 0.28)
        overloaded = schedule.open_tasks(self, deals, reps)
        for d in deals:
            schedule.working_times(self, d)
        report("Writing the history", 0.35)
        table_rows, tally = rows.to_rows(self, reps, manager, deals)
        inserts.insert_rows(self.session, table_rows, report)
        team.make_teams(self.session, manager, reps)
        return DemoSummary(
            reps=len(reps) + 1,
            deals=len(deals),
            leads=tally["leads"],
            opportunities=tally["opps"],
            won=tally["won"],
            lost=tally["lost"],
            disqualified=tally["disqualified"],
            converted=tally["converted"],
            activities=len(table_rows["activity"]),
            tasks=len(table_rows["task"]),
            open_tasks=tally["open"],
            overdue_tasks=tally["overdue"],
            notes=len(table_rows["note"]),
            events=len(table_rows["deal_event"]),
            overloaded_day=overloaded,
            stale=sum(d.stale for d in deals),
        )

    def reason(self, pipeline: str, idx: int) -> str:
        """A lost reason for a deal lost at stage ``idx``, from the team's own labels."""
        labels = self.reasons[pipeline]
        table = LEAD_REASONS if pipeline == LEAD else OPP_REASONS
        weights = table[min(idx, len(table) - 1)]
        pairs = [(label, weights[label]) for label in labels if label in weights]
        return weighted(self.rng, pairs) if pairs else self.rng.choice(labels)
