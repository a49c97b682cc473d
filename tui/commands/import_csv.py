"""``legwork import FILE``: deals, activities, tasks or notes from another CRM or a spreadsheet, or
the deal history (``--kind events``) another Legwork database exported.

A CSV ``legwork export`` wrote (its exact column set) has the ``'`` it put before
formula-like cells taken off again; any other file's cells are read as they are.

Exit status: 0 when the import went through (or, with ``--dry-run``, would), 1 when
it was refused (bad columns, ambiguous dates, refused rows, a failed write: nothing
was written), 2 when the file cannot be read at all.
"""

from __future__ import annotations

import sys

from tui.commands.output import say, visible, write_lines

# store.import_fields.KINDS, spelled out: building the parser must not import the importer
# (``legwork`` with no command builds it too, on the way to the TUI).
KINDS = ("deals", "activities", "tasks", "notes", "events", "accounts", "contacts")
# --show-mapping needs no database, and an import into a database that does not exist yet
# must not create one on the way to saying so: tui.cli hands over a DeferredDatabase.
DATABASE_WHEN_NEEDED = True
EXIT_REFUSED = 1
EXIT_UNREADABLE = 2


def add_arguments(parser) -> None:
    parser.epilog = (
        'Example: legwork import pipedrive.csv --stage "Prospecting=Attempting" --dayfirst --dry-run. '
        "Columns are recognised by name (Pipedrive, HubSpot, Salesforce and plain spreadsheets); "
        "--show-mapping shows how, --map overrides. A real run is one transaction: all or nothing. "
        "Importing a newer export of the same deals updates the ones that changed."
    )
    parser.add_argument("file", metavar="FILE", help="a CSV (UTF-8, any of , ; tab |) or JSON file")
    parser.add_argument("--kind", choices=KINDS, default="deals", help="what the file holds (default: deals)")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="read COLUMN as FIELD (FIELD '-' leaves the column out); repeatable")
    parser.add_argument("--stage", action="append", default=[], metavar="THEIRS=OURS",
                        help='read their stage as ours, e.g. "Closed Won=Won" or "Demo=opportunity:Proposal"; '
                             "repeatable")
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_true", help="dates like 04/03/2026 are D/M/YYYY")
    order.add_argument("--monthfirst", action="store_true", help="dates like 04/03/2026 are M/D/YYYY")
    parser.add_argument("--pipeline", choices=("lead", "opportunity"),
                        help="the pipeline of deals whose row does not say (default: opportunity)")
    parser.add_argument("--timezone", metavar="ZONE", help="of times without an offset (default: yours)")
    parser.add_argument("--encoding", default="utf-8", help="of a CSV that is not UTF-8, e.g. cp1252")
    parser.add_argument("--owners", metavar="USERS.CSV",
                        help="a user export (Id, Alias, Email, Name) for deals that name their owner by id "
                             "(Salesforce OwnerId)")
    parser.add_argument("--accounts", metavar="ACCOUNTS.CSV",
                        help="an account export (Id, Name, Website) for rows that name their account by id "
                             "(Salesforce AccountId)")
    parser.add_argument("--map-owner", action="append", default=[], metavar="ID=HANDLE",
                        help="the rep an owner id stands for; repeatable")
    parser.add_argument("--created-from", choices=("close",),
                        help="a deal closed before its created date (a CreatedDate that is the day the data was "
                             "loaded) is dated created on its close day")
    parser.add_argument("--created-unknown-when-after-close", action="store_true",
                        help="a deal closed before its created date has its creation marked unknown "
                             "(left out of period figures)")
    parser.add_argument("--overwrite-edits", action="store_true",
                        help="re-importing: update deals changed in Legwork since they were imported, too")
    parser.add_argument("--dry-run", action="store_true",
                        help="report what would be created and every refused row; write nothing")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="import the valid rows even if some are refused (they are listed)")
    parser.add_argument("--show-mapping", action="store_true",
                        help="print which column is read as which field, then stop")


def _options(args):
    from store.import_values import DAY_FIRST, MONTH_FIRST
    from store.importer import ImportOptions

    return ImportOptions(
        kind=args.kind,
        mappings=tuple(args.map),
        stages=tuple(args.stage),
        date_order=DAY_FIRST if args.dayfirst else MONTH_FIRST if args.monthfirst else None,
        pipeline=args.pipeline,
        timezone=args.timezone,
        skip_invalid=args.skip_invalid,
        encoding=args.encoding,
        created_from=args.created_from,
        unknown_when_after_close=args.created_unknown_when_after_close,
        owners=args.owners,
        accounts=args.accounts,
        owner_map=tuple(args.map_owner),
        overwrite_edits=args.overwrite_edits,
    )


def _say(message: str) -> None:
    say(message)  # it may quote a cell or a column of the file: shown, never sent raw


def _print(lines) -> None:
    write_lines([visible(line) for line in lines])


def _read_mapping(args, options):
    """How the file's columns are read, or (None, the exit code) once it has said why it cannot be."""
    from store.errors import InvalidInput
    from store.importer import UnreadableFile, read_mapping

    try:
        return read_mapping(args.file, options), 0
    except UnreadableFile as exc:
        _say(str(exc))
        return None, EXIT_UNREADABLE
    except InvalidInput as exc:
        _say(str(exc))
        return None, EXIT_REFUSED


def _show_mapping(args, options) -> int:
    from store.import_fields import missing_message

    mapping, refused = _read_mapping(args, options)
    if mapping is None:
        return refused
    _print([f"{args.file}: how its columns are read as {args.kind}", *mapping.lines()])
    if mapping.missing:
        _print([missing_message(mapping, args.kind)])
        return EXIT_REFUSED
    return 0


def _no_database(args, options, missing) -> int:
    """No database yet: check the file as far as it can be without one, then say so. Nothing is created."""
    from store.import_fields import missing_message

    mapping, refused = _read_mapping(args, options)
    if mapping is None:
        return refused
    if mapping.missing:
        _print([f"{args.file}: nothing was imported: {missing_message(mapping, args.kind)}"])
        return EXIT_REFUSED
    _say(f"there is no database at {missing} yet, so nothing was {'checked against it' if args.dry_run else 'imported'}"
         ": open legwork once to create it and set yourself up (or pass --db)")
    return EXIT_REFUSED


def run(args, deferred, handle: str) -> int:
    from store.errors import InvalidInput, StoreError
    from store.importer import UnreadableFile, import_file
    from store.reps import find_rep
    from tui.commands.progress import ProgressBar

    options = _options(args)
    if args.show_mapping:
        return _show_mapping(args, options)
    missing = deferred.missing_file()
    if missing is not None:
        return _no_database(args, options, missing)
    database = deferred.open()
    with database.session() as session:
        rep = find_rep(session, handle)
        if rep is None:
            _say(
                f"no rep {handle!r} in {database.description}: imported rows are recorded as yours, so open "
                "legwork once to set yourself up (or pass --rep HANDLE)"
            )
            return EXIT_REFUSED
        bar = ProgressBar(sys.stderr)
        try:
            report = import_file(session, args.file, by=rep.id, options=options, dry_run=args.dry_run, progress=bar)
        except UnreadableFile as exc:
            bar.close()
            _say(str(exc))
            return EXIT_UNREADABLE
        except (InvalidInput, StoreError) as exc:
            bar.close()
            _say(str(exc))
            return EXIT_REFUSED
        bar.close()
    _print(report.lines())
    return 0 if report.ok else EXIT_REFUSED
