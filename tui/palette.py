"""The command palette (`ctrl+p`, and `/` where a screen has no filter of its own):
search everything by words, and run any action of the screen underneath by name.

Searching runs the store's ``search_in`` in a thread (it opens its own session), a
moment after the last key, so typing fast costs one query, not one per key. Every
label is stored text: it is drawn as plain ``Text`` (tui.plain_text), never markup.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Iterable

from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandPalette, Hit, Hits, Provider
from textual.markup import escape
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

from store.search import ACCOUNT, ACTIVITY, CONTACT, DEAL, NOTE, SearchHit, search_in
from tui.plain_text import plain, visible

TYPING_PAUSE = 0.12  # seconds after the last key before the store is asked
PLACEHOLDER = "Search deals, accounts, contacts, notes, activities…"
KIND_TAGS = {DEAL: "Deal", ACCOUNT: "Account", CONTACT: "Contact", NOTE: "Note", ACTIVITY: "Activity"}
TAG_WIDTH = max(map(len, KIND_TAGS.values())) + 1


def open_palette(app) -> None:
    """`ctrl+p`: commands, the screen's actions, and search."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(CommandPalette(placeholder=f"A command, or {PLACEHOLDER[0].lower()}{PLACEHOLDER[1:]}",
                                       id="--command-palette"))


def open_search(app) -> None:
    """A palette that only searches (the `/` key)."""
    if not CommandPalette.is_open(app):
        app.push_screen(CommandPalette(providers=[SearchProvider], placeholder=PLACEHOLDER, id="--command-palette"))


class SearchProvider(Provider):
    """Deals (open and closed), accounts, contacts, notes and activities, grouped by kind."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if getattr(app, "rep", None) is None or len(query.strip()) < 2:
            return
        # Cancelled here when the next key arrives: only the query typed last reaches the store.
        await asyncio.sleep(TYPING_PAUSE)
        results = await asyncio.to_thread(search_in, app.database, query)
        for group_rank, group in enumerate(results.groups):
            for rank, hit in enumerate(group.hits):
                # Groups stay together, in the store's order, above weaker fuzzy matches of commands.
                score = 0.99 - group_rank * 0.1 - rank * 0.01
                yield Hit(score, prompt(hit, closed=not hit.is_open and hit.kind == DEAL),
                          partial(open_hit, app, hit), text=visible(hit.label))


def prompt(hit: SearchHit, *, closed: bool = False) -> Text:
    """Two lines: the kind and the label; the context, dimmed. Plain text throughout."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{KIND_TAGS[hit.kind]:<{TAG_WIDTH}}", style="dim")
    text.append_text(plain(hit.label, "bold"))
    if closed:
        text.append(" (closed)", style="dim")
    text.append("\n" + " " * TAG_WIDTH)
    text.append_text(plain(hit.context, "dim"))
    return text


def open_hit(app, hit: SearchHit) -> None:
    """A deal, a note or an activity opens the deal screen; an account or a contact opens
    its own screen where the app has one, else its most recent deal."""
    from tui.screens.deal import open_deal

    opener = {ACCOUNT: "open_account", CONTACT: "open_contact"}.get(hit.kind)
    if opener and hasattr(app, opener):
        getattr(app, opener)(hit.id)
        return
    if hit.deal_id is None:
        app.notify(f"{KIND_TAGS[hit.kind]} {hit.label} has no deals yet", markup=False)
        return
    open_deal(app, hit.deal_id, pipeline=hit.pipeline)
    if opener:
        app.notify(f"{hit.label}: its most recent deal", markup=False)


# --- the screen's actions, by name ------------------------------------------------------------------


class CommandsProvider(SystemCommandsProvider):
    """Textual's commands and the screen's actions (``LegworkApp.get_system_commands``), found
    as search finds records: every word typed starts a word of the name (``mo f`` finds
    ``Move forward``). They come above the records found: a command named is the one meant.
    Letters scattered through a name ("re" in "Screenshot") are no match."""

    async def search(self, query: str) -> Hits:
        terms = query.lower().split()
        if not terms:
            return
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            words = name.lower().split()
            if all(any(word.startswith(term) for word in words) for term in terms):
                yield Hit(2.0 - len(words) * 0.01, matcher.highlight(name), callback, help=help_text)

# A screen's own binding ids start with its name; the action's name is the rest.
_SCREEN_PREFIXES = ("deal-", "closed-", "today-", "standup-", "numbers-", "queue-", "timeline-", "drill-")
# Moving a cursor is not something to look up by name.
_NAVIGATION = re.compile(r"(^|-)(up|down|first|last|left|right|page-up|page-down)$")


def action_name(binding_id: str) -> str:
    """``deal-move-forward`` → ``Move forward``; ``log-activity`` → ``Log activity``."""
    for prefix in _SCREEN_PREFIXES:
        if binding_id.startswith(prefix) and len(binding_id) > len(prefix):
            binding_id = binding_id[len(prefix):]
            break
    return binding_id.replace("-", " ").capitalize()


def screen_commands(screen: Screen) -> Iterable[SystemCommand]:
    """Every action of ``screen`` that its keys can run now, by name, with its key and what it does."""
    app = screen.app
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        if (binding.system or not binding.id or not binding.description or not active.enabled
                or _NAVIGATION.search(binding.id) or (id(node), binding.action) in seen):
            continue
        seen.add((id(node), binding.action))
        if node is app:
            if not binding.action.startswith("switch_mode"):
                continue  # help and quit: the palette has Keys and Quit already
            name = f"Go to {binding.description}"
        else:
            name = action_name(binding.id)
        keys = ", ".join(app.get_key_display(b) for _key, b in _bindings_for(node, binding.action))
        # Help is read as markup by the palette: the keys ("[", "]") must stay text.
        help_text = escape(f"{keys} · {binding.tooltip or binding.description}")
        yield SystemCommand(name, help_text, partial(app.run_action, binding.action, node))


def _bindings_for(node, action: str):
    return [(key, b) for key, bindings in node._bindings.key_to_bindings.items() for b in bindings
            if b.action == action][:3]
