"""The numbers table: a row per rep and one for the team, a column per figure.

Each cell reads ``18/25 ▲20%``: the figure, the goal when one is set, and the
change against the previous period. The first column (who) stays put while the
rest scroll sideways, so the table reads at 80 columns as well as at 200.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.render import measure
from textual.widgets import DataTable

from store.goals import ACTIVITIES, METRICS, GoalProgress, Metric
from store.money import DEFAULT_CURRENCY, format_money
from store.numbers import Figure, RepNumbers, TeamNumbers
from tui.plain_text import plain

SPARK_BARS = "▁▂▃▄▅▆▇█"
TEAM_KEY = "team"
PAD = "\u00a0"  # a no-break space: see right_align


def sparkline(values: tuple[int, ...] | list[int]) -> str:
    """``▁▂▅█``: each value as a bar, scaled to the largest; blank when all are zero."""
    top = max(values, default=0)
    if top <= 0:
        return PAD * len(values)
    return "".join(SPARK_BARS[min(len(SPARK_BARS) - 1, v * (len(SPARK_BARS) - 1) // top)] if v else PAD for v in values)


def amount(value: int, money: bool, currency: str = DEFAULT_CURRENCY) -> str:
    return format_money(value, currency, short=True) if money else f"{value:,}"


def row_key(rep_id: int | None) -> str:
    return TEAM_KEY if rep_id is None else str(rep_id)


def rep_of(key: str) -> int | None:
    return None if key == TEAM_KEY else int(key)


class Palette:
    """The theme's colours as Rich styles (cells are Rich text, not CSS)."""

    def __init__(self, theme) -> None:
        def colour(name: str, fallback: str) -> str:
            value = getattr(theme, name, None)
            return value if isinstance(value, str) and value.startswith("#") else fallback

        self.up = Style(color=colour("success", "green"))
        self.down = Style(color=colour("error", "red"))
        self.muted = Style(dim=True)
        self.met = Style(color=colour("success", "green"), bold=True)
        self.me = Style(color=colour("accent", "yellow"), bold=True)
        self.team = Style(bold=True)


def right_align(rows: list[list[Text]], header_widths: list[int]) -> None:
    """Pad every cell but the first of each row on the left to its column's width.

    The table strips ordinary leading spaces and ignores ``justify``; a
    no-break space survives, so figures line up on their last digit.
    """
    if not rows:
        return
    for column in range(1, len(rows[0])):
        width = max([header_widths[column] if column < len(header_widths) else 0,
                     *(row[column].cell_len for row in rows)])
        for row in rows:
            row[column].pad_left(width - row[column].cell_len, PAD)


def fit_columns(table: DataTable) -> None:
    """Size every column to its widest cell now, as the rows are put in.

    DataTable measures new rows only when it next idles, and keeps the lines it
    drew before then: a frame painted in between (a late worker answer, keys
    pressed quickly, the live refresh) left columns at their header's width.
    """
    console = table.app.console

    def width(cell) -> int:
        # What textual.render.measure answers for a Text (its widest line), without the
        # console's options it builds for every cell (the terminal's size asked each time).
        if isinstance(cell, Text):
            return max(map(cell_len, cell.plain.splitlines()), default=0)
        return measure(console, cell, 1)

    for column in table.ordered_columns:
        cells = table.get_column(column.key)
        column.content_width = max([width(column.label), *map(width, cells)])
    table.refresh()


def figure_cell(
    figure: Figure, metric: Metric, goal: GoalProgress | None, palette: Palette, *, bold: bool,
    currency: str = DEFAULT_CURRENCY,
) -> Text:
    text = Text(no_wrap=True, style=Style(bold=True) if bold else Style())
    if goal is not None:
        text.append(amount(figure.value, metric.money, currency), style=palette.met if goal.met else Style())
        text.append(f"/{amount(goal.target, metric.money, currency)}", style=palette.muted)
    else:
        text.append(amount(figure.value, metric.money, currency))
    return append_change(text, figure.change_text, palette)


def append_change(text: Text, change: str, palette: Palette) -> Text:
    """``text`` followed by a figure's change against the period before, in its colour:
    ``▲12%`` up, ``▼3`` down, ``=`` the same (as compact as a table cell needs)."""
    if change.startswith("▲"):
        text.append(" " + change.replace(" ", ""), style=palette.up)
    elif change.startswith("▼"):
        text.append(" " + change.replace(" ", ""), style=palette.down)
    elif change:
        text.append(" " + ("=" if change.startswith("=") else change), style=palette.muted)
    return text


class NumbersTable(DataTable):
    """Rows keyed by rep id (``team`` for the team); updated in place on reload."""

    DEFAULT_CSS = """
    NumbersTable {
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", fixed_columns=1, zebra_stripes=False)
        self._trend_label: str | None = None

    def _ensure_columns(self, trend_label: str) -> None:
        if self.columns and trend_label == self._trend_label:
            return
        self.clear(columns=True)
        self._trend_label = trend_label
        self.add_column("Rep", key="rep")
        for metric in METRICS:
            self.add_column(Text(metric.short, justify="right"), key=metric.key)
            if metric.key == ACTIVITIES:
                self.add_column(trend_label, key="trend")

    def show(self, numbers: TeamNumbers, me: int | None, palette: Palette) -> None:
        """Replace the rows, keeping the cursor on the same rep."""
        keep = self.current_key()
        self._ensure_columns(f"{len(numbers.spark_periods)} {numbers.period.kind}s")
        self.clear()
        rows = [(row_key(row.rep_id), self._cells(row, me, palette, numbers.currency))
                for row in (numbers.team, *numbers.reps)]
        right_align([cells for _key, cells in rows], [len(str(c.label)) for c in self.ordered_columns])
        for key, cells in rows:
            self.add_row(*cells, key=key)
        fit_columns(self)
        wanted = keep if keep is not None else row_key(me if numbers.row(me) else None)
        self.move_to(wanted)

    def _cells(self, row: RepNumbers, me: int | None, palette: Palette, currency: str) -> list[Text]:
        mine = row.rep_id is not None and row.rep_id == me
        bold = row.is_team or mine
        if row.is_team:
            name = Text(PAD * 2 + "Team", style=palette.team, no_wrap=True)
        else:
            name = plain(("▸ " if mine else PAD * 2) + row.name, palette.me if mine else Style(), no_wrap=True)
        cells = [name]
        for metric in METRICS:
            cells.append(figure_cell(row[metric.key], metric, row.goals.get(metric.key), palette, bold=bold,
                                     currency=currency))
            if metric.key == ACTIVITIES:
                cells.append(Text(sparkline(row.sparkline), style=palette.muted if not bold else palette.team))
        return cells

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # the cursor sits past the rows while the table refills
            return None
        return key.value

    def move_to(self, key: str) -> None:
        try:
            self.move_cursor(row=self.get_row_index(key), animate=False)
        except Exception:  # that rep is not in this period's rows
            self.move_cursor(row=0, animate=False)

    @property
    def selected_rep(self) -> tuple[bool, int | None]:
        """(a row is selected, its rep id or None for the team)."""
        key = self.current_key()
        if key is None:
            return False, None
        return True, rep_of(key)
