"""`y` / `Y`: an email or a phone number to the clipboard.

``App.copy_to_clipboard`` writes it with OSC 52, which most terminals (and tmux with
``set-clipboard on``) pass to the system clipboard, over SSH too. The value goes out
base64-encoded, so nothing in it can steer this terminal; its control characters
(an old import's ESC) are dropped all the same, so a paste elsewhere cannot carry
them into a shell. The toast shows it as text.
"""

from __future__ import annotations

from store.validate import strip_controls


def copy_value(app, value: str | None, what: str) -> bool:
    """Copy ``value`` and say so; ``what`` names it ("email", "phone") when there is none."""
    if not value:
        app.notify(f"No {what} to copy", severity="warning", markup=False)
        return False
    value, _removed = strip_controls(value)
    app.copy_to_clipboard(value)
    app.notify(f"Copied {what} {value}", markup=False)  # App.notify shows control characters
    return True
