"""The forecast beside the numbers: this period and the next, and what slipped."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from store.dates import show_day
from store.forecast import Forecast, PeriodForecast
from store.money import format_money
from tui.plain_text import plain, visible


def coverage(period: PeriodForecast) -> str:
    value = period.coverage
    return "—" if value is None else f"{value:.2f}×"


def forecast_table(forecast: Forecast, title: str, *, slipped_lines: int = 3) -> Table:
    this, upcoming = forecast.this, forecast.next

    def money(cents: int) -> str:
        return format_money(cents, forecast.currency, short=True)

    outer = Table.grid()
    table = Table(
        title=plain(title, "bold", no_wrap=True, overflow="ellipsis"),  # a rep's name in it
        title_justify="left",
        box=None,
        padding=(0, 1, 0, 0),
        show_edge=False,
    )
    table.add_column("", no_wrap=True, style="dim")
    table.add_column(this.period.short_label + (" (now)" if this.period.is_current() else ""), justify="right",
                     no_wrap=True)
    table.add_column(upcoming.period.short_label, justify="right", no_wrap=True)
    table.add_row("Open", f"{money(this.open_value)} ({this.open_count})",
                  f"{money(upcoming.open_value)} ({upcoming.open_count})")
    table.add_row("Weighted", money(this.weighted), money(upcoming.weighted))
    table.add_row("Won", f"{money(this.won_value)} ({this.won_count})",
                  f"{money(upcoming.won_value)} ({upcoming.won_count})")
    table.add_row("Goal", money(this.goal) if this.goal else "—", money(upcoming.goal) if upcoming.goal else "—")
    table.add_row("Coverage", coverage(this), coverage(upcoming))
    table.add_row(
        "Slipped",
        f"{this.slipped_count} · {money(this.slipped_value)}" if this.slipped_count else "0",
        f"{upcoming.slipped_count} · {money(upcoming.slipped_value)}" if upcoming.slipped_count else "0",
    )
    outer.add_row(table)
    for deal in this.slipped[:slipped_lines]:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" ↷ ", style="dim")
        line.append(visible(deal.title))  # typed by a user: plain text, controls shown
        moved = f"{show_day(deal.was, weekday=False)} → {show_day(deal.now, weekday=False) if deal.now else 'none'}"
        line.append(f"  {moved}", style="dim")
        outer.add_row(line)
    if this.slipped_count > slipped_lines:
        outer.add_row(Text(f"   … {this.slipped_count - slipped_lines} more slipped", style="dim"))
    return outer


class ForecastView(Static, can_focus=True):
    DEFAULT_CSS = """
    ForecastView { height: auto; padding: 0 1; }
    ForecastView:focus { background: $boost; }
    """

    def show(self, forecast: Forecast, scope: str, *, slipped_lines: int = 3) -> None:
        self.update(forecast_table(forecast, f"Forecast · {scope}", slipped_lines=slipped_lines))
