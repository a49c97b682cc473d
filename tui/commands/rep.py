"""``legwork rep``: add, change, deactivate and list reps (a manager's; a rep edits
their own name, email, timezone, capacity and working days).

    legwork rep add HANDLE --name NAME [--email E] [--role rep|manager] [--timezone TZ]
                           [--capacity N] [--working-days 1-5] [--team NAME]
    legwork rep edit HANDLE [the same options] [--team ""]
    legwork rep deactivate HANDLE [--reassign-to HANDLE]
    legwork rep list [--all] [--json]
"""

from __future__ import annotations

from store import deactivation, reps
from store import teams as team_store
from store.terms import ROLES
from store.reps import KEEP, RepInfo
from tui.commands.admin import Refused, acting, days_label, named_or_cleared, one_line, rep_named, run_action
from tui.commands.admin import subcommands, whole
from tui.commands.admin import working_days as parse_days
from tui.commands.output import out_json, write_lines


def _rep_options(sub, *, adding: bool) -> None:
    sub.add_argument("handle", metavar="HANDLE", help="the rep's handle (lower-case, as they sign in)")
    sub.add_argument("--name", required=adding, help="full name")
    sub.add_argument("--email")
    sub.add_argument("--role", choices=ROLES)
    sub.add_argument("--timezone", metavar="TZ", help="e.g. Europe/Berlin (default UTC)")
    sub.add_argument("--capacity", metavar="N", help="tasks a day (default 12)")
    sub.add_argument("--working-days", metavar="DAYS", help="ISO weekdays: 1-5, 1,2,4, mon-thu (default 1-5)")
    sub.add_argument("--team", metavar="NAME", help='the team they belong to ("" for none)')


def add_arguments(parser) -> None:
    add = subcommands(parser, "rep_action")
    _rep_options(add("add", "add a rep", json=True), adding=True)
    edit = add("edit", "change a rep (role and team: managers only)", json=True)
    _rep_options(edit, adding=False)
    off = add("deactivate", "take a rep off the team; their open deals and tasks go to --reassign-to", json=True)
    off.add_argument("handle", metavar="HANDLE")
    off.add_argument("--reassign-to", metavar="HANDLE", help="who takes their open deals and tasks")
    on = add("reactivate", "bring a deactivated rep back", json=True)
    on.add_argument("handle", metavar="HANDLE")
    listing = add("list", "the reps, with role, team, timezone, capacity and working days", json=True)
    listing.add_argument("--all", action="store_true", help="deactivated reps too")


def run(args, database, handle: str) -> int:
    return run_action(args, database, handle, _ACTIONS, "rep_action")


def _team_id(session, name: str | None):
    return named_or_cleared(name, lambda text: team_store.find_team(session, text).id)


def _add(session, args, handle) -> int:
    by = acting(session, handle)
    rep = reps.create_rep(
        session, args.handle, args.name,
        role=args.role or "rep",
        timezone=args.timezone or "UTC",
        capacity=whole(args.capacity, "capacity") if args.capacity is not None else reps.DEFAULT_CAPACITY,
        working_days=parse_days(args.working_days) if args.working_days is not None else reps.MONDAY_TO_FRIDAY,
        email=args.email,
        team_id=team_store.find_team(session, args.team).id if (args.team or "").strip() else None,
        by=by,
    )
    return _done(session, args, rep, "added")


def _edit(session, args, handle) -> int:
    by = acting(session, handle)
    rep = rep_named(session, args.handle)
    given = [args.name, args.email, args.role, args.timezone, args.capacity, args.working_days, args.team]
    if all(v is None for v in given):
        raise Refused("nothing to change: give --name, --email, --role, --timezone, --capacity, --working-days or --team")
    rep = reps.update_rep(
        session, rep.id,
        name=args.name,
        email=KEEP if args.email is None else (args.email or None),
        role=args.role,
        timezone=args.timezone,
        capacity=whole(args.capacity, "capacity") if args.capacity is not None else None,
        working_days=parse_days(args.working_days) if args.working_days is not None else None,
        team_id=_team_id(session, args.team),
        by=by,
    )
    return _done(session, args, rep, "changed")


def _deactivate(session, args, handle) -> int:
    by = acting(session, handle)
    rep = rep_named(session, args.handle)
    target = rep_named(session, args.reassign_to).id if args.reassign_to else None
    handover = deactivation.deactivate_rep(session, rep.id, reassign_to=target, by=by)
    if args.json:
        out_json({"handle": rep.handle, "active": False, "deals_reassigned": handover.deals,
                  "tasks_reassigned": handover.tasks, "reassigned_to": handover.to_handle})
    else:
        counts = [f"{n} open {word}{'' if n == 1 else 's'}" for n, word in ((handover.deals, "deal"),
                                                                          (handover.tasks, "task")) if n]
        moved = f": {' and '.join(counts)} to {handover.to_handle}" if counts else ""
        write_lines([f"deactivated {rep.handle}{moved}"])
    return 0


def _reactivate(session, args, handle) -> int:
    by = acting(session, handle)
    rep = deactivation.reactivate_rep(session, rep_named(session, args.handle).id, by=by)
    return _done(session, args, rep, "reactivated")


def _list(session, args, handle) -> int:
    names = {t.id: t.name for t in team_store.list_teams(session)}
    listed = reps.list_reps(session, include_inactive=args.all)
    if args.json:
        out_json([as_json(r, names) for r in listed])
    else:
        write_lines(as_lines(listed, names) or ["no reps yet: legwork rep add HANDLE --name NAME --role manager"])
    return 0


def _done(session, args, rep: RepInfo, verb: str) -> int:
    names = {t.id: t.name for t in team_store.list_teams(session)}
    if args.json:
        out_json(as_json(rep, names))
    else:
        write_lines([f"{verb} {rep_line(rep, names)}"])
    return 0


def as_json(rep: RepInfo, team_names: dict[int, str]) -> dict:
    return {
        "handle": rep.handle, "name": rep.name, "email": rep.email, "role": rep.role,
        "team": team_names.get(rep.team_id), "timezone": rep.timezone, "capacity": rep.capacity,
        "working_days": list(rep.working_days), "active": rep.active,
    }


def rep_line(rep: RepInfo, team_names: dict[int, str]) -> str:
    """``ana  Ana Reyes · rep · team East · Europe/Berlin · 12 a day · Mon–Fri``."""
    parts = [one_line(rep.name), rep.role, f"team {one_line(team_names[rep.team_id])}" if rep.team_id in team_names
             else "no team", rep.timezone, f"{rep.capacity} a day", days_label(rep.working_days)]
    if rep.email:
        parts.insert(1, one_line(rep.email))
    if not rep.active:
        parts.append("deactivated")
    return f"{rep.handle:<14} " + " · ".join(parts)


def as_lines(listed: list[RepInfo], team_names: dict[int, str]) -> list[str]:
    return [rep_line(r, team_names) for r in listed]


_ACTIONS = {"add": _add, "edit": _edit, "deactivate": _deactivate, "reactivate": _reactivate, "list": _list}
