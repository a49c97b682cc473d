"""Planning the deal rows of a file: each row read into a ``PlannedDeal`` (title, owner,
account and contact, value, stage, and its created, converted and closed moments, a
stand-in when the file gives no created date), refused with its reasons, or found to
be a deal already here (an update, or unchanged). ``DealImport`` is the deal kind's
planner; reading stages is ``DealStages``' part, writing ``DealWrites``'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from store import import_meaning as meaning
from store import settings
from store.deal_keys import stable_key
from store.errors import InvalidInput
from store.import_fields import DEALS
from store.import_refs import OwnersAndAccountsById
from store.import_values import name_from_email, normalise, parse_amount
from store.importer.base import UTC, DealIndex, Import
from store.importer.deal_stages import DealStages
from store.importer.deal_write import DealWrites
from store.importer.report import RowProblem
from store.models import (
    LEAD,
    LOST,
    OPEN,
    OPPORTUNITY,
    WON,
    Account,
    Contact,
)
from store.names import name_key
from store.stages import StageInfo

__all__ = ["DealImport", "PlannedDeal"]

_UNKNOWN = meaning.UNKNOWN_SINCE.replace(tzinfo=UTC)
_CLOSED_BEFORE_CREATED = ": pass --created-from close or --created-unknown-when-after-close"


@dataclass
class PlannedDeal:
    row: int
    key: str
    title: str
    pipeline: str
    stage: StageInfo  # where it is now (won / lost stages for closed deals)
    closed_from: StageInfo | None  # the open stage it was closed from
    owner: str
    account: str | None
    contact: tuple[str, str] | None
    value: int
    expected_close: date | None
    source: str | None
    territory: str | None
    product: str | None
    created_at: datetime
    stage_entered_at: datetime
    converted_at: datetime | None
    closed_at: datetime | None
    lost_reason: str | None
    probability: int | None = None  # the deal's own win probability (open deals only)
    created_known: bool = True
    created_from: str = meaning.CREATED_GIVEN


class DealImport(OwnersAndAccountsById, DealStages, DealWrites, Import):
    kind = DEALS

    def __init__(self, *args) -> None:
        super().__init__(*args)
        session = self.session
        self.currency = settings.currency(session)
        self.load_stages(session)
        self.index = DealIndex(session)
        self.accounts: dict[str, int] = {}
        self.account_names: dict[int, str] = {}
        # Keyed by store.names.name_key, as the deal form looks them up: one account per name.
        for account_id, key in session.execute(select(Account.id, Account.name_key).order_by(Account.id)):
            self.accounts.setdefault(key, account_id)
            self.account_names[account_id] = key
        self.contacts: dict[tuple[str, str], int] = {}
        for contact_id, account_id, key in session.execute(
            select(Contact.id, Contact.account_id, Contact.name_key).order_by(Contact.id)
        ):
            self.contacts.setdefault((self.account_names.get(account_id, ""), key), contact_id)
        self.new_accounts: dict[str, str] = {}
        self.new_contacts: dict[tuple[str, str], dict] = {}
        self.planned: list[PlannedDeal] = []
        self.seen: dict[str, int] = {}
        self.created_from: dict[str, int] = {}
        self.unmatched_pipeline: dict[str, str | None] = {}
        self.notes: list[str] = []
        self.load_refs()
        from store.import_update import (
            DealUpdates,  # here: it builds on the store's deal writes
        )

        self.updates = DealUpdates(session, self)
        columns = self.mapping.fields.get("probability", ())
        self.probability_scale = meaning.probability_scale(
            cells[i] for _n, cells in self.table.rows for i in columns if i < len(cells)
        ) if columns else meaning.PERCENT
        if self.options.created_from not in (None, *meaning.CREATED_FROM_CHOICES):
            raise InvalidInput(f"--created-from {self.options.created_from!r} must be one of "
                               f"{', '.join(meaning.CREATED_FROM_CHOICES)}")

    def rep_name(self, handle: str) -> str:
        return self.reps.names.get(handle) or self.reps.new.get(handle, (handle,))[0]

    # one row

    def _plan_row(self, number: int, values: dict[str, str]) -> None:
        reasons: list[str] = []
        ref = self.account_refs.get(" ".join(values.get("account_id", "").split())) if self.account_refs else None
        if ref is not None and not values.get("account"):
            values = {**values, "account": ref.name}
        if self.mapping.titled_from_account:
            title_from = " — ".join(v for v in (values.get("account"), values.get("product")) if v)
            if title_from:
                values = {**values, "title": title_from}
        title = self.text(values, "title", reasons)
        if not title and not any("title" in r for r in reasons):
            reasons.append("no title: the row has no account or product to title it from"
                           if self.mapping.titled_from_account else "no title")
        external_id = self.text(values, "external_id", reasons, what="external id")
        owner = self.owner(number, values, reasons)
        account, domain = self.account(values, reasons)
        contact = self.text(values, "contact", reasons)
        email = self.text(values, "contact_email", reasons, what="contact email")
        phone = self.text(values, "contact_phone", reasons, what="contact phone")
        job = self.text(values, "contact_job_title", reasons, what="contact job title")
        if email and "@" not in email:
            reasons.append(f"contact email {email!r} has no @")
        if (email or phone) and not contact:
            contact = name_from_email(email) if email else None
        source = self.text(values, "source", reasons)
        territory = self.text(values, "territory", reasons)
        product = self.text(values, "product", reasons)
        lost_reason = self.text(values, "lost_reason", reasons, what="lost reason")
        probability = None
        if values.get("probability"):
            try:
                probability = meaning.parse_probability(values["probability"], self.probability_scale)
            except InvalidInput as exc:
                reasons.append(str(exc))
        # value
        value = 0
        currency = values.get("currency")
        if currency and normalise(currency) != normalise(self.currency):
            reasons.append(f"value is in {currency.strip()}; this database keeps amounts in {self.currency}")
        elif values.get("value"):
            try:
                value = parse_amount(values["value"], self.currency)
            except InvalidInput as exc:
                reasons.append(str(exc))
        # stage
        hint = self._pipeline_hint(values)
        status = self._status(values, reasons)
        if status == "deleted":
            self.skipped.append(RowProblem(number, "marked deleted in the file"))
            return
        stage: StageInfo | None = None
        stage_text = values.get("stage")
        if stage_text:
            try:
                stage = self._stage(stage_text, hint)
            except InvalidInput as exc:
                reasons.append(str(exc))
                stage = None
            else:
                if stage is None:
                    self.unmatched.setdefault(" ".join(stage_text.split()), []).append(number)
                    self.unmatched_pipeline.setdefault(" ".join(stage_text.split()), hint)
                    where = f" {'lead' if hint == LEAD else 'opportunity'}" if hint else ""
                    reasons.append(
                        f"stage {stage_text!r} matches no{where} stage: map it with --stage \"{stage_text}=Our Stage\""
                    )
        placed = self._place(stage, status, hint, stage_text is not None and stage is None, reasons)
        # dates
        created_m = self.moment(values, "created_at", reasons)
        expected_m = self.moment(values, "expected_close", reasons)
        close_m = self.moment(values, "close_date", reasons)
        closed_m = self.moment(values, "closed_at", reasons)
        converted_m = self.moment(values, "converted_at", reasons)
        entered_m = self.moment(values, "stage_entered_at", reasons)
        created_at = self.past(created_m, "created", reasons, start_of_day=True)
        converted_at = self.past(converted_m, "converted", reasons)
        entered_at = self.past(entered_m, "stage entered", reasons)
        expected_close = expected_m.day if expected_m else None
        closed_at = None
        if placed is not None:
            pipeline, now_stage, closed_from = placed
            if now_stage.kind != OPEN:
                closed_m = closed_m or close_m or expected_m
                if closed_m is None and not any(r.startswith(("closed", "close date", "expected")) for r in reasons):
                    word = "won" if now_stage.kind == WON else "lost" if pipeline == OPPORTUNITY else "disqualified"
                    reasons.append(f"{word} but no close date: add a close date column (when it was {word})")
                closed_at = self.past(closed_m, "close date", reasons)
                if expected_close is None and close_m is not None:
                    expected_close = close_m.day
            elif expected_close is None and close_m is not None:
                expected_close = close_m.day
            if converted_at is not None and pipeline == LEAD:
                reasons.append("a converted lead is an opportunity: its pipeline must be opportunity")
            if lost_reason and now_stage.kind != LOST:
                lost_reason = None  # Pipedrive and others keep an old reason on reopened deals
        created_from = meaning.CREATED_GIVEN
        if created_at is None and created_m is None:
            created_at, created_from = self._stand_in_created(values, closed_at, converted_at, reasons)
        elif (created_at is not None and closed_at is not None and closed_at < created_at
              and (self.options.created_from == "close" or self.options.unknown_when_after_close)):
            # A CreatedDate that is the day the data was loaded: the close date, or unknown.
            if self.options.created_from == "close":
                created_at, created_from = closed_at, meaning.CREATED_FROM_CLOSE
                if converted_at is not None and converted_at < created_at:
                    created_at = converted_at
            else:
                created_at, created_from = _UNKNOWN, meaning.CREATED_UNKNOWN_AFTER_CLOSE
        if created_at is not None:
            # A bare date on the day it was created means "that day", not a moment before it.
            converted_at = self._not_before(converted_at, converted_m, created_at)
            closed_at = self._not_before(closed_at, closed_m, converted_at or created_at)
            entered_at = self._not_before(entered_at, entered_m, converted_at or created_at)
            for later, what in ((converted_at, "converted"), (closed_at, "closed"), (entered_at, "entered its stage")):
                if later is not None and later < created_at:
                    reasons.append(f"{what} {self._day(later)} before it was created {self._day(created_at)}"
                                   + (_CLOSED_BEFORE_CREATED if what == "closed" else ""))
            if converted_at is not None and closed_at is not None and closed_at < converted_at:
                reasons.append("closed before it was converted")
        if reasons or placed is None or title is None or owner is None or created_at is None:
            if not reasons:
                reasons.append("not importable")
            self.problems.setdefault(number, []).extend(reasons)
            return
        pipeline, now_stage, closed_from = placed
        key = external_id or stable_key(owner, title, account)
        if key in self.index.by_key:
            how = "same external id" if external_id else "same owner, title and account"
            if key in self.seen:
                self.refuse(number, f"a duplicate of row {self.seen[key]} ({how})")
                return
            self.seen[key] = number
            as_filed = PlannedDeal(
                row=number, key=key, title=title, pipeline=pipeline, stage=now_stage, closed_from=closed_from,
                owner=owner, account=None, contact=None, value=value, expected_close=expected_close, source=source,
                territory=territory, product=product, created_at=created_at, stage_entered_at=created_at,
                converted_at=converted_at, closed_at=closed_at,
                lost_reason=lost_reason if now_stage.kind == LOST else None,
                probability=probability if now_stage.kind == OPEN else None,
            )
            skipped = self.updates.consider(number, self.index.by_key[key], as_filed)
            if skipped:
                self.skipped.append(RowProblem(number, f"already in the database, unchanged ({how})"
                                               if skipped.endswith("unchanged") else skipped))
            return
        if key in self.seen:
            how = f"external id {external_id!r}" if external_id else "owner, title and account"
            self.refuse(number, f"a duplicate of row {self.seen[key]} (same {how})")
            return
        self.seen[key] = number
        account_key = None
        if account:
            account_key = name_key(account)
            if account_key not in self.accounts:
                self.new_accounts.setdefault(account_key, account)
                if domain:
                    self.new_account_domains.setdefault(account_key, domain)
        contact_key = None
        if contact:
            contact_key = (account_key or "", name_key(contact))
            if contact_key not in self.contacts and contact_key not in self.new_contacts:
                self.new_contacts[contact_key] = {"name": contact, "email": email, "phone": phone, "job_title": job}
        if closed_at is not None:
            entered = closed_at
        else:
            entered = entered_at or converted_at or created_at
        self.created_from[created_from] = self.created_from.get(created_from, 0) + 1
        self.planned.append(PlannedDeal(
            row=number, key=key, title=title, pipeline=pipeline, stage=now_stage, closed_from=closed_from,
            owner=owner, account=account_key, contact=contact_key, value=value, expected_close=expected_close,
            source=source, territory=territory, product=product, created_at=created_at, stage_entered_at=entered,
            converted_at=converted_at, closed_at=closed_at,
            lost_reason=lost_reason if now_stage.kind == LOST else None,
            probability=probability if now_stage.kind == OPEN else None,
            created_known=created_at != _UNKNOWN, created_from=created_from,
        ))

    def _stand_in_created(self, values: dict[str, str], closed_at: datetime | None, converted_at: datetime | None,
                          reasons: list[str]) -> tuple[datetime, str]:
        """The created date of a row that gives none: its engage date, a closed deal's close date,
        its last activity — the earliest of those and its conversion — else unknown."""
        engaged = self.past(self.moment(values, "engaged_at", reasons), "engaged", reasons, start_of_day=True)
        active = self.past(self.moment(values, "last_activity", reasons), "last activity", reasons,
                           start_of_day=True)
        for at, source in ((engaged, meaning.CREATED_ENGAGED), (closed_at, meaning.CREATED_CLOSED),
                           (active, meaning.CREATED_LAST_ACTIVITY)):
            if at is not None:
                if converted_at is not None and converted_at < at:
                    return converted_at, meaning.CREATED_CONVERTED
                return at, source
        if converted_at is not None:
            return converted_at, meaning.CREATED_CONVERTED
        return _UNKNOWN, meaning.CREATED_UNKNOWN

    def plan(self) -> None:
        for number, values in self.rows():
            self._plan_row(number, values)
        for row, reason in self.updates.hold_back_legwork_edits():
            self.skipped.append(RowProblem(row, reason))
        self.skipped.sort(key=lambda p: p.row)
        self.reps.keep({d.owner for d in self.planned} | {u.owner for u in self.updates.planned if u.owner})
        self.notes = self.owner_notes()

    def counts(self) -> dict[str, int]:
        planned = self.planned
        return {
            "deals": len(planned),
            "opportunities": sum(d.pipeline == OPPORTUNITY for d in planned),
            "leads": sum(d.pipeline == LEAD for d in planned),
            "won": sum(d.stage.kind == WON for d in planned),
            "lost": sum(d.stage.kind == LOST and d.pipeline == OPPORTUNITY for d in planned),
            "disqualified": sum(d.stage.kind == LOST and d.pipeline == LEAD for d in planned),
            "accounts": len(self.new_accounts),
            "contacts": len(self.new_contacts),
            "reps": len(self.reps.new),
        }

    def has_work(self) -> bool:
        return bool(self.planned) or bool(self.updates.planned)
