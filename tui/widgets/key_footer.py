"""The footer of keys every screen shows, rebuilt only when its keys change.

Textual's ``Footer`` recomposes on every bindings signal, and the screen sends
one for each focus change: moving between board columns, or a deal moving to
the next column, remounted a dozen keys and laid the screen out again, twice,
for a footer that looked the same.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def _declared_rank(node, binding: Binding) -> int:
    """Where ``binding`` stands in its node's declared bindings, before any keymap."""
    declared = type(node)._merged_bindings
    if declared is None:
        return 0
    for rank, original in enumerate(b for bindings in declared.key_to_bindings.values() for b in bindings):
        if (original.id is not None and original.id == binding.id) or (
            original.id is None and original.action == binding.action
        ):
            return rank
    return 0


def _in_declared_order(active, keymap) -> list:
    """The shown active bindings, each where its node declares it.

    A keymap override re-adds its binding last, which pushed a remapped key (say
    move-forward) off the right of an 80-column footer.
    """
    shown = [entry for entry in active if entry[1].show]
    if not keymap:  # Textual's order already is the declared one
        return shown
    nodes = list(dict.fromkeys(node for node, *_ in shown))
    return sorted(shown, key=lambda entry: (nodes.index(entry[0]), _declared_rank(entry[0], entry[1])))


class KeyFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._composed: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        super().bindings_changed(screen)  # recomposes after the next refresh
        if self._composed is None and self.is_attached and screen is self.screen and self.app.app_focus:
            # A new screen's keys: compose them into its first frame, not in a
            # second layout pass after it.
            self.call_next(self.recompose)

    def _shown(self) -> tuple:
        """Everything ``Footer.compose`` draws from."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for (_node, binding, enabled, tooltip) in _in_declared_order(active.values(), app._keymap)
        )
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette,
            keys,
            palette[1:] if palette else None,
        )

    def compose(self) -> ComposeResult:
        """``Footer.compose`` (Textual 8) with the keys in declared order; Legwork uses no key groups."""
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        shown = _in_declared_order(active.values(), self.app._keymap)
        if any(binding.group is not None for _node, binding, _enabled, _tooltip in shown):
            yield from super().compose()
            return
        actions: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in shown:
            actions.setdefault(binding.action, (binding, enabled, tooltip))  # one key per action
        self.styles.grid_size_columns = len(actions)
        for binding, enabled, tooltip in actions.values():
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            # Born compact (Textual's default) then bound to the footer's, each key was
            # restyled twice as it mounted, for every key of every screen's footer.
            key.set_reactive(FooterKey.compact, self.compact)
            key.set_class(self.compact, "-compact", update=False)
            yield key.data_bind(compact=Footer.compact)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            _node, binding, enabled, _tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    async def recompose(self) -> None:
        if not self.is_attached:  # the screen went away before the refresh came
            return
        shown = self._shown()
        if shown == self._composed:
            return
        self._composed = shown
        await super().recompose()
        if not self.children:  # composed before the screen's bindings were ready
            self._composed = None
