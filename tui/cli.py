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


def _parser() -> argparse.ArgumentParser:
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
    subparsers = [demo, commands.add_parser("init", help="create or migrate the database and exit")]
    for name, module in _command_modules().items():
        subparsers.append(commands.add_parser(name, help=module.HELP, description=module.HELP))
        module.add_arguments(subparsers[-1])
    for sub in subparsers:
        _global_options_after(sub)
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


def _command_modules() -> dict:
    import importlib

    from tui.commands import MODULES

    return {name: importlib.import_module(path) for name, path in MODULES.items()}


def _say(message: str) -> None:
    from store.safe_text import visible

    # The database's name and errors quote what was typed (--db, LEGWORK_DB, the config file).
    print(f"legwork: {visible(message)}", file=sys.stderr, flush=True)


def _fail(message: str) -> int:
    _say(message)
    return EXIT_UNAVAILABLE


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
        if not args.command:
            gc.disable()  # start-up makes no garbage worth collecting; LegworkApp turns it back on
        elif getattr(_command_modules().get(args.command), "DATABASE_WHEN_NEEDED", False):
            # The command opens the database itself, if at all (opening one creates it).
            from store.reps import signed_in_handle

            module = _command_modules()[args.command]
            status = module.run(args, DeferredDatabase(args.db or config.db), signed_in_handle(args.rep or config.rep))
            sys.stdout.flush()
            return status
        database = _open(args.db or config.db)
        if args.command == "init":
            from store.safe_text import visible

            print(f"legwork: {visible(database.description)} is ready")
            return 0
        if args.command:
            from store.reps import signed_in_handle

            module = _command_modules()[args.command]
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


def _run_tui(database, handle: str | None, args, config) -> int:
    from store.reps import signed_in_handle
    from tui.app import LegworkApp
    from tui.keymap import keymap_warnings

    for line in keymap_warnings(config.keymap):
        print(f"legwork: {line}", file=sys.stderr)
    app = LegworkApp(
        database,
        signed_in_handle(handle),
        theme=args.theme or config.theme,
        keymap=config.keymap,
        timezone=config.timezone,
    )
    app.run()
    database.dispose()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
