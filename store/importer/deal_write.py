"""Writing the planned deals: new reps, accounts and contacts first, then the deals
with bulk inserts, and for each deal the events the store would have recorded
(``created``, ``converted``, ``won`` / ``lost``), oldest first, by the importing rep.
``DealWrites`` is the part of the deal import (``store.importer.deal_plan.DealImport``)
that writes what its planning left in ``planned``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from store import events
from store.bulk import insert_plain, insert_rows
from store.importer.base import event_row
from store.models import LEAD, OPPORTUNITY, WON, Account, Contact, Deal, DealEvent
from store.stages import StageInfo

if TYPE_CHECKING:
    from store.importer.deal_plan import PlannedDeal


class DealWrites:
    """Writing a deal import's plan, in the transaction ``import_table`` opened."""

    def write(self) -> None:
        session, now, by = self.session, self.now, self.rep.id
        total = len(self.planned)
        self.reps.write(session, now)
        self.updates.write(by, self.reps.ids, self.table.name)
        if not self.planned:
            return
        if self.new_accounts:
            rows = [
                {"name": name, "name_key": key, "domain": self.new_account_domains.get(key), "created_at": now}
                for key, name in self.new_accounts.items()
            ]
            for key, account_id in zip(self.new_accounts, insert_rows(session, Account, rows)):
                self.accounts[key] = account_id
        if self.new_contacts:
            rows = [
                {"account_id": self.accounts.get(key[0]) if key[0] else None, "name_key": key[1], "created_at": now,
                 **fields}
                for key, fields in self.new_contacts.items()
            ]
            for key, contact_id in zip(self.new_contacts, insert_rows(session, Contact, rows)):
                self.contacts[key] = contact_id
        lead_first = self.open[LEAD][0]
        deal_rows: list[dict] = []
        histories: list[list[tuple[datetime, str, dict]]] = []
        for d in self.planned:
            history, version = self._history(d, lead_first)
            histories.append(history)
            deal_rows.append({
                "pipeline": d.pipeline,
                "stage_id": d.stage.id,
                "title": d.title,
                "account_id": self.accounts[d.account] if d.account else None,
                "contact_id": self.contacts[d.contact] if d.contact else None,
                "owner_id": self.reps.ids[d.owner],
                "value": d.value,
                "expected_close": d.expected_close,
                "source": d.source,
                "territory": d.territory,
                "product": d.product,
                "created_at": d.created_at,
                "stage_entered_at": d.stage_entered_at,
                "converted_at": d.converted_at,
                "closed_at": d.closed_at,
                "lost_reason": d.lost_reason,
                "probability": d.probability,
                "created_known": d.created_known,
                "external_id": d.key,
                "last_activity_at": None,
                "milestone": None,
                "version": version,
                "updated_at": history[-1][0],
                "updated_by_id": by,
            })
        ids = insert_rows(session, Deal, deal_rows, lambda n: self.written("writing deals", n, total))
        event_rows = [
            event_row(deal_id, by, at, kind, data)
            for deal_id, history in zip(ids, histories)
            for at, kind, data in history
        ]
        insert_plain(session, DealEvent, event_rows)
        self.written("writing deals", total, total)

    def _history(self, d: PlannedDeal, lead_first: StageInfo) -> tuple[list[tuple[datetime, str, dict]], int]:
        """The events the store would have recorded, oldest first, and the version they end on."""
        source = {"imported": self.table.name}
        working = d.closed_from or d.stage  # the open stage it was worked in
        born_lead = d.converted_at is not None
        first_stage = lead_first if born_lead else working
        history = [(d.created_at, events.CREATED, events.created(
            LEAD if born_lead else d.pipeline, first_stage.name, d.value,
            **source, **({} if d.created_known else {"created_unknown": True}),
        ))]
        version = 1
        entered = d.created_at
        if born_lead:
            version += 1
            history.append((d.converted_at, events.CONVERTED, events.row_change(
                {"pipeline": LEAD, "stage_id": lead_first.id, "stage_entered_at": events.column_value(d.created_at),
                 "converted_at": None},
                {"pipeline": OPPORTUNITY, "stage_id": working.id,
                 "stage_entered_at": events.column_value(d.converted_at),
                 "converted_at": events.column_value(d.converted_at)},
                version, **events.stage_move(lead_first.name, working.name, **source),
            )))
            entered = d.converted_at
        if d.closed_at is not None:
            version += 1
            won = d.stage.kind == WON
            before: dict[str, Any] = {"stage_id": working.id, "stage_entered_at": events.column_value(entered),
                                      "closed_at": None}
            after: dict[str, Any] = {"stage_id": d.stage.id, "stage_entered_at": events.column_value(d.closed_at),
                                     "closed_at": events.column_value(d.closed_at)}
            extra: dict[str, Any] = {"value": d.value} if won else {"reason": d.lost_reason}
            if not won:
                before["lost_reason"] = None
                after["lost_reason"] = d.lost_reason
            history.append((d.closed_at, events.WON if won else events.LOST, events.row_change(
                before, after, version, **events.stage_move(working.name, d.stage.name, **extra, **source),
            )))
        return history, version
