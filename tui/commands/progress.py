"""A plain-text progress bar on stderr for long imports and exports (no Textual).

On a terminal it redraws one line in place; otherwise (a pipe, a log file) it
prints a line at each quarter, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, *, min_interval: float = 0.1) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.min_interval = min_interval
        self.drawn = False
        self._last = 0.0
        self._quarters: dict[str, int] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        fraction = 1.0 if total <= 0 else min(1.0, done / total)
        if self.tty:
            now = time.monotonic()
            if fraction < 1.0 and now - self._last < self.min_interval:
                return
            self._last = now
            filled = int(WIDTH * fraction)
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.stream.write(f"\r{label:<20} [{bar}] {fraction:4.0%}  {done:,}/{total:,}")
            self.stream.flush()
            self.drawn = True
            return
        quarter = int(fraction * 4)
        if quarter > self._quarters.get(label, -1):
            self._quarters[label] = quarter
            self.stream.write(f"legwork: {label}: {fraction:.0%} ({done:,} of {total:,})\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
