"""An import's report, in words: the outcome first, then what the reader should know,
then the refused rows grouped by reason — a count and the first row numbers per
reason, with what to do about it — so a file with 2,000 refused rows reads in a
screen, not in 2,000 lines.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Iterable

from store import import_meaning as meaning
from store.import_fields import ACCOUNTS, CONTACTS, DEALS, TASKS
from store.import_values import normalise
from store.terms import LEAD, OPPORTUNITY

if TYPE_CHECKING:
    from store.importer.report import ImportReport

_NOUNS = {
    "deals": ("deal", "deals"), "opportunities": ("opportunity", "opportunities"), "leads": ("lead", "leads"),
    "won": ("won", "won"), "lost": ("lost", "lost"), "disqualified": ("disqualified", "disqualified"),
    "accounts": ("account", "accounts"), "contacts": ("contact", "contacts"), "reps": ("rep", "reps"),
    "activities": ("activity", "activities"), "tasks": ("task", "tasks"), "open": ("open", "open"),
    "done": ("done", "done"), "notes": ("note", "notes"), "rows": ("row", "rows"),
}
GROUP_ROWS = 8  # row numbers shown per reason
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"[^\"]*\"")
_NUMBERS = re.compile(r"\d[\d,./:-]*")
# What to do about a reason, said once under its group (the key is how the reason starts).
_HINTS = {
    "closed # before it was created": (
        "A CreatedDate after the close date is often the day the data was loaded into the old CRM: "
        "--created-from close dates such deals created on their close day; "
        "--created-unknown-when-after-close marks their creation unknown (left out of period figures)."
    ),
}
_CREATED_WORDS = {
    meaning.CREATED_ENGAGED: "took their engage date",
    meaning.CREATED_CONVERTED: "took their conversion date",
    meaning.CREATED_CLOSED: "took their close date",
    meaning.CREATED_LAST_ACTIVITY: "took their last activity date",
    meaning.CREATED_UNKNOWN: "are marked unknown and left out of period figures",
}


def _n(count: int, what: str) -> str:
    one, many = _NOUNS.get(what, (what, what))
    return f"{count:,} {one if count == 1 else many}"


def rows_text(numbers: Iterable[int], limit: int = 12) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f" and {len(numbers) - limit:,} more" if len(numbers) > limit else ""
    return f"row{'s' if len(numbers) != 1 else ''} {shown}{more}"


def summary(report: ImportReport) -> str:
    c = report.count
    if report.kind == DEALS:
        parts = [_n(c("deals"), "deals")]
        detail = [_n(c(k), k) for k in ("opportunities", "leads") if c(k)]
        closed = [_n(c(k), k) for k in ("won", "lost", "disqualified") if c(k)]
        if detail:
            parts[0] += f" ({', '.join(detail)}{'; ' + ', '.join(closed) if closed else ''})"
        parts += [_n(c(k), k) for k in ("accounts", "contacts") if c(k)]
    elif report.kind == ACCOUNTS:
        parts = [_n(c("accounts"), "accounts")]
        if c("domains"):
            parts.append(f"a domain for {_n(c('domains'), 'accounts')} already here")
    elif report.kind == CONTACTS:
        parts = [_n(c(k), k) for k in ("contacts", "accounts") if c(k) or k == "contacts"]
    elif report.kind == TASKS:
        parts = [_n(c("tasks"), "tasks") + (f" ({c('open'):,} open, {c('done'):,} done)" if c("tasks") else "")]
    else:
        parts = [_n(c(report.kind), report.kind)]
    if report.new_reps:
        shown = ", ".join(f"{handle} ({name})" for handle, name in report.new_reps[:8])
        more = f" and {len(report.new_reps) - 8} more" if len(report.new_reps) > 8 else ""
        parts.append(f"{_n(len(report.new_reps), 'reps')}: {shown}{more}")
    return ", ".join(parts)


def stage_help(unmatched: dict[str, list[int]], pipeline_of: dict[str, str | None], stages: dict[str, list],
               open_stages: dict[str, list]) -> list[str]:
    """Our stages for each pipeline an unmatched stage came from, and a ready --stage line
    (a guess per stage, by the nearest name, else the pipeline's first open stage)."""
    lines, flags = [], []
    pipelines: list[str] = []
    for theirs in unmatched:
        pipeline = pipeline_of.get(theirs) or OPPORTUNITY
        if pipeline not in pipelines:
            pipelines.append(pipeline)
        names = {normalise(s.name): s.name for s in stages[pipeline]}
        close = difflib.get_close_matches(normalise(theirs), list(names), n=1, cutoff=0.5)
        guess = names[close[0]] if close else open_stages[pipeline][0].name
        flags.append(f'--stage "{theirs}={guess}"')
    for pipeline in pipelines:
        word = "lead" if pipeline == LEAD else "opportunity"
        lines.append(f"  Our {word} stages: {', '.join(s.name for s in stages[pipeline])}")
    lines.append("  Copy, check each guess, and run again with:")
    lines.append("    " + " ".join(flags))
    return lines


def _reason_key(reason: str) -> str:
    """What two reasons have in common once their quoted cells and numbers are set aside."""
    return _NUMBERS.sub("#", _QUOTED.sub("…", reason))


def refusal_groups(refused) -> list[tuple[str, list[int], tuple[int, str]]]:
    """(reason key, rows, (first row, its reason as written)), largest group first."""
    groups: dict[str, tuple[list[int], tuple[int, str]]] = {}
    for problem in refused:
        for reason in problem.reasons or (problem.reason,):
            key = _reason_key(reason)
            if key not in groups:
                groups[key] = ([], (problem.row, reason))
            rows = groups[key][0]
            if not rows or rows[-1] != problem.row:
                rows.append(problem.row)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1][0]), item[1][0][0]))
    return [(key, rows, example) for key, (rows, example) in ordered]


def _outcome(report: ImportReport) -> list[str]:
    text = summary(report)
    valid = report.valid
    refused = len(report.refused)
    updates = bool(report.updated) or report.unchanged
    if report.dry_run:
        if report.blocked and not valid and not report.skipped:
            return ["Dry run: nothing was written.",
                    f"A real run would import nothing: {_n(refused, 'rows')} refused, every row of the file."]
        if report.blocked:
            return ["Dry run: nothing was written.",
                    f"A real run would import nothing while rows are refused: fix them, or pass --skip-invalid "
                    f"to import the {valid:,} valid row{'s' if valid != 1 else ''} ({text})."]
        if not report.has_work and updates:
            return ["Dry run: nothing was written.",
                    "A real run would change nothing: the valid rows are already in the database, unchanged."]
        what = _what(report, text)
        return ["Dry run: nothing was written.",
                f"A real run would {what}, in one transaction." if what.startswith("create")
                else f"A real run, in one transaction: {what}."]
    if report.blocked:
        if not valid and not report.skipped:
            return [f"Nothing was imported: {_n(refused, 'rows')} refused, every row of the file."]
        return [f"Nothing was imported: {_n(refused, 'rows')} refused. Fix them, or pass --skip-invalid to "
                f"import the {valid:,} valid row{'s' if valid != 1 else ''}."]
    if report.error:
        return [f"Nothing was imported: the write failed and was rolled back: {report.error}"]
    left_out = f"; {refused:,} refused rows left out" if refused else ""
    if report.committed:
        return [f"Imported: {_what(report, text)} in one transaction ({report.seconds:.1f} s){left_out}."
                if updates else f"Imported {text} in one transaction ({report.seconds:.1f} s){left_out}."]
    if report.skip_invalid and refused and not valid and not report.skipped:
        return [f"Nothing was imported: {_n(refused, 'rows')} refused, every row of the file."]
    if updates:
        return [f"Nothing new to import: the valid rows are already in the database, unchanged{left_out}."]
    return [f"Nothing new to import: the valid rows are already in the database{left_out}."]


def _what(report: ImportReport, text: str) -> str:
    """"create 3 deals", or with updates "update 3, create 0 new, leave 8,797 unchanged"."""
    if not report.updated and not report.unchanged:
        return f"create {text}"
    new = report.count("deals") if report.kind == DEALS else 0
    return (f"{len(report.updated):,} updated, {new:,} new ({text}), {report.unchanged:,} unchanged"
            if new else f"{len(report.updated):,} updated, 0 new, {report.unchanged:,} unchanged"
            + (f" ({text})" if report.new_reps else ""))


def _created_lines(report: ImportReport) -> list[str]:
    counts = dict(report.created_from)
    lines = []
    stand_in = [(source, n) for source, n in report.created_from if source in _CREATED_WORDS]
    missing = sum(n for _source, n in stand_in)
    if missing:
        parts = [f"{n:,} {_CREATED_WORDS[source]}" for source, n in stand_in]
        lines.append(f"{_n(missing, 'deals')} had no created date: {', '.join(parts)}.")
    if counts.get(meaning.CREATED_FROM_CLOSE):
        n = counts[meaning.CREATED_FROM_CLOSE]
        lines.append(f"{_n(n, 'deals')} closed before their created date: dated created on their close day "
                     "(--created-from close).")
    if counts.get(meaning.CREATED_UNKNOWN_AFTER_CLOSE):
        n = counts[meaning.CREATED_UNKNOWN_AFTER_CLOSE]
        lines.append(f"{_n(n, 'deals')} closed before their created date: creation marked unknown, left out "
                     "of period figures (--created-unknown-when-after-close).")
    return lines


def describe(report: ImportReport) -> list[str]:
    name, kind = report.file, report.kind
    if report.file_problem:
        return [f"{name}: nothing was imported: {report.file_problem}", *report.notes]
    lines = [f"{name}: {report.rows:,} row{'s' if report.rows != 1 else ''} of {kind}"
             + (f"; {report.date_note}" if report.date_note else "")]
    lines += _outcome(report)
    lines += _created_lines(report)
    lines += report.notes
    if report.stripped_cells:
        lines.append(
            f"Stripped control characters (ESC, DEL and the like) from {report.stripped_cells:,} "
            f"cell{'s' if report.stripped_cells != 1 else ''}: {rows_text(report.stripped_rows)}"
        )
    if report.skipped:
        groups = refusal_groups(report.skipped)
        if len(groups) == 1:
            lines.append(f"Skipped {len(report.skipped):,} ({groups[0][2][1]}): "
                         f"{rows_text(p.row for p in report.skipped)}")
        else:
            lines.append(f"Skipped {len(report.skipped):,}:")
            for _key, rows, (_first, example) in groups:
                lines.append(f"  {_n(len(rows), 'rows')} ({rows_text(rows, GROUP_ROWS)}): e.g. {example}")
    if report.updated:
        shown = 20
        lines.append(f"{'Would update' if report.dry_run else 'Updated'} {_n(len(report.updated), 'deals')}:")
        lines += [f"  {line}" for line in report.updated[:shown]]
        if len(report.updated) > shown:
            lines.append(f"  … and {len(report.updated) - shown:,} more")
    if report.refused:
        lines.append(f"Refused {_n(len(report.refused), 'rows')}, by reason (a row may have several):"
                     if any(len(p.reasons) > 1 for p in report.refused)
                     else f"Refused {_n(len(report.refused), 'rows')}, by reason:")
        for key, rows, (first, example) in refusal_groups(report.refused):
            lines.append(f"  {_n(len(rows), 'rows')} ({rows_text(rows, GROUP_ROWS)}): e.g. row {first}: {example}")
            hint = next((h for start, h in _HINTS.items() if key.startswith(start)), None)
            if hint:
                lines.append(f"    {hint}")
    if report.unmatched_stages:
        lines.append("Stages that match none of ours (map each with --stage \"Theirs=Ours\"):")
        for stage, rows in report.unmatched_stages:
            lines.append(f"  {stage!r}: {rows_text(rows, 6)}")
        lines += report.stage_help
    lines += report.remarks
    return lines
