"""An account's page: its contacts (email, phone, title), its deals (open, then
closed), its open tasks and one timeline of its recent activities and notes.

`enter` opens the deal or contact on the row; `N` adds a contact at this account;
`e` edits the account; `M` merges a duplicate account into it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from store import accounts
from store.accounts import AccountPage
from store.timeline import format_when
from tui.people_actions import PersonRef
from tui.plain_text import plain, visible
from tui.screens.person_page import PersonPage, deal_line, fit, heading
from tui.widgets.people_list import ACCOUNTS, CONTACTS, reach
from tui.widgets.page_lines import PageLine, PageLines
from tui.widgets.stage_column import due_label

WHEN_WIDTH = 15


class AccountScreen(PersonPage):
    HELP_TITLE = "Account"
    HELP_GROUP = "Account"
    BINDINGS = [
        Binding("N", "new_person", "New contact", tooltip="A new contact at this account", id="account-new-contact"),
    ]

    def read_page(self, session, record_id: int, today) -> AccountPage:
        return accounts.account_page(session, record_id, today=today)

    def show_page(self, page: AccountPage, moment: tuple) -> None:
        now, today, tz = moment
        account = page.account
        self.title = "Account"
        self.sub_title = account.name
        width = self.line_width
        open_deals = [d for d in page.deals if d.is_open]
        top = plain(account.name, "bold")
        facts = [visible(account.domain)] if account.domain else []
        facts.append(f"{page.contacts_total:,} contact{'s' if page.contacts_total != 1 else ''}")
        facts.append(f"{len(open_deals)} open deal{'s' if len(open_deals) != 1 else ''}")
        if page.deals_total > len(open_deals):
            facts.append(f"{page.deals_total - len(open_deals):,} closed")
        top.append("  " + " · ".join(facts), style="dim")
        self.summary(fit(top, width))

        contacts = []
        for contact in page.contacts:
            text = plain(contact.name, "bold")
            if contact.job_title:
                text.append(" · " + visible(contact.job_title), style="dim")
            text = fit(text, min(width // 2, 34))
            text.append(" ")
            text.append(visible(reach(contact)) or "no email or phone", style="" if reach(contact) else "dim")
            contacts.append(PageLine(fit(text, width), contact_id=contact.id, email=contact.email,
                                     phone=contact.phone, name=contact.name))
        deals = [deal_line(d, width, self.currency) for d in page.deals]
        tasks = []
        for task in page.open_tasks:
            text = Text(f"{due_label(task.task_due, today):<{WHEN_WIDTH}}", style="bold")
            text.append_text(plain(task.headline))
            text.append(" · ", style="dim")
            text.append(visible(task.deal_title), style="dim")
            tasks.append(PageLine(fit(text, width), deal_id=task.deal_id))
        timeline = []
        for entry in page.timeline:
            text = Text(f"{format_when(entry.at, now, tz):<{WHEN_WIDTH}}", style="dim")
            if entry.kind == "note":  # an activity's headline starts with its type already
                text.append("Note: ", style="bold")
            text.append_text(plain(entry.headline))
            text.append(" · ", style="dim")
            text.append(visible(entry.deal_title), style="dim")
            if entry.who:
                text.append(" · " + visible(entry.who), style="dim")
            timeline.append(PageLine(fit(text, width), deal_id=entry.deal_id))
        self.query_one(PageLines).show([
            (heading("Contacts", len(contacts), page.contacts_total), contacts),
            (heading("Deals", len(deals), page.deals_total), deals),
            (Text(f"Open tasks ({len(tasks)})"), tasks),
            (Text(f"Recent activities and notes ({len(timeline)})"), timeline),
        ])

    def person_target(self) -> PersonRef | None:
        if self.page is None:
            return None
        account = self.page.account
        return PersonRef(ACCOUNTS, account.id, account.name, account_name=account.name)

    def new_kind(self) -> str:
        return CONTACTS
