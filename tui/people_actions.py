"""The keys the people list and the account and contact pages share: `N` new, `e` edit,
`M` merge a duplicate into this one, `y` / `Y` copy an email / a phone.

A screen mixes ``PeopleActions`` in and says what the keys act on (``person_target``)
and what to do after a write (``people_changed``). Writes run in thread workers; a
refusal is one line, and nothing was saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work

from store import accounts, contacts, merges
from store.errors import StoreError
from tui.clipboard import copy_value
from tui.failures import ReportsFailedWorkers
from tui.widgets.people_list import ACCOUNTS, CONTACTS


@dataclass(frozen=True)
class PersonRef:
    """What a people key acts on."""

    kind: str  # ACCOUNTS or CONTACTS
    id: int
    name: str
    email: str | None = None
    phone: str | None = None
    account_name: str | None = None  # a new contact's account, on an account page


class PeopleActions(ReportsFailedWorkers):
    def person_target(self) -> PersonRef | None:
        raise NotImplementedError

    def new_kind(self) -> str:
        """What `N` adds here."""
        target = self.person_target()
        return target.kind if target else ACCOUNTS

    def people_changed(self, kind: str, record_id: int | None) -> None:
        """Reload after a write; ``record_id`` is what was saved (or kept, by a merge)."""

    # --- copy -----------------------------------------------------------------------------

    def action_copy_email(self) -> None:
        target = self.person_target()
        if target is not None:
            copy_value(self.app, target.email or target.phone, "email" if target.email or not target.phone else "phone")

    def action_copy_phone(self) -> None:
        target = self.person_target()
        if target is not None:
            copy_value(self.app, target.phone, "phone")

    # --- add and edit ---------------------------------------------------------------------

    def action_new_person(self) -> None:
        from tui.screens.modals.person_form import AccountFormScreen, ContactFormScreen

        kind = self.new_kind()
        if kind == ACCOUNTS:
            self.app.push_screen(AccountFormScreen(), lambda saved: self._saved(ACCOUNTS, saved, "Added account"))
        else:
            target = self.person_target()
            account = target.account_name if target else None
            self.app.push_screen(ContactFormScreen(account_name=account),
                                 lambda saved: self._saved(CONTACTS, saved, "Added contact"))

    def action_edit_person(self) -> None:
        from tui.screens.modals.person_form import AccountFormScreen, ContactFormScreen

        target = self.person_target()
        if target is None:
            return
        with self.app.database.session() as session:
            try:
                record = (accounts.get_account if target.kind == ACCOUNTS else contacts.get_contact)(session, target.id)
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
        form = AccountFormScreen(record) if target.kind == ACCOUNTS else ContactFormScreen(record)
        self.app.push_screen(form, lambda saved: self._saved(target.kind, saved, "Saved"))

    def _saved(self, kind: str, saved, verb: str) -> None:
        if saved is None:
            return
        self.notify(f"{verb} {saved.name}", markup=False)
        self.people_changed(kind, saved.id)

    # --- merge ----------------------------------------------------------------------------

    def action_merge_person(self) -> None:
        from tui.screens.modals.person_picker import PersonPickerScreen

        keep = self.person_target()
        if keep is None:
            return
        what = "account" if keep.kind == ACCOUNTS else "contact"
        picker = PersonPickerScreen(keep.kind, f"Merge which duplicate {what} into “{keep.name}”?", exclude=keep.id)
        self.app.push_screen(picker, lambda other: self._confirm_merge(keep, other))

    def _confirm_merge(self, keep: PersonRef, other_id) -> None:
        from tui.screens.modals.confirm import ConfirmScreen

        if not isinstance(other_id, int):
            return
        with self.app.database.session() as session:
            get = accounts.get_account if keep.kind == ACCOUNTS else contacts.get_contact
            other = get(session, other_id)
        if keep.kind == ACCOUNTS:
            detail = (f"Its deals and contacts move to “{keep.name}”, each deal recording the merge; "
                      f"“{other.name}” is removed.")
        else:
            detail = (f"“{keep.name}” takes its place on every deal (and its email, phone and title where "
                      f"“{keep.name}” has none); “{other.name}” is removed.")
        question = f"Merge “{other.name}” into “{keep.name}”?"
        self.app.push_screen(ConfirmScreen(question, detail),
                             lambda yes: self._merge(keep.kind, keep.id, other_id) if yes else None)

    @work(thread=True, group="people-write", exit_on_error=False)
    def _merge(self, kind: str, keep_id: int, other_id: int) -> None:
        merge = merges.merge_accounts if kind == ACCOUNTS else merges.merge_contacts
        try:
            with self.app.database.session() as session:
                done = merge(session, keep_id, other_id, by=self.app.rep.id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        moved = [f"{done.deals_moved} deal{'s' if done.deals_moved != 1 else ''}"]
        if kind == ACCOUNTS:
            moved.append(f"{done.contacts_moved} contact{'s' if done.contacts_moved != 1 else ''}")
        message = f"Merged “{done.removed_name}” into “{done.kept_name}”: {' and '.join(moved)} moved"
        self.app.call_from_thread(self.notify, message, markup=False)
        self.app.call_from_thread(self.people_changed, kind, keep_id)
