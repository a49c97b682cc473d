"""`B` on Today: the balance plan, to confirm or cancel. Nothing moves before enter."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.balance import BalancePlan
from tui.plain_text import plain, visible
from store.dates import show_day
from tui.screens.modals.frame import modal_frame_css


def _day(day: date) -> str:
    return show_day(day)


def plan_text(plan: BalancePlan) -> Text:
    """The plan in words: how many move, each changed day's load, then every move."""
    text = Text()
    n = len(plan.moves)
    text.append(f"Move {n} task{'s' * (n != 1)}", style="bold")
    reasons = []
    if plan.overdue_moves:
        reasons.append(f"{plan.overdue_moves} overdue")
    if plan.excess_moves:
        reasons.append(f"{plan.excess_moves} from days over capacity")
    text.append(f": {', '.join(reasons)}.\n" if reasons else ".\n")
    for change in plan.days:
        style = "bold" if change.after > change.before else "dim"
        text.append(f"  {_day(change.day):<11}", style=style)
        text.append(f"{change.before:>3} → {change.after:<3} of {change.capacity}\n")
    text.append("\n")
    for move in plan.moves:
        source = f"{_day(move.from_due)}" + (" (late)" if move.overdue else "")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"  {_day(move.to_due):<11}", style="bold")
        line.append(visible(" ".join(move.title.split())))
        line.append(f"  from {source}", style="dim")
        text.append_text(line)
        text.append("\n")
    if plan.unplaced:
        k = len(plan.unplaced)
        text.append(
            f"\n{k} task{'s' * (k != 1)} found no working day with room within a year and stay{'s' * (k == 1)} put.\n",
            style="bold",
        )
    return text


class BalanceScreen(ModalScreen[bool]):
    """Dismisses with True to apply the plan, False to leave everything where it is."""

    HELP_TITLE = "Balance"
    DEFAULT_CSS = modal_frame_css("BalanceScreen", 84, "$warning") + """
    BalanceScreen #plan-scroll { height: auto; max-height: 1fr; }
    BalanceScreen #plan-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("enter,y", "confirm", "Move them", id="balance-confirm"),
        Binding("escape,n", "cancel", "Cancel", id="balance-cancel"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="balance-down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="balance-up"),
    ]

    def __init__(self, plan: BalancePlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Balance {self.plan.rep_name}'s queue", "bold"), id="plan-title")
            with VerticalScroll(id="plan-scroll", can_focus=False):
                yield Static(plan_text(self.plan), id="plan")
            yield Static("enter / y moves them · escape / n cancels: nothing moves", id="plan-keys")

    def action_scroll(self, step: int) -> None:
        self.query_one("#plan-scroll", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
