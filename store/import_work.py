"""Work rows from another CRM that keep their meaning: what a row is about, and whether it is done.

Salesforce exports activities as Task rows: ``WhatId`` names what the task is
about (an opportunity ``006…``, or an account ``001…``), ``WhoId`` whom (a contact
``003…`` or a lead ``00Q…``); ``Status`` says whether it happened (``Completed``) or
is still to do (``Not Started``, ``In Progress``, ``Waiting on someone else``,
``Deferred``). Legwork keeps activities and tasks on deals, logs only what
happened as an activity, and keeps what is still to do as an open task.

Plain functions over cell text: the importer (importer.py) decides what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.errors import InvalidInput
from store.import_values import normalise, parse_flag

# A Salesforce record id: 15 or 18 letters and digits, the first three naming the object.
_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
OPPORTUNITY_ID, ACCOUNT_ID, CONTACT_ID, LEAD_ID = "opportunity", "account", "contact", "lead"
_PREFIXES = {"006": OPPORTUNITY_ID, "001": ACCOUNT_ID, "003": CONTACT_ID, "00Q": LEAD_ID}


def salesforce_object(text: str | None) -> str | None:
    """``"account"`` for ``001…``, ``"contact"``, ``"lead"`` or ``"opportunity"``; None for anything
    that is not a Salesforce record id of those objects."""
    text = (text or "").strip()
    if not _SALESFORCE_ID.match(text):
        return None
    return _PREFIXES.get(text[:3])


def is_done(text: str | None) -> bool | None:
    """Whether a status or done cell says the work happened: True (``Completed``, ``yes``),
    False (``Not Started``, ``In Progress``, ``Waiting on someone else``, ``Deferred``, ``no``),
    None for an empty cell. Raises ``InvalidInput`` for a status that says neither."""
    if text is None or not text.strip():
        return None
    try:
        # HubSpot writes NOT_STARTED, others not-started: the words are what count.
        return parse_flag(text.replace("_", " ").replace("-", " "), "status")
    except InvalidInput:
        raise InvalidInput(
            f"status {text.strip()!r} says neither done (Completed) nor still to do (Not Started, In Progress): "
            "leave the column out with --map \"COLUMN=-\" to log every row as done"
        ) from None


def best_type(cells: list[str], words: dict[str, str]) -> tuple[str | None, str]:
    """The activity type the row's type cells name, the most telling first: Salesforce writes
    ``Task`` in TaskSubtype where a custom ``Type__c`` says ``Meeting``. Returns (type or None,
    the cell it came from, or the first unknown cell)."""
    generic: tuple[str, str] | None = None
    unknown = ""
    for cell in cells:
        found = words.get(normalise(cell))
        if found is None:
            unknown = unknown or cell
        elif found != "other":
            return found, cell
        elif generic is None:
            generic = (found, cell)
    if generic is not None:
        return generic
    return None, unknown


@dataclass
class AboutElsewhere:
    """Rows about an account, contact or lead rather than a deal: left out, or put on the
    account's only open deal when that is certain."""

    rows: dict[str, list[int]] = field(default_factory=dict)  # "account" / "contact" / "lead" -> rows
    attached: list[int] = field(default_factory=list)
    attached_deals: set[int] = field(default_factory=set)

    def add(self, what: str, row: int) -> None:
        self.rows.setdefault(what, []).append(row)

    @property
    def left_out(self) -> list[int]:
        return sorted(n for rows in self.rows.values() for n in rows)

    def remarks(self, noun: str, rows_text) -> list[str]:
        """The report's plain words, grouped with counts. ``rows_text`` lists row numbers."""
        out: list[str] = []
        left = self.left_out
        if left:
            kinds = [k for k in (ACCOUNT_ID, CONTACT_ID, LEAD_ID) if k in self.rows]
            words = [{ACCOUNT_ID: "an account", CONTACT_ID: "a contact", LEAD_ID: "a lead"}[k] for k in kinds]
            about = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
            detail = "; ".join(f"{len(self.rows[k]):,} {k}{'s' if len(self.rows[k]) != 1 else ''}" for k in kinds)
            out.append(
                f"{len(left):,} row{'s are' if len(left) != 1 else ' is'} about {about}, not a deal ({detail}): "
                f"Legwork keeps {noun} on deals, so {'they were' if len(left) != 1 else 'it was'} left out; "
                f"{rows_text(left)}. A row whose account has exactly one open deal goes on that deal; "
                "for the others, give them a deal column (the opportunity's id or name) and import them again."
            )
        if self.attached:
            deals = len(self.attached_deals)
            out.append(
                f"{len(self.attached):,} row{'s' if len(self.attached) != 1 else ''} about an account "
                f"{'were' if len(self.attached) != 1 else 'was'} put on the account's only open deal "
                f"({deals:,} deal{'s' if deals != 1 else ''}): {rows_text(self.attached)}."
            )
        return out
