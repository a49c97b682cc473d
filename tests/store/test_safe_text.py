"""``visible``: stored text as it may be shown on a terminal. A pure function: no database."""

from __future__ import annotations

import json

import pytest

from store.safe_text import UNSAFE, json_visible, visible
from tests import hostile_corpus as hc

# Every character that must never reach a terminal raw, one line or many.
NEVER_RAW = [c for c in hc.C0 if c not in "\t\n"] + [hc.DEL, *hc.C1, *hc.BIDI]


def raw_controls(text: str) -> list[str]:
    return [c for c in text if c in NEVER_RAW]


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("char", NEVER_RAW, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_shown_not_passed(char, multiline):
    shown = visible(f"a{char}b", multiline=multiline)
    assert raw_controls(shown) == []
    assert shown.startswith("a") and shown.endswith("b") and len(shown) > 2  # visibly something


def test_c0_and_del_become_control_pictures():
    assert visible("\x1b") == "␛"
    assert visible("\x07") == "␇"
    assert visible("\x00") == "␀"
    assert visible("\x7f") == "␡"
    assert visible(hc.WINDOW_TITLE) == "␛]0;evil␇"
    assert visible(hc.CLEAR_SCREEN) == "␛[2J"
    assert visible(hc.CLIPBOARD_WRITE) == "␛]52;c;ZXZpbA==␇"


def test_c1_shows_as_its_escape_form():
    assert visible(hc.C1_CLEAR_SCREEN) == "␛[2J"  # CSI is ESC [
    assert visible(hc.C1_OSC_TITLE) == "␛]0;evil␛\\"  # OSC is ESC ], ST is ESC \
    assert visible("\x85") == "␛E"  # NEL


def test_bidi_controls_are_named():
    assert visible(hc.RIGHT_TO_LEFT_OVERRIDE) == "⟨RLO⟩elif.exe⟨PDF⟩"
    assert visible("".join(hc.BIDI_ISOLATES)) == "⟨LRI⟩⟨RLI⟩⟨FSI⟩⟨PDI⟩"
    # Right-to-left words and the directional marks are text, not controls.
    assert visible("שלום \u200fعربي\u200e") == "שלום \u200fعربي\u200e"


def test_one_line_shows_newlines_and_turns_tabs_into_spaces():
    assert visible("Call Jo\nthen Ann") == "Call Jo␊then Ann"
    assert visible("a\r\nb") == "a␍␊b"
    assert visible("a\tb") == "a b"


def test_multiline_keeps_newlines_and_tabs():
    assert visible("first\n\tsecond", multiline=True) == "first\n\tsecond"
    assert visible("a\r\nb", multiline=True) == "a\nb"  # a CRLF is one line break
    assert visible("a\rb\x1b[2J\nc", multiline=True) == "a␍b␛[2J\nc"
    assert visible("x\x0by\x0cz", multiline=True) == "x␋y␌z"


@pytest.mark.parametrize(
    "text",
    ["", "Acme fleet rollout", "José Núñez — 12 500 €", "漢字 rollout", hc.MARKUP_CLICK, hc.MARKUP_BOLD,
     hc.LONG_WORDS, hc.FORMULA_HYPERLINK, "שלום"],
)
def test_plain_text_comes_back_unchanged(text):
    assert visible(text) is text
    assert visible(text, multiline=True) is text


def test_none_is_empty():
    assert visible(None) == ""


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("text", hc.ALL + [hc.hostile("Acme"), "a\r\nb\rc\n"], ids=range(len(hc.ALL) + 2))
def test_idempotent(text, multiline):
    once = visible(text, multiline=multiline)
    assert visible(once, multiline=multiline) == once
    assert not UNSAFE.search(once)


def test_hostile_title_keeps_its_words_and_markup():
    shown = visible(hc.hostile("Acme"))
    assert shown == "[@click=app.quit]Acme Acme␛]0;evil␇␛]52;c;ZXZpbA==␇␛[2J␛[2J [bold]x[/]"


def test_json_visible_escapes_what_json_leaves_raw_and_keeps_the_data():
    data = {"title": hc.TERMINAL_ATTACK + hc.DEL + hc.RIGHT_TO_LEFT_OVERRIDE + " José", "n": 1}
    text = json.dumps(data, ensure_ascii=False)
    assert "\x9b" in text and "\x7f" in text  # json.dumps leaves these raw
    safe = json_visible(text)
    assert raw_controls(safe) == []
    assert "José" in safe  # other text stays readable
    assert json.loads(safe) == data
    plain = json.dumps({"title": "Acme"})
    assert json_visible(plain) is plain
