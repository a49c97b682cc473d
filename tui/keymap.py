"""The binding ids a config ``[keymap]`` may name, and a warning for those it names wrongly.

Textual's ``set_keymap`` ignores an id no binding has, so a typo in the config file
would silently leave the key as it was. Ids that were renamed (the deal actions had
one per screen) still work, with a notice naming the new id.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import tui.screens
import tui.widgets


def known_binding_ids() -> set[str]:
    """Every binding id of every screen and widget Legwork can show (Textual's own included)."""
    importlib.import_module("tui.app")
    importlib.import_module("tui.deal_actions")
    for package in (tui.screens, tui.widgets):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    ids: set[str] = set()
    pending = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def keymap_warnings(keymap: dict[str, str]) -> list[str]:
    """One line per id in ``keymap`` that no binding has, naming the closest known ids."""
    if not keymap:
        return []
    known = known_binding_ids()
    lines = []
    for binding_id in sorted(set(keymap) - known):
        close = difflib.get_close_matches(binding_id, sorted(known), n=3, cutoff=0.5)
        hint = f"closest: {', '.join(close)}" if close else "the README's keys table lists the ids"
        lines.append(f"keymap: no binding has the id {binding_id!r}, so it is ignored ({hint})")
    return lines


def upgrade_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """``keymap`` with renamed ids under their new names, and a one-line notice when it had any.

    Several old ids for one action (``deal-move-forward``, ``standup-move-forward``)
    give it the keys of all of them; an entry under the new id itself wins over them."""
    from tui.deal_actions import OLD_DEAL_ACTION_IDS

    upgraded = {binding_id: keys for binding_id, keys in keymap.items() if binding_id not in OLD_DEAL_ACTION_IDS}
    renamed, ignored = [], []
    merged: dict[str, list[str]] = {}
    for old_id in sorted(set(keymap) & set(OLD_DEAL_ACTION_IDS)):
        new_id = OLD_DEAL_ACTION_IDS[old_id]
        if new_id in upgraded:
            ignored.append(old_id)
            continue
        renamed.append(f"{old_id} → {new_id}")
        keys = merged.setdefault(new_id, [])
        keys.extend(k.strip() for k in keymap[old_id].split(",") if k.strip() and k.strip() not in keys)
    upgraded.update({new_id: ",".join(keys) for new_id, keys in merged.items()})
    if not renamed and not ignored:
        return upgraded, []
    said = f"renamed ids now apply on the boards, the deal screen and the stand-up: {', '.join(renamed)}"
    if ignored:
        said = (said + "; " if renamed else "") + f"ignored, the file sets their new id too: {', '.join(ignored)}"
    return upgraded, [f"keymap: {said}"]
