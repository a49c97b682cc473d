"""Re-importing a newer export of the same deals updates them.

A row whose deal is already here (by external id, else by the stable key) is
compared with the deal, field by field, for the fields the file has a column for:
its stage (an open stage, or won / lost with the file's close date, or reopened),
value, expected close, owner and own win probability. A deal that differs is
changed as a person's edit would change it — one conditional UPDATE that bumps
its version, and one DealEvent per change of the same kind a user's edit records
(stage_changed, won, lost, reopened, value_changed, close_date_changed,
owner_changed, details_edited), with ``data["via"] = "import"`` and the importing
rep as who. A deal that is the same is left untouched (no event, no new version).

A deal whose latest change was made in Legwork (not by an import) is left as it
is and listed, unless ``--overwrite-edits``: the file may be older than that edit.
Pipeline changes (a lead the file calls an opportunity) and one close turned into
another (won → lost) are left to a person and listed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from store import clock, events
from store.deal_rows import apply_changes, load_for_write
from store.errors import Conflict
from store.models import LEAD, OPEN, WON, Deal, DealEvent, Rep, Stage
from store.money import format_money

VIA = "import"
_CHUNK = 900


@dataclass
class _Existing:
    id: int
    title: str
    pipeline: str
    stage_id: int
    stage_name: str
    stage_kind: str
    value: int
    expected_close: date | None
    owner_id: int
    owner_handle: str
    owner_name: str
    probability: int | None
    version: int


@dataclass
class PlannedUpdate:
    row: int
    deal_id: int
    version: int  # the version read: the write is refused if the deal changed since
    title: str
    stage: Any = None  # StageInfo to move to, or None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    value: int | None = None
    expected_close: date | None = None
    owner: str | None = None  # handle (maybe a rep this import creates)
    probability: tuple[int | None] | None = None  # (new,) when it changes
    words: list[str] = field(default_factory=list)  # "Engaging → Won", "$12,000 → $14,500"


class DealUpdates:
    """Plans (and writes) the updates of one import of deals."""

    def __init__(self, session: Session, planner) -> None:
        self.session, self.planner = session, planner
        fields = planner.mapping.fields
        self.compare_stage = any(f in fields for f in ("stage", "status", "is_won", "is_closed"))
        self.compare_value = "value" in fields
        self.compare_close = any(f in fields for f in ("expected_close", "close_date"))
        self.compare_owner = any(f in fields for f in ("owner", "owner_handle", "owner_id"))
        self.compare_probability = "probability" in fields
        self.overwrite = planner.options.overwrite_edits
        self._existing: dict[int, _Existing] | None = None
        self.planned: list[PlannedUpdate] = []
        self.unchanged = 0

    def existing(self) -> dict[int, _Existing]:
        if self._existing is None:
            self._existing = {
                row[0]: _Existing(*row)
                for row in self.session.execute(
                    select(Deal.id, Deal.title, Deal.pipeline, Deal.stage_id, Stage.name, Stage.kind, Deal.value,
                           Deal.expected_close, Deal.owner_id, Rep.handle, Rep.name, Deal.probability, Deal.version)
                    .join(Stage, Stage.id == Deal.stage_id)
                    .join(Rep, Rep.id == Deal.owner_id)
                )
            }
        return self._existing

    def consider(self, number: int, deal_id: int, d) -> str | None:
        """Plan the update of ``deal_id`` to the planned deal ``d``; the reason it is skipped, or None."""
        now = self.existing()[deal_id]
        money = self.planner.currency
        update = PlannedUpdate(number, deal_id, now.version, now.title)
        words = update.words
        if self.compare_stage and d.stage.id != now.stage_id:
            if d.pipeline != now.pipeline:
                return (f"the file has it as {'a lead' if d.pipeline == LEAD else 'an opportunity'}, Legwork as "
                        f"{'a lead' if now.pipeline == LEAD else 'an opportunity'}: convert it in Legwork")
            if now.stage_kind != OPEN and d.stage.kind != OPEN:
                return f"{now.stage_name} here, {d.stage.name} in the file: reopen it in Legwork first"
            update.stage, update.closed_at, update.lost_reason = d.stage, d.closed_at, d.lost_reason
            words.append(f"{now.stage_name} → {d.stage.name}")
        if self.compare_value and d.value != now.value:
            update.value = d.value
            words.append(f"{format_money(now.value, money)} → {format_money(d.value, money)}")
        kind_after = update.stage.kind if update.stage is not None else now.stage_kind
        if self.compare_close and kind_after == OPEN and d.expected_close is not None \
                and d.expected_close != now.expected_close:
            update.expected_close = d.expected_close
            was = now.expected_close.isoformat() if now.expected_close else "none"
            words.append(f"close {was} → {d.expected_close.isoformat()}")
        ownerless = self.planner.ownerless_rows
        named_owner = not (ownerless and ownerless[-1] == number)  # an empty owner cell changes nothing
        if self.compare_owner and named_owner and d.owner != now.owner_handle:
            update.owner = d.owner
            words.append(f"owner {now.owner_name} → {self.planner.rep_name(d.owner)}")
        if self.compare_probability and kind_after == OPEN:
            if d.probability != now.probability:
                update.probability = (d.probability,)
                was = f"{now.probability}%" if now.probability is not None else "the stage's"
                words.append(f"probability {was} → "
                             f"{f'{d.probability}%' if d.probability is not None else 'the stage’s'}")
            elif update.stage is not None and d.probability is not None:
                update.probability = (d.probability,)  # the file's is for the new stage: a move would clear it
        if not words:
            self.unchanged += 1
            return "already in the database, unchanged"
        self.planned.append(update)
        return None

    def hold_back_legwork_edits(self) -> list[tuple[int, str]]:
        """Leave out the deals changed in Legwork since they were imported (unless --overwrite-edits):
        the (row, reason) of each."""
        if self.overwrite or not self.planned:
            return []
        ids = [u.deal_id for u in self.planned]
        latest: dict[int, dict] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            newest = (
                select(func.max(DealEvent.id))
                .where(DealEvent.deal_id.in_(chunk), DealEvent.kind.in_(events.DEAL_ROW_KINDS))
                .group_by(DealEvent.deal_id)
            )
            for deal_id, data in self.session.execute(
                select(DealEvent.deal_id, DealEvent.data).where(DealEvent.id.in_(newest))
            ):
                latest[deal_id] = data or {}
        held, kept = [], []
        for update in self.planned:
            data = latest.get(update.deal_id, {})
            if "imported" in data or data.get("via") == VIA:
                kept.append(update)
            else:
                held.append((update.row, "changed in Legwork since it was imported (or made there): left as it "
                                         "is (--overwrite-edits takes the file's)"))
        self.planned = kept
        return held

    def lines(self) -> list[str]:
        return [f"{u.title}: {', '.join(u.words)}" for u in self.planned]

    def write(self, by: int, rep_ids: dict[str, int], file_name: str) -> None:
        session = self.session
        source = {"via": VIA, "imported": file_name}
        for update in self.planned:
            deal, stage = load_for_write(session, update.deal_id, by=by, what="update")
            if deal.version != update.version:
                raise Conflict(f"“{deal.title}” was changed while the file was being imported; run it again",
                               deal.id, deal.version)
            changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
            moment = clock.now()
            if update.stage is not None:
                target = update.stage
                after: dict[str, Any] = {"stage_id": target.id}
                extra: dict[str, Any] = events.stage_move(stage.name, target.name, **source)
                if target.kind == OPEN and stage.kind != OPEN:
                    kind = events.REOPENED
                    after.update(stage_entered_at=moment, closed_at=None, lost_reason=None)
                elif target.kind == OPEN:
                    kind = events.STAGE_CHANGED
                    after["stage_entered_at"] = moment
                elif target.kind == WON:
                    kind = events.WON
                    closed = update.closed_at or moment
                    after.update(stage_entered_at=closed, closed_at=closed)
                    extra["value"] = update.value if update.value is not None else deal.value
                else:
                    kind = events.LOST
                    closed = update.closed_at or moment
                    reason = update.lost_reason or "closed in the file it was imported from"
                    after.update(stage_entered_at=closed, closed_at=closed, lost_reason=reason)
                    extra["reason"] = reason
                if deal.probability is not None or update.probability:
                    after["probability"] = update.probability[0] if update.probability and target.kind == OPEN \
                        else None
                changes.append((kind, after, extra))
            elif update.probability is not None:
                changes.append((events.DETAILS_EDITED, {"probability": update.probability[0]}, dict(source)))
            if update.value is not None:
                changes.append((events.VALUE_CHANGED, {"value": update.value}, dict(source)))
            if update.expected_close is not None:
                changes.append((events.CLOSE_DATE_CHANGED, {"expected_close": update.expected_close}, dict(source)))
            if update.owner is not None:
                owner_id = rep_ids[update.owner]
                if owner_id != deal.owner_id:
                    old = session.get(Rep, deal.owner_id)
                    new = session.get(Rep, owner_id)
                    changes.append((events.OWNER_CHANGED, {"owner_id": owner_id},
                                    events.owner_change(old.name, new.name, **source)))
            if changes:
                apply_changes(session, deal, update.version, by, changes)

