"""``legwork standup``: the stand-up agenda as plain text or Markdown, for pasting
into a chat or an email. The numbers first, then each deal under its group."""

from __future__ import annotations

from datetime import date

from store.dates import show_day
from store.goals import ACTIVITIES, metric, progress_text
from store.money import format_money
from store.reps import find_rep
from store.standup import GROUP_TITLES, GROUPS, Agenda, AgendaItem, standup_agenda
from store.timeline import activity_headline
from tui.commands.output import say, visible, write_lines


def add_arguments(parser) -> None:
    # Its own dest: the top-level --rep (who you are) must survive this subparser's default.
    parser.add_argument("--rep", dest="standup_rep", metavar="HANDLE", help="only this rep's deals and numbers")
    parser.add_argument("--since", type=date.fromisoformat, metavar="DATE",
                        help="look back to this day, YYYY-MM-DD (default: the last working day)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text")


def run(args, database, handle: str) -> int:
    wanted = getattr(args, "standup_rep", None)
    with database.session() as session:
        reader = find_rep(session, handle)  # times read in the reader's timezone, as on screen
        rep_id = None
        if wanted:
            rep = find_rep(session, wanted.strip().lower())
            if rep is None:
                say(f"no rep “{wanted}” in {database.description}")
                return 1
            rep_id = rep.id
        agenda = standup_agenda(session, since=args.since, rep_id=rep_id,
                                viewer_tz=reader.timezone if reader else None)
    lines = as_markdown(agenda) if args.markdown else as_text(agenda)
    write_lines(lines)
    return 0


def _day(day: date) -> str:
    return show_day(day)


def _heading(agenda: Agenda) -> str:
    who = visible(agenda.rep_name) or "the team"
    return f"Stand-up for {who}, {_day(agenda.today)}: since {_day(agenda.since)}"


def _number_rows(agenda: Agenda) -> list[list[str]]:
    rows = []
    for row in agenda.numbers:
        goal = row.goals.get(ACTIVITIES)
        others = ", ".join(f"{metric(k).label} {progress_text(k, done, target, agenda.currency)}"
                           for k, done, target in row.goal_figures() if k != ACTIVITIES)
        rows.append([visible(row.name), str(row.yesterday.get(ACTIVITIES, 0)), str(row.week.get(ACTIVITIES, 0)),
                     str(goal) if goal else "—", others])
    return rows


_NUMBER_HEADERS = ["Rep", "Yesterday", "Week so far", "Weekly goal", "Other goals"]


def _item_lines(item: AgendaItem, currency: str, tz: str) -> list[str]:
    deal = item.deal
    facts = (
        f"{deal.account_name or 'No account'} · {deal.owner_name} · {deal.stage_name} · "
        f"{format_money(deal.value, currency)} · {'?' if item.days_in_stage is None else item.days_in_stage} days in stage"
    )
    lines = [facts]
    lines += [f"Changed: {line}" for line in item.changes]
    for a in item.activities:
        lines.append(f"Activity: {_day(a.occurred_at.in_timezone(tz))} · {a.rep_name} · "
                     f"{activity_headline(a.type, a.milestone, a.outcome, a.duration_min)}")
    task = item.next_task
    lines.append(f"Next task: {_day(task.due)} · {task.title}" if task else "Next task: none")
    # Each line is made of stored text (names, titles, reasons, outcomes) and stays one line.
    return [visible(line) for line in lines]


def as_text(agenda: Agenda) -> list[str]:
    out = [_heading(agenda), "", f"Numbers ({_day(agenda.yesterday)} · {agenda.week.label})"]
    rows = [_NUMBER_HEADERS, *_number_rows(agenda)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_NUMBER_HEADERS))]
    out += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    for group in GROUPS:
        items = agenda.group_items(group)
        if not items:
            continue
        out += ["", f"{GROUP_TITLES[group]} ({agenda.group_total(group):,})"]
        if agenda.left_out.get(group):
            out.append(f"  {_shown(agenda, group)}")
        for item in items:
            out.append(f"  #{item.deal.id} {visible(item.deal.title)}")
            out += [f"      {line}" for line in _item_lines(item, agenda.currency, agenda.viewer_tz or agenda.tz)]
        if agenda.left_out.get(group):
            out.append(f"  … and {agenda.left_out[group]:,} more")
    if not agenda.items:
        out += ["", "No deals need a decision."]
    return out


def _shown(agenda: Agenda, group: str) -> str:
    """The heading counts the whole group; this says how much of it follows."""
    shown = len(agenda.group_items(group))
    return f"Showing the first {shown} of {agenda.group_total(group):,}."


def _md(text: str) -> str:
    # Typed text stays text: nothing in a title turns into Markdown.
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text)


def as_markdown(agenda: Agenda) -> list[str]:
    out = [f"# {_md(_heading(agenda))}", "", f"## Numbers ({_day(agenda.yesterday)} · {agenda.week.label})", ""]
    out.append("| " + " | ".join(_NUMBER_HEADERS) + " |")
    out.append("|---|--:|--:|--:|---|")
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in _number_rows(agenda)]
    for group in GROUPS:
        items = agenda.group_items(group)
        if not items:
            continue
        out += ["", f"## {GROUP_TITLES[group]} ({agenda.group_total(group):,})"]
        if agenda.left_out.get(group):
            out += ["", _shown(agenda, group)]
        for item in items:
            out += ["", f"### {_md(visible(item.deal.title))} (#{item.deal.id})", ""]
            out += [f"- {_md(line)}" for line in _item_lines(item, agenda.currency, agenda.viewer_tz or agenda.tz)]
        if agenda.left_out.get(group):
            out += ["", f"… and {agenda.left_out[group]:,} more"]
    if not agenda.items:
        out += ["", "No deals need a decision."]
    return out
