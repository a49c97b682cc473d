"""The footer of keys every screen shows, rebuilt only when its keys change.

Textual's ``Footer`` recomposes on every bindings signal, and the screen sends
one for each focus change: moving between board columns, or a deal moving to
the next column, remounted a dozen keys and laid the screen out again, twice,
for a footer that looked the same.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


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
            for (_node, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette,
            keys,
            palette[1:] if palette else None,
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
