"""For tests about something other than permissions that need one rep to change
another's deal or give them work: the team's ``team.open_editing`` on, as a small
team would set it (store.permissions). Written as a row, like a manager's setting."""

from __future__ import annotations

from store.models import Setting
from store.settings import OPEN_EDITING


def allow_open_editing(session, on: bool = True) -> None:
    session.merge(Setting(key=OPEN_EDITING, value="true" if on else "false"))
    session.commit()
