"""Weighing open deals by their win probability: the deal's own when it carries one
(imported from another CRM, ``Deal.probability``), else its stage's.

``stage_totals`` is one statement of two aggregates: the count and sums per stage of
every matching deal, read from the covering indexes boards already use, and the sums of
the few deals that carry their own probability, per stage and probability, read from a
partial index holding only those (``ix_deal_own_probability``). Each stage's sums are
weighed by the stage's probability, then corrected by what the deals with their own
add or take away. Grouping every deal by its probability instead cost a temporary
B-tree over every open deal (ten times slower on 100,000 deals).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, literal, null, union_all
from sqlmodel import Session, func, select

from store.models import Deal


def stage_totals(
    session: Session, sums: list, where: list, stage_probability: dict[int, int]
) -> tuple[list[tuple[Any, ...]], dict[int, list[int]]]:
    """``([(stage_id, count, *sums)], {stage_id: [what to add to each raw weighted sum]})`` for the
    deals matching ``where``: the raw sums are ``sum × the stage's probability`` plus the fix."""
    every = (
        select(literal(0, Integer).label("own"), Deal.stage_id, cast(null(), Integer).label("probability"),
               func.count().label("n"), *sums)
        .where(*where)
        .group_by(Deal.stage_id)
    )
    their_own = (
        select(literal(1, Integer), Deal.stage_id, Deal.probability, func.count(), *sums)
        .where(Deal.probability.is_not(None), *where)
        .group_by(Deal.stage_id, Deal.probability)
    )
    rows, fixes = [], {}
    for own, stage_id, probability, n, *values in session.exec(union_all(every, their_own)):
        if not own:
            rows.append((stage_id, n, *values))
            continue
        delta = probability - stage_probability[stage_id]
        fix = fixes.setdefault(stage_id, [0] * len(values))
        for i, value in enumerate(values):
            fix[i] += int(value or 0) * delta
    return rows, fixes
