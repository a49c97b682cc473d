"""``legwork export deals|activities|tasks|notes|calendar``: take the data out.

Deals, activities, tasks and notes come out as CSV or JSON in the columns
``legwork import`` reads back; ``calendar`` writes your open tasks as an iCalendar
file. Exit status: 0 written, 1 bad input (an unknown owner, you unknown to the
database), 2 the output file cannot be written.

A file (``--out``) or a pipe gets the data exactly as stored. A terminal gets it with
control characters shown (``␛``) rather than run: a title holding ``ESC ] 52`` must
not write the clipboard of whoever exports. JSON escapes them (``\u001b``, the same
data); CSV and iCalendar show them, and standard error says so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tui.commands.output import TerminalBytes, TerminalText, say

HELP = "export deals, activities, tasks or notes (CSV or JSON), or your open tasks as a calendar (.ics)"
WHAT = ("deals", "activities", "tasks", "notes", "calendar")
EXIT_BAD_INPUT = 1
EXIT_UNWRITABLE = 2
PROGRESS_MIN = 20_000


def add_arguments(parser) -> None:
    parser.epilog = (
        "Examples: legwork export deals --out deals.csv · legwork export tasks --format json --open · "
        "legwork export calendar --out tasks.ics"
    )
    parser.add_argument("what", choices=WHAT, help="what to export")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv (calendar: .ics)")
    parser.add_argument("--out", metavar="FILE", default="-", help="where to write (default: standard output)")
    parser.add_argument("--pipeline", choices=("lead", "opportunity"), help="only this pipeline's deals")
    parser.add_argument("--owner", metavar="HANDLE", help="only deals this rep owns ('me' for yours)")
    parser.add_argument("--open", action="store_true", help="only open deals (not won, lost or disqualified)")


def _say(message: str) -> None:
    say(message)  # it may name a rep or quote what was typed: shown, never sent raw


class _Output:
    """Standard output, or a file written beside its final name and moved into place."""

    def __init__(self, out: str, binary: bool, *, json: bool = False) -> None:
        self.out, self.binary, self.json = out, binary, json
        self.path = None if out == "-" else Path(out).expanduser()
        self.temp = None if self.path is None else self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        self.terminal: TerminalText | TerminalBytes | None = None

    def open(self):
        if self.path is None:
            if sys.stdout.isatty():
                self.terminal = TerminalBytes(sys.stdout) if self.binary else TerminalText(sys.stdout, json=self.json)
                return self.terminal
            if self.binary:
                return sys.stdout.buffer
            return sys.stdout
        if self.binary:
            return self.temp.open("wb")
        return self.temp.open("w", newline="", encoding="utf-8")

    def done(self, stream) -> None:
        if self.path is None:
            stream.flush()
            return
        stream.close()
        os.replace(self.temp, self.path)

    def failed(self, stream) -> None:
        if self.path is not None:
            stream.close()
            self.temp.unlink(missing_ok=True)

    @property
    def name(self) -> str:
        return "standard output" if self.path is None else str(self.path)


def run(args, database, handle: str) -> int:
    from store.errors import StoreError
    from store.reps import find_rep

    output = _Output(args.out, binary=args.what == "calendar", json=args.format == "json")
    if output.path is not None and not output.path.parent.is_dir():
        _say(f"cannot write {output.path}: directory {output.path.parent} does not exist")
        return EXIT_UNWRITABLE
    with database.session() as session:
        owner_id = None
        if args.owner:
            wanted = handle if args.owner.lower() == "me" else args.owner.lower()
            owner = find_rep(session, wanted)
            if owner is None:
                _say(f"--owner {args.owner!r}: no rep with that handle")
                return EXIT_BAD_INPUT
            owner_id = owner.id
        if args.what == "calendar":
            me = find_rep(session, handle)
            if me is None:
                _say(f"no rep {handle!r} in {database.description}: the calendar is a rep's own tasks "
                     "(pass --rep HANDLE)")
                return EXIT_BAD_INPUT
        try:
            stream = output.open()
        except OSError as exc:
            _say(f"cannot write {output.name}: {exc.strerror or exc}")
            return EXIT_UNWRITABLE
        try:
            if args.what == "calendar":
                message = _calendar(session, me, stream, output.name)
            else:
                message = _table(session, args, owner_id, stream, output.name)
        except StoreError as exc:
            output.failed(stream)
            _say(str(exc))
            return EXIT_BAD_INPUT
        except OSError as exc:
            output.failed(stream)
            _say(f"cannot write {output.name}: {exc.strerror or exc}")
            return EXIT_UNWRITABLE
        output.done(stream)
    _say(message)
    if output.terminal is not None and output.terminal.changed:
        _say("control characters in the data are shown as ␛ and the like; --out FILE or a pipe gets them as stored")
    return 0


def _table(session, args, owner_id, stream, name: str) -> str:
    from store import exporter
    from tui.commands.progress import ProgressBar

    deal_filter = exporter.DealFilter(pipeline=args.pipeline, owner_id=owner_id, open_only=args.open)
    total = exporter.count_rows(session, args.what, deal_filter)
    bar = ProgressBar(sys.stderr)
    progress = (lambda done: bar(f"exporting {args.what}", done, total)) if total >= PROGRESS_MIN else None
    try:
        count = exporter.export(session, args.what, stream, fmt=args.format, deal_filter=deal_filter,
                                progress=progress)
    finally:
        bar.close()
    noun = args.what if count != 1 else {"deals": "deal", "activities": "activity", "tasks": "task",
                                         "notes": "note"}[args.what]
    return f"wrote {count:,} {noun} to {name} ({args.format.upper()})"


def _calendar(session, rep, stream, name: str) -> str:
    from store.exporter import export_calendar

    calendar = export_calendar(session, rep.id)
    stream.write(calendar.data)
    meetings = ""
    if calendar.meetings:
        timed = f", {calendar.timed} at the time their title names" if calendar.timed else ""
        meetings = f"; {calendar.meetings} read like meetings{timed}"
    return (f"wrote {calendar.tasks:,} open task{'s' if calendar.tasks != 1 else ''} of {rep.name} to {name} "
            f"(all-day on the due day{meetings})")
