"""``legwork currency [CODE]``: show the database's currency, or (a manager) name it.

Amounts are not converted: the code names the unit they are entered in.
"""

from __future__ import annotations

from store import settings
from tui.commands.admin import one_line_errors, acting, run_guarded
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    one_line_errors(parser)
    parser.add_argument("code", metavar="CODE", nargs="?", help="the new currency (e.g. EUR); none: show it")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args, database, handle: str) -> int:
    def body(session) -> int:
        if args.code is not None:
            settings.set_currency(session, args.code, by=acting(session, handle))
        code = settings.currency(session)
        if args.json:
            out_json({"currency": code})
        else:
            write_lines([f"currency {code}"])
        return 0

    return run_guarded(database, body)
