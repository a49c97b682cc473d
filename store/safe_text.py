"""Stored text made safe to put on a terminal: nothing in it can drive the terminal.

A deal title, a note or an imported cell may hold control characters: ``ESC ] 0 ;
… BEL`` retitles the window, ``ESC ] 52 ; c ; …`` writes the clipboard, ``ESC [ 2 J``
clears the screen. ``visible`` turns every such character into a visible stand-in,
so the rep sees that something odd is there and the terminal never gets it:

- C0 controls (U+0000–U+001F) and DEL become their Unicode control pictures
  (``␛`` for ESC, ``␇`` for BEL, ``␊`` for a newline on one line, ``␡`` for DEL).
- C1 controls (U+0080–U+009F) are the 8-bit forms of ``ESC`` + a character
  (ECMA-48): CSI U+009B is ``ESC [``. They become ``␛`` and that character (``␛[``).
- Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) become
  ``⟨RLO⟩`` and the like. On a terminal that reorders right-to-left text they
  reverse or move the rest of the line — the other board columns included — so a
  title could disguise itself or its neighbours. Right-to-left words need none of
  them, and the marks (U+200E, U+200F) are left alone.

A tab is whitespace, not a threat: ``multiline`` text keeps it; on one line it is a
space, since its width depends on the column it lands in, which a cell-based layout
cannot know. ``multiline`` text keeps its newlines (a CRLF counts as one).

Exports written to a file keep the data as it is; this is for what is shown.
"""

from __future__ import annotations

import re

_BIDI_NAMES = {
    0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO",
    0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI",
}

_PICTURES: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡
_PICTURES.update({code: "\u241b" + chr(code - 0x40) for code in range(0x80, 0xA0)})
_PICTURES.update({code: f"⟨{name}⟩" for code, name in _BIDI_NAMES.items()})

_ONE_LINE = {**_PICTURES, 0x09: " "}
_LINES = {code: picture for code, picture in _PICTURES.items() if code not in (0x09, 0x0A)}

_BIDI = "\u202a-\u202e\u2066-\u2069"
# A search is cheap and almost every string has nothing to replace.
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# What must never reach a terminal raw, in any mode (a tab or a newline may).
UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def visible(text: str | None, *, multiline: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1) and bidi override shown
    as a visible stand-in; ``None`` is ``""``. ``multiline`` keeps newlines and tabs.
    Plain text comes back unchanged (the same object), and ``visible`` of its own
    result changes nothing."""
    if not text:
        return ""
    if multiline:
        if not UNSAFE.search(text):
            return text
        return text.replace("\r\n", "\n").translate(_LINES)
    if not _UNSAFE_ONE_LINE.search(text):
        return text
    return text.translate(_ONE_LINE)


def json_visible(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, the C1
    controls and the bidi overrides written as ``\\uXXXX`` escapes, as it already
    writes the C0 ones: the same data to a JSON reader, nothing raw to a terminal.
    Such characters can only stand inside JSON strings, where an escape is valid."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
