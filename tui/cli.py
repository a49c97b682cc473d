"""The ``legwork`` command: the TUI by default, subcommands for everything else.

Kept light: Textual is imported only when a screen is about to open, so
``legwork --help`` and scripted subcommands start instantly.
"""

from __future__ import annotations

import argparse
import gc
import sys

EXIT_UNAVAILABLE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``command`` is the subcommand whose options are needed."""
    parser = argparse.ArgumentParser(
        prog="legwork",
        description="Legwork: a keyboard-first sales CRM in the terminal. "
        "With no command, opens your boards.",
    )
    parser.add_argument("--db", metavar="URL", help="database URL or SQLite path (default: LEGWORK_DB, the config file, or the data directory)")
    parser.add_argument("--rep", metavar="HANDLE", help="who you are (default: LEGWORK_REP, the config file, or your login name)")
    parser.add_argument("--theme", metavar="NAME", help="Textual theme, e.g. textual-dark, ansi-dark")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="open Legwork on a demo team (created on first use)")
    demo.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    demo.add_argument("--reset", action="store_true", help="throw the demo database away and build it again")
    init = commands.add_parser(
        "init",
        help="create or migrate the database and exit",
        description="Create or migrate the database and exit. On a PostgreSQL team server, run it as the "
        "database's owner; --grant then gives the reps' app role row access and nothing more.",
    )
    init.add_argument("--grant", metavar="ROLE", help="PostgreSQL: let ROLE (CREATE ROLE ROLE LOGIN first) read and "
                      "write every Legwork table but not change them")
    subparsers = [demo, init]
    from tui.commands import MODULES, SUMMARIES

    for name in MODULES:
        # Only the command being run is imported (its options); the others are a
        # line of help each, so `legwork --help` imports no database code at all.
        module = _command_module(name) if name == command or name not in SUMMARIES else None
        summary = SUMMARIES.get(name) or module.HELP
        subparsers.append(commands.add_parser(name, help=summary, description=summary))
        if module is not None:
            module.add_arguments(subparsers[-1])
    for sub in subparsers:
        _global_options_after(sub)
    # What an SSH key's forced command runs (tui/ssh_session.py); not for typing, so not
    # listed (no help=: argparse 3.11 would show help=SUPPRESS as "==SUPPRESS==").
    session = commands.add_parser("ssh-session", description="the session an SSH key's forced command opens")
    session.add_argument("handle", metavar="HANDLE")
    _global_options_after(session)
    return parser


def _global_options_after(sub: argparse.ArgumentParser) -> None:
    """``legwork demo --rep morgan`` as well as ``legwork --rep morgan demo``.

    Given after the command, a global option overrides the one before it; left out
    (SUPPRESS), it leaves it alone. Where a command has its own ``--rep`` (whose
    numbers, whose queue), that one keeps the name there.
    """
    for flag, metavar, help_text in (("--db", "URL", "database URL or SQLite path"), ("--rep", "HANDLE", "who you are"),
                                     ("--theme", "NAME", "Textual theme")):
        try:
            sub.add_argument(flag, dest=flag[2:], metavar=metavar, default=argparse.SUPPRESS,
                             help=f"{help_text} (as before the command)")
        except argparse.ArgumentError:
            pass  # the command's own option of that name


_TAKES_VALUE = {"--db", "--rep", "--theme"}


def _command_named(argv: list[str]) -> str | None:
    """The subcommand in ``argv`` (the first word that is not a global option or its value)."""
    words = iter(argv)
    for word in words:
        if word in _TAKES_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def parse_args(argv: list[str]):
    """The command line, with the options of the one subcommand it names."""
    return _parser(_command_named(argv)).parse_args(argv)


def _command_module(name: str):
    import importlib

    from tui.commands import MODULES

    return importlib.import_module(MODULES[name])


def _say(message: str) -> None:
    from store.safe_text import visible

    # The database's name and errors quote what was typed (--db, LEGWORK_DB, the config file).
    print(f"legwork: {visible(message)}", file=sys.stderr, flush=True)


def _fail(message: str) -> int:
    _say(message)
    return EXIT_UNAVAILABLE


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from store.errors import DatabaseUnavailable
    from tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        return _fail(str(exc))
    if config.warning:
        print(f"legwork: {config.warning}", file=sys.stderr)
    try:
        if args.command == "demo":
            return _run_demo(args, config)
        if args.command == "ssh-session":
            from tui import ssh_session

            # The key's handle, whatever --rep, LEGWORK_REP or the config file say.
            return ssh_session.run(args, config, open_database=_open, run_tui=_run_tui,
                                   parse_args=parse_args, command_module=_command_module)
        if not args.command:
            gc.disable()  # start-up makes no garbage worth collecting; LegworkApp turns it back on
        if args.db:
            _warn_password_in_argv(args.db)
        module = _command_module(args.command) if args.command not in (None, "init") else None
        if getattr(module, "DATABASE_WHEN_NEEDED", False):
            # The command opens the database itself, if at all (opening one creates it).
            from store.reps import signed_in_handle

            status = module.run(args, DeferredDatabase(args.db or config.db), signed_in_handle(args.rep or config.rep))
            sys.stdout.flush()
            return status
        database = _open(args.db or config.db)
        if args.command == "init":
            return _init(database, args.grant)
        if module is not None:
            from store.reps import signed_in_handle

            status = module.run(args, database, signed_in_handle(args.rep or config.rep))
            sys.stdout.flush()  # here, not at exit: a reader gone by now is a BrokenPipeError below
            return status
        return _run_tui(database, args.rep or config.rep, args, config)
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    finally:
        gc.enable()  # switched off for start-up (below); LegworkApp has it on once mounted


def _reader_went_away() -> int:
    """``legwork numbers | head -2``: the reader closed the pipe; stop quietly.

    Closing stdout now drops what is still buffered, so Python does not fail
    again flushing it at exit; 141 is what a shell reports for a SIGPIPE death.
    """
    try:
        sys.stdout.close()
    except BrokenPipeError:
        pass
    return EXIT_BROKEN_PIPE


def _announce(message: str) -> None:
    _say(f"{message} …")


def _warn_password_in_argv(url: str) -> None:
    from store.db import url_has_password

    if url_has_password(url):
        _say("a password in --db shows in `ps` to every user of this machine: put it in ~/.pgpass "
             "(or PGPASSFILE, PGPASSWORD) and leave it out of the URL")


def _init(database, grant: str | None) -> int:
    from store.errors import StoreError
    from store.safe_text import visible

    if grant:
        from store.pg_roles import grant_app_role

        try:
            grant_app_role(database, grant)
        except StoreError as exc:
            _say(str(exc))
            return 1
        print(f"legwork: {grant} may read and write the tables of {visible(database.description)}, not change them")
    print(f"legwork: {visible(database.description)} is ready")
    return 0


def _open(url: str | None):
    from store.db import open_database

    return _warned(open_database(url, announce=_announce))


class DeferredDatabase:
    """The database a command opens only when it needs one (``DATABASE_WHEN_NEEDED``)."""

    def __init__(self, db: str | None) -> None:
        self.db = db

    def missing_file(self):
        """The SQLite file opening would create (a Path), or None when there is one."""
        from store.db import missing_sqlite_file

        return missing_sqlite_file(self.db)

    def open(self):
        return _open(self.db)


def _warned(database):
    if database.warning:
        print(f"legwork: {database.warning}", file=sys.stderr)
    return database


def _run_demo(args, config) -> int:
    from store import demo
    from store.db import data_dir, open_database, sqlite_url

    gc.disable()  # as for the interface below: LegworkApp turns it back on
    url = args.db
    if url is None:
        path = data_dir() / "demo.db"
        if args.reset:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        url = sqlite_url(path)
    database = _warned(open_database(url, announce=_announce))
    with database.session() as session:
        if not demo.is_populated(session):
            _say(f"building a demo team in {database.description} …")
            summary = demo.populate_demo(session, seed=args.seed)
            _say(f"{summary.reps} reps, {summary.deals} deals, {summary.activities} activities, "
                 f"{summary.open_tasks} open tasks")
    return _run_tui(database, args.rep or demo.DEMO_REP, args, config)


def _run_tui(database, handle: str | None, args, config, *, fixed_identity: bool = False) -> int:
    from store.reps import signed_in_handle
    from tui.app import LegworkApp
    from tui.keymap import keymap_warnings, upgrade_keymap

    keymap, notices = upgrade_keymap(config.keymap)
    for line in notices + keymap_warnings(keymap):
        print(f"legwork: {line}", file=sys.stderr)
    app = LegworkApp(
        database,
        handle if fixed_identity else signed_in_handle(handle),
        theme=args.theme or config.theme,
        keymap=keymap,
        timezone=config.timezone,
        fixed_identity=fixed_identity,
    )
    app.run()
    database.dispose()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
