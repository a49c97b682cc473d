"""What the subcommands print: nothing stored reaches a terminal raw.

A title, a name or an imported cell may hold ``ESC ] 0 ; … BEL`` and the like.
Every line a command prints goes out through ``out`` / ``say`` / ``out_json``,
which show such characters (``␛``) or, in JSON, escape them (``\\u009b``: the same
data to a JSON reader). Commands still pass each stored field through ``visible``
where they lay out columns, so the widths count what is shown; these are the
last step, so a line that forgot is caught all the same.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from store.safe_text import UNSAFE, json_visible, visible

__all__ = ["write_lines", "out_json", "say", "visible", "TerminalText", "TerminalBytes"]


def write_lines(lines: list[str], stream: TextIO | None = None) -> None:
    """Each of ``lines`` (a line may hold several) on standard output, ended by a newline."""
    (stream or sys.stdout).write(visible("".join(f"{line}\n" for line in lines), multiline=True))


def out_json(data: object, *, indent: int | None = 2, stream: TextIO | None = None) -> None:
    """``data`` as JSON on standard output: names readable, control characters escaped."""
    print(json_visible(json.dumps(data, indent=indent, ensure_ascii=False)), file=stream or sys.stdout)


def say(message: str, stream: TextIO | None = None) -> None:
    """``legwork: message`` on one line of standard error (or ``stream``)."""
    print(f"legwork: {visible(message)}", file=stream or sys.stderr)


class TerminalText:
    """A text stream to a terminal that shows control characters instead of passing them:
    what an export to standard output writes through when that is a terminal. ``json``
    escapes them instead, which keeps the data exact."""

    def __init__(self, stream: TextIO, *, json: bool = False) -> None:
        self.stream = stream
        self.json = json
        self.changed = False  # something was shown differently from the data

    def write(self, text: str) -> int:
        if UNSAFE.search(text):
            if self.json:
                text = json_visible(text)
            else:
                shown = visible(text, multiline=True)
                # A CSV row's own CRLF is a line end, not something odd in the data.
                self.changed = self.changed or shown != text.replace("\r\n", "\n")
                text = shown
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not sys.stdout:
            self.stream.close()


class TerminalBytes:
    """The same for a UTF-8 file written as bytes (the calendar)."""

    def __init__(self, stream: TextIO) -> None:
        self.text = TerminalText(stream)

    @property
    def changed(self) -> bool:
        return self.text.changed

    def write(self, data: bytes) -> int:
        self.text.write(data.decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        self.text.flush()

    def close(self) -> None:
        self.text.close()
