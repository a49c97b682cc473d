"""What a demo is planned with: its size and summary, a deal's plan and its dated steps,
and the small counting and random helpers every part of the generator shares."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.demo.team import RepPlan

DEMO_REP = "alex"  # the handle `legwork demo` signs in as by default
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


def slug(text_: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text_.lower())


def allocate(total: int, weights: tuple[float, ...], minimum: int = 1) -> list[int]:
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


def weighted(rng: random.Random, pairs) -> Any:
    total = sum(w for _, w in pairs)
    pick = rng.random() * total
    for item, weight in pairs:
        pick -= weight
        if pick < 0:
            return item
    return pairs[-1][0]


def fit(weights: tuple[float, ...], n: int) -> tuple[float, ...]:
    """Weights for ``n`` stages from ones written for the default four."""
    if n <= len(weights):
        return weights[:n]
    return weights + (weights[-1],) * (n - len(weights))


class Step:
    """One dated thing in a deal's story: ``kind`` says what, ``data`` the details."""

    __slots__ = ("day", "kind", "data", "at", "end")

    def __init__(self, day: int, kind: str, data: dict | None = None):
        self.day, self.kind, self.data = day, kind, data if data is not None else {}
        self.at: datetime | None = None
        self.end: datetime | None = None  # when it was written down (an activity is logged after it)


class DealPlan:
    """One deal as planned: who, what, the stages it went through and its steps, before it is rows."""

    __slots__ = (
        "n", "rep", "account", "contact", "fields", "title", "source", "territory", "product", "value", "born",
        "end_kind", "final", "path", "end_day", "last_day", "rot", "stale", "task_plan", "steps",
        "expected", "id", "created_at",
    )

    def __init__(self, n: int, rep: RepPlan):
        self.n, self.rep = n, rep
        self.stale = False
        self.task_plan: str | None = None  # "soon", "overdue", or None for no next step
        self.expected: tuple[date | None, date | None] = (None, None)
        self.id: int | None = None

