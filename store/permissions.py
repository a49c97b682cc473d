"""Who may change what, decided here for every write (never only by hiding a key).

- A rep changes their own deals and tasks (and logs work, notes and tasks on their
  own deals); a manager changes those of the reps they manage.
- A manager manages the reps of the team they lead (``team.manager_id``) and of the
  team they belong to. Reps without a team, with managers without a team, form one
  implicit team: a database from before teams keeps its managers.
- Reassigning a deal or a task to someone else, goals, roles, reps, teams, stages,
  lost reasons and team settings are a manager's.
- ``team.open_editing = true`` (store.settings) lets every rep change every deal and
  task, as a small team may want; administration stays a manager's.
- A deactivated rep changes nothing: their deals and tasks went to someone else, and
  a session they still had open (or a script) is refused like any other stranger.
- ``by=None`` is a process with no signed-in rep (``legwork`` run by the server's
  administrator before the team has a manager): it may set the team up until the
  first manager exists, and nothing after.

Every refusal raises ``Forbidden`` with one line saying why.
"""

from __future__ import annotations

from sqlmodel import Session, select

from store.errors import Forbidden, NotFound
from store.models import Deal, Rep, Task, Team


def rep_row(session: Session, rep_id: int) -> Rep:
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    return rep


def _open_editing(session: Session) -> bool:
    from store.settings import open_editing  # settings imports this module

    return open_editing(session)


def has_manager(session: Session) -> bool:
    return session.exec(select(Rep.id).where(Rep.role == "manager", Rep.active == True)).first() is not None  # noqa: E712


def manages(session: Session, manager: Rep, rep: Rep) -> bool:
    """Whether ``manager`` manages ``rep`` (a manager manages themself)."""
    if manager.role != "manager" or not manager.active:
        return False
    if manager.id == rep.id or manager.team_id == rep.team_id:
        return True
    if rep.team_id is None:
        return False
    team = session.get(Team, rep.team_id)
    return team is not None and team.manager_id == manager.id


def managed_rep_ids(session: Session, manager_id: int) -> set[int]:
    """The reps ``manager_id`` manages (empty for a rep)."""
    manager = rep_row(session, manager_id)
    if manager.role != "manager":
        return set()
    led = select(Team.id).where(Team.manager_id == manager.id)
    same = Rep.team_id.is_(None) if manager.team_id is None else Rep.team_id == manager.team_id
    return set(session.exec(select(Rep.id).where(same | Rep.team_id.in_(led)))) | {manager.id}


def may_change_for(session: Session, by: int, owner_id: int) -> bool:
    """Whether rep ``by`` may change a deal or task that ``owner_id`` owns."""
    actor = rep_row(session, by)
    if not actor.active:
        return False
    if by == owner_id or _open_editing(session):
        return True
    return manages(session, actor, rep_row(session, owner_id))


def _require_active(session: Session, by: int, what: str) -> Rep:
    actor = rep_row(session, by)
    if not actor.active:
        raise Forbidden(f"{actor.handle} is deactivated and cannot {what} anything: a manager can reactivate them")
    return actor


def _whose(session: Session, owner_id: int) -> str:
    owner = session.get(Rep, owner_id)
    return f"{owner.handle}'s" if owner is not None else "another rep's"


def require_deal_change(session: Session, by: int, deal: Deal, what: str = "change") -> None:
    """Refuse unless ``by`` may change ``deal`` (move, edit, close, log work on it)."""
    _require_active(session, by, what)
    if may_change_for(session, by, deal.owner_id):
        return
    actor = rep_row(session, by)
    raise Forbidden(
        f"{actor.handle} cannot {what} {_whose(session, deal.owner_id)} deal {deal.title!r}: "
        "only its owner and their manager can"
    )


def deal_for_work(session: Session, deal_id: int, by: int, what: str) -> tuple[Deal, Rep]:
    """The deal and the acting rep for work logged on it (an activity, a note, a task):
    refused (``NotFound``) when either is missing, ``Forbidden`` unless ``by`` may change the deal."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(f"no deal with id {deal_id}")
    rep = rep_row(session, by)
    require_deal_change(session, by, deal, what)
    return deal, rep


def require_task_change(session: Session, by: int, task: Task, what: str = "change") -> None:
    """Refuse unless ``by`` may change ``task``: its owner, the owner of its deal,
    or their manager."""
    _require_active(session, by, what)
    if may_change_for(session, by, task.owner_id):
        return
    deal = session.get(Deal, task.deal_id)
    if deal is not None and may_change_for(session, by, deal.owner_id):
        return
    actor = rep_row(session, by)
    raise Forbidden(
        f"{actor.handle} cannot {what} {_whose(session, task.owner_id)} task {task.title!r}: "
        "only its owner, the deal's owner and their manager can"
    )


def require_assign(session: Session, by: int, owner_id: int, what: str = "give a deal to") -> None:
    """Refuse unless ``by`` may make ``owner_id`` the owner of a deal or task:
    anyone may take work themself; giving it to someone else is a manager's
    (of that rep), or anyone's under open editing."""
    actor = _require_active(session, by, what)
    if by == owner_id:
        return
    target = rep_row(session, owner_id)
    if _open_editing(session) or manages(session, actor, target):
        return
    raise Forbidden(f"{actor.handle} cannot {what} {target.handle}: only their manager can")


def require_manager(session: Session, by: int | None, what: str, *, of_rep: int | None = None) -> Rep | None:
    """Refuse unless ``by`` is a manager (of ``of_rep``, when given).

    ``by=None`` (no signed-in rep) passes only while the database has no manager:
    the server's administrator setting a new team up from the command line.
    """
    if by is None:
        if has_manager(session):
            raise Forbidden(f"only a manager can {what}: sign in as one (--rep HANDLE)")
        return None
    actor = rep_row(session, by)
    if actor.role != "manager" or not actor.active:
        raise Forbidden(f"{actor.handle} cannot {what}: only a manager can")
    if of_rep is not None and not manages(session, actor, rep_row(session, of_rep)):
        raise Forbidden(f"{actor.handle} cannot {what}: that rep is in another manager's team")
    return actor
