"""The deal at a glance, above its timeline: what, who, how much, how far, what next.

User text (title, account, contact, lost reason) is plain ``Text``, never markup, and
its control characters are shown, never sent (``tui.plain_text``).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from store.dates import show_day
from store.deal_detail import DealDetail
from store.money import format_money
from store.terms import LEAD, LOST, MILESTONES, WON
from store.timeline import TimelineEntry
from tui.plain_text import plain, visible
from tui.widgets.stage_column import due_label
from tui.widgets.timeline import Moment


class DealFacts(Widget):
    """The deal at a glance: what it is, who, how much, how far, what next."""

    COMPONENT_CLASSES = {"facts--title", "facts--muted", "facts--reached", "facts--pending", "facts--warning"}
    DEFAULT_CSS = """
    DealFacts {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    DealFacts > .facts--title { text-style: bold; }
    DealFacts > .facts--muted { color: $text-muted; }
    DealFacts > .facts--reached { color: $success; text-style: bold; }
    DealFacts > .facts--pending { color: $text-muted; }
    DealFacts > .facts--warning { color: $warning; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.deal: DealDetail | None = None
        self.next_task: TimelineEntry | None = None
        self.moment: Moment | None = None
        self.currency = "USD"
        self.other_contacts = 0  # contacts on the deal besides the primary

    def show(self, deal: DealDetail, next_task: TimelineEntry | None, moment: Moment, currency: str,
             other_contacts: int = 0) -> None:
        self.deal, self.next_task, self.moment, self.currency = deal, next_task, moment, currency
        self.other_contacts = other_contacts
        self.refresh(layout=True)

    def clear(self) -> None:
        """Back to "Loading…" (the screen is about to show another deal)."""
        self.deal = self.next_task = self.moment = None
        self.refresh(layout=True)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def render(self) -> RenderableType:
        deal = self.deal
        if deal is None:
            return Text("Loading…", style=self._style("facts--muted"))
        muted = self._style("facts--muted")
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(no_wrap=True, justify="right")
        grid.add_row(plain(deal.title, self._style("facts--title")), self._where(deal))
        grid.add_row(self._who(deal), Text.assemble(("owner ", muted), visible(deal.owner_name)))
        grid.add_row(self._money(deal), self._in_stage(deal))
        # The contact's reach, the strip and the next step take the whole width, not the left column's.
        reach = self._reach(deal)
        lines = [grid, reach] if reach is not None else [grid]
        return Group(*lines, self._milestones(deal.milestone), self._next())

    def _where(self, deal: DealDetail) -> Text:
        pipeline = "Lead" if deal.pipeline == LEAD else "Opportunity"
        stage = plain(deal.stage_name, "bold")
        if deal.stage_kind == WON:
            stage.stylize(self._style("facts--reached"))
        elif deal.stage_kind == LOST:
            stage.stylize(self._style("facts--warning"))
        where = Text.assemble((f"{pipeline} · ", self._style("facts--muted")), stage)
        if deal.is_open and deal.probability_note:
            # Its own probability, from the CRM it came from, until its stage changes.
            where.append(f" · {deal.probability_note}", style=self._style("facts--muted"))
        return where

    def _who(self, deal: DealDetail) -> Text:
        muted = self._style("facts--muted")
        text = plain(deal.account_name or "no account", "" if deal.account_name else muted)
        text.append(" · ", style=muted)
        if deal.contact_name:
            text.append(visible(deal.contact_name))
            if self.other_contacts:
                text.append(f" +{self.other_contacts}", style=muted)
        else:
            text.append("no contact", style=muted)
        return text

    def _reach(self, deal: DealDetail) -> Text | None:
        """The primary contact's email and phone on a line of their own, whole at 80
        columns: a rep reads them off (or copies them with y / Y) without opening Edit."""
        if not (deal.contact_email or deal.contact_phone):
            return None
        muted = self._style("facts--muted")
        text = Text(no_wrap=True, overflow="ellipsis")
        for label, value in (("✉ ", deal.contact_email), ("☎ ", deal.contact_phone)):
            if value:
                if text:
                    text.append("  ")
                text.append(label, style=muted)
                text.append(visible(value))
        text.append("  y/Y copies", style=muted)
        return text

    def _money(self, deal: DealDetail) -> Text:
        muted = self._style("facts--muted")
        text = Text(format_money(deal.value, self.currency), style="bold")
        if deal.pipeline != LEAD and deal.is_open:
            text.append(f" · {deal.probability}%", style=muted)
        if deal.stage_kind == LOST and deal.lost_reason:
            text.append(" · ", style=muted)
            text.append(visible(deal.lost_reason), style=self._style("facts--warning"))
        elif not deal.is_open:
            pass  # the close day is on the next-step line
        elif deal.expected_close is not None:
            text.append(f" · close {show_day(deal.expected_close, self.moment.today, weekday=False)}", style=muted)
        else:
            text.append(" · no close date", style=muted)
        return text

    def _in_stage(self, deal: DealDetail) -> Text:
        if not deal.is_open:
            return Text("")
        days = deal.days_in_stage(self.moment.now)
        text = Text(f"{'?' if days is None else days}d in stage", style=self._style("facts--muted"))
        if deal.is_stale(self.next_task is not None, self.moment.now):
            text = Text.assemble(("stale ", self._style("facts--warning")), text)
        return text

    def _milestones(self, reached: str | None) -> Text:
        rank = MILESTONES.index(reached) + 1 if reached in MILESTONES else 0
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, name in enumerate(MILESTONES):
            done = i < rank
            style = self._style("facts--reached" if done else "facts--pending")
            if i:
                text.append(" ─ ", style=style)
            text.append(f"{'●' if done else '○'} {name}", style=style)
        return text

    def _next(self) -> Text:
        task, deal = self.next_task, self.deal
        if not deal.is_open:
            closed = show_day(deal.closed_at.in_timezone(self.moment.tz).date(), self.moment.today) if deal.closed_at else "?"
            return Text(f"Closed {closed}", style=self._style("facts--muted"))
        if task is None:
            return Text("No next step: press t to add a task", style=self._style("facts--warning"), no_wrap=True)
        when = due_label(task.task_due, self.moment.today)
        style = self._style("facts--warning") if task.overdue else self._style("facts--muted")
        return Text.assemble(
            ("Next: ", self._style("facts--muted")), (f"{when} ", style), visible(task.headline), no_wrap=True,
            overflow="ellipsis"
        )
