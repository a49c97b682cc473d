"""The README's keys table says what the bindings really are: every binding id it names
exists, and every key of such a binding is in the row that names it."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import key_to_character

from tui.keymap import known_binding_ids

README = Path(__file__).resolve().parents[2] / "README.md"
SHOWN = {"left": "←", "right": "→", "up": "↑", "down": "↓", "slash": "/"}


def keys_table() -> list[tuple[str, str]]:
    """(keys cell, binding-id cell) of each row of the README's keys table."""
    section = README.read_text(encoding="utf-8").split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2] and not set(cells[2]) <= {"-"} and cells[2] != "binding id":
            rows.append((cells[1], cells[2]))
    return rows


def legwork_bindings() -> dict[str, set[str]]:
    """Each binding id of Legwork's own screens and widgets, with the keys it is bound to."""
    known_binding_ids()  # imports every screen and widget
    keys: dict[str, set[str]] = {}
    pending = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                keys.setdefault(binding.id, set()).update(k.strip() for k in binding.key.split(","))
    return keys


def shown(key: str) -> str:
    if key in SHOWN:
        return SHOWN[key]
    character = key_to_character(key)  # greater_than_sign → ">"; space, escape stay words
    return character if character and len(key) > 1 and character.isprintable() and not character.isspace() else key


def test_the_table_has_rows():
    assert len(keys_table()) > 30


def test_every_binding_id_in_the_readme_exists_and_its_keys_are_listed():
    bindings = legwork_bindings()
    wrong = []
    for keys_cell, ids_cell in keys_table():
        listed = set(re.findall(r"`([^`]+)`", keys_cell))
        for binding_id in re.findall(r"`([^`]+)`", ids_cell):
            if binding_id not in bindings:
                wrong.append(f"{binding_id}: no such binding")
                continue
            missing = sorted(shown(key) for key in bindings[binding_id] if shown(key) not in listed)
            if missing:
                wrong.append(f"{binding_id}: README lacks {missing}")
    assert wrong == [], "\n".join(wrong)
