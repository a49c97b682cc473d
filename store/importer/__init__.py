"""Import deals, activities, tasks and notes from another CRM's export or a spreadsheet.

``import_file`` reads the file, maps its columns to fields (import_fields.py),
reads every row into plain values (import_values.py) and checks it against the
store's rules, then — unless it is a dry run — writes everything in ONE
transaction with bulk Core inserts: the rows, and the deal events the store
would have recorded (``created``, ``converted``, ``won`` / ``lost``,
``activity_logged``, ``task_added``, ``task_done``, ``note_added``), with the
importing rep as who, so every timeline stays true.

A real run is all or nothing. By default a file with any refused row imports
nothing (the report lists every refused row and why); with ``skip_invalid`` the
valid rows go in and the refused ones are left out. Either way the report says
which happened.

Re-importing a file creates no duplicates. A deal is known by its external id,
else by a stable key — a hash of owner, title and account — which is stored as
its external id; existing deals without an external id are known by the same key
(``deal_keys``), which is also what ``legwork export`` writes for them. Work rows
are known by their deal and content (an activity by its type, moment and
outcome; a task by its title and due day; a note by its body; plus its creation
time when the file gives one).

Speed: rows go in with ids given here — SQLite takes its write lock first
(``BEGIN IMMEDIATE``) and counts on from the highest id; PostgreSQL reserves ids
from its sequences and loads the rows with ``COPY`` — so 50,000 deals with their
accounts, contacts and events go in in seconds (bench/import_probe.py).
"""

from __future__ import annotations

import time as timer
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from store import settings
from store import import_meaning as meaning
from store.errors import InvalidInput, StoreError
from store.import_fields import (
    ACCOUNTS,
    ACTIVITIES,
    CONTACTS,
    DEALS,
    EVENTS,
    KINDS,
    NOTES,
    TASKS,
    build_mapping,
    missing_message,
    parse_overrides,
)
from store.import_files import Table, UnreadableFile, read_table
from store.importer.reading import date_order, read_back_export, read_mapping, without_controls
from store.importer.base import (
    UTC,
    DealIndex,
    Import,
    Progress,
    shorten,
)
from store.importer.deal_stages import DealStages
from store.importer.deal_write import DealWrites
from store.importer.report import ImportOptions, ImportReport, RowProblem
from store.importer.work import NoteImport, TaskImport
from store.deal_keys import deal_keys, stable_key
from store.import_refs import OwnersAndAccountsById
from store.import_values import (
    name_from_email,
    normalise,
    parse_amount,
)
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
from store.reps import get_rep
from store.stages import StageInfo
from store.bulk import lock_for_write
from store.tx import write

__all__ = [
    "ImportOptions",
    "ImportReport",
    "RowProblem",
    "UnreadableFile",
    "deal_keys",
    "import_file",
    "import_table",
    "read_mapping",
    "stable_key",
]

_UNKNOWN = meaning.UNKNOWN_SINCE.replace(tzinfo=UTC)
_CLOSED_BEFORE_CREATED = ": pass --created-from close or --created-unknown-when-after-close"

# --- entry points ------------------------------------------------------------------------------


def import_file(
    session: Session,
    path: str | Path,
    *,
    by: int,
    options: ImportOptions = ImportOptions(),
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as the rep ``by``. Raises ``UnreadableFile`` for a file that cannot
    be read at all; everything else — bad columns, bad rows, a failed write — is in the report."""
    table = read_table(path, options.encoding)
    return import_table(session, table, by=by, options=options, dry_run=dry_run, progress=progress)


def import_table(
    session: Session,
    table: Table,
    *,
    by: int,
    options: ImportOptions = ImportOptions(),
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    started = timer.perf_counter()
    table = read_back_export(table)
    if options.kind not in KINDS:
        raise InvalidInput(f"--kind {options.kind!r} must be one of {', '.join(KINDS)}")
    table, nul_rows, stripped = without_controls(table)
    base = dict(file=table.name, kind=options.kind, dry_run=dry_run, rows=len(table.rows),
                skip_invalid=options.skip_invalid, stripped_cells=sum(stripped.values()),
                stripped_rows=tuple(sorted(stripped)))
    try:
        mapping = build_mapping(options.kind, table.headers, parse_overrides(options.kind, list(options.mappings)))
    except InvalidInput as exc:
        return ImportReport(**base, file_problem=str(exc), seconds=timer.perf_counter() - started)
    base["mapping"] = mapping
    if mapping.missing:
        return ImportReport(**base, file_problem=missing_message(mapping, options.kind),
                            seconds=timer.perf_counter() - started)
    rep = get_rep(session, by)
    order, note, problem = date_order(table, mapping, options)
    base.update(date_order=order, date_note=note)
    if problem:
        session.rollback()
        return ImportReport(**base, file_problem=problem, seconds=timer.perf_counter() - started)
    from store.import_directory import AccountImport, ContactImport  # here: these build on this module
    from store.import_events import EventImport
    from store.import_work import ActivityImport

    planner_class = {DEALS: _DealImport, ACTIVITIES: ActivityImport, TASKS: TaskImport, NOTES: NoteImport,
                     EVENTS: EventImport, ACCOUNTS: AccountImport, CONTACTS: ContactImport}
    try:
        planner = planner_class[options.kind](session, rep, table, mapping, options, order, progress)
    except InvalidInput as exc:
        session.rollback()
        return ImportReport(**base, file_problem=str(exc), seconds=timer.perf_counter() - started)
    for row, header in nul_rows.items():
        planner.refuse(row, f"column {header!r} holds a NUL character: no text a person typed has one")
    planner.plan()
    refused = tuple(
        RowProblem(row, "; ".join(short), tuple(short))
        for row, short in ((row, [shorten(reason) for reason in reasons])
                           for row, reasons in sorted(planner.problems.items()))
    )
    result = dict(
        **base,
        refused=refused,
        skipped=tuple(planner.skipped),
        unmatched_stages=tuple((name, tuple(rows)) for name, rows in planner.unmatched.items()),
        created=tuple(planner.counts().items()),
        stage_help=tuple(planner.stage_help()) if planner.unmatched else (),
        updated=tuple(planner.updates.lines()) if options.kind == DEALS else (),
        unchanged=planner.updates.unchanged if options.kind == DEALS else 0,
        notes=tuple(getattr(planner, "notes", ())),
        created_from=tuple(sorted(getattr(planner, "created_from", {}).items(),
                                  key=lambda item: meaning.CREATED_ORDER.index(item[0]))),
        new_reps=tuple((handle, name) for handle, (name, _email) in planner.reps.new.items()),
        remarks=tuple(planner.remarks()),
    )
    blocked = bool(refused) and not options.skip_invalid
    if dry_run or blocked or not planner.has_work():
        session.rollback()
        return ImportReport(**result, seconds=timer.perf_counter() - started)
    try:
        with write(session):
            lock_for_write(session)
            planner.reps.require_permission(session, {item["deal_id"] for item in getattr(planner, "planned", [])
                                                      if isinstance(item, dict) and item.get("deal_id")})
            planner.write()
    except (SQLAlchemyError, StoreError, ValueError, OverflowError) as exc:
        return ImportReport(**result, error=_first_line(exc), seconds=timer.perf_counter() - started)
    return ImportReport(**result, committed=True, seconds=timer.perf_counter() - started)


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


# --- deals -------------------------------------------------------------------------------------


@dataclass
class _PlannedDeal:
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


class _DealImport(OwnersAndAccountsById, DealStages, DealWrites, Import):
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
        self.planned: list[_PlannedDeal] = []
        self.seen: dict[str, int] = {}
        self.created_from: dict[str, int] = {}
        self.unmatched_pipeline: dict[str, str | None] = {}
        self.notes: list[str] = []
        self.load_refs()
        from store.import_update import DealUpdates  # here: it builds on the store's deal writes

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
            as_filed = _PlannedDeal(
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
        self.planned.append(_PlannedDeal(
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
