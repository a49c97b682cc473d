"""Taking a rep off the team, and bringing them back (a manager's, store.permissions).

A deactivated rep no longer signs in and no longer counts in the team's numbers;
their open deals and tasks go to another active rep, each deal's new owner an
owner-change event. Every change is recorded with who and when (store.audit).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select, update

from store import audit, clock, events, validate
from store.errors import InvalidInput, RuleViolation
from store.models import Deal, Task, Team
from store.reps import RepInfo, other_managers, rep_row, require_admin_of, to_info
from store.tx import lock_rows, write


@dataclass(frozen=True)
class Handover:
    """What a deactivated rep held, now someone else's."""

    deals: int
    tasks: int
    to_handle: str | None


def open_work(session: Session, rep_id: int) -> tuple[int, int]:
    """(open deals, open tasks) ``rep_id`` owns."""
    deals = session.exec(select(Deal.id).where(Deal.owner_id == rep_id, Deal.closed_at.is_(None))).all()
    tasks = session.exec(select(Task.id).where(Task.owner_id == rep_id, Task.done_at.is_(None))).all()
    return len(deals), len(tasks)


def _counted(n: int, word: str) -> str:
    return f"{n:,} open {word}" + ("" if n == 1 else "s")


def deactivate_rep(session: Session, rep_id: int, *, reassign_to: int | None = None, by: int | None = None) -> Handover:
    """Take a rep off the team (a manager's): they no longer sign in, and no longer count
    in the team's numbers. Their open deals and tasks must go to ``reassign_to``
    (each deal's new owner an owner-change event by ``by``); closed deals and the
    history stay theirs. Teams they led lose their manager."""
    validate.ident(rep_id, "rep")
    validate.ident(reassign_to, "rep")
    with write(session):
        rep = rep_row(session, rep_id)
        require_admin_of(session, by, rep, f"deactivate {rep.handle}")
        if not rep.active:
            raise RuleViolation(f"{rep.handle} is deactivated already")
        if rep.role == "manager" and not other_managers(session, rep.id):
            raise RuleViolation(f"{rep.handle} is the last manager: make another rep a manager first")
        deal_ids = list(session.exec(
            select(Deal.id).where(Deal.owner_id == rep.id, Deal.closed_at.is_(None)).order_by(Deal.id)
        ))
        task_ids = list(session.exec(
            select(Task.id).where(Task.owner_id == rep.id, Task.done_at.is_(None)).order_by(Task.id)
        ))
        target = None
        if reassign_to is not None:
            target = rep_row(session, reassign_to)
            if target.id == rep.id or not target.active:
                raise InvalidInput(f"{rep.handle}'s work must go to another active rep, not {target.handle}")
        elif deal_ids or task_ids:
            held = " and ".join(
                _counted(n, w) for n, w in ((len(deal_ids), "deal"), (len(task_ids), "task")) if n
            )
            raise RuleViolation(f"{rep.handle} holds {held}: say who takes them (--reassign-to HANDLE)")
        now = clock.now()
        if deal_ids:
            lock_rows(session, Deal.id, deal_ids)
            versions = dict(session.exec(select(Deal.id, Deal.version).where(Deal.id.in_(deal_ids))).all())
            session.execute(
                update(Deal).where(Deal.id.in_(deal_ids))
                .values(owner_id=target.id, version=Deal.version + 1, updated_at=now, updated_by_id=by)
                .execution_options(synchronize_session=False)
            )
            for deal_id in deal_ids:
                events.record(session, deal_id, by, events.OWNER_CHANGED, events.row_change(
                    {"owner_id": rep.id}, {"owner_id": target.id}, versions[deal_id] + 1,
                    **events.owner_change(rep.name, target.name, reason=f"{rep.handle} deactivated"),
                ), at=now)
        if task_ids:
            session.execute(
                update(Task).where(Task.id.in_(task_ids))
                .values(owner_id=target.id, version=Task.version + 1, updated_at=now, updated_by_id=by)
                .execution_options(synchronize_session=False)
            )
        led = list(session.exec(select(Team).where(Team.manager_id == rep.id)))
        for team in led:
            team.manager_id = None
            session.add(team)
        rep.active = False
        session.add(rep)
        audit.record(session, by, "rep.deactivated", rep.handle, deals=len(deal_ids), tasks=len(task_ids),
                     reassigned_to=target.handle if target else None, teams_left=[t.name for t in led])
        session.flush()
        result = Handover(len(deal_ids), len(task_ids), target.handle if target else None)
    return result


def reactivate_rep(session: Session, rep_id: int, *, by: int | None = None) -> RepInfo:
    with write(session):
        rep = rep_row(session, rep_id)
        require_admin_of(session, by, rep, f"reactivate {rep.handle}")
        if rep.active:
            raise RuleViolation(f"{rep.handle} is active already")
        rep.active = True
        session.add(rep)
        audit.record(session, by, "rep.reactivated", rep.handle)
        session.flush()
        info = to_info(rep)
    return info
