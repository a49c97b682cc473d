"""``legwork team``: add, change and list teams, and who is in one (managers).

    legwork team add NAME [--manager HANDLE] [--office O] [--region R] [--timezone TZ]
    legwork team edit NAME [--manager HANDLE] [--office O] [--region R] [--timezone TZ] [--rename NEW]
    legwork team list [--json]
    legwork team members NAME [--json]

A rep joins a team with ``legwork rep edit HANDLE --team NAME``. Give an option an
empty value (``--office ""``) to clear it.
"""

from __future__ import annotations

from store import teams as team_store
from store.reps import KEEP
from store.teams import TeamInfo
from tui.commands import rep as rep_command
from tui.commands.admin import acting, named_or_cleared, one_line, rep_named, run_action, subcommands
from tui.commands.output import out_json, write_lines


def _team_options(sub) -> None:
    sub.add_argument("name", metavar="NAME", help="the team's name")
    sub.add_argument("--manager", metavar="HANDLE", help="the manager who leads it")
    sub.add_argument("--office", metavar="OFFICE")
    sub.add_argument("--region", metavar="REGION")
    sub.add_argument("--timezone", metavar="TZ", help="the team's working day, e.g. Europe/Berlin")


def add_arguments(parser) -> None:
    add = subcommands(parser, "team_action")
    _team_options(add("add", "add a team", json=True))
    edit = add("edit", 'change a team (an empty value clears an option: --office "")', json=True)
    _team_options(edit)
    edit.add_argument("--rename", metavar="NEW", help="a new name")
    add("list", "the teams, with manager, office, region, timezone and members", json=True)
    members = add("members", "the reps in a team", json=True)
    members.add_argument("name", metavar="NAME")


def run(args, database, handle: str) -> int:
    return run_action(args, database, handle, _ACTIONS, "team_action")


def _manager_id(session, handle: str | None):
    return named_or_cleared(handle, lambda text: rep_named(session, text, "manager").id)


def _keep_or(value: str | None):
    return KEEP if value is None else value


def _add(session, args, handle) -> int:
    by = acting(session, handle)
    manager = _manager_id(session, args.manager)
    team = team_store.create_team(
        session, args.name, manager_id=None if manager is KEEP else manager,
        office=args.office, region=args.region, timezone=args.timezone, by=by,
    )
    return _done(args, team, "added")


def _edit(session, args, handle) -> int:
    by = acting(session, handle)
    team = team_store.find_team(session, args.name)
    given = [args.manager, args.office, args.region, args.timezone, args.rename]
    if all(v is None for v in given):
        from tui.commands.admin import Refused

        raise Refused("nothing to change: give --manager, --office, --region, --timezone or --rename")
    team = team_store.update_team(
        session, team.id, name=args.rename, manager_id=_manager_id(session, args.manager),
        office=_keep_or(args.office), region=_keep_or(args.region), timezone=_keep_or(args.timezone), by=by,
    )
    return _done(args, team, "changed")


def _list(session, args, handle) -> int:
    listed = team_store.list_teams(session)
    if args.json:
        out_json([as_json(t) for t in listed])
    else:
        write_lines([team_line(t) for t in listed] or ['no teams yet: legwork team add NAME'])
    return 0


def _members(session, args, handle) -> int:
    team = team_store.find_team(session, args.name)
    people = team_store.members(session, team.id)
    names = {team.id: team.name}
    if args.json:
        out_json({"team": team.name, "members": [rep_command.as_json(r, names) for r in people]})
    else:
        lines = [team_line(team)] + [f"  {rep_command.rep_line(r, names)}" for r in people]
        if not people:
            lines.append(f"  nobody yet: legwork rep edit HANDLE --team {team.name!r}")
        write_lines(lines)
    return 0


def _done(args, team: TeamInfo, verb: str) -> int:
    if args.json:
        out_json(as_json(team))
    else:
        write_lines([f"{verb} {team_line(team)}"])
    return 0


def as_json(team: TeamInfo) -> dict:
    return {"name": team.name, "manager": team.manager_handle, "office": team.office, "region": team.region,
            "timezone": team.timezone, "members": team.members}


def team_line(team: TeamInfo) -> str:
    """``East · led by boss · Berlin office · EMEA · Europe/Berlin · 4 members``."""
    parts = [one_line(team.name), f"led by {team.manager_handle}" if team.manager_handle else "no manager"]
    if team.office:
        parts.append(f"{one_line(team.office)} office")
    if team.region:
        parts.append(one_line(team.region))
    if team.timezone:
        parts.append(team.timezone)
    parts.append("1 member" if team.members == 1 else f"{team.members} members")
    return " · ".join(parts)


_ACTIONS = {"add": _add, "edit": _edit, "list": _list, "members": _members}
