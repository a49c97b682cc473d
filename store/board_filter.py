"""What narrows a board: the filter, its WHERE terms, and what a board can be filtered by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, func, select

from store.models import Account, Contact, Deal, Rep
from store.names import name_key


def _given(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


@dataclass(frozen=True)
class BoardFilter:
    """What narrows a board. Empty strings count as "not set"."""

    owner_id: int | None = None  # None = whole team
    territory: str | None = None
    product: str | None = None
    source: str | None = None
    text: str | None = None  # case-insensitive substring of title, account name or contact name

    def is_empty(self) -> bool:
        """True when nothing but (possibly) the owner is set."""
        return not any(_given(v) for v in (self.territory, self.product, self.source, self.text))

    def describe(self, owner_name: str | None = None) -> str:
        """``territory EMEA · text “acme”``; ``""`` when nothing is set.

        The owner is named only when ``owner_name`` is given and an owner is set
        (the board shows "mine / team" on its own otherwise).
        """
        parts: list[str] = []
        if self.owner_id is not None and owner_name:
            parts.append(f"owner {owner_name}")
        for label in ("territory", "product", "source"):
            value = _given(getattr(self, label))
            if value:
                parts.append(f"{label} {value}")
        text = _given(self.text)
        if text:
            parts.append(f"text “{text}”")
        return " · ".join(parts)


def _conditions(flt: BoardFilter) -> list[Any]:
    """The filter as WHERE terms on Deal (account/contact names via IN subqueries,
    so the aggregate needs no joins)."""
    terms: list[Any] = []
    if flt.owner_id is not None:
        terms.append(Deal.owner_id == flt.owner_id)
    for column, value in ((Deal.territory, flt.territory), (Deal.product, flt.product), (Deal.source, flt.source)):
        value = _given(value)
        if value is not None:
            terms.append(column == value)
    text = _given(flt.text)
    if text is not None:
        needle = text.lower()

        def matches(column):
            return func.lower(column).contains(needle, autoescape=True)

        # Accounts and contacts by their stored key: "ELEC" finds Électricité on SQLite too.
        key = name_key(text) or needle
        terms.append(
            or_(
                matches(Deal.title),
                Deal.account_id.in_(select(Account.id).where(Account.name_key.contains(key, autoescape=True))),
                Deal.contact_id.in_(select(Contact.id).where(Contact.name_key.contains(key, autoescape=True))),
            )
        )
    return terms


@dataclass(frozen=True)
class FilterChoices:
    owners: list[tuple[int, str]] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def filter_choices(session: Session) -> FilterChoices:
    """Who and what a board can be filtered by: active reps and anyone who owns a
    deal, by name; the distinct non-empty territories, products and sources."""
    owns = select(Deal.id).where(Deal.owner_id == Rep.id).correlate(Rep).exists()
    owners = [
        (rep_id, name)
        for rep_id, name in session.exec(
            select(Rep.id, Rep.name).where(or_(Rep.active == True, owns))  # noqa: E712
        )
    ]
    owners.sort(key=lambda o: (o[1].casefold(), o[1], o[0]))
    # One pass over the deals; the combinations are few, split them here.
    found: dict[str, set[str]] = {"territory": set(), "product": set(), "source": set()}
    for row in session.exec(select(Deal.territory, Deal.product, Deal.source).distinct()):
        for kind, value in zip(("territory", "product", "source"), row):
            if value is not None and value.strip():
                found[kind].add(value)

    def ordered(values: set[str]) -> list[str]:
        # Sorted in Python: database collations differ between backends.
        return sorted(values, key=lambda v: (v.casefold(), v))

    return FilterChoices(
        owners=owners,
        territories=ordered(found["territory"]),
        products=ordered(found["product"]),
        sources=ordered(found["source"]),
    )
