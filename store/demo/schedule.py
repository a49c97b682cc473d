"""When things happened: the day a deal entered each stage, its expected close date,
the open tasks on live deals (within each rep's capacity), and a time in the owner's
working hours for every step."""

from __future__ import annotations

import bisect
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pendulum

from store.demo.plan import DEMO_REP, DealPlan, Step
from store.demo.words import LEAD_DWELL, OPP_DWELL, TASKS_EXTRA, TASKS_LEAD, TASKS_OPP, WORK_END, WORK_START
from store.models import LEAD, OPPORTUNITY

if TYPE_CHECKING:
    from store.demo.builder import Builder
    from store.demo.team import RepPlan


def stage_days(b: Builder, d: DealPlan) -> None:
    """The stages a deal went through, and the day it entered each."""
    rng = b.rng
    pipeline, idx = d.final
    n_lead = len(b.open[LEAD])
    path: list[tuple[str, int]] = []
    if d.born == LEAD:
        last = idx if pipeline == LEAD else min(n_lead - 1, 2 if rng.random() < 0.65 else 3)
        lead_stages = list(range(last + 1))
        if d.source == "Inbound" and last >= 2 and rng.random() < 0.3:
            lead_stages.remove(1)  # they answered straight away
        path += [(LEAD, i) for i in lead_stages]
    if pipeline == OPPORTUNITY:
        path += [(OPPORTUNITY, i) for i in range(idx + 1)]
    d.rot = b.open[pipeline][idx].rot_days or 14
    table = {LEAD: LEAD_DWELL, OPPORTUNITY: OPP_DWELL}
    dwell = [rng.randint(*table[p][min(i, 3)]) for p, i in path]
    last_day = b.T - 1
    if d.end_kind is None:
        if d.stale:
            in_stage = rng.randint(d.rot + 3, max(d.rot + 5, 3 * d.rot))
        elif rng.random() < 0.7 or d.task_plan is None:
            in_stage = rng.randint(1, max(1, d.rot - 1))
        else:
            in_stage = rng.randint(d.rot, 2 * d.rot)
        dwell[-1] = min(in_stage, b.T - b.S - 3)
        end = b.T
    else:
        end = rng.randint(min(b.S + 7 * len(path), last_day), last_day)
    entries = [0.0] * len(path)
    at = float(end)
    for k in range(len(path) - 1, -1, -1):
        at -= dwell[k]
        entries[k] = at
    if entries[0] < b.S:
        # Squeeze the earlier stages into the window (an open deal keeps its time in stage).
        anchor = entries[-1] if d.end_kind is None else float(end)
        span = anchor - entries[0]
        for k in range(len(path) - (1 if d.end_kind is None else 0)):
            entries[k] = anchor - (anchor - entries[k]) * (anchor - b.S) / span if span > 0 else b.S
    rep = d.rep
    floor = rep.fwd(b.S)
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


def expected_close(b: Builder, d: DealPlan) -> date:
    rng = b.rng
    if d.end_kind is not None:
        shift = rng.randint(-3, 10) if d.end_kind == "won" else rng.randint(-10, 30)
        return date.fromordinal(d.end_day + shift)
    today = pendulum.Date(b.today.year, b.today.month, b.today.day)
    quarter_end = today.last_of("quarter").toordinal()
    next_start = today.first_of("quarter").add(months=3)
    stage = min(d.final[1], 3)
    past, this = (0.05, 0.08, 0.12, 0.18)[stage], (0.30, 0.40, 0.55, 0.65)[stage]
    pick = rng.random()
    if pick < past:
        return date.fromordinal(b.T - rng.randint(1, 45))
    if pick < past + this:
        return date.fromordinal(rng.randint(b.T + 1, max(quarter_end, b.T + 14)))
    return date.fromordinal(rng.randint(next_start.toordinal(), next_start.last_of("quarter").toordinal()))


def open_tasks(b: Builder, deals: list[DealPlan], reps: list[RepPlan]) -> date | None:
    """Open tasks on live deals, within each rep's capacity, but for one day of DEMO_REP's."""
    rng, T = b.rng, b.T
    loads: dict[int, dict[int, int]] = {rep.id: {} for rep in reps}
    plans = [d for d in deals if d.end_kind is None and d.task_plan is not None]
    demo = next((r for r in reps if r.handle == DEMO_REP), None)
    overload_day = demo.fwd(T + 1) if demo is not None else None
    mine = [d for d in plans if d.rep is demo]
    piled: list[DealPlan] = []
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
        due = _room(rep, loads[rep.id], due, overload_day if rep is demo else None)
        _open_task(b, d, due, loads[rep.id])
    for d in piled:
        _open_task(b, d, overload_day, loads[demo.id])
    for _ in range(extras):
        _open_task(b, rng.choice(mine), overload_day, loads[demo.id], TASKS_EXTRA)
    return date.fromordinal(overload_day) if mine else None


def _room(rep: RepPlan, load: dict[int, int], due: int, avoid: int | None) -> int:
    day = due
    while not (rep.works(day) and day != avoid and load.get(day, 0) < rep.capacity):
        day += 1
    return day


def _open_task(b: Builder, d: DealPlan, due: int, load: dict[int, int], titles=None) -> None:
    pipeline, idx, _ = d.path[-1]
    if titles is None:
        titles = (TASKS_LEAD if pipeline == LEAD else TASKS_OPP)[min(idx, 3)]
    rng, steps = b.rng, d.steps
    title = rng.choice(titles).format(**d.fields)
    task = {"id": None, "title": title, "due": due, "open": True}
    if due >= steps[-1].day:
        steps.append(Step(steps[-1].day, "task_add", {"task": task}))
    else:
        # Overdue: set some days before it was due, and not done since (work went on regardless).
        created = d.rep.pick(rng, max(steps[0].day, due - 10), due)
        at = bisect.bisect_right([step.day for step in steps], created)
        steps.insert(at, Step(created, "task_add", {"task": task}))
    load[due] = load.get(due, 0) + 1


def working_times(b: Builder, d: DealPlan) -> None:
    """A moment in the owner's working hours for each step, keeping their order."""
    rng, rep, steps = b.rng, d.rep, d.steps
    previous_end = None
    i = 0
    while i < len(steps):
        day = steps[i].day
        j = i
        while j < len(steps) and steps[j].day == day:
            j += 1
        group = steps[i:j]
        # The latest start that leaves the day's work room to end before the cutoff.
        limit = int((b.cutoff - rep.noon(day)).total_seconds() // 60) + 720 - 75 * len(group)
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
        if previous_end >= b.cutoff:
            shift = previous_end - b.cutoff + timedelta(minutes=5)
            for step in group:
                step.at -= shift
                step.end -= shift
            previous_end -= shift
        i = j
