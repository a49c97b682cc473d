"""What an import is asked (``ImportOptions``) and what it answers (``ImportReport``,
with a ``RowProblem`` for each refused or skipped row). The report's words are
``store.import_report.describe``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.import_fields import DEALS, Mapping

__all__ = ["ImportOptions", "ImportReport", "RowProblem"]


@dataclass(frozen=True)
class ImportOptions:
    kind: str = DEALS
    mappings: tuple[str, ...] = ()  # --map "Column=field"
    stages: tuple[str, ...] = ()  # --stage "Their Stage=Our Stage"
    date_order: str | None = None  # DAY_FIRST / MONTH_FIRST (--dayfirst / --monthfirst)
    pipeline: str | None = None  # the pipeline of deal rows that do not say
    timezone: str | None = None  # of times without an offset (default: the importing rep's)
    skip_invalid: bool = False  # import the valid rows even when some are refused
    encoding: str = "utf-8"
    # A deal closed before its created date (a CreatedDate that is the day of a data load):
    created_from: str | None = None  # "close": created on its close day (--created-from close)
    unknown_when_after_close: bool = False  # its creation is unknown (--created-unknown-when-after-close)
    owners: str | None = None  # --owners users.csv: OwnerId -> rep (Salesforce User export)
    accounts: str | None = None  # --accounts Account.csv: AccountId -> account name and domain
    owner_map: tuple[str, ...] = ()  # --map-owner "ID=handle"
    overwrite_edits: bool = False  # update deals changed in Legwork since they were imported, too


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str
    reasons: tuple[str, ...] = ()  # each reason on its own, as the report groups them


@dataclass(frozen=True)
class ImportReport:
    file: str
    kind: str
    dry_run: bool
    rows: int = 0
    mapping: Mapping | None = None
    date_order: str | None = None
    date_note: str = ""
    file_problem: str | None = None  # the whole file was refused before its rows were read
    refused: tuple[RowProblem, ...] = ()
    skipped: tuple[RowProblem, ...] = ()  # already in the database, or deleted at the source
    unmatched_stages: tuple[tuple[str, tuple[int, ...]], ...] = ()
    created: tuple[tuple[str, int], ...] = ()  # what was (or would be) created, in order
    new_reps: tuple[tuple[str, str], ...] = ()  # (handle, name)
    committed: bool = False
    error: str | None = None  # the write failed and was rolled back
    stripped_cells: int = 0  # cells control characters (ESC, C1, DEL …) were removed from
    stripped_rows: tuple[int, ...] = ()
    remarks: tuple[str, ...] = ()  # what the planner wants said about the file, in plain words
    seconds: float = 0.0
    skip_invalid: bool = False
    created_from: tuple[tuple[str, int], ...] = ()  # where the deals' created dates came from, and how many
    notes: tuple[str, ...] = ()  # what the reader should know (owners nobody matched, …)
    stage_help: tuple[str, ...] = ()  # our stages and a ready --stage line, for unmatched stages
    updated: tuple[str, ...] = ()  # one line per updated deal: "ACME renewal: Engaging → Won"
    unchanged: int = 0  # rows of deals already here, identical

    def count(self, what: str) -> int:
        return dict(self.created).get(what, 0)

    @property
    def valid(self) -> int:
        return self.rows - len(self.refused) - len(self.skipped)

    @property
    def blocked(self) -> bool:
        """True when a real run writes nothing because of the file or its rows."""
        return self.file_problem is not None or (bool(self.refused) and not self.skip_invalid)

    @property
    def has_work(self) -> bool:
        """Something was (or, dry, would be) created or changed."""
        return any(n for what, n in self.created if what != "reps") or bool(self.updated)

    @property
    def ok(self) -> bool:
        """The import did (or, dry, would) go through: exit status 0. With --skip-invalid,
        refused rows and nothing else to import is a failure too: nothing went in."""
        if self.skip_invalid and self.refused and not self.has_work:
            return False
        return not self.blocked and self.error is None

    def lines(self) -> list[str]:
        from store.import_report import describe

        return describe(self)
