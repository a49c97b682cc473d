"""Accounts and contacts: looked up by what a person starts typing."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import Account
from store.names import name_key


def suggest_account(session: Session, prefix: str) -> str | None:
    """The first account name (alphabetically) whose key starts with ``prefix``'s:
    ``ÉLEC`` and ``elec`` both find ``Électricité Dupont`` (see store.names)."""
    key = name_key(prefix)
    if not key:
        return None
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return session.exec(
        select(Account.name)
        .where(Account.name_key.like(f"{escaped}%", escape="\\"))
        .order_by(Account.name_key, Account.name)
        .limit(1)
    ).first()
