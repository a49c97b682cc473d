"""Figures through a real terminal: Legwork started by its console script in a
pseudo-terminal of 80 x 24, its output read back into a screen, as a rep over SSH sees it.

    python -m bench.terminal DB_PATH [--launches N] [--moves N]   # one data set, JSON out

``legwork`` is the entry point ``[project.scripts]`` installs (``tui.cli:main``), run
as a program next to this interpreter, with PYTHONPATH pointing at this checkout so
the code measured is the code here; an empty XDG_CONFIG_HOME keeps the user's config
file out. The terminal side is a ``pyte`` screen fed with everything the app writes;
a figure's clock stops at the moment the bytes of the frame that shows the change
were read from the terminal (each chunk is timestamped as it is read, then parsed).

Per launch, in this order:

* start-up: from just before the process is spawned until the opportunity board
  shows cards (a line with "in stage"); and the same for the bare Textual app
  (bench/_launch.py ``bare``: Header + DataTable + Footer) until its first row shows;
* first open of each mode (keys 1, 3-7), once idle on the board (no output for
  1.5 s, so the app's preparation has run): from the key press until the screen
  shows the mode's title and a sign of its data (``DATA_SHOWN``), then until the last
  frame before the terminal has been quiet for 0.5 s (whatever else the screen
  draws as it settles); ``2`` goes back to the board in between;
* opening a deal (enter on the focused card): the same, until the deal screen's
  last frame (its timeline), checked to show the card's title; escape goes back;
* stage moves (``L`` / ``H`` alternately on the focused card): until the frame that
  shows the card's title in the next column (or back in the first, and gone from
  the second).

``--help``: wall time of ``legwork --help`` through the console script, until it
has exited (its output read from the terminal).

Nothing here fails on a slow machine: a step that does not get there in time is
counted as missed and left out of the medians.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = ROOT / "bench" / "_launch.py"
COLS, ROWS = 80, 24
REP = "alex"
# Key → (mode, a word its header shows); 2 is the opportunity board the app starts on.
MODES = {"1": ("leads", "Leads"), "3": ("today", "Today"), "4": ("numbers", "Numbers"),
         "5": ("standup", "Stand-up"), "6": ("people", "Accounts"), "7": ("team", "Team")}
# What each mode shows only once its data is in (for the bench's demo rep): the clock
# waits for it, then for the last frame before the terminal goes quiet.
DATA_SHOWN = {"leads": re.compile(r"in stage"), "today": re.compile(r"Coming up|Nothing due|Overdue"),
              "numbers": re.compile(r"^\s*Team\s+\d"), "standup": re.compile(r"to walk|Nothing to walk"),
              "people": re.compile(r"open deal|contact"), "team": re.compile(r"\brep\b")}


class Missed(Exception):
    """The screen did not get there in time."""


def console_script() -> list[str]:
    """The installed ``legwork`` program (the console script), or what it runs."""
    found = shutil.which("legwork", path=str(Path(sys.executable).parent))
    if found:
        return [found]
    return [sys.executable, "-c", "import sys\nfrom tui.cli import main\nsys.exit(main())"]


def _env(config_home: str) -> dict:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=str(ROOT),
               XDG_CONFIG_HOME=config_home)
    for name in ("TEXTUAL", "TEXTUAL_DEVTOOLS", "LEGWORK_DB", "LEGWORK_REP", "COLUMNS", "LINES"):
        env.pop(name, None)
    return env


class Terminal:
    """One program in a pseudo-terminal, and the screen it has drawn."""

    def __init__(self, argv: list[str], env: dict, *, pass_fds: tuple[int, ...] = ()) -> None:
        import pyte

        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=str(ROOT),
                                     start_new_session=True, pass_fds=pass_fds)
        os.close(slave)
        self.last_output = self.started
        self.closed = False

    def lines(self) -> list[str]:
        return self.screen.display

    def _read(self, timeout: float) -> float | None:
        """Feed what arrives within ``timeout``; the time it was read, or None."""
        if self.closed:
            time.sleep(max(0.0, timeout))
            return None
        readable, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not readable:
            return None
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:
            chunk = b""
        at = time.perf_counter()
        if not chunk:
            self.closed = True
            return None
        self.stream.feed(chunk)
        self.last_output = at
        return at

    def until(self, shown, timeout: float = 15.0) -> float:
        """Read until ``shown(lines)`` holds; when the chunk that made it hold was read."""
        end = time.perf_counter() + timeout
        if shown(self.lines()):
            return time.perf_counter()
        while True:
            left = end - time.perf_counter()
            if left <= 0 or self.closed:
                raise Missed
            at = self._read(left)
            if at is not None and shown(self.lines()):
                return at

    def quiet(self, seconds: float, timeout: float = 20.0) -> float:
        """Read until nothing has come for ``seconds``; when the last output was read."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            left = self.last_output + seconds - time.perf_counter()
            if left <= 0:
                return self.last_output
            self._read(min(left, end - time.perf_counter()))
        raise Missed

    def press(self, keys: bytes) -> float:
        at = time.perf_counter()
        os.write(self.master, keys)
        return at

    def run_out(self, timeout: float = 30.0) -> float:
        """Read until the program has exited; when it had."""
        end = time.perf_counter() + timeout
        while not self.closed and time.perf_counter() < end:
            self._read(end - time.perf_counter())
        self.proc.wait(timeout=max(0.1, end - time.perf_counter()))
        return time.perf_counter()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)


# --- what the screen shows ---------------------------------------------------------------------

HALF = COLS // 2


def _board(lines: list[str]) -> bool:
    return "Opportunities" in lines[0] and any("in stage" in line for line in lines)


def _focused_title(lines: list[str]) -> str | None:
    """The first card of the left column (the focused one at start): the line above its first
    "… in stage …" line, as far as it shows before the column's edge."""
    for i, line in enumerate(lines[1:], start=1):
        if "in stage" in line[:HALF]:
            title = lines[i - 1][:HALF].strip().rstrip("…").strip()
            return title[:30] or None
    return None


def _card_in(title: str, lines: list[str], left: bool) -> bool:
    # A card's title starts its half of the line (a toast quoting it does not).
    return any((line[:HALF] if left else line[HALF:]).strip().startswith(title) for line in lines)


def _in_right(title: str):
    return lambda lines: _card_in(title, lines, left=False)


def _back_left(title: str):
    return lambda lines: _card_in(title, lines, left=True) and not _card_in(title, lines, left=False)


# --- one launch ---------------------------------------------------------------------------------


def bare_launch(config_home: str) -> float:
    """Wall time to the bare Textual app's first row on screen (ms)."""
    ready_r, ready_w = os.pipe()  # _launch.py reports on it; unused here: the screen tells
    term = Terminal([sys.executable, str(LAUNCH), "bare", str(ready_w)], _env(config_home), pass_fds=(ready_w,))
    os.close(ready_w)
    try:
        at = term.until(lambda lines: any("Deal 0" in line for line in lines), timeout=60)
        return (at - term.started) * 1000
    finally:
        term.close()
        os.close(ready_r)


def legwork_launch(db_url: str, config_home: str, moves: int, deal_opens: int) -> dict:
    out: dict = {"missed": []}
    term = Terminal([*console_script(), "--db", db_url, "--rep", REP], _env(config_home))
    try:
        try:
            at = term.until(_board, timeout=60)
        except Missed:
            raise RuntimeError("legwork never showed its board; last screen:\n" + "\n".join(term.lines())) from None
        out["startup_ms"] = (at - term.started) * 1000
        term.quiet(1.5)  # the board idle: the app prepares the other modes meanwhile
        board_title = _focused_title(term.lines())
        for key, (mode, word) in MODES.items():
            start = term.press(key.encode())
            try:
                data = DATA_SHOWN[mode]
                term.until(lambda lines, word=word, data=data: word in lines[0]
                           and any(data.search(line) for line in lines[1:]), timeout=30)
                at = term.quiet(0.5)
                out[f"mode_{mode}_ms"] = (at - start) * 1000
            except Missed:
                out["missed"].append(mode)
            term.press(b"2")
            term.until(_board, timeout=15)
            term.quiet(0.5)
        if board_title:
            opens = []
            for _ in range(deal_opens):
                start = term.press(b"\r")
                try:
                    term.until(lambda lines: board_title in lines[0] or board_title in lines[1], timeout=15)
                    opens.append((term.quiet(0.5) - start) * 1000)
                except Missed:
                    out["missed"].append("deal")
                term.press(b"\x1b")
                term.until(_board, timeout=15)
                term.quiet(0.5)
            out["deal_open_ms"] = opens
            samples = []
            for i in range(moves):
                forward = i % 2 == 0
                start = term.press(b"L" if forward else b"H")
                try:
                    at = term.until(_in_right(board_title) if forward else _back_left(board_title), timeout=15)
                    samples.append((at - start) * 1000)
                except Missed:
                    out["missed"].append("move")
                term.quiet(0.3)
            out["stage_move_ms"] = samples
            if moves % 2:  # an odd number: put the card back
                term.press(b"H")
                term.quiet(0.5)
        else:
            out["missed"].append("no card title found on the board")
        term.press(b"q")
        term.run_out(timeout=10)
    finally:
        term.close()
    return out


def help_wall(config_home: str, count: int) -> list[float]:
    """``legwork --help`` through the console script, in the terminal, until it has exited (ms)."""
    samples = []
    for _ in range(count):
        term = Terminal([*console_script(), "--help"], _env(config_home))
        try:
            samples.append((term.run_out() - term.started) * 1000)
            if term.proc.returncode != 0:
                raise RuntimeError("legwork --help failed:\n" + "\n".join(term.lines()))
        finally:
            term.close()
    return samples


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def measure(db_path: Path | str, launches: int = 5, moves: int = 6, deal_opens: int = 3, helps: int = 9) -> dict:
    """The terminal figures for one data set (``db_path`` is a scratch copy: the moves write)."""
    try:
        import pyte  # noqa: F401
    except ModuleNotFoundError:
        raise RuntimeError("pyte is not installed (pip install -e '.[bench]')") from None
    config_home = tempfile.mkdtemp(prefix="legwork-bench-config-")
    try:
        url = f"sqlite:///{db_path}"
        bare, runs = [], []
        for _ in range(launches):
            bare.append(bare_launch(config_home))
            runs.append(legwork_launch(url, config_home, moves, deal_opens))
        out: dict = {"size": f"{COLS}x{ROWS}", "command": console_script()[0], "launches": launches,
                     "bare_ms": _median(bare), "startup_ms": _median([r["startup_ms"] for r in runs]),
                     "startup_all_ms": [round(r["startup_ms"]) for r in runs]}
        for mode, _word in MODES.values():
            out[f"mode_{mode}_ms"] = _median([r[f"mode_{mode}_ms"] for r in runs if f"mode_{mode}_ms" in r])
        first_opens = [r["deal_open_ms"][0] for r in runs if r.get("deal_open_ms")]
        later_opens = [ms for r in runs for ms in r.get("deal_open_ms", [])[1:]]
        out["deal_first_open_ms"] = _median(first_opens)
        out["deal_open_ms"] = _median(later_opens)
        out["stage_move_ms"] = _median([ms for r in runs for ms in r.get("stage_move_ms", [])])
        out["missed"] = sorted({m for r in runs for m in r["missed"]})
        out["help_ms"] = _median(help_wall(config_home, helps))
        return out
    finally:
        shutil.rmtree(config_home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.terminal", description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a scratch copy of a data set (the stage moves write to it)")
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--moves", type=int, default=6)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.db, args.launches, args.moves)))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
