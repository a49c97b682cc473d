"""``legwork timezone [TZ]``: show the team's timezone, or (a manager) set it.

The team's working day: numbers periods, boards' "today" and the stand-up follow
it; each rep's own timezone (``legwork rep edit --timezone``) shows their times.
"""

from __future__ import annotations

from store import settings
from tui.commands.admin import setting_arguments, show_or_set


def add_arguments(parser) -> None:
    setting_arguments(parser, "tz", "TZ", "the new timezone; none: show it")


def run(args, database, handle: str) -> int:
    new = args.tz.strip() if args.tz is not None else None
    return show_or_set(database, handle, new, change=settings.set_team_timezone, read=settings.team_timezone,
                       key="timezone", label="team timezone", json=args.json)
