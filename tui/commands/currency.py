"""``legwork currency [CODE]``: show the database's currency, or (a manager) name it.

Amounts are not converted: the code names the unit they are entered in.
"""

from __future__ import annotations

from store import settings
from tui.commands.admin import setting_arguments, show_or_set


def add_arguments(parser) -> None:
    setting_arguments(parser, "code", "CODE", "the new currency (e.g. EUR); none: show it")


def run(args, database, handle: str) -> int:
    return show_or_set(database, handle, args.code, change=settings.set_currency, read=settings.currency,
                       key="currency", label="currency", json=args.json)
