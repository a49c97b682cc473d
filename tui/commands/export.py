"""``legwork export deals|activities|tasks|notes|events|calendar``: take the data out.

Deals, activities, tasks, notes and the deals' history (events) come out as CSV or JSON in the columns
``legwork import`` reads back (a CSV text cell a spreadsheet would run as a
formula gets a leading ``'``: store/csv_cells.py); ``calendar`` writes your open
tasks as an iCalendar file. Exit status: 0 written, 1 bad input (an unknown owner, you unknown to the
database), 2 the output file cannot be written.

A file (``--out``) or a pipe gets the data exactly as stored. A terminal gets it with
control characters shown (``␛``) rather than run: a title holding ``ESC ] 52`` must
not write the clipboard of whoever exports. JSON escapes them (``\u001b``, the same
data); CSV and iCalendar show them, and standard error says so.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from tui.commands.output import TerminalBytes, TerminalText, say

WHAT = ("deals", "activities", "tasks", "notes", "events", "calendar")
EXIT_BAD_INPUT = 1
EXIT_UNWRITABLE = 2
PROGRESS_MIN = 20_000


def add_arguments(parser) -> None:
    parser.epilog = (
        "Examples: legwork export deals --out deals.csv · legwork export tasks --format json --open · "
        "legwork export events --out events.csv · legwork export calendar --out tasks.ics"
    )
    parser.add_argument("what", choices=WHAT, help="what to export")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv (calendar: .ics)")
    parser.add_argument("--out", metavar="FILE", default="-", help="where to write (default: standard output)")
    parser.add_argument("--pipeline", choices=("lead", "opportunity"), help="only this pipeline's deals")
    parser.add_argument("--owner", metavar="HANDLE", help="only deals this rep owns ('me' for yours)")
    parser.add_argument("--open", action="store_true", help="only open deals (not won, lost or disqualified)")


def _say(message: str) -> None:
    say(message)  # it may name a rep or quote what was typed: shown, never sent raw


# Names of an already-open descriptor (``/dev/stdout``, ``/dev/fd/63`` from ``>(gzip > x)``): whatever
# they point at is written into, never swapped for a new file.
DESCRIPTOR_PATHS = ("/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/")


class _Output:
    """Where an export goes: standard output; a regular file, written beside its final name and
    moved into place whole (a symlink's target, keeping the link and the file's permissions); or a
    pipe or character device (a FIFO, ``/dev/fd/N``), written into directly."""

    def __init__(self, out: str, binary: bool, *, json: bool = False) -> None:
        self.binary, self.json = binary, json
        self.path = None if out == "-" else Path(out).expanduser()
        self.target: Path | None = None  # the regular file to replace or create; None: write through
        self.replaced: os.stat_result | None = None  # the file being replaced, whose mode and owner stay
        self.temp: Path | None = None
        self.terminal: TerminalText | TerminalBytes | None = None  # stored control characters shown, not run

    def problem(self) -> str | None:
        """Why the output cannot be written (one line), found before any work is done; else None."""
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except FileNotFoundError:
            info = None
        except OSError as exc:
            return f"cannot write {self.path}: {exc.strerror or exc}"
        descriptor = os.path.abspath(self.path).startswith(DESCRIPTOR_PATHS)
        if info is None:
            if descriptor:
                return f"cannot write {self.path}: no such open descriptor"
        elif stat.S_ISDIR(info.st_mode):
            return f"cannot write {self.path}: it is a directory; name a file in it, e.g. {self.path / 'export.csv'}"
        elif stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode) or descriptor:
            return None  # written through
        elif not stat.S_ISREG(info.st_mode):
            return f"cannot write {self.path}: it is not a file, a pipe or a terminal"
        target = Path(os.path.realpath(self.path))  # a symlink (even a dangling one) writes its target
        if not target.parent.is_dir():
            return f"cannot write {self.path}: directory {target.parent} does not exist"
        self.target, self.replaced = target, info
        return None

    def open(self):
        if self.path is None:
            if sys.stdout.isatty():
                return self._on_terminal(sys.stdout)
            return sys.stdout.buffer if self.binary else sys.stdout
        if self.target is None:
            # O_APPEND: a descriptor the shell opened with >> keeps what it holds; pipes and devices ignore it.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            if os.isatty(fd):  # --out /dev/tty or /dev/stdout on a terminal: shown, like standard output
                return self._on_terminal(os.fdopen(fd, "w", encoding="utf-8"))
            return self._stream(fd)
        fd = self._create_temp()
        if self.replaced is not None:
            try:  # root replacing a rep's file leaves it the rep's
                os.fchown(fd, self.replaced.st_uid, self.replaced.st_gid)
            except OSError:
                pass
            os.fchmod(fd, stat.S_IMODE(self.replaced.st_mode) & 0o777)
        return self._stream(fd)

    def _on_terminal(self, stream):
        self.terminal = TerminalBytes(stream) if self.binary else TerminalText(stream, json=self.json)
        return self.terminal

    def _create_temp(self) -> int:
        # A new export gets the permissions the umask gives (as a shell redirect would: exports are
        # made to be shared); a replaced file's are copied onto the temp file above.
        mode = 0o600 if self.replaced is not None else 0o666
        while True:
            temp = self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.part")
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                continue
            self.temp = temp
            return fd

    def _stream(self, fd: int):
        if self.binary:
            return os.fdopen(fd, "wb")
        return os.fdopen(fd, "w", newline="", encoding="utf-8")

    def done(self, stream) -> None:
        stream.flush()
        if self.path is None:
            return
        if self.temp is not None:
            os.fsync(stream.fileno())  # the data is on disk before the name points at it
        stream.close()
        if self.temp is not None:
            os.replace(self.temp, self.target)
            self.temp = None
            _sync_directory(self.target.parent)

    def failed(self, stream) -> None:
        if self.path is not None:
            try:
                stream.close()
            except OSError:
                pass  # a pipe whose reader went away
            if self.temp is not None:
                self.temp.unlink(missing_ok=True)

    @property
    def name(self) -> str:
        return "standard output" if self.path is None else str(self.path)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every filesystem lets a directory be synced."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def run(args, database, handle: str) -> int:
    from store.errors import StoreError
    from store.reps import find_rep

    output = _Output(args.out, binary=args.what == "calendar", json=args.format == "json")
    problem = output.problem()
    if problem:
        _say(problem)
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
            output.done(stream)
        except StoreError as exc:
            output.failed(stream)
            _say(str(exc))
            return EXIT_BAD_INPUT
        except OSError as exc:
            output.failed(stream)
            _say(f"cannot write {output.name}: {exc.strerror or exc}")
            return EXIT_UNWRITABLE
        except BaseException:  # ctrl+c: leave no half-written temp file behind
            output.failed(stream)
            raise
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
                                         "notes": "note", "events": "event"}[args.what]
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
