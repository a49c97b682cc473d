"""A deal's key between Legwork databases: its external id, else a stable key.

A deal that came without an external id is known by a hash of its owner, title and
account (``stable_key``); deals sharing one are told apart by ``-2``, ``-3`` … in id
order (``deal_keys``). The export writes these keys, the import finds deals by them,
so an export read back into another database links its activities, tasks, notes and
history to the same deals.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from sqlalchemy import select
from sqlmodel import Session

from store.import_values import fold
from store.models import Account, Deal, Rep

__all__ = ["deal_key_rows", "deal_keys", "stable_key"]


def stable_key(owner_handle: str, title: str, account: str | None) -> str:
    """The key of a deal that came without an external id: owner, title and account, hashed."""
    text = "\x1f".join((fold(owner_handle), fold(title), fold(account or "")))
    return "lw-" + hashlib.sha256(text.encode()).hexdigest()[:20]


def deal_keys(rows: Iterable[tuple[int, str | None, str, str, str | None]]) -> dict[int, str]:
    """Each deal's key, from ``(id, external_id, owner_handle, title, account_name)`` rows in id
    order: its external id, else its stable key (``-2``, ``-3`` … for deals sharing one)."""
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for deal_id, external_id, handle, title, account in rows:
        if external_id:
            keys[deal_id] = external_id
            continue
        base = stable_key(handle, title, account)
        n = seen.get(base, 0) + 1
        seen[base] = n
        keys[deal_id] = base if n == 1 else f"{base}-{n}"
    return keys


def deal_key_rows(session: Session):
    """Every deal's ``(id, external_id, owner_handle, title, account_name)``, in id order: what
    ``deal_keys`` reads."""
    return session.execute(
        select(Deal.id, Deal.external_id, Rep.handle, Deal.title, Account.name)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .order_by(Deal.id)
    ).all()
