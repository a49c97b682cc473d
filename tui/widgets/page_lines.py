"""The body of an account's or a contact's page: headed sections of one-line rows.

An ``OptionList`` (a line-API widget) whose rows carry what `enter` opens (a deal,
a contact, an account) and what `y` / `Y` copy. A page holds at most a few
hundred rows (store.accounts and store.contacts cap each section), so one list of
options is enough.
Every row's text is plain ``Text`` made by the page from ``tui.plain_text``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets.option_list import Option

from tui.widgets.picker_list import PickerList


@dataclass(frozen=True)
class PageLine:
    text: Text
    deal_id: int | None = None
    deal_pipeline: str | None = None
    contact_id: int | None = None
    account_id: int | None = None
    email: str | None = None  # what `y` copies from this row
    phone: str | None = None  # what `Y` copies (and `y`, when the row has no email)
    name: str | None = None  # the contact's or account's, for the "Copied" toast


class PageLines(PickerList):
    """Sections and rows; headings are disabled options the cursor skips."""

    DEFAULT_CSS = """
    PageLines, PageLines:focus { height: 1fr; border: none; padding: 0; background: $surface; }
    PageLines > .option-list--option-disabled { color: $text-accent; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[PageLine | None] = []

    def show(self, sections: list[tuple[Text, list[PageLine]]], *, keep_cursor: bool = True) -> None:
        """``sections``: (heading, rows); a heading with no rows still shows (an empty "Deals (0)")."""
        before = self.highlighted if keep_cursor else None
        options: list[Option] = []
        self.lines = []
        for heading, rows in sections:
            if options:
                options.append(Option(Text(""), disabled=True))
                self.lines.append(None)
            options.append(Option(heading, disabled=True))
            self.lines.append(None)
            for row in rows:
                options.append(Option(row.text))
                self.lines.append(row)
        self.set_options(options)
        first = next((i for i, line in enumerate(self.lines) if line is not None), None)
        if before is not None and before < len(self.lines) and self.lines[before] is not None:
            self.highlighted = before
        else:
            self.highlighted = first

    @property
    def selected(self) -> PageLine | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.lines):
            return None
        return self.lines[index]
