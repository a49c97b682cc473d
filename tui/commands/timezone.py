"""``legwork timezone [TZ]``: show the team's timezone, or (a manager) set it.

The team's working day: numbers periods, boards' "today" and the stand-up follow
it; each rep's own timezone (``legwork rep edit --timezone``) shows their times.
"""

from __future__ import annotations

from store import settings
from tui.commands.admin import one_line_errors, acting, run_guarded
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    one_line_errors(parser)
    parser.add_argument("tz", metavar="TZ", nargs="?", help="the new timezone; none: show it")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args, database, handle: str) -> int:
    def body(session) -> int:
        if args.tz is not None:
            settings.set_team_timezone(session, args.tz.strip(), by=acting(session, handle))
        tz = settings.team_timezone(session)
        if args.json:
            out_json({"timezone": tz})
        else:
            write_lines([f"team timezone {tz}"])
        return 0

    return run_guarded(database, body)
