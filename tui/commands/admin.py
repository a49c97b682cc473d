"""What the team set-up commands share: who is acting, the options every subcommand
takes, and one way to refuse.

The signed-in handle (``--rep``, ``LEGWORK_REP``, the login name) acts. A handle the
database does not know acts as no one (``by=None``), which the store allows only
while no manager exists: a new server's administrator adds the first manager, then
signs in as them. Every refusal is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from store.errors import Forbidden, InvalidInput, StoreError
from store.reps import KEEP, RepInfo, find_rep, parse_working_days as digit_days
from store.workweek import describe_working_days, parse_working_days as named_days
from tui.commands.output import out_json, say, visible, write_lines

EXIT_REFUSED = 1


class Refused(Exception):
    """A command-line mistake the store never saw (a bad number, an unknown name)."""


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """A usage mistake (a missing --name, an unknown action) as one line and status 1,
    like every other refusal, instead of argparse's usage block and status 2 (which
    the command keeps for a database it cannot open)."""

    def error(message: str):
        print(f"legwork: {visible(message)} (see {parser.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_REFUSED)

    parser.error = error
    return parser


def subcommands(parser: argparse.ArgumentParser, dest: str):
    """A required ``legwork <group> <action>`` level."""
    one_line_errors(parser)
    actions = parser.add_subparsers(dest=dest, metavar="ACTION")
    actions.required = True

    def add(name: str, help_text: str, *, json: bool = False) -> argparse.ArgumentParser:
        sub = one_line_errors(actions.add_parser(name, help=help_text, description=help_text))
        if json:
            sub.add_argument("--json", action="store_true", help="print JSON for scripts")
        # As on every command: --db and --rep may follow the action too.
        sub.add_argument("--db", dest="db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite path")
        sub.add_argument("--rep", dest="rep", metavar="HANDLE", default=argparse.SUPPRESS, help="who you are")
        return sub

    return add


def acting(session, handle: str) -> int | None:
    """The id of the signed-in rep; ``None`` for a handle the database does not know."""
    rep = find_rep(session, handle)
    if rep is None:
        return None
    if not rep.active:
        raise Forbidden(f"{rep.handle} is deactivated: ask a manager")
    return rep.id


def named_or_cleared(text: str | None, find):
    """What an option naming a record asks of a store update: ``KEEP`` when it is not
    given, ``None`` (clear it) when it is given empty (``--team ""``), else ``find(text)``."""
    if text is None:
        return KEEP
    if not text.strip():
        return None
    return find(text)


def rep_named(session, handle: str, what: str = "rep") -> RepInfo:
    rep = find_rep(session, (handle or "").strip())
    if rep is None:
        raise Refused(f"no {what} with handle {handle.strip()!r}")
    return rep


def working_days(text: str) -> tuple[int, ...]:
    try:
        return digit_days(text)
    except InvalidInput:
        return named_days(text)


def days_label(days: tuple[int, ...]) -> str:
    return describe_working_days(days)


def percent(text: str) -> int:
    return whole(text.rstrip("%"), "probability")


def whole(text: str, what: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise Refused(f"{what} must be a whole number, not {text!r}") from None


def one_line(text: str | None) -> str:
    """Stored text on one line, its control characters shown."""
    return visible(" ".join((text or "").split()))


@contextmanager
def refusals():
    """Turn a store refusal or a command-line mistake into ``Failed`` (exit 1)."""
    try:
        yield
    except (StoreError, Refused) as exc:
        raise Failed(str(exc)) from None


class Failed(Exception):
    pass


def run_action(args, database, handle: str, actions: dict, dest: str) -> int:
    """Run the subcommand ``args.<dest>`` names (``actions[name](session, args, handle)``), guarded."""
    return run_guarded(database, lambda session: actions[getattr(args, dest)](session, args, handle))


def setting_arguments(parser, dest: str, metavar: str, help_text: str) -> None:
    """``legwork <setting> [VALUE] [--json]``."""
    one_line_errors(parser)
    parser.add_argument(dest, metavar=metavar, nargs="?", help=help_text)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def show_or_set(database, handle: str, new: str | None, *, change, read, key: str, label: str, json: bool) -> int:
    """Set one of the team's settings when ``new`` is given (``change(session, new, by=…)``,
    a manager's), then show it: ``{key: value}`` as JSON, or ``label value``."""

    def body(session) -> int:
        if new is not None:
            change(session, new, by=acting(session, handle))
        value = read(session)
        if json:
            out_json({key: value})
        else:
            write_lines([f"{label} {value}"])
        return 0

    return run_guarded(database, body)


def run_guarded(database, body) -> int:
    """Run ``body(session)`` in a session; a refusal is one line and status 1."""
    try:
        with database.session() as session:
            with refusals():
                status = body(session)
    except Failed as exc:
        say(str(exc).splitlines()[0] if str(exc) else "refused")
        return EXIT_REFUSED
    finally:
        database.dispose()
    return status or 0
