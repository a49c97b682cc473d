"""``legwork settings``: the team's settings; ``legwork settings open-editing true|false``
sets who may change deals (a manager's choice).

    currency USD · team timezone UTC · open editing off
"""

from __future__ import annotations

from store import settings
from tui.commands.admin import one_line_errors, acting, run_guarded
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    one_line_errors(parser)
    parser.add_argument("key", metavar="SETTING", nargs="?", choices=["open-editing"],
                        help="open-editing: every rep may change every deal and task")
    parser.add_argument("value", metavar="VALUE", nargs="?", help="true or false")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args, database, handle: str) -> int:
    def body(session) -> int:
        if args.key is not None:
            if args.value is None:
                from tui.commands.admin import Refused

                raise Refused("open-editing needs a value: true or false")
            settings.set_open_editing(session, settings.parse_flag(args.value, "open-editing"), by=acting(session, handle))
        shown = current(session)
        if args.json:
            out_json(shown)
        else:
            write_lines([
                f"currency {shown['currency']} · team timezone {shown['timezone']} · "
                f"open editing {'on' if shown['open_editing'] else 'off'}"
            ])
        return 0

    return run_guarded(database, body)


def current(session) -> dict:
    return {"currency": settings.currency(session), "timezone": settings.team_timezone(session),
            "open_editing": settings.open_editing(session)}
