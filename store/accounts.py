"""Accounts and contacts: looked up by what a person starts typing."""

from __future__ import annotations

from sqlmodel import Session, func, select

from store.models import Account


def suggest_account(session: Session, prefix: str) -> str | None:
    """The first account name (alphabetically) starting with ``prefix``, any case."""
    prefix = prefix.strip()
    if not prefix:
        return None
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return session.exec(
        select(Account.name)
        .where(func.lower(Account.name).like(f"{escaped}%", escape="\\"))
        .order_by(Account.name)
        .limit(1)
    ).first()
