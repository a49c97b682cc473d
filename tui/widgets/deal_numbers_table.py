"""The deal figures table: a row per rep, team or territory and one for all of them.

Each cell reads ``67% ▲17pt`` or ``$24.7k ▲29%``: the figure this period and how it
moved against the previous one (a win rate by points). The first column stays put
while the rest scroll sideways, as in the activity table.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from store.deal_numbers import (
    BY_REP,
    DEAL_COLUMNS,
    DealColumn,
    DealNumbers,
    DealRow,
    change_text,
    column_value,
    figure_text,
)
from tui.plain_text import plain
from tui.widgets.numbers_table import PAD, Palette, append_change, fit_columns, right_align

TOTAL_KEY = "total"
GROUP_TITLES = {"rep": "Rep", "team": "Team", "territory": "Territory"}


def deal_cell(row: DealRow, column: DealColumn, palette: Palette, currency: str, *, bold: bool) -> Text:
    now, before = column_value(row.now, column), column_value(row.before, column)
    text = Text(figure_text(now, column.kind, currency), no_wrap=True, style=Style(bold=True) if bold else Style())
    return append_change(text, change_text(now, before, column.kind), palette)


class DealNumbersTable(DataTable):
    """Rows keyed by group (``total`` for the total row); refilled on each load."""

    DEFAULT_CSS = """
    DealNumbersTable {
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", fixed_columns=1, zebra_stripes=False)
        self.grouping: str | None = None
        self.data: DealNumbers | None = None

    def show(self, deals: DealNumbers, me: int | None, palette: Palette) -> None:
        keep = self.current_key() if deals.by == self.grouping else None
        if deals.by != self.grouping or not self.columns:
            self.clear(columns=True)
            self.grouping = deals.by
            self.add_column(GROUP_TITLES[deals.by], key="group")
            for column in DEAL_COLUMNS:
                self.add_column(Text(column.short, justify="right"), key=column.key)
        self.clear()
        self.data = deals
        rows = []
        for row in (deals.total, *deals.rows):
            mine = deals.by == BY_REP and me is not None and row.key == str(me)
            if row.is_total:
                name = plain(PAD * 2 + row.name, palette.team, no_wrap=True)  # it may name a team
            else:
                name = plain(("▸ " if mine else PAD * 2) + row.name, palette.me if mine else Style(), no_wrap=True)
            cells = [name, *(deal_cell(row, c, palette, deals.currency, bold=row.is_total or mine)
                             for c in DEAL_COLUMNS)]
            rows.append((TOTAL_KEY if row.is_total else f"g:{row.key}", cells))
        right_align([cells for _key, cells in rows], [len(str(c.label)) for c in self.ordered_columns])
        for key, cells in rows:
            self.add_row(*cells, key=key)
        fit_columns(self)
        try:
            self.move_cursor(row=self.get_row_index(keep) if keep else 0, animate=False)
        except Exception:  # that group is not in this period's rows
            self.move_cursor(row=0, animate=False)

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # the cursor sits past the rows while the table refills
            return None

    @property
    def selected_rep(self) -> tuple[bool, int | None]:
        """(the cursor is on a rep's row or the total, that rep's id or None), when grouped by rep."""
        key = self.current_key()
        if key is None or self.grouping != BY_REP:
            return False, None
        if key == TOTAL_KEY:
            return True, None
        return True, int(key.removeprefix("g:"))
