"""A contact's page: the contact's details (each on its own row, so `y` copies the one
under the cursor), its account (`enter` opens it) and the deals it is on.

`e` edits the contact; `M` merges a duplicate contact into it.
"""

from __future__ import annotations

from rich.text import Text

from store import contacts
from store.contacts import ContactPage
from tui.people_actions import PersonRef
from tui.plain_text import plain, visible
from tui.screens.person_page import PersonPage, deal_line, fit, heading
from tui.widgets.people_list import CONTACTS
from tui.widgets.page_lines import PageLine, PageLines

LABEL_WIDTH = 10


def _detail(label: str, value: str | None, **line) -> PageLine:
    text = Text(f"{label:<{LABEL_WIDTH}}", style="dim")
    text.append_text(plain(value) if value else Text("none", style="dim"))
    return PageLine(text, **line)


class ContactScreen(PersonPage):
    HELP_TITLE = "Contact"
    HELP_GROUP = "Contact"

    def read_page(self, session, record_id: int, today) -> ContactPage:
        return contacts.contact_page(session, record_id)

    def show_page(self, page: ContactPage, moment: tuple) -> None:
        contact = page.contact
        self.title = "Contact"
        self.sub_title = contact.name
        width = self.line_width
        top = plain(contact.name, "bold")
        role = " at ".join(visible(p) for p in (contact.job_title, contact.account_name) if p)
        if role:
            top.append("  " + role, style="dim")
        self.summary(fit(top, width))
        details = [
            # y copies the row's own value; Y the phone from either row.
            _detail("Email", contact.email, email=contact.email, phone=contact.phone, name=contact.name),
            _detail("Phone", contact.phone, phone=contact.phone, name=contact.name),
            _detail("Title", contact.job_title),
            _detail("Account", contact.account_name, account_id=contact.account_id),
        ]
        deals = [deal_line(d, width, self.currency, primary_of=contact.id) for d in page.deals]
        self.query_one(PageLines).show([
            (Text("Details"), details),
            (heading("Deals", len(deals), page.deals_total), deals),
        ])

    def person_target(self) -> PersonRef | None:
        if self.page is None:
            return None
        contact = self.page.contact
        return PersonRef(CONTACTS, contact.id, contact.name, contact.email, contact.phone)
